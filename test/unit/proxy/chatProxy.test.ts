import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCaptureRecords } from '../../../src/core/capture/captureReader';
import { ChatProxy, type ConnectionClosed } from '../../../src/core/proxy/chatProxy';
import { ProxySession } from '../../../src/core/proxy/proxySession';
import { LinetapError } from '../../../src/core/socketErrors';
import type { TrafficFrame, Direction } from '../../../src/shared/traffic';
import {
  connect,
  prng,
  randomBytes,
  readAll,
  startServer,
  waitFor,
  writeInPieces,
  type TestServer,
} from '../helpers/net';

/** Frames and closes a proxy emitted, with the bytes of each connection and direction joined. */
function record(proxy: ChatProxy) {
  const frames: TrafficFrame[] = [];
  const closed: ConnectionClosed[] = [];
  const errors: LinetapError[] = [];
  proxy.onDidFrame((f) => frames.push({ ...f, bytes: Buffer.from(f.bytes) }));
  proxy.onDidClose((c) => closed.push(c));
  proxy.onDidError((e) => errors.push(e));
  const joined = (conn: number, dir: Direction) =>
    Buffer.concat(frames.filter((f) => f.conn === conn && f.dir === dir).map((f) => f.bytes));
  return { frames, closed, errors, joined };
}

