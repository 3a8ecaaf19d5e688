/**
 * Captures built from the recorded sessions in shared/fixtures. The fixtures hold each direction
 * whole; here they are cut into messages with a little per-protocol parsing and interleaved
 * request, reply, request..., each message recorded as `crlf` frames (a tail without a line
 * ending, like an HTTP body, becomes a `partial` frame, as an idle cut would make it).
 */
import type { CaptureEvent, CaptureHeader } from '../../../src/core/capture/captureFormat';
import { createCaptureHeader } from '../../../src/core/capture/captureFormat';
import type { Direction } from '../../../src/shared/traffic';
import { readFixture } from '../helpers/fixtures';

/** The recorded sessions, with the port their protocol uses. */
export const SESSIONS = {
  redis: { port: 6379, serverFirst: false },
  memcached: { port: 11211, serverFirst: false },
  smtp: { port: 25, serverFirst: true },
  irc: { port: 6667, serverFirst: false },
  http: { port: 80, serverFirst: false },
} as const;

/** A session name. */
export type SessionName = keyof typeof SESSIONS;

/** A capture in memory, as a test builds it. */
export interface BuiltCapture {
  readonly header: CaptureHeader;
  readonly events: CaptureEvent[];
  readonly c2s: Buffer;
  readonly s2c: Buffer;
}

/** One connection replaying a recorded session; `upstreamHost` decides the server address. */
export function sessionCapture(
  name: SessionName,
  options: { readonly upstreamHost?: string; readonly peer?: string } = {},
): BuiltCapture {
  const { port, serverFirst } = SESSIONS[name];
  const c2s = readFixture(`${name}-session.c2s`);
  const s2c = readFixture(`${name}-session.s2c`);
  const header = createCaptureHeader({
    listen: '127.0.0.1:7000',
    upstream: `${options.upstreamHost ?? 'localhost'}:${port}`,
    framing: { c2s: 'crlf', s2c: 'crlf' },
    created: new Date('2026-11-25T03:54:12.000Z'),
    tool: 'linetap-test',
  });
  const requests = split(name, 'c2s', c2s);
  const replies = split(name, 's2c', s2c);
  const events: CaptureEvent[] = [
    { e: 'open', conn: 1, t: 0, peer: options.peer ?? '127.0.0.1:51234' },
  ];
  let t = 100;
  const record = (dir: Direction, message: Buffer | undefined) => {
    if (!message) return;
    for (const piece of crlfPieces(message)) {
      const partial = piece[piece.length - 1] !== 10;
      events.push({ e: 'frame', conn: 1, dir, t, bytes: piece, ...flags(partial) });
      t += 3;
    }
    t += 250;
  };
  if (serverFirst) record('s2c', replies.shift());
  for (let i = 0; i < Math.max(requests.length, replies.length); i++) {
    record('c2s', requests[i]);
    record('s2c', replies[i]);
  }
  events.push({ e: 'close', conn: 1, t, reason: 'client closed' });
  return { header, events, c2s, s2c };
}

function flags(partial: boolean) {
  return { partial, oversize: false, injected: false, held: false };
}

/** Cuts bytes after each `\r\n`; a tail without one is a piece of its own. */
export function crlfPieces(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = data.indexOf('\r\n'); i >= 0; i = data.indexOf('\r\n', start)) {
    out.push(data.subarray(start, i + 2));
    start = i + 2;
  }
  if (start < data.length) out.push(data.subarray(start));
  return out;
}

/** Splits one direction into messages (requests or replies). */
function split(name: SessionName, dir: Direction, data: Buffer): Buffer[] {
  const r = new Cursor(data);
  const out: Buffer[] = [];
  const memcachedCommands: string[] = [];
  let smtpData = false;
  if (name === 'memcached' && dir === 's2c') {
    const c = new Cursor(readFixture('memcached-session.c2s'));
    while (!c.done) memcachedCommands.push(memcachedRequest(c).split(' ')[0]);
  }
  while (!r.done) {
    const start = r.pos;
    if (name === 'redis') respValue(r);
    else if (name === 'http') (dir === 'c2s' ? httpRequest : httpResponse)(r);
    else if (name === 'smtp' && dir === 'c2s') smtpData = smtpCommand(r, smtpData);
    else if (name === 'smtp') smtpReply(r);
    else if (name === 'memcached' && dir === 'c2s') memcachedRequest(r);
    else if (name === 'memcached') memcachedReply(r, memcachedCommands.shift() ?? '');
    else r.line();
    out.push(data.subarray(start, r.pos));
  }
  return out;
}

class Cursor {
  pos = 0;
  constructor(readonly data: Buffer) {}
  get done(): boolean {
    return this.pos >= this.data.length;
  }
  /** The next line without its `\r\n`. */
  line(): string {
    const end = this.data.indexOf('\r\n', this.pos);
    const stop = end < 0 ? this.data.length : end;
    const text = this.data.toString('latin1', this.pos, stop);
    this.pos = end < 0 ? stop : end + 2;
    return text;
  }
  skip(n: number): void {
    this.pos = Math.min(this.data.length, this.pos + n);
  }
}

function respValue(r: Cursor): void {
  const line = r.line();
  const n = Number(line.slice(1));
  if (line[0] === '$' && n >= 0) r.skip(n + 2);
  if (line[0] === '*') for (let i = 0; i < n; i++) respValue(r);
}

function httpRequest(r: Cursor): void {
  while (!r.done && r.line() !== '');
}

function httpResponse(r: Cursor): void {
  const status = Number(r.line().split(' ')[1]);
  let length = 0;
  let chunked = false;
  for (let h = r.line(); h !== '' && !r.done; h = r.line()) {
    const [key, value] = h.split(/:\s*/);
    if (/^content-length$/i.test(key)) length = Number(value);
    if (/^transfer-encoding$/i.test(key)) chunked = /chunked/i.test(value);
  }
  if (status === 204 || status === 304) return;
  if (!chunked) return r.skip(length);
  for (let size = parseInt(r.line(), 16); size > 0; size = parseInt(r.line(), 16)) r.skip(size + 2);
  while (!r.done && r.line() !== '');
}

/** A command, or after DATA the message up to its lone dot; true when DATA was read. */
function smtpCommand(r: Cursor, inData: boolean): boolean {
  if (!inData) return /^data$/i.test(r.line());
  while (!r.done && r.line() !== '.');
  return false;
}

function smtpReply(r: Cursor): void {
  while (!r.done && r.line()[3] === '-');
}

const STORAGE = new Set(['set', 'add', 'replace', 'append', 'prepend', 'cas']);

function memcachedRequest(r: Cursor): string {
  const line = r.line();
  const words = line.split(' ');
  if (STORAGE.has(words[0])) r.skip(Number(words[4]) + 2);
  return line;
}

function memcachedReply(r: Cursor, command: string): void {
  if (command === 'quit') return;
  if (command !== 'get' && command !== 'gets' && command !== 'stats') return void r.line();
  for (let line = r.line(); line !== 'END' && !r.done; line = r.line()) {
    if (line.startsWith('VALUE ')) r.skip(Number(line.split(' ')[3]) + 2);
  }
}
