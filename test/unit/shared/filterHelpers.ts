/** Helpers for the filter tests: hand-made TrafficFrames, and which of them a filter keeps. */
import * as assert from 'node:assert/strict';
import { parseFilter } from '../../../src/shared/filter';
import type { TrafficFrame } from '../../../src/shared/traffic';

/** What a test sets on a frame; `text` is encoded as UTF-8 into `bytes`. */
export type FrameSpec = Partial<Omit<TrafficFrame, 'bytes'>> & {
  readonly text?: string;
  readonly bytes?: Uint8Array;
};

/** A c2s frame on connection 1 carrying "hello\r\n", changed by `spec`. */
export function frame(spec: FrameSpec = {}): TrafficFrame {
  const { text, bytes, ...rest } = spec;
  return {
    id: 1,
    conn: 1,
    dir: 'c2s',
    seq: 0,
    t: 0,
    term: 'crlf',
    partial: false,
    oversize: false,
    injected: false,
    held: false,
    bytes: bytes ?? new TextEncoder().encode(text ?? 'hello\r\n'),
    ...rest,
  };
}

/** Asserts which of `frames` the filter keeps, by index. */
export function keeps(
  filter: string,
  frames: readonly TrafficFrame[],
  expected: readonly number[],
) {
  const parsed = parseFilter(filter);
  const kept = frames.flatMap((f, i) => (parsed.matches(f) ? [i] : []));
  assert.deepEqual(kept, expected, `filter ${JSON.stringify(filter)}`);
}
