// The proxy between real clients and real servers from Debian's packages: what the client sees
// through the proxy is what it sees directly, the frames join back into the bytes exactly, and
// the protocol framers annotate and pair the real traffic.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { ChatProxy } from '../../../src/core/proxy/chatProxy';
import type { Direction, TrafficFrame } from '../../../src/shared/traffic';
import { readAll, waitFor } from '../helpers/net';
import { type Peer, startMemcached, startNgircd, startRedis, startSmtpd } from '../helpers/peers';

/** Runs a program with `input` on stdin; resolves with its stdout (rejects on a non-zero exit). */
function runWithInput(cmd: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err}`)),
    );
    p.stdin.end(input);
  });
}

/** A proxy in front of `peer` recording frames; bytes of each direction are joined per connection. */
async function recordingProxy(peer: Peer, framing: string) {
  const proxy = await ChatProxy.start({ listen: '0', upstream: `127.0.0.1:${peer.port}`, framing });
  const frames: TrafficFrame[] = [];
  let closed = 0;
  proxy.onDidFrame((f) => frames.push({ ...f, bytes: Buffer.from(f.bytes) }));
  proxy.onDidClose(() => closed++);
  return {
    proxy,
    frames,
    closedCount: () => closed,
    bytes: (dir: Direction) =>
      Buffer.concat(frames.filter((f) => f.dir === dir).map((f) => f.bytes as Buffer)),
  };
}

/** Sends `lines` over a raw socket, waiting for `until` in the replies before ending. */
async function talk(port: number, script: { send: string; until?: RegExp }[]): Promise<string> {
  const s = net.connect(port, '127.0.0.1');
  let got = '';
  s.on('data', (c: Buffer) => (got += c.toString('latin1')));
  await new Promise((r) => s.once('connect', r));
  for (const step of script) {
    const before = got.length;
    s.write(step.send);
    if (step.until) await waitFor(() => step.until!.test(got.slice(before)), `reply ${step.until}`);
  }
  s.end();
  await readAll(s);
  return got;
}

describe('proxy with real servers and clients', function () {
  this.timeout(60_000);
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0).reverse()) await s();
  });

  it('redis-cli through the proxy prints what it prints directly; replies pair with commands', async () => {
    const redis = await startRedis();
    stops.push(() => redis.stop());
    const rec = await recordingProxy(redis, 'redis');
    stops.push(() => rec.proxy.stop());
    const commands = [
      'FLUSHALL',
      'SET greeting "hello world"',
      'GET greeting',
      'INCR counter',
      'INCR greeting',
      'RPUSH list a b "c d"',
      'LRANGE list 0 -1',
      'HSET h field "line1\\r\\nline2"',
      'HGETALL h',
      'GET missing',
      'PING',
    ].join('\n');
    const direct = await runWithInput('redis-cli', ['-p', String(redis.port)], commands + '\n');
    const proxied = await runWithInput(
      'redis-cli',
      ['-p', String(rec.proxy.listen.port)],
      commands + '\n',
    );
    assert.equal(proxied, direct);
    assert.match(direct, /hello world[\s\S]*ERR value is not an integer/);
    await waitFor(() => rec.closedCount() === 1, 'the connection to close');
    const requests = rec.frames.filter((f) => f.dir === 'c2s');
    const replies = rec.frames.filter((f) => f.dir === 's2c');
    assert.deepEqual(
      requests.map((f) => f.ann?.name),
      [
        'COMMAND', // redis-cli asks for COMMAND DOCS first, for its hints
        'FLUSHALL',
        'SET',
        'GET',
        'INCR',
        'INCR',
        'RPUSH',
        'LRANGE',
        'HSET',
        'HGETALL',
        'GET',
        'PING',
      ],
    );
    assert.equal(replies.length, 12);
    replies.forEach((r, i) => {
      assert.equal(r.re, requests[i].id, `reply ${i} answers request ${i}`);
      assert.ok(r.latency !== undefined && r.latency >= 0);
    });
    assert.ok(
      rec.frames.every((f) => !f.ann?.warnings?.length),
      'clean traffic has no warnings',
    );
  });

  it('memcached through the proxy answers as directly; VALUE blocks are framed whole', async () => {
    const mc = await startMemcached();
    stops.push(() => mc.stop());
    const rec = await recordingProxy(mc, 'memcached');
    stops.push(() => rec.proxy.stop());
    const script = [
      { send: 'flush_all\r\n', until: /OK\r\n/ },
      { send: 'set k 5 0 10\r\nline\r\nfour\r\n', until: /STORED\r\n/ },
      { send: 'get k nope\r\n', until: /END\r\n/ },
      { send: 'incr n 1\r\n', until: /NOT_FOUND\r\n/ },
      { send: 'bogus\r\n', until: /ERROR\r\n/ },
    ];
    const direct = await talk(mc.port, script);
    const proxied = await talk(rec.proxy.listen.port, script);
    assert.equal(proxied, direct);
    await waitFor(() => rec.closedCount() === 1, 'close');
    const value = rec.frames.find((f) => f.dir === 's2c' && f.ann?.name === 'VALUE');
    assert.equal(value?.bytes.toString(), 'VALUE k 5 10\r\nline\r\nfour\r\n');
    const set = rec.frames.find((f) => f.dir === 'c2s' && f.ann?.name === 'SET');
    assert.equal(set?.bytes.toString(), 'set k 5 0 10\r\nline\r\nfour\r\n');
    assert.equal(rec.bytes('s2c').toString('latin1'), proxied);
  });

  it("Python's smtplib sends a mail through the proxy to Python's smtpd", async () => {
    const smtpd = await startSmtpd();
    stops.push(() => smtpd.stop());
    const rec = await recordingProxy(smtpd, 'smtp');
    stops.push(() => rec.proxy.stop());
    const script = [
      'import smtplib, sys',
      `s = smtplib.SMTP('127.0.0.1', ${rec.proxy.listen.port})`,
      "s.sendmail('ann@example.com', ['bob@example.com'], 'Subject: hi\\r\\n\\r\\nline one\\r\\n.dot line\\r\\nlast\\r\\n')",
      'print(s.noop()[0])',
      's.quit()',
    ].join('\n');
    const out = await runWithInput('python3', ['-W', 'ignore', '-'], script);
    assert.equal(out.trim(), '250');
    await waitFor(() => rec.closedCount() === 1, 'close');
    const data = rec.frames.find((f) => f.dir === 'c2s' && f.ann?.kind === 'data');
    assert.ok(data, 'the message content is one frame');
    assert.match(
      data.bytes.toString(),
      /^Subject: hi\r\n\r\nline one\r\n\.\.dot line\r\nlast\r\n\.\r\n$/,
    );
    const replies = rec.frames.filter((f) => f.dir === 's2c');
    assert.equal(replies[0].ann?.name, '220');
    assert.deepEqual(
      replies.filter((r) => r.re === undefined).map((r) => r.ann?.summary),
      [replies[0].ann?.summary],
      'every reply after the greeting answers a command',
    );
  });

  it('an IRC client registers on ngircd through the proxy; numerics are annotated', async () => {
    const irc = await startNgircd();
    stops.push(() => irc.stop());
    const rec = await recordingProxy(irc, 'irc');
    stops.push(() => rec.proxy.stop());
    const got = await talk(rec.proxy.listen.port, [
      { send: 'NICK tapper\r\nUSER tapper 0 * :Linetap Test\r\n', until: / 376 | 422 / },
      { send: 'JOIN #linetap\r\n', until: / 366 / },
      { send: 'PRIVMSG #linetap :héllo \x01ACTION waves\x01\r\nPING :tok42\r\n', until: /PONG/ },
      { send: 'QUIT :bye\r\n' },
    ]);
    assert.match(got, /001 tapper/);
    await waitFor(() => rec.closedCount() === 1, 'close');
    assert.equal(rec.bytes('s2c').toString('latin1'), got);
    const welcome = rec.frames.find((f) => f.dir === 's2c' && f.ann?.name === '001');
    assert.ok(welcome, 'the 001 welcome is a frame named 001');
    const pong = rec.frames.find((f) => f.dir === 's2c' && f.ann?.name === 'PONG');
    const ping = rec.frames.find((f) => f.dir === 'c2s' && f.ann?.name === 'PING');
    assert.equal(pong?.re, ping?.id, 'PONG pairs with its PING');
  });
});
