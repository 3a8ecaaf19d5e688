import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import type { CaptureEvent, FrameEvent } from '../../../src/core/capture/captureFormat';
import { CaptureStream } from '../../../src/core/capture/captureReader';
import { CaptureWriter } from '../../../src/core/capture/captureWriter';
import { exportPcapng, parseIpv4, splitHostPort } from '../../../src/core/capture/pcapng';
import { checksum, MAX_MSS } from '../../../src/core/capture/syntheticTcp';
import { followTcpStreams, tshark } from '../helpers/tshark';
import { SESSIONS, type SessionName, sessionCapture } from './sessionCaptures';

/** What tshark's dissectors call each session's protocol (`frame.protocols`). */
const DISSECTOR: Record<SessionName, string> = {
  redis: 'resp',
  memcached: 'memcache',
  smtp: 'smtp',
  irc: 'irc',
  http: 'http',
};

/** Packets tshark finds fault with: TCP analysis flags, malformed data, expert warnings. */
const PROBLEMS = 'tcp.analysis.flags || _ws.malformed || _ws.expert.severity >= warning';

function fields(file: string, ...names: string[]): string[][] {
  const args = ['-r', file, '-T', 'fields', '-E', 'separator=|'];
  for (const n of names) args.push('-e', n);
  return tshark(args)
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('|'));
}