describe('ChatProxy over loopback', function () {
  this.timeout(60_000);
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  async function proxyTo(server: TestServer, framing = 'crlf', extra = {}) {
    const proxy = await ChatProxy.start({
      listen: '0',
      upstream: `127.0.0.1:${server.port}`,
      framing,
      ...extra,
    });
    cleanup.push(() => proxy.stop());
    return proxy;
  }
  async function server(onSocket: (s: net.Socket) => void) {
    const s = await startServer(onSocket);
    cleanup.push(() => s.close());
    return s;
  }

  it('forwards both directions byte for byte under random chunking; frames join back', async () => {
    const rand = prng(7);
    const upstreamGot: Buffer[] = [];
    const toClient = Buffer.from(Array.from({ length: 3000 }, (_, i) => `reply ${i}\r\n`).join(''));
    const up = await server((s) => {
      const got = readAll(s);
      void writeInPieces(s, toClient, [1, 7, 300, 2, 1500]).then(() => s.end());
      void got.then((b) => upstreamGot.push(b));
    });
    const proxy = await proxyTo(up);
    const rec = record(proxy);
    const toServer = Buffer.concat([randomBytes(20_000, rand), Buffer.from('\r\nend\r\n')]);
    const client = await connect(proxy.listen.port);
    const received = readAll(client);
    await writeInPieces(client, toServer, [3, 1, 999, 4096, 2]);
    client.end();
    assert.deepEqual(await received, toClient);
    await waitFor(() => rec.closed.length === 1, 'the connection to close');
    assert.deepEqual(upstreamGot[0], toServer);
    assert.deepEqual(rec.joined(1, 'c2s'), toServer);
    assert.deepEqual(rec.joined(1, 's2c'), toClient);
    assert.equal(rec.frames.filter((f) => f.dir === 's2c').length, 3000);
    assert.deepEqual(
      rec.frames.filter((f) => f.dir === 's2c').map((f) => f.seq),
      Array.from({ length: 3000 }, (_, i) => i),
    );
    assert.equal(rec.closed[0].info.bytes.c2s, toServer.length);
  });

  it('relays a 64 MB binary transfer intact, framed into cut pieces within the limit', async () => {
    const big = crypto.randomBytes(64 * 1024 * 1024);
    const up = await server((s) => s.end(big));
    const proxy = await proxyTo(up, 'lf', { maxFrameBytes: 256 * 1024 });
    let framed = 0;
    let largest = 0;
    proxy.onDidFrame((f) => {
      framed += f.bytes.length;
      largest = Math.max(largest, f.bytes.length);
    });
    const client = await connect(proxy.listen.port);
    const got = await readAll(client);
    assert.equal(got.length, big.length);
    assert.ok(got.equals(big), 'bytes differ');
    await waitFor(() => framed === big.length, 'every byte to be framed');
    assert.ok(largest <= 256 * 1024 + 1, `a frame of ${largest} bytes passed the limit`);
  });

  it('bulk lines through reused read buffers, to a slow reader: wire, capture and ring exact', async () => {
    // Unit tests run with LINETAP_CHECK_READS=1: the proxy overwrites its read buffers after
    // each read, so a frame, capture line or queued write that kept a view would show junk.
    const rand = prng(11);
    const lines: Buffer[] = [];
    for (let n = 0; n < 24 * 1024 * 1024;) {
      const len =
        rand() < 0.01 ? 70_000 + Math.floor(rand() * 200_000) : 1 + Math.floor(rand() * 8000);
      const line = Buffer.from(randomBytes(len, rand).map((b) => (b === 10 ? 32 : b)));
      lines.push(line, Buffer.from('\n'));
      n += len + 1;
    }
    const stream = Buffer.concat(lines);
    const up = await server((s) => s.end(stream));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-bulk-'));
    const capture = path.join(dir, 'bulk.linetap');
    const session = await ProxySession.start({
      listen: '0',
      upstream: `127.0.0.1:${up.port}`,
      framing: 'lf',
      capture,
      ring: { frames: 100_000, bytes: 64 * 1024 * 1024 },
    });
    cleanup.push(async () => {
      await session.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const rec = record(session.proxy);
    const client = await connect(session.proxy.listen.port);
    // A reader that stops now and then: the proxy's writes queue, and its reads must not
    // overwrite what waits in that queue.
    const parts: Buffer[] = [];
    let pauses = 0;
    client.on('data', (d: Buffer) => {
      parts.push(d);
      if (rand() < 0.05) {
        pauses++;
        client.pause();
        setTimeout(() => client.resume(), 5);
      }
    });
    await new Promise((resolve) => client.once('end', resolve));
    client.end();
    assert.ok(Buffer.concat(parts).equals(stream), 'the client got other bytes');
    assert.ok(pauses > 0);
    await waitFor(() => rec.closed.length === 1, 'the connection to close');
    assert.ok(rec.joined(1, 's2c').equals(stream), 'the frames seen join into other bytes');
    const ring = session.ring.snapshot().filter((f) => f.dir === 's2c');
    assert.equal(ring.length, lines.length / 2);
    assert.ok(Buffer.concat(ring.map((f) => f.bytes)).equals(stream), 'the ring holds other bytes');
    await session.capture?.flush();
    const recorded: Uint8Array[] = [];
    for await (const r of readCaptureRecords(capture)) {
      if (r.kind === 'event' && r.event.e === 'frame' && r.event.dir === 's2c') {
        recorded.push(r.event.bytes);
      }
    }
    assert.ok(Buffer.concat(recorded).equals(stream), 'the capture holds other bytes');
  });

  it('propagates half-close: the server answers after the client sent FIN', async () => {
    const up = await server((s) => {
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => s.end(`you sent ${Buffer.concat(chunks).length} bytes\r\n`));
    });
    const proxy = await proxyTo(up);
    const rec = record(proxy);
    const client = await connect(proxy.listen.port);
    const received = readAll(client);
    client.end('abc\r\nde');
    assert.equal((await received).toString(), 'you sent 7 bytes\r\n');
    await waitFor(() => rec.closed.length === 1, 'close');
    assert.equal(rec.closed[0].reason, 'client closed');
    const c2s = rec.frames.filter((f) => f.dir === 'c2s');
    assert.deepEqual(
      c2s.map((f) => [f.bytes.toString(), f.partial]),
      [
        ['abc\r\n', false],
        ['de', true],
      ],
    );
  });

  it('propagates a reset from the client to the server', async () => {
    let serverError = '';
    const up = await server((s) =>
      s.on('error', (e: Error & { code?: string }) => (serverError = e.code ?? '')),
    );
    const proxy = await proxyTo(up);
    const rec = record(proxy);
    const client = await connect(proxy.listen.port);
    client.write('partial line');
    await waitFor(() => up.sockets.size === 1, 'upstream connection');
    await waitFor(() => proxy.connections()[0]?.bytes.c2s === 12, 'bytes to cross');
    client.resetAndDestroy();
    await waitFor(() => serverError === 'ECONNRESET', 'the server to see the reset');
    await waitFor(() => rec.closed.length === 1, 'close');
    assert.equal(rec.closed[0].reason, 'client reset the connection');
    assert.equal(rec.frames.at(-1)?.bytes.toString(), 'partial line');
    assert.equal(rec.frames.at(-1)?.partial, true);
  });

  it('serves many concurrent connections, each byte-exact', async () => {
    const up = await server((s) => s.pipe(s));
    const proxy = await proxyTo(up);
    const rec = record(proxy);
    const n = 200;
    const results = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const c = await connect(proxy.listen.port);
        const got = readAll(c);
        const msg = Buffer.from(`conn ${i}\r\n`.repeat(50 + i));
        c.end(msg);
        return (await got).equals(msg);
      }),
    );
    assert.equal(results.filter(Boolean).length, n);
    await waitFor(() => rec.closed.length === n, 'all connections to close');
    assert.equal(
      new Set(rec.frames.map((f) => f.id)).size,
      rec.frames.length,
      'frame ids are unique',
    );
  });

  it('says clearly when the upstream refuses, and keeps serving', async () => {
    const up = await server(() => undefined);
    const port = up.port;
    await up.close();
    cleanup.pop();
    const proxy = await ChatProxy.start({ listen: '0', upstream: `127.0.0.1:${port}` });
    cleanup.push(() => proxy.stop());
    const rec = record(proxy);
    const client = await connect(proxy.listen.port);
    const err = await new Promise<Error & { code?: string }>((resolve) =>
      client.once('error', resolve),
    );
    assert.equal(err.code, 'ECONNRESET');
    await waitFor(() => rec.closed.length === 1, 'close');
    assert.match(rec.errors[0].message, /refused the connection.*Check the upstream host:port/);
    assert.match(rec.closed[0].reason, /refused/);
    const again = await connect(proxy.listen.port);
    await new Promise((resolve) => again.once('error', resolve));
    await waitFor(() => rec.closed.length === 2, 'second close');
  });

  it('refuses a port in use with an error that says what to do', async () => {
    const up = await server(() => undefined);
    await assert.rejects(
      ChatProxy.start({ listen: String(up.port), upstream: '127.0.0.1:1' }),
      (e: unknown) =>
        e instanceof LinetapError &&
        e.code === 'EADDRINUSE' &&
        /already in use.*another listen port/.test(e.message),
    );
  });

  it('rejects a bad framing spec before listening', async () => {
    await assert.rejects(
      ChatProxy.start({ listen: '0', upstream: '127.0.0.1:1', framing: 'crfl' }),
      /bad framing spec "crfl"/,
    );
  });

  it('shows an idle unfinished line as partial, then the rest', async () => {
    const up = await server(() => undefined);
    const proxy = await proxyTo(up, 'crlf', { idleFlushMs: 30 });
    const rec = record(proxy);
    const client = await connect(proxy.listen.port);
    client.write('Password: ');
    await waitFor(() => rec.frames.length === 1, 'the partial frame');
    assert.equal(rec.frames[0].partial, true);
    assert.equal(rec.frames[0].bytes.toString(), 'Password: ');
    client.write('hunter2\r\n');
    await waitFor(() => rec.frames.length === 2, 'the rest');
    assert.equal(rec.frames[1].bytes.toString(), 'hunter2\r\n');
    assert.equal(rec.frames[1].partial, false);
    client.destroy();
  });

  it('reads again only when every sink that paused it has resumed', async () => {
    let got = '';
    const up = await server((s) => s.on('data', (c: Buffer) => (got += c.toString())));
    const proxy = await proxyTo(up);
    const client = await connect(proxy.listen.port);
    await waitFor(() => proxy.connections().length === 1, 'the connection');
    proxy.pause(); // say, the capture file's disk
    proxy.pause(); // and the CLI's output
    proxy.resume(); // the disk caught up; the output has not
    client.write('held\r\n');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(got, '', 'read while a sink was still behind');
    proxy.resume();
    await waitFor(() => got === 'held\r\n', 'the line after the last resume');
    client.destroy();
  });

  it('injects bytes towards either side, recorded as injected frames', async () => {
    const up = await server((s) => s.on('data', () => undefined));
    const upstreamGot: Buffer[] = [];
    up.sockets.forEach(() => undefined);
    const proxy = await proxyTo(up);
    const rec = record(proxy);
    const client = await connect(proxy.listen.port);
    const clientGot: Buffer[] = [];
    client.on('data', (c: Buffer) => clientGot.push(c));
    await waitFor(() => up.sockets.size === 1 && proxy.connections()[0]?.state === 'open', 'open');
    const [upSock] = up.sockets;
    upSock.on('data', (c: Buffer) => upstreamGot.push(c));
    proxy.inject(1, 'c2s', Buffer.from('PING\r\n'));
    proxy.inject(1, 's2c', Buffer.from('+PONG\r\n'));
    await waitFor(
      () => Buffer.concat(upstreamGot).toString() === 'PING\r\n',
      'injected bytes at the server',
    );
    await waitFor(
      () => Buffer.concat(clientGot).toString() === '+PONG\r\n',
      'injected bytes at the client',
    );
    assert.deepEqual(
      rec.frames.map((f) => [f.dir, f.bytes.toString(), f.injected]),
      [
        ['c2s', 'PING\r\n', true],
        ['s2c', '+PONG\r\n', true],
      ],
    );
    assert.throws(
      () => proxy.inject(99, 'c2s', Buffer.from('x')),
      /no open connection 99; open ones: 1/,
    );
    client.destroy();
  });

  it('holds memory bounded when the client never reads, and loses nothing', async () => {
    const total = 200 * 1024 * 1024;
    let sent = 0;
    const up = await server((s) => {
      const block = Buffer.alloc(1024 * 1024, 0x61);
      const pump = () => {
        while (sent < total) {
          sent += block.length;
          if (!s.write(block)) return void s.once('drain', pump);
        }
        s.end();
      };
      pump();
    });
    const proxy = await proxyTo(up, 'close');
    const client = await connect(proxy.listen.port);
    client.pause();
    await new Promise((r) => setTimeout(r, 500));
    const relayed = proxy.connections()[0].bytes.s2c;
    assert.ok(sent < total, 'the server was made to wait');
    assert.ok(
      relayed < 32 * 1024 * 1024,
      `the proxy read ${relayed} bytes for a client that reads nothing`,
    );
    let got = 0;
    client.on('data', (c: Buffer) => (got += c.length));
    client.resume();
    await new Promise((r) => client.once('end', r));
    assert.equal(got, total);
  });
});
