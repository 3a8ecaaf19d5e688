/**
 * What a panel reads its list from: the counts, the filter, and rows, details and frames by
 * position. FrameTable answers at once from memory; CaptureTable answers from disk, so the
 * reads may return promises and the panel awaits them.
 */
import type { Filter } from '../../shared/filter';
import type { FrameDetail, FrameRow } from '../../shared/protocol';
import type { TrafficFrame } from '../../shared/traffic';

/** A value, or the promise of one. */
export type Awaitable<T> = T | Promise<T>;

/** A filterable list of frames with absolute indexes, read a window at a time. */
export interface FrameView {
  /** Frames held (or indexed so far). */
  readonly total: number;
  /** Frames the filter lets through, found so far: the list's length. */
  readonly matched: number;
  /** Frames no longer held (only in the capture file). */
  readonly dropped: number;
  /** The filter in force. */
  readonly filter: Filter;
  /** Sets the filter; throws FilterError for text that does not parse. */
  setFilter(filter: string): void;
  /** Rows `pos` to `pos + count` of the filtered list (fewer past its end). */
  rows(pos: number, count: number): Awaitable<FrameRow[]>;
  /** A frame in full, with the request or reply it pairs with. */
  detail(index: number): Awaitable<FrameDetail | undefined>;
  /** The frame at an absolute index, if it is held. */
  get(index: number): Awaitable<TrafficFrame | undefined>;
}
