/**
 * The traffic of the panel bench: an upstream that swallows everything, a client that offers
 * 64-byte CRLF lines at a steady rate through the proxy, a counter of the frames the proxy has
 * recorded in its capture file, and the 1,000,000-frame capture written with the real writer.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { CaptureWriter } from '../src/core/capture/captureWriter';
import { createCaptureHeader } from '../src/core/capture/captureFormat';
import { sleep } from './benchChildren';

/** Bytes per frame: a 64-byte CRLF line, as in the proxy suite. */
export const FRAME_BYTES = 64;
/** How often the sender tops the connection up to the offered rate. */
const TICK_MS = 5;

/** An upstream on 127.0.0.1 that reads and drops whatever comes. */
export async function startSink(): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** What one paced send did. */
export interface SendResult {
  /** Frames the rate asked for over the whole time. */
  readonly offered: number;
  /** Frames written into the socket (fewer when the proxy pushed back). */
  readonly sent: number;
  /** performance.now() at the first and after the last write. */
  readonly start: number;
  readonly end: number;
}

/**
 * Sends `rate` frames a second for `seconds` on a new connection to the proxy, then closes it.
 * Each line starts with `tag` and its sequence number (10 digits, from 0), so a row on screen
 * says which frame it is.
 * Every tick writes what the rate owes by then, in one write; while the socket is over its
 * high-water mark (the proxy is not reading fast enough) nothing more is queued, so back-pressure
 * shows as `sent` < `offered` instead of as memory in this process. `onSecond` is called once a
 * second with the frames sent so far.
 */
export async function sendAtRate(
  port: number,
  rate: number,
  seconds: number,
  tag: string,
  onSecond?: (sent: number, elapsed: number) => void,
): Promise<SendResult> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let failure: Error | undefined;
  socket.on('error', (e) => (failure = e));
  let blocked = false;
  socket.on('drain', () => (blocked = false));
  const offered = Math.round(rate * seconds);
  let sent = 0;
  let reported = 0;
  const start = performance.now();
  for (;;) {
    const elapsed = (performance.now() - start) / 1000;
    const due = Math.min(offered, Math.floor(rate * elapsed));
    if (!blocked && due > sent) {
      blocked = !socket.write(frames(tag, sent, due - sent));
      sent = due;
    }
    if (failure) throw failure;
    if (onSecond && Math.floor(elapsed) > reported)
      onSecond(sent, (reported = Math.floor(elapsed)));
    if (elapsed >= seconds) break;
    await sleep(TICK_MS);
  }
  const end = performance.now();
  socket.end();
  return { offered, sent, start, end };
}

/** `count` lines numbered from `first`: `<tag>0000000042 xxx…\r\n`, 64 bytes each. */
function frames(tag: string, first: number, count: number): Buffer {
  const out = Buffer.alloc(count * FRAME_BYTES);
  const line = Buffer.alloc(FRAME_BYTES, 'x'.charCodeAt(0));
  line.write(tag, 0, 'latin1');
  line.write(' ', tag.length + 10, 'latin1');
  line.write('\r\n', FRAME_BYTES - 2, 'latin1');
  for (let i = 0; i < count; i++) {
    line.write(String(first + i).padStart(10, '0'), tag.length, 'latin1');
    line.copy(out, i * FRAME_BYTES);
  }
  return out;
}

const FRAME_LINE = Buffer.from('{"e":"frame"');

/** Counts the frame lines a growing capture file holds, reading only what was added. */
export class CaptureCounter {
  private _offset = 0;
  private _frames = 0;

  constructor(private readonly _file: string) {}

  /** Frame lines written so far (complete lines only). */
  count(): number {
    let fd: number;
    try {
      fd = fs.openSync(this._file, 'r');
    } catch {
      return this._frames; // not created yet
    }
    try {
      const chunk = Buffer.alloc(1 << 20);
      for (;;) {
        const n = fs.readSync(fd, chunk, 0, chunk.length, this._offset);
        const last = chunk.lastIndexOf(10, n - 1);
        if (n === 0 || last < 0) break;
        let at = 0;
        while (at <= last) {
          if (chunk.compare(FRAME_LINE, 0, FRAME_LINE.length, at, at + FRAME_LINE.length) === 0)
            this._frames++;
          at = chunk.indexOf(10, at) + 1;
        }
        this._offset += last + 1;
      }
    } finally {
      fs.closeSync(fd);
    }
    return this._frames;
  }
}

/**
 * Writes a capture of `frames` frames with the real writer: ten connections, requests and
 * replies alternating, 64-byte CRLF lines, framed `crlf`, 100 µs apart. Returns its size.
 */
export async function writeCapture(
  file: string,
  frames: number,
  onProgress?: (written: number) => void,
): Promise<number> {
  const header = createCaptureHeader({
    listen: '127.0.0.1:7000',
    upstream: '127.0.0.1:6379',
    framing: { c2s: 'crlf', s2c: 'crlf' },
    created: new Date('2026-01-01T00:00:00Z'),
    tool: 'linetap bench',
  });
  const writer = await CaptureWriter.open(file, header);
  const conns = 10;
  for (let c = 1; c <= conns; c++) writer.recordOpen(c, c, `127.0.0.1:${50000 + c}`);
  const request = Buffer.alloc(FRAME_BYTES, 'q'.charCodeAt(0));
  request.write('GET key:', 0, 'latin1');
  request.write('\r\n', FRAME_BYTES - 2, 'latin1');
  const reply = Buffer.alloc(FRAME_BYTES, 'r'.charCodeAt(0));
  reply.write('VALUE ', 0, 'latin1');
  reply.write('\r\n', FRAME_BYTES - 2, 'latin1');
  for (let i = 0; i < frames; i++) {
    const pair = i >> 1;
    const bytes = i % 2 === 0 ? request : reply;
    bytes.write(String(pair).padStart(10, '0'), 8, 'latin1');
    const ok = writer.recordFrame({
      conn: 1 + (pair % conns),
      dir: i % 2 === 0 ? 'c2s' : 's2c',
      t: 100 + i * 100,
      bytes,
    });
    if (!ok) await writer.drained();
    if (onProgress && (i + 1) % 100_000 === 0) onProgress(i + 1);
  }
  for (let c = 1; c <= conns; c++) writer.recordClose(c, 100 + frames * 100);
  await writer.close();
  return fs.statSync(file).size;
}

/** A port free on 127.0.0.1 now (the proxy's listen address is set before VS Code starts). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