describe('pcapng export, read by the real tshark', function () {
  this.timeout(120_000);
  const NAMES = Object.keys(SESSIONS) as SessionName[];
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-pcapng-'));
    for (const name of NAMES) {
      // The way the CLI does it: write a capture file, stream it back, export it.
      const capture = sessionCapture(name);
      const linetap = path.join(dir, `${name}.linetap`);
      const writer = await CaptureWriter.open(linetap, capture.header);
      for (const e of capture.events) writer.record(e);
      await writer.close();
      const stream = await CaptureStream.open(linetap);
      const stats = await exportPcapng(stream, path.join(dir, `${name}.pcapng`));
      assert.equal(stats.connections, 1);
      assert.equal(stream.errorCount, 0);
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const name of NAMES) {
    describe(`the ${name} session`, () => {
      const capture = sessionCapture(name);
      let file: string;
      before(() => {
        file = path.join(dir, `${name}.pcapng`);
      });

      it('reassembles each direction to exactly the captured bytes', () => {
        const [stream] = followTcpStreams(file, [0]);
        assert.deepEqual(stream.nodes, ['127.0.0.1:51234', `10.0.0.2:${SESSIONS[name].port}`]);
        assert.ok(stream.c2s.equals(capture.c2s), 'client to server bytes');
        assert.ok(stream.s2c.equals(capture.s2c), 'server to client bytes');
      });

      it(`is recognised by the ${DISSECTOR[name]} dissector`, () => {
        const protocols = fields(file, 'frame.protocols').map(([p]) => p.split(':'));
        assert.ok(
          protocols.some((p) => p.includes(DISSECTOR[name])),
          `no ${DISSECTOR[name]} in ${[...new Set(protocols.map((p) => p.join(':')))].join(', ')}`,
        );
      });

      it('gives tshark nothing to complain about', () => {
        assert.equal(tshark(['-r', file, '-Y', PROBLEMS]), '');
      });
    });
  }

  it('dissects the session contents: commands, replies and the SMTP message', () => {
    const smtp = path.join(dir, 'smtp.pcapng');
    const commands = fields(smtp, 'smtp.req.command').flat().filter(Boolean);
    assert.deepEqual(commands, ['ehlo', 'mail', 'rcpt', 'rcpt', 'data', 'VRFY', 'NOOP', 'quit']);
    assert.deepEqual(fields(smtp, 'imf.subject').flat().filter(Boolean), ['test']);
    const http = path.join(dir, 'http.pcapng');
    assert.deepEqual(
      fields(http, 'http.request.uri', 'http.response.code')
        .map((r) => r.join(''))
        .filter(Boolean),
      ['/hello', '200', '/chunked', '200', '/empty', '204'],
    );
  });

  it('puts several connections in their own streams, with real and synthetic addresses', async () => {
    const redis = sessionCapture('redis', { upstreamHost: '192.168.7.9' });
    const events: CaptureEvent[] = [];
    const frames = (conn: number, from: readonly CaptureEvent[]) =>
      from
        .filter((e): e is FrameEvent => e.e === 'frame')
        .slice(0, 40)
        .map((e) => ({ ...e, conn, t: e.t + conn }));
    events.push({ e: 'open', conn: 1, t: 0, peer: '127.0.0.1:40001' });
    events.push({ e: 'open', conn: 2, t: 1, peer: '[::1]:40002' });
    const a = frames(1, redis.events);
    const b = frames(2, redis.events);
    // Interleave the two connections frame by frame.
    a.forEach((e, i) => events.push(e, b[i]));
    events.push(...frames(3, redis.events)); // never opened: synthetic client port
    events.push({ e: 'close', conn: 2, t: 90_000, reason: 'server closed' });
    events.push({ e: 'close', conn: 1, t: 90_001, reason: 'client closed' });
    const file = path.join(dir, 'multi.pcapng');
    const stats = await exportPcapng({ header: redis.header, events }, file);
    assert.equal(stats.connections, 3);
    const streams = followTcpStreams(file, [0, 1, 2]);
    assert.deepEqual(
      streams.map((s) => s.nodes),
      [
        ['127.0.0.1:40001', '192.168.7.9:6379'],
        ['10.0.0.1:40002', '192.168.7.9:6379'],
        ['10.0.0.1:49154', '192.168.7.9:6379'],
      ],
    );
    const bytesOf = (conn: number, dir: string) =>
      Buffer.concat(
        events
          .filter((e): e is FrameEvent => e.e === 'frame' && e.conn === conn && e.dir === dir)
          .map((e) => e.bytes),
      );
    streams.forEach((s, i) => {
      assert.ok(s.c2s.equals(bytesOf(i + 1, 'c2s')), `stream ${i} c2s`);
      assert.ok(s.s2c.equals(bytesOf(i + 1, 's2c')), `stream ${i} s2c`);
    });
    assert.equal(tshark(['-r', file, '-Y', PROBLEMS]), '');
    // The server closed conn 2 first: its FIN comes from port 6379.
    const fins = fields(file, 'tcp.stream', 'tcp.srcport', 'tcp.flags.fin').filter(
      ([, , fin]) => fin === '1' || fin === 'True',
    );
    assert.deepEqual(
      fins.map(([s, p]) => [s, p]),
      [
        ['1', '6379'],
        ['1', '40002'],
        ['0', '40001'],
        ['0', '6379'],
      ],
    );
  });

  it('cuts large frames at the MSS, up to the loopback size, with correct checksums', async () => {
    const capture = sessionCapture('redis');
    // The whole reply as one frame, as a count framer would record it.
    const events: CaptureEvent[] = [
      { e: 'open', conn: 1, t: 0, peer: '127.0.0.1:50000' },
      frame('c2s', 5, capture.c2s),
      frame('s2c', 900, capture.s2c),
      { e: 'close', conn: 1, t: 1000 },
    ];
    for (const mss of [536, MAX_MSS]) {
      const file = path.join(dir, `mss-${mss}.pcapng`);
      await exportPcapng({ header: capture.header, events }, file, { mss });
      const lens = fields(file, 'tcp.len').map(([l]) => Number(l));
      assert.equal(Math.max(...lens), mss);
      const [stream] = followTcpStreams(file, [0]);
      assert.ok(stream.s2c.equals(capture.s2c));
      const bad = tshark([
        '-r',
        file,
        '-o',
        'ip.check_checksum:TRUE',
        '-o',
        'tcp.check_checksum:TRUE',
        '-Y',
        `ip.checksum.status != 1 || tcp.checksum.status != 1 || ${PROBLEMS}`,
      ]);
      assert.equal(bad, '', `mss ${mss}`);
    }
    await assert.rejects(
      exportPcapng({ header: capture.header, events }, path.join(dir, 'x.pcapng'), { mss: 70_000 }),
      /MSS/,
    );
  });

  it('times packets from the header plus each event, in microseconds', async () => {
    const { header } = sessionCapture('irc');
    const events: CaptureEvent[] = [
      { e: 'open', conn: 1, t: 1_500_000 },
      frame('c2s', 2_000_001, Buffer.from('PING :x\r\n')),
    ];
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const stats = await exportPcapng({ header, events }, out);
    assert.equal(stats.packets, 5); // SYN, SYN-ACK, ACK, data, ACK
    const file = path.join(dir, 'times.pcapng');
    fs.writeFileSync(file, Buffer.concat(chunks));
    const times = fields(file, 'frame.time_epoch').map(([t]) => t);
    // Whole seconds in the header, so the fractions are exactly the events' microseconds.
    const created = Date.parse(header.created) / 1000;
    assert.ok(Number.isInteger(created));
    assert.deepEqual(times, [
      ...Array(3).fill(`${created + 1}.500000000`),
      ...Array(2).fill(`${created + 2}.000001000`),
    ]);
  });

  it('exports a capture with no header on synthetic addresses', async () => {
    const file = path.join(dir, 'headless.pcapng');
    await exportPcapng([frame('c2s', 1, Buffer.from('hi\n'))], file);
    const [stream] = followTcpStreams(file, [0]);
    assert.deepEqual(stream.nodes, ['10.0.0.1:49152', '10.0.0.2:10000']);
    assert.equal(stream.c2s.toString(), 'hi\n');
  });

  it('parses the addresses it needs', () => {
    assert.deepEqual(splitHostPort('127.0.0.1:7000'), { host: '127.0.0.1', port: 7000 });
    assert.deepEqual(splitHostPort('[::1]:80'), { host: '::1', port: 80 });
    assert.deepEqual(splitHostPort('localhost'), { host: 'localhost', port: undefined });
    assert.deepEqual(splitHostPort('h:99999'), { host: 'h', port: undefined });
    assert.deepEqual(parseIpv4('10.1.2.3'), Uint8Array.of(10, 1, 2, 3));
    assert.equal(parseIpv4('256.1.1.1'), undefined);
    assert.equal(parseIpv4('localhost'), undefined);
  });

  it('computes the Internet checksum of RFC 1071', () => {
    // RFC 1071's example sums to 0xddf2, so its checksum is ~0xddf2.
    const data = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    assert.equal(checksum(data, 0, data.length, 0), ~0xddf2 & 0xffff);
    assert.equal(checksum(Uint8Array.of(0xff), 0, 1, 0), 0x00ff);
  });
});

function frame(dir: 'c2s' | 's2c', t: number, bytes: Buffer): FrameEvent {
  return {
    e: 'frame',
    conn: 1,
    dir,
    t,
    bytes,
    partial: false,
    oversize: false,
    injected: false,
    held: false,
  };
}
