/** Comparing many frames from different sources (memory, a capture index) by content. */
import * as assert from 'node:assert/strict';
import type { TrafficFrame } from '../../../src/shared/traffic';

/**
 * The fields of a frame in a plain object, its bytes as a Buffer, so frames from anywhere
 * (a frame a store decodes for a filter reads some fields through getters) compare by content.
 */
export function plain(f: TrafficFrame): TrafficFrame {
  const { id, conn, dir, seq, t, term, partial, oversize, injected, held, ann, re, latency } = f;
  const out: TrafficFrame = {
    id,
    conn,
    dir,
    seq,
    t,
    bytes: Buffer.from(f.bytes),
    term,
    partial,
    oversize,
    injected,
    held,
  };
  return { ...out, ...(ann && { ann }), ...(re !== undefined && { re, latency }) };
}

/** Everything of a frame in one string: comparing 200,000 of these is quick. */
function frameKey(f: TrafficFrame): string {
  const { bytes, ...fields } = plain(f);
  return JSON.stringify(fields) + Buffer.from(bytes).toString('base64');
}

/** Frames from two sources are the same frames, in the same order. */
export function assertSameFrames(actual: TrafficFrame[], expected: TrafficFrame[]): void {
  assert.equal(actual.length, expected.length, 'number of frames');
  for (let i = 0; i < expected.length; i++) {
    // The cheap comparison first; the deep one says what differs.
    if (frameKey(actual[i]) !== frameKey(expected[i])) {
      assert.deepEqual(plain(actual[i]), plain(expected[i]), `frame ${i}`);
    }
  }
}
