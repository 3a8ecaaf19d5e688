/**
 * The rows of the filtered list the webview has, by position. The host owns the frames; this
 * keeps the ones near the viewport, knows which ranges are being fetched, and forgets
 * everything when positions stop meaning the same rows (a new filter, frames dropped from the
 * ring, a clear). Answers to requests made before that carry an old generation and are dropped.
 * Until fresh rows land, the old ones may still be shown (`shown`), so the list does not blink
 * on every batch while a full ring drops its oldest frames. Pure: tested in node.
 */
import { MAX_ROWS, type FrameRow } from '../shared/protocol';

/** A range of positions to ask the host for: [start, start + count). */
export interface RowRequest {
  readonly start: number;
  readonly count: number;
  readonly generation: number;
}

/** Rows kept before the farthest from the viewport are evicted. */
export const CACHE_ROWS = 6000;
/** Requests in flight at once; fast scrolling asks again once one lands. */
export const MAX_IN_FLIGHT = 4;

/** Rows by list position, with in-flight bookkeeping. */
export class RowCache {
  private rows = new Map<number, FrameRow>();
  private stale = new Map<number, FrameRow>();
  private inFlight: RowRequest[] = [];
  /** Where the host's answers ended short of what was asked: the list is shorter than it said. */
  private end = Infinity;
  private _generation = 0;

  /** Bumped by invalidate(); answers from an older generation are ignored. */
  get generation(): number {
    return this._generation;
  }

  get size(): number {
    return this.rows.size;
  }

  get(pos: number): FrameRow | undefined {
    return this.rows.get(pos);
  }

  /** The row to draw at `pos`: the fresh one, else the one there before invalidate(true). */
  shown(pos: number): FrameRow | undefined {
    return this.rows.get(pos) ?? this.stale.get(pos);
  }

  /** Forgets every row and request in flight; `keepShown` keeps the rows drawable meanwhile. */
  invalidate(keepShown = false): void {
    this._generation++;
    this.stale = keepShown ? this.rows : new Map();
    this.rows = new Map();
    this.inFlight = [];
    this.end = Infinity;
  }

  /**
   * The first `delta` rows left the list and the rest moved up (an unfiltered list whose ring
   * dropped frames): re-keys what is cached, and drops requests made under the old positions.
   */
  shift(delta: number): void {
    const moved = new Map<number, FrameRow>();
    for (const [pos, row] of this.rows) if (pos >= delta) moved.set(pos - delta, row);
    this.invalidate();
    this.rows = moved;
  }

  /** The list's length changed: drops rows at `count` and beyond, and asks again up to it. */
  truncate(count: number): void {
    for (const pos of this.rows.keys()) if (pos >= count) this.rows.delete(pos);
    this.end = Infinity;
  }

  /**
   * The request that fills the gaps of [start, end), or undefined when nothing is missing,
   * everything missing is already being fetched, or too many requests are in flight. The caller
   * sends it and later calls `receive` (or `abandon`).
   */
  plan(start: number, end: number): RowRequest | undefined {
    if (this.inFlight.length >= MAX_IN_FLIGHT) return undefined;
    let first = -1;
    let last = -1;
    // Past a short answer nothing is asked again until the length changes: no request loop.
    for (let pos = start; pos < Math.min(end, this.end); pos++) {
      if (this.rows.has(pos) || this.fetching(pos)) continue;
      if (first < 0) first = pos;
      last = pos;
    }
    if (first < 0) return undefined;
    const req = {
      start: first,
      count: Math.min(last - first + 1, MAX_ROWS),
      generation: this._generation,
    };
    this.inFlight.push(req);
    return req;
  }

  /**
   * Stores an answer: 'stale' when it belongs to an older generation (its positions may now
   * hold other rows) and was dropped; 'conflict' when its ids do not fit between the cached
   * neighbours, so positions moved without the webview being told (a clear, say): everything
   * else is then forgotten and only this answer kept.
   */
  receive(req: RowRequest, pos: number, rows: readonly FrameRow[]): 'ok' | 'stale' | 'conflict' {
    this.abandon(req);
    if (req.generation !== this._generation) return 'stale';
    this.stale.clear();
    let result: 'ok' | 'conflict' = 'ok';
    if (rows.length > 0 && !this.fits(pos, rows)) {
      this.invalidate();
      result = 'conflict';
    }
    rows.forEach((row, k) => this.rows.set(pos + k, row));
    if (rows.length < req.count) this.end = Math.min(this.end, pos + rows.length);
    return result;
  }

  /** Forgets a request that failed or timed out, so its range is asked for again. */
  abandon(req: RowRequest): void {
    this.inFlight = this.inFlight.filter((r) => r !== req);
  }

  /** Keeps at most `max` rows, dropping those farthest from `center`. */
  evict(center: number, max = CACHE_ROWS): void {
    if (this.rows.size <= max) return;
    const half = Math.floor(max / 2);
    for (const pos of this.rows.keys()) {
      if (Math.abs(pos - center) > half) this.rows.delete(pos);
    }
  }

  /** The position of the cached row with frame id `id`, if it is cached. */
  findId(id: number): number | undefined {
    for (const [pos, row] of this.rows) if (row.id === id) return pos;
    return undefined;
  }

  /** Ids grow with positions: the answer must sit between its cached neighbours. */
  private fits(pos: number, rows: readonly FrameRow[]): boolean {
    const before = this.rows.get(pos - 1);
    const after = this.rows.get(pos + rows.length);
    const same = rows.every((row, k) => {
      const had = this.rows.get(pos + k);
      return !had || had.id === row.id;
    });
    return (
      same && (!before || before.id < rows[0].id) && (!after || after.id > rows[rows.length - 1].id)
    );
  }

  private fetching(pos: number): boolean {
    return this.inFlight.some(
      (r) => r.generation === this._generation && pos >= r.start && pos < r.start + r.count,
    );
  }
}
