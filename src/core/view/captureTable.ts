/**
 * The list of a capture viewer: every frame of a capture of any size, read back from its
 * CaptureIndex a window at a time, so memory holds the index's offsets, its block cache and
 * the positions the filter let through, never all the frames. The list grows while the file
 * is indexed. A filter runs over all frames on disk in the background, and can be replaced
 * before it ends; its matches are listed as they are found, in order, so positions already
 * shown keep their rows.
 */
import { type CaptureIndex } from '../capture/captureIndex';
import type { FrameRecord } from '../capture/frameRecord';
import { Emitter, type Event } from '../events';
import { type Filter, parseFilter } from '../../shared/filter';
import { DETAIL_BYTES, type FrameDetail, type FrameRow } from '../../shared/protocol';
import type { TrafficFrame } from '../../shared/traffic';
import { PAIR_SCAN, toRow } from './frameTable';
import type { FrameView } from './frameView';
import { IndexList } from './indexList';

/** Progress of a filter run: frames looked at, of those indexed. */
export interface FilterProgress {
  readonly done: number;
  readonly total: number;
}

/** A capture's frames, filtered, read from disk by position. */
export class CaptureTable implements FrameView {
  private readonly _onDidChange = new Emitter<void>();
  /** Frames were indexed, or the filter found more or finished. */
  readonly onDidChange: Event<void> = this._onDidChange.event;
  private _filter: Filter = parseFilter('');
  /** Positions of the frames that pass the filter (unused for the empty filter). */
  private _matches = new IndexList();
  /** Frames the current filter run has looked at. */
  private _scanned = 0;
  private _filtering = false;
  /** Bumped by each setFilter: an older run sees it and stops. */
  private _run = 0;
  private _failure: Error | undefined;
  private readonly _sub: { dispose(): void };

  constructor(private readonly _index: CaptureIndex) {
    this._sub = _index.onDidIndex(() => this._onDidChange.fire());
  }

  get total(): number {
    return this._index.count;
  }

  get matched(): number {
    return this._filter.empty ? this._index.count : this._matches.length;
  }

  /** A capture viewer drops nothing. */
  get dropped(): number {
    return 0;
  }

  get filter(): Filter {
    return this._filter;
  }

  /** A filter run is going through the frames. */
  get filtering(): boolean {
    return this._filtering;
  }

  /** How far the filter run is. */
  get filterProgress(): FilterProgress {
    return { done: this._filter.empty ? this.total : this._scanned, total: this.total };
  }

  /** Why the last filter run stopped early (the index could not be read), if it did. */
  get filterFailure(): Error | undefined {
    return this._failure;
  }

  /** Bytes the match list takes. */
  get matchBytes(): number {
    return this._matches.byteLength;
  }

  /** Sets the filter (throws FilterError) and starts going through the frames with it. */
  setFilter(text: string): void {
    const filter = parseFilter(text);
    const run = ++this._run;
    this._filter = filter;
    this._matches = new IndexList();
    this._scanned = 0;
    this._failure = undefined;
    this._filtering = !filter.empty;
    if (!filter.empty) void this._runFilter(filter, this._matches, run);
    this._onDidChange.fire();
  }

  /** Resolves when the current filter run has gone through every frame (or was replaced). */
  filtered(): Promise<void> {
    return new Promise((resolve) => {
      if (!this._filtering) return resolve();
      const sub = this.onDidChange(() => {
        if (this._filtering) return;
        sub.dispose();
        resolve();
      });
    });
  }

  /** Rows `pos` to `pos + count` of the filtered list. */
  rows(pos: number, count: number): Promise<FrameRow[]> {
    // The positions are taken now, under the filter in force when the request came.
    const end = Math.min(this.matched, pos + count);
    if (!(pos >= 0 && pos < end)) return Promise.resolve([]);
    const indexes = this._filter.empty ? range(pos, end) : this._matches.slice(pos, end);
    return this._index.store
      .records(indexes)
      .then((records) => records.map((r, k) => toRow(indexes[k], r.head, r.size)));
  }

  /** A frame in full (its first DETAIL_BYTES), with the request or reply it pairs with. */
  async detail(index: number): Promise<FrameDetail | undefined> {
    const r = await this._record(index);
    if (!r) return undefined;
    const f = r.head;
    return {
      row: toRow(index, f, r.size),
      bytes: await this._index.store.payload(r, DETAIL_BYTES),
      truncated: r.size > DETAIL_BYTES,
      term: f.term,
      ann: f.ann,
      pair: await this._pair(index, f),
    };
  }

  /** The frame at `index`, with all its bytes (in a fresh Uint8Array). */
  async get(index: number): Promise<TrafficFrame | undefined> {
    const r = await this._record(index);
    return r && { ...r.head, bytes: await this._index.store.payload(r) };
  }

  /** Stops the filter run and lets go of the index's events. */
  dispose(): void {
    this._run++;
    this._filtering = false;
    this._sub.dispose();
    this._onDidChange.dispose();
  }

  /** The request a reply answers, or the first reply (within PAIR_SCAN frames) to a request. */
  private async _pair(index: number, f: TrafficFrame): Promise<FrameRow | undefined> {
    if (f.re !== undefined) {
      // Ids are positions plus one; the check keeps a bad `re` from pairing a stranger.
      const request = await this._record(f.re - 1);
      return request?.head.id === f.re ? toRow(f.re - 1, request.head, request.size) : undefined;
    }
    const at = await this._index.store.findReply(index, f.id, f.conn, PAIR_SCAN);
    if (at === undefined) return undefined;
    const reply = await this._record(at);
    return reply && toRow(at, reply.head, reply.size);
  }

  private async _record(index: number): Promise<FrameRecord | undefined> {
    if (!(Number.isInteger(index) && index >= 0 && index < this.total)) return undefined;
    return (await this._index.store.records([index]))[0];
  }

  /** Goes through the frames on disk in order, following the index while it grows. */
  private async _runFilter(filter: Filter, matches: IndexList, run: number): Promise<void> {
    const store = this._index.store;
    try {
      for (;;) {
        // Read before the count: once indexing has ended, the count is final.
        const last = !this._index.indexing;
        for await (const frames of store.frames(this._scanned, store.count)) {
          if (run !== this._run) return;
          let at = this._scanned;
          for (const f of frames) {
            if (filter.matches(f)) matches.push(at);
            at++;
          }
          this._scanned = at;
          this._onDidChange.fire();
        }
        if (run !== this._run || last) return;
        if (this._scanned >= store.count) await this._index.changed();
      }
    } catch (e) {
      if (run === this._run) this._failure = e instanceof Error ? e : new Error(String(e));
    } finally {
      if (run === this._run) {
        this._filtering = false;
        this._onDidChange.fire();
      }
    }
  }
}

function range(from: number, to: number): number[] {
  const out = new Array<number>(to - from);
  for (let i = from; i < to; i++) out[i - from] = i;
  return out;
}
