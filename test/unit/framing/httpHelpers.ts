/** Helpers shared by the http framer tests. */
import type { Direction, Frame } from '../../../src/core/framing/frame';
import type { FramerOptions } from '../../../src/core/framing/framer';
import { httpProtocol } from '../../../src/core/framing/protocols/http';
import { assertPairStable } from '../helpers/fixtures';

/** Both sides' frames. */
export type Pair = { c2s: Frame[]; s2c: Frame[] };

/** Text (as latin1) or bytes, as bytes. */
export const bytes = (x: string | Buffer): Buffer =>
  typeof x === 'string' ? Buffer.from(x, 'latin1') : x;

/** Frames both sides, client first, checking exact bytes and every chunking. */
export function run(
  c2s: string | Buffer,
  s2c: string | Buffer = '',
  options?: FramerOptions,
): Pair {
  return assertPairStable(() => httpProtocol.createFramers(options), bytes(c2s), bytes(s2c));
}

/** Frames a conversation in the order it happened live, each step one chunk. */
export function live(
  steps: readonly [Direction, string | Buffer][],
  options?: FramerOptions,
): Pair {
  const pair = httpProtocol.createFramers(options);
  const out: Pair = { c2s: [], s2c: [] };
  for (const [dir, data] of steps) out[dir].push(...pair[dir].feed(bytes(data)));
  out.c2s.push(...pair.c2s.flush());
  out.s2c.push(...pair.s2c.flush());
  return out;
}

/** Each frame's annotation name. */
export const names = (frames: Frame[]) => frames.map((f) => f.ann?.name);
/** Each frame's summary. */
export const summaries = (frames: Frame[]) => frames.map((f) => f.ann?.summary);
/** Each frame's `re`. */
export const res = (frames: Frame[]) => frames.map((f) => f.ann?.re);
/** Each frame's bytes as latin1 text. */
export const texts = (frames: Frame[]) => frames.map((f) => f.bytes.toString('latin1'));
/** A frame's warning codes. */
export const codes = (f: Frame) => (f.ann?.warnings ?? []).map((w) => w.code);
/** A frame's warning messages, joined. */
export const messages = (f: Frame) => (f.ann?.warnings ?? []).map((w) => w.message).join(' | ');
/** Every warning of both sides. */
export const allWarnings = (p: Pair) => [...p.c2s, ...p.s2c].flatMap((f) => f.ann?.warnings ?? []);

/** A minimal GET request. */
export const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`;
