/**
 * Find next / previous in the frame list: the next row, after the selected one and wrapping
 * around once, whose summary or name contains the search text (any case). Rows come from the
 * cache where it has them and from the host in MAX_ROWS chunks where it does not, so a search
 * works over a million frames without holding them. Pure (the fetch is injected): tested in node.
 */
import { MAX_ROWS, type FrameRow } from '../shared/protocol';

/** What a search needs from the list. */
export interface SearchSource {
  /** Rows in the list now. */
  readonly count: number;
  cached(pos: number): FrameRow | undefined;
  /** Rows from `pos`, at most `count` (fewer at the end). */
  fetch(pos: number, count: number): Promise<readonly FrameRow[]>;
  /** True once the search is stale (new search, new filter); it then stops and finds nothing. */
  cancelled(): boolean;
  /** Rows looked at so far, for a progress line. */
  progress?(scanned: number): void;
}

/** Whether a row matches search text (already lower-cased). */
export function rowMatches(row: FrameRow, needle: string): boolean {
  return (
    row.summary.toLowerCase().includes(needle) ||
    (row.name !== undefined && row.name.toLowerCase().includes(needle))
  );
}

/**
 * The position of the next match after `from` (before it, `backwards`), wrapping around and
 * ending back at `from` itself; undefined when nothing matches or the search was cancelled.
 * `from` -1 starts at the top (or, backwards, at the bottom).
 */
export async function findRow(
  src: SearchSource,
  text: string,
  from: number,
  backwards: boolean,
): Promise<number | undefined> {
  const needle = text.toLowerCase();
  const n = src.count;
  if (!needle || n === 0) return undefined;
  const step = backwards ? -1 : 1;
  const origin = from < 0 || from >= n ? (backwards ? 0 : n - 1) : from;
  let chunk: { start: number; rows: readonly FrameRow[] } = { start: 0, rows: [] };
  for (let k = 1; k <= n; k++) {
    const pos = (((origin + step * k) % n) + n) % n;
    let row = src.cached(pos);
    if (!row) {
      const inChunk = pos - chunk.start;
      if (inChunk < 0 || inChunk >= chunk.rows.length) {
        // Fetch the chunk that continues in the search's direction from here.
        const start = backwards ? Math.max(0, pos - MAX_ROWS + 1) : pos;
        chunk = { start, rows: await src.fetch(start, Math.min(MAX_ROWS, n - start)) };
        if (src.cancelled()) return undefined;
        src.progress?.(k);
      }
      row = chunk.rows[pos - chunk.start];
      // A short answer: the list shrank under us; what is gone cannot match.
      if (!row) continue;
    }
    if (rowMatches(row, needle)) return pos;
  }
  return undefined;
}

/** What a lookup by frame id needs: the list's length, its cache, and single-row fetches. */
export type IdSource = Pick<SearchSource, 'count' | 'cached' | 'fetch'>;

/**
 * The list position of frame `id`, found by binary search: the list is in source order, so
 * ids grow with positions. About 20 host round trips for a million rows when nothing is cached.
 * Undefined when the filter leaves the frame out.
 */
export async function findPosOfId(src: IdSource, id: number): Promise<number | undefined> {
  let lo = 0;
  let hi = src.count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const row = src.cached(mid) ?? (await src.fetch(mid, 1))[0];
    if (!row) return undefined;
    if (row.id === id) return mid;
    if (row.id < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}
