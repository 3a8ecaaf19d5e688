/**
 * Big redis captures written by the real capture writer, for tests (and measurements) of views
 * over captures larger than a panel keeps in memory. Deterministic: frame k is always the same.
 * Several connections take turns, opening and closing; among plain SET/GET exchanges there are
 * long values (payloads past a record's inline size), binary ones (base64 lines), requests cut
 * by an idle flush (a `partial` piece, then the rest), injected and held frames, and notes.
 */
import { createCaptureHeader } from '../../../src/core/capture/captureFormat';
import { CaptureWriter } from '../../../src/core/capture/captureWriter';
import type { Direction } from '../../../src/shared/traffic';

/** Connections open at once. */
const OPEN = 4;
/** Frames a connection carries before it closes and another opens. */
const LIFETIME = 5_000;

/** The frame events of a big capture: `frames` of them, plus opens, closes and notes. */
export async function writeBigCapture(file: string, frames: number): Promise<void> {
  const header = createCaptureHeader({
    listen: '127.0.0.1:7000',
    upstream: 'localhost:6379',
    framing: { c2s: 'redis', s2c: 'redis' },
    created: new Date('2026-11-25T03:54:12.000Z'),
    tool: 'linetap-test',
  });
  const w = await CaptureWriter.open(file, header, { flushIntervalMs: 60_000 });
  const conns: { id: number; frames: number }[] = [];
  let nextConn = 1;
  let t = 0;
  let written = 0;
  const frame = async (
    conn: number,
    dir: Direction,
    bytes: Buffer,
    flags: { partial?: boolean; injected?: boolean; held?: boolean } = {},
  ) => {
    if (written >= frames) return;
    written++;
    t += 7;
    if (!w.recordFrame({ conn, dir, t, bytes, ...flags })) await w.drained();
  };
  for (let k = 0; written < frames; k++) {
    while (conns.length < OPEN) {
      conns.push({ id: nextConn, frames: 0 });
      w.recordOpen(nextConn++, t, `127.0.0.1:${40000 + (nextConn % 20000)}`);
    }
    // A few exchanges in a row on one connection, then the next one's turn.
    const c = conns[Math.floor(k / 3) % conns.length];
    const { request, reply } = exchange(k);
    const flags = { injected: k % 71 === 0, held: k % 73 === 0 };
    if (k % 83 === 0) {
      // An idle flush cut the request: the proxy recorded a partial piece, then the rest.
      await frame(c.id, 'c2s', request.subarray(0, 5), { partial: true });
      await frame(c.id, 'c2s', request.subarray(5), flags);
    } else {
      await frame(c.id, 'c2s', request, flags);
    }
    await frame(c.id, 's2c', reply);
    if (k % 1000 === 999) w.recordNote(t, `checkpoint ${k}`, c.id);
    c.frames += 2;
    if (c.frames >= LIFETIME) {
      w.recordClose(c.id, t, 'client closed');
      conns.splice(conns.indexOf(c), 1);
    }
  }
  await w.close();
}

/** Request and reply number k. */
function exchange(k: number): { request: Buffer; reply: Buffer } {
  const key = `key:${k}`;
  if (k % 97 === 0) {
    const value = `long-${k}-`.padEnd(3000, 'x');
    return { request: resp('SET', key, value), reply: Buffer.from('+OK\r\n') };
  }
  if (k % 89 === 0) {
    const value = Buffer.from([0xff, 0xfe, k & 0xff, 0x00, 0x80]);
    return { request: resp('SET', key, value), reply: Buffer.from('+OK\r\n') };
  }
  if (k % 2 === 0) {
    return { request: resp('SET', key, `value ${k}`), reply: Buffer.from('+OK\r\n') };
  }
  const value = `value ${k - 1}`;
  return {
    request: resp('GET', `key:${k - 1}`),
    reply: k % 11 === 0 ? Buffer.from('$-1\r\n') : Buffer.from(`$${value.length}\r\n${value}\r\n`),
  };
}

/** A RESP array of bulk strings. */
function resp(...args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a) : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}
