/**
 * The rows of the filtered list the webview has, by position. The host owns the frames; this
 * keeps the ones near the viewport, knows which ranges are being fetched, and forgets
 * everything when positions stop meaning the same rows (a new filter, a clear). Answers to
 * requests made before that carry an old generation and are dropped.
 *
 * An unfiltered list is dense: position p holds the frame with source index `base + p`, where
 * `base` is the number of frames the source let go (src/shared/protocol.ts). There an answer is
 * placed by its rows' indexes, not by the position asked for: the host answers under its own
 * count of dropped frames, which may be ahead of the last status the webview has, and a request
 * may still be in flight when the ring drops its oldest frames (`shift`). So answers always land
 * at the right positions, and nothing asked for is thrown away and asked for again.
 *
 * Until fresh rows land, the old ones may still be shown (`shown`), so a filtered list does not
 * blink on every batch while a full ring drops its oldest frames. Pure: tested in node.
 */
import { MAX_ROWS, type FrameRow } from '../shared/protocol';

/** A range of positions to ask the host for: [start, start + count). */
export interface RowRequest {
  readonly start: number;
  readonly count: number;
  readonly generation: number;
  /** The dense list's base when it was asked for (its positions are relative to that). */
  readonly base?: number;
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
  /** Source index of position 0 while the list is dense (unfiltered); else undefined. */
  private _base: number | undefined;

  /** Bumped by invalidate(); answers from an older generation are ignored. */
  get generation(): number {
    return this._generation;
  }

  get size(): number {
    return this.rows.size;
  }

  /** Source index of position 0 of a dense list, or undefined (filtered, or not known yet). */
  get base(): number | undefined {
    return this._base;
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
    this._base = undefined;
  }

  /**
   * The list is dense from source index `base` on (status.dropped of an unfiltered list), or
   * not (undefined). Rows that do not sit at `index - base` are forgotten.
   */
  setBase(base: number | undefined): void {
    if (base === this._base) return;
    if (base === undefined) {
      this._base = undefined;
      return;
    }
    if (this._base !== undefined) return this.shift(base - this._base);
    // Rows placed by position before the base was known are kept only where they fit it.
    for (const [pos, row] of this.rows) if (row.index !== base + pos) this.rows.delete(pos);
    this._base = base;
  }

  /**
   * The first `delta` rows left the list and the rest moved up (an unfiltered list whose ring
   * dropped frames): re-keys what is cached. A dense list keeps its requests in flight (their
   * answers are placed by index); otherwise they are dropped, their positions being the old ones.
   */
  shift(delta: number): void {
    const moved = new Map<number, FrameRow>();
    for (const [pos, row] of this.rows) if (pos >= delta) moved.set(pos - delta, row);
    if (this._base === undefined) {
      this.invalidate();
    } else {
      this._base += delta;
      this.stale = new Map();
      this.end = Infinity;
    }
    this.rows = moved;
  }

  /**
   * The list's length changed: asks again up to it. A filtered list drops its rows at `count`
   * and beyond; a dense one keeps them, since they are the frames the next counts will add.
   */
  truncate(count: number): void {
    if (this._base === undefined) {
      for (const pos of this.rows.keys()) if (pos >= count) this.rows.delete(pos);
    }
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
      base: this._base,
    };
    this.inFlight.push(req);
    return req;
  }

  /**
   * Stores an answer: 'stale' when it belongs to an older generation (its positions may now
   * hold other rows) and was dropped; 'conflict' when its rows do not fit (ids that do not sit
   * between the cached neighbours, or indexes that are not dense from the base), so positions
   * moved without the webview being told (a clear, say): everything else is then forgotten and
   * only this answer kept.
   */
  receive(req: RowRequest, pos: number, rows: readonly FrameRow[]): 'ok' | 'stale' | 'conflict' {
    this.abandon(req);
    if (req.generation !== this._generation) return 'stale';
    this.stale.clear();
    const base = this._base;
    if (base !== undefined) {
      if (this.dense(req, pos, rows)) {
        for (const row of rows) if (row.index >= base) this.rows.set(row.index - base, row);
        if (rows.length < req.count) {
          // An empty answer: the host's list ended at `pos` under a base not behind req.base.
          const after =
            rows.length > 0 ? rows[rows.length - 1].index + 1 : pos + (req.base ?? base);
          this.end = Math.min(this.end, Math.max(0, after - base));
        }
        return 'ok';
      }
      this.invalidate();
      rows.forEach((row, k) => this.rows.set(pos + k, row));
      return 'conflict';
    }
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

  /**
   * An answer fits a dense list when its indexes follow each other and the host's base when it
   * answered (index minus position) was not behind the base the request was made under: the
   * host only ever lets more frames go.
   */
  private dense(req: RowRequest, pos: number, rows: readonly FrameRow[]): boolean {
    if (rows.length === 0) return true;
    const first = rows[0].index;
    if (!rows.every((row, k) => row.index === first + k)) return false;
    return req.base === undefined || first - pos >= req.base;
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

  /** A request in flight covers `pos` (a dense list's requests moved with its base since). */
  private fetching(pos: number): boolean {
    return this.inFlight.some((r) => {
      if (r.generation !== this._generation) return false;
      const start =
        r.start + (r.base !== undefined && this._base !== undefined ? r.base - this._base : 0);
      return pos >= start && pos < start + r.count;
    });
  }
}
