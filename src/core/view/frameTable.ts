/**
 * The frames a panel shows, held by the host: appended as they arrive, bounded by a frame count
 * and a byte budget (older frames are dropped here and live on in the capture file), filtered
 * with the shared filter language, and read back a window of rows at a time. The webview only
 * ever holds the rows it can see (src/shared/protocol.ts).
 */
import { escapeBytes } from '../bytes';
import { type Filter, parseFilter } from '../../shared/filter';
import { DETAIL_BYTES, FrameFlag, type FrameDetail, type FrameRow } from '../../shared/protocol';
import type { TrafficFrame } from '../../shared/traffic';
import type { FrameView } from './frameView';

/** Limits of a table. */
export interface FrameTableLimits {
  /** Most frames kept. Default 1,000,000. */
  readonly frames?: number;
  /** Most payload bytes kept. Default 256 MiB. */
  readonly bytes?: number;
}

/** Bytes of payload shown in a row's summary when the protocol gives none. */
export const PREVIEW_BYTES = 160;
/** How far a request looks ahead for its reply (frames). */
export const PAIR_SCAN = 10_000;

/** A bounded, filterable list of frames with absolute indexes. */
export class FrameTable implements FrameView {
  private readonly _maxFrames: number;
  private readonly _maxBytes: number;
  private _frames: TrafficFrame[] = [];
  /** Position in `_frames` of the oldest kept frame (dropped ones are cut off in batches). */
  private _head = 0;
  /** Absolute index of `_frames[0]`. */
  private _base = 0;
  private _bytes = 0;
  private _dropped = 0;
  private _filter: Filter = parseFilter('');
  /** Absolute indexes of matching frames, ascending; `_matchHead` skips dropped ones. */
  private _matches: number[] = [];
  private _matchHead = 0;

  constructor(limits: FrameTableLimits = {}) {
    this._maxFrames = Math.max(1, limits.frames ?? 1_000_000);
    this._maxBytes = Math.max(1, limits.bytes ?? 256 * 1024 * 1024);
  }

  /** Frames held now. */
  get total(): number {
    return this._frames.length - this._head;
  }

  /** Frames the filter lets through. */
  get matched(): number {
    return this._matches.length - this._matchHead;
  }

  /** Frames dropped to stay within the limits. */
  get dropped(): number {
    return this._dropped;
  }

  /** Absolute index of the oldest frame held. */
  get first(): number {
    return this._base + this._head;
  }

  /** The filter in force. */
  get filter(): Filter {
    return this._filter;
  }

  /** Adds a frame (its bytes are copied out of any shared read buffer). */
  push(frame: TrafficFrame): void {
    // A plain Uint8Array copy: a Buffer may be a view into a shared read buffer, and VS Code's
    // postMessage would send a Buffer as JSON (its toJSON runs first) instead of as bytes.
    const kept = { ...frame, bytes: new Uint8Array(frame.bytes) };
    const index = this._base + this._frames.length;
    this._frames.push(kept);
    this._bytes += kept.bytes.length;
    if (this._filter.matches(kept)) this._matches.push(index);
    while (this.total > this._maxFrames || (this._bytes > this._maxBytes && this.total > 1)) {
      this._dropOldest();
    }
  }

  /** Sets the filter (text, parsed here; throws FilterError) and recomputes the matches. */
  setFilter(filter: string | Filter): void {
    this._filter = typeof filter === 'string' ? parseFilter(filter) : filter;
    this._matches = [];
    this._matchHead = 0;
    for (let i = this._head; i < this._frames.length; i++) {
      if (this._filter.matches(this._frames[i])) this._matches.push(this._base + i);
    }
  }

  /** Drops every frame. */
  clear(): void {
    this._dropped += this.total;
    this._base += this._frames.length;
    this._frames = [];
    this._head = 0;
    this._bytes = 0;
    this._matches = [];
    this._matchHead = 0;
  }

  /** The frame at an absolute index, if it is still held. */
  get(index: number): TrafficFrame | undefined {
    const i = index - this._base;
    return i >= this._head && i < this._frames.length ? this._frames[i] : undefined;
  }

