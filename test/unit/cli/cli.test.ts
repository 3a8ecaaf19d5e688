// The `linetap` command line as a person uses it: real processes, real sockets, real files.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { buildCli, killAll, runCli, startCli } from '../helpers/cli';
import { connect, readAll, startServer, waitFor, type TestServer } from '../helpers/net';
import { startRedis } from '../helpers/peers';

describe('linetap command line', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => buildCli());
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-cli-'))));
  afterEach(() => {
    killAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('--help works everywhere; bad calls exit 2 with what to do', async () => {
    for (const cmd of [[], ['proxy'], ['send'], ['show'], ['export'], ['demo']]) {
      const r = await runCli([...cmd, '--help']);
      assert.equal(r.code, 0, `${cmd.join(' ')} --help`);
      assert.match(r.stdout, /linetap/);
    }
    const none = await runCli([]);
    assert.equal(none.code, 2);
    const unknown = await runCli(['prxy']);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /unknown command "prxy"\. Commands: proxy, send, show, export, demo/,
    );
    const missing = await runCli(['proxy', '--listen', '7000']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--upstream is required, e\.g\. --upstream localhost:6379/);
    const badSpec = await runCli([
      'proxy',
      '--listen',
      '0',
      '--upstream',
      'h:1',
      '--framing',
      'crfl',
    ]);
    assert.equal(badSpec.code, 2);
    assert.match(badSpec.stderr, /bad framing spec "crfl".*Accepted: lf, crlf/);
    const badOption = await runCli(['proxy', '--lisen', '7000']);
    assert.equal(badOption.code, 2);
    assert.match(badOption.stderr, /Unknown option '--lisen'[\s\S]*See: linetap proxy --help/);
    const badFilter = await runCli(['show', 'x.linetap', '--filter', 'stauts:200']);
    assert.equal(badFilter.code, 2);
    assert.match(badFilter.stderr, /column 1/);
  });

  describe('proxy, capture, show and export', () => {
    let up: TestServer;
    beforeEach(async () => {
      up = await startServer((s) => {
        // Upper-cases ASCII letters byte by byte, so non-UTF-8 bytes come back unchanged.
        s.on('data', (c: Buffer) => s.write(c.map((b) => (b >= 0x61 && b <= 0x7a ? b - 32 : b))));
        s.on('end', () => s.end());
      });
    });
    afterEach(() => up.close());

    it('prints frames live as JSON, records them, and shows them back', async () => {
      const capture = path.join(dir, 's.linetap');
      const proxy = startCli([
        'proxy',
        '--listen',
        '0',
        '--upstream',
        `127.0.0.1:${up.port}`,
        '--framing',
        'crlf',
        '--json',
        '--capture',
        capture,
      ]);
      const [, port] = await proxy.waitFor(/listening on 127\.0\.0\.1:(\d+)/);
      const c = await connect(Number(port));
      const got = readAll(c);
      c.end(Buffer.concat([Buffer.from('hello\r\nwörld\r\n'), Buffer.from([0xff])]));
      assert.deepEqual(
        await got,
        Buffer.concat([Buffer.from('HELLO\r\nWöRLD\r\n'), Buffer.from([0xff])]),
      );
      await proxy.waitFor(/"type":"close"/, 'stdout');
      assert.equal(await proxy.interrupt(), 0);
      assert.match(proxy.stderr(), /capture written to/);
      const lines = proxy
        .stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const frames = lines.filter((l) => l.type === 'frame');
      assert.deepEqual(
        frames.map((f) => [f.dir, f.text ?? f.b64, f.partial === true]),
        [
          ['c2s', 'hello\r\n', false],
          ['c2s', 'wörld\r\n', false],
          ['c2s', '/w==', true],
          ['s2c', 'HELLO\r\n', false],
          ['s2c', 'WöRLD\r\n', false],
          ['s2c', '/w==', true],
        ],
      );

      const shown = await runCli(['show', capture]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /→ +7B hello\\r\\n/);
      assert.match(shown.stdout, /← +7B HELLO\\r\\n/);
      assert.match(shown.stdout, /\[partial\]/);
      // The close line counts the connection's bytes, as the live one did.
      assert.match(shown.stdout, /c1 closed: [^(]*\(16B →, 16B ←\)/);
      const filtered = await runCli(['show', capture, '--json', '--filter', 's2c /HELLO/']);
      assert.equal(filtered.stdout.trim().split('\n').length, 1);
      assert.equal(JSON.parse(filtered.stdout).text, 'HELLO\r\n');

      const pcap = path.join(dir, 's.pcapng');
      const exported = await runCli(['export', capture, '--pcapng', pcap]);
      assert.equal(exported.code, 0, exported.stderr);
      const payloads = execFileSync('tshark', [
        '-r',
        pcap,
        '-T',
        'fields',
        '-e',
        'tcp.payload',
        '-Y',
        'tcp.len > 0',
      ]).toString();
      assert.ok(payloads.includes(Buffer.from('hello\r\n').toString('hex')), payloads);
    });

    it('show reports a malformed line by number, shows the rest, and exits 2', async () => {
      const file = path.join(dir, 'bad.linetap');
      fs.writeFileSync(
        file,
        [
          '{"linetap":1,"created":"2026-11-25T00:00:00.000Z","listen":"127.0.0.1:7000","upstream":"127.0.0.1:6379","framing":{"c2s":"crlf","s2c":"crlf"}}',
          '{"e":"open","c":1,"t":0,"peer":"127.0.0.1:5000"}',
          '{"e":"frame","c":1,"d":">","t":10,"text":"one\\r\\n"}',
          '{"e":"frame","c":1,"d":">","t":11,"text":',
          '{"e":"frame","c":1,"d":">","t":12,"text":"two\\r\\n"}',
          '{"e":"frame","c":1,"d":"<","t":13,"text":"tor',
        ].join('\n'),
      );
      const r = await runCli(['show', file]);
      assert.equal(r.code, 2);
      assert.match(r.stdout, /one\\r\\n/);
      assert.match(r.stdout, /two\\r\\n/);
      assert.match(r.stderr, /line 4: /);
      assert.match(r.stderr, /line 6: .*torn|line 6:/);
      assert.match(r.stderr, /could not be read; everything else was/);
    });

    it('holds a frame with --intercept until "r" is typed', async () => {
      const proxy = startCli([
        'proxy',
        '--listen',
        '0',
        '--upstream',
        `127.0.0.1:${up.port}`,
        '--framing',
        'crlf',
        '--intercept',
        'c2s /secret/',
      ]);
      const [, port] = await proxy.waitFor(/listening on 127\.0\.0\.1:(\d+)/);
      const c = await connect(Number(port));
      let back = '';
      c.on('data', (d: Buffer) => (back += d.toString()));
      c.write('open\r\nsecret\r\n');
      const [, id] = await proxy.waitFor(/held #(\d+)/);
      const seen = () => back;
      await waitFor(() => seen() === 'OPEN\r\n', 'the echo of the first line');
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(seen(), 'OPEN\r\n', 'the held line has not passed');
      proxy.proc.stdin.write('l\n');
      await proxy.waitFor(new RegExp(`#${id} c1 → 8B "secret\\\\r\\\\n"`));
      proxy.proc.stdin.write(`r ${id}\n`);
      await proxy.waitFor(new RegExp(`released #${id}`));
      await waitFor(() => seen() === 'OPEN\r\nSECRET\r\n', 'the released line');
      c.destroy();
      assert.equal(await proxy.interrupt(), 0);
    });

    it('gives up on an upstream that never answers, says so, and keeps serving', async () => {
      // A listener that never accepts, its queue full: the kernel drops further SYNs, as a
      // firewall that filters the port does.
      const stuck = spawn('python3', [
        '-c',
        'import socket,sys\n' +
          's=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(0)\n' +
          'print(s.getsockname()[1], flush=True); sys.stdin.read()',
      ]);
      try {
        const stuckPort = await new Promise<number>((resolve) =>
          stuck.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
        );
        const filler = await connect(stuckPort); // takes the one place in the queue
        const proxy = startCli([
          ...['proxy', '--listen', '0', '--upstream', `127.0.0.1:${stuckPort}`],
          ...['--connect-timeout', '300'],
        ]);
        const [, port] = await proxy.waitFor(/listening on 127\.0\.0\.1:(\d+)/);
        for (const n of [1, 2]) {
          const c = await connect(Number(port));
          await new Promise((r) => c.on('close', r).on('error', () => undefined));
          await proxy.waitFor(
            new RegExp(`c${n} closed: upstream 127\\.0\\.0\\.1:${stuckPort}`),
            'stdout',
          );
        }
        assert.match(
          proxy.stderr(),
          /upstream 127\.0\.0\.1:\d+ did not answer in time \(no answer in 300 ms\): check that the host is reachable/,
        );
        assert.equal(await proxy.interrupt(), 0);
        filler.destroy();
      } finally {
        stuck.kill();
      }
    });

    it('says what to do when the port is taken', async () => {
      const r = await runCli(['proxy', '--listen', String(up.port), '--upstream', '127.0.0.1:1']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /already in use.*choose another listen port/);
    });
  });

  it('send talks to a real redis-server and pairs the reply', async () => {
    const redis = await startRedis();
    try {
      const r = await runCli([
        'send',
        `127.0.0.1:${redis.port}`,
        '*1\\r\\n$4\\r\\nPING\\r\\n',
        'ECHO "hi there"\\r\\n',
        '--framing',
        'redis',
        '--json',
        '--wait',
        '300',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const frames = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { dir: string; text: string; re?: number; id: number });
      assert.deepEqual(
        frames.map((f) => [f.dir, f.text]),
        [
          ['c2s', '*1\r\n$4\r\nPING\r\n'],
          ['s2c', '+PONG\r\n'],
          ['c2s', 'ECHO "hi there"\r\n'],
          ['s2c', '$8\r\nhi there\r\n'],
        ],
      );
      assert.equal(frames[1].re, frames[0].id);
      assert.equal(frames[3].re, frames[2].id);
      // --eol ends each message as redis-cli would; an ending already there is not doubled.
      const ended = await runCli([
        ...['send', `127.0.0.1:${redis.port}`, 'SET k "a b"', 'GET k\\r\\n', 'QUIT', 'PING'],
        ...['--eol', 'crlf', '--framing', 'redis', '--json', '--wait', '300'],
      ]);
      assert.equal(ended.code, 0, ended.stderr);
      assert.deepEqual(
        ended.stdout
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { text: string }).text),
        ['SET k "a b"\r\n', '+OK\r\n', 'GET k\r\n', '$3\r\na b\r\n', 'QUIT\r\n', '+OK\r\n'],
      );
      assert.match(ended.stderr, /closed the connection after message 3; 1 message was not sent/);
      // Without an ending, redis waits for the rest of the line: the hint says why.
      const unended = await runCli([
        'send',
        `127.0.0.1:${redis.port}`,
        'PING',
        '--framing',
        'redis',
        '--wait',
        '200',
      ]);
      assert.equal(unended.code, 0, unended.stderr);
      assert.match(unended.stderr, /no reply to message 1, which does not end with a line ending/);
      const badEol = await runCli(['send', `127.0.0.1:${redis.port}`, 'PING', '--eol', 'cr']);
      assert.equal(badEol.code, 2);
      assert.match(badEol.stderr, /--eol takes crlf, lf or none, not "cr"/);
      const refused = await runCli(['send', '127.0.0.1:1', 'x']);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /refused the connection/);
    } finally {
      await redis.stop();
    }
  });

  it('demo runs the chat through a proxy and ends cleanly', async () => {
    const r = await runCli(['demo']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /→ +12B NICK alice\\r\\n/);
    assert.match(r.stdout, /← +5B BYE\\r\\n/);
    assert.match(r.stdout, /every client ran its script to the end/);
  });
});
