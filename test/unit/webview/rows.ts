/** Test rows for the webview's list logic. */
import type { FrameRow } from '../../../src/shared/protocol';

/** A FrameRow with id `id` (alternating direction), overridable. */
export const row = (id: number, extra: Partial<FrameRow> = {}): FrameRow => ({
  index: id,
  id,
  conn: 1,
  dir: id % 2 ? 's2c' : 'c2s',
  seq: id,
  t: id * 1000,
  size: 5,
  flags: 0,
  summary: `frame ${id}`,
  ...extra,
});
