/**
 * TrafficFrames in one of four fixed shapes: an `ann` key only with an annotation, `re` and
 * `latency` only for a reply. Built as literals rather than spreads because this runs for every
 * frame of a capture being indexed or decoded (a spread costs more than the rest of building a
 * frame), and in one place so that frames framed anew and frames read back from the index have
 * the same keys, which tests compare strictly.
 */
import type { Annotation, Direction, TrafficFrame } from '../../shared/traffic';

export function shapedFrame(
  id: number,
  conn: number,
  dir: Direction,
  seq: number,
  t: number,
  bytes: Uint8Array,
  term: string,
  partial: boolean,
  oversize: boolean,
  injected: boolean,
  held: boolean,
  ann: Annotation | undefined,
  re: number | undefined,
  latency: number | undefined,
): TrafficFrame {
  if (re === undefined) {
    return ann === undefined
      ? { id, conn, dir, seq, t, bytes, term, partial, oversize, injected, held }
      : { id, conn, dir, seq, t, bytes, term, partial, oversize, injected, held, ann };
  }
  if (ann === undefined) {
    return { id, conn, dir, seq, t, bytes, term, partial, oversize, injected, held, re, latency };
  }
  // prettier-ignore
  return { id, conn, dir, seq, t, bytes, term, partial, oversize, injected, held, ann, re, latency };
}
