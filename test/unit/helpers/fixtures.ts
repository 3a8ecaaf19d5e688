/** Recorded sessions from shared/fixtures and ways to feed them to framers. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame } from '../../../src/core/framing/frame';
import type { Framer } from '../../../src/core/framing/framer';

/** shared/ sits next to the project root, on developer machines and in CI alike. */
export const FIXTURES_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'fixtures');

/** The bytes of one recorded direction, e.g. readFixture('redis-session.c2s'). */
export function readFixture(name: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES_DIR, name));
}

/** Feeds `data` in chunks of `size` bytes (fresh copies, as sockets give), then flushes. */
export function feedInChunks(framer: Framer, data: Uint8Array, size: number): Frame[] {
  const frames: Frame[] = [];
  for (let i = 0; i < data.length; i += size) {
    frames.push(...framer.feed(Buffer.from(data.subarray(i, i + size))));
  }
  frames.push(...framer.flush());
  return frames;
}

/** Feeds `data` cut at the given offsets, then flushes. */
export function feedAtCuts(framer: Framer, data: Uint8Array, cuts: readonly number[]): Frame[] {
  const frames: Frame[] = [];
  let prev = 0;
  for (const cut of [...cuts, data.length]) {
    if (cut > prev) frames.push(...framer.feed(Buffer.from(data.subarray(prev, cut))));
    prev = Math.max(prev, cut);
  }
  frames.push(...framer.flush());
  return frames;
}

/**
 * Chunk sizes "from 1 byte up": every size to 64, then powers of two and a few odd sizes up
 * to the whole length, so big fixtures stay fast while every small split is tried.
 */
export function chunkSizes(length: number): number[] {
  const sizes = new Set<number>();
  for (let s = 1; s <= Math.min(64, length); s++) sizes.add(s);
  for (let s = 128; s < length; s *= 2) {
    sizes.add(s);
    sizes.add(s - 1);
    sizes.add(s + 3);
  }
  for (const s of [97, 251, 509, 1021, 4093, 65536]) if (s < length) sizes.add(s);
  sizes.add(Math.max(1, length));
  return [...sizes].sort((a, b) => a - b);
}

/** A frame as plain data, for deep comparison (bytes as hex). */
export function frameRecord(f: Frame): object {
  return { ...f, bytes: f.bytes.toString('hex') };
}

/**
 * The central invariant: the frames' bytes join back into `data`, and every chunking gives the
 * same frames as feeding it whole. Returns the frames of the whole feed.
 */
export function assertFramingStable(
  make: () => Framer,
  data: Buffer,
  sizes = chunkSizes(data.length),
): Frame[] {
  const whole = feedInChunks(make(), data, Math.max(1, data.length));
  assert.deepEqual(
    Buffer.concat(whole.map((f) => f.bytes)),
    data,
    'frames must join back into the input',
  );
  const expected = whole.map(frameRecord);
  for (const size of sizes) {
    const frames = feedInChunks(make(), data, size);
    assert.deepEqual(frames.map(frameRecord), expected, `chunk size ${size} gives other frames`);
  }
  return whole;
}

/**
 * assertFramingStable for both directions of a connection whose framers share state: at each
 * chunk size a fresh pair is made, the client side is fed first, then the server side (the
 * fixtures do not record the interleaving). Returns the frames of the whole feed.
 */
export function assertPairStable(
  make: () => { c2s: Framer; s2c: Framer },
  c2s: Buffer,
  s2c: Buffer,
  sizes = chunkSizes(Math.max(c2s.length, s2c.length)),
): { c2s: Frame[]; s2c: Frame[] } {
  const run = (size: number) => {
    const pair = make();
    return { c2s: feedInChunks(pair.c2s, c2s, size), s2c: feedInChunks(pair.s2c, s2c, size) };
  };
  const whole = run(Math.max(1, c2s.length, s2c.length));
  assert.deepEqual(Buffer.concat(whole.c2s.map((f) => f.bytes)), c2s, 'c2s frames must join back');
  assert.deepEqual(Buffer.concat(whole.s2c.map((f) => f.bytes)), s2c, 's2c frames must join back');
  const expected = { c2s: whole.c2s.map(frameRecord), s2c: whole.s2c.map(frameRecord) };
  for (const size of sizes) {
    const got = run(size);
    assert.deepEqual(got.c2s.map(frameRecord), expected.c2s, `c2s at chunk size ${size}`);
    assert.deepEqual(got.s2c.map(frameRecord), expected.s2c, `s2c at chunk size ${size}`);
  }
  return whole;
}