  /** Rows `pos` to `pos + count` of the filtered list. */
  rows(pos: number, count: number): FrameRow[] {
    const out: FrameRow[] = [];
    const start = this._matchHead + pos;
    const end = Math.min(this._matches.length, start + count);
    for (let m = start; m < end; m++) {
      const index = this._matches[m];
      out.push(toRow(index, this.get(index) as TrafficFrame));
    }
    return out;
  }

  /** A frame in full, with the request or reply it pairs with. */
  detail(index: number): FrameDetail | undefined {
    const f = this.get(index);
    if (!f) return undefined;
    const pairIndex = f.re !== undefined ? this._indexOfId(f.re, index) : this._replyTo(f, index);
    const pair = pairIndex === undefined ? undefined : this.get(pairIndex);
    return {
      row: toRow(index, f),
      bytes: f.bytes.length > DETAIL_BYTES ? f.bytes.slice(0, DETAIL_BYTES) : f.bytes,
      truncated: f.bytes.length > DETAIL_BYTES,
      term: f.term,
      ann: f.ann,
      pair: pair && pairIndex !== undefined ? toRow(pairIndex, pair) : undefined,
    };
  }

  /** Absolute index of the frame with id `id`, if it is still held. */
  indexOfId(id: number): number | undefined {
    return this._indexOfId(id, this._base + this._frames.length);
  }

  /** Absolute index of the frame with id `id`, searching back from `before` (ids ascend). */
  private _indexOfId(id: number, before: number): number | undefined {
    let lo = this._head;
    let hi = Math.min(before - this._base, this._frames.length - 1);
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this._frames[mid].id;
      if (v === id) return this._base + mid;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** Index of the first frame that answers `f`, looking a bounded way ahead. */
  private _replyTo(f: TrafficFrame, index: number): number | undefined {
    const from = index - this._base + 1;
    const to = Math.min(this._frames.length, from + PAIR_SCAN);
    for (let i = from; i < to; i++) {
      const g = this._frames[i];
      if (g.re === f.id && g.conn === f.conn) return this._base + i;
    }
    return undefined;
  }

  private _dropOldest(): void {
    const old = this._frames[this._head];
    this._bytes -= old.bytes.length;
    this._head++;
    this._dropped++;
    if (this._matches[this._matchHead] === this._base + this._head - 1) this._matchHead++;
    // Cut the dead prefix off now and then, so dropping stays O(1) amortised.
    if (this._head > 4096 && this._head * 2 > this._frames.length) {
      this._frames = this._frames.slice(this._head);
      this._base += this._head;
      this._head = 0;
    }
    if (this._matchHead > 4096 && this._matchHead * 2 > this._matches.length) {
      this._matches = this._matches.slice(this._matchHead);
      this._matchHead = 0;
    }
  }
}

/**
 * The list row of a frame. `size` is the payload's length when `f.bytes` holds only its first
 * PREVIEW_BYTES or more (a frame read back from a capture index without its payload).
 */
export function toRow(index: number, f: TrafficFrame, size = f.bytes.length): FrameRow {
  const flags =
    (f.partial ? FrameFlag.partial : 0) |
    (f.oversize ? FrameFlag.oversize : 0) |
    (f.injected ? FrameFlag.injected : 0) |
    (f.held ? FrameFlag.held : 0);
  const preview = f.bytes.length > PREVIEW_BYTES ? f.bytes.subarray(0, PREVIEW_BYTES) : f.bytes;
  const summary = f.ann?.summary ?? escapeBytes(preview) + (size > PREVIEW_BYTES ? '…' : '');
  const warnings = f.ann?.warnings?.map((w) => w.code);
  return {
    index,
    id: f.id,
    conn: f.conn,
    dir: f.dir,
    seq: f.seq,
    t: f.t,
    size,
    flags,
    summary: summary.length > 200 ? `${summary.slice(0, 199)}…` : summary,
    ...(f.ann?.name !== undefined && { name: f.ann.name }),
    ...(warnings?.length && { warnings }),
    ...(f.re !== undefined && { re: f.re }),
    ...(f.latency !== undefined && { latency: f.latency }),
  };
}
