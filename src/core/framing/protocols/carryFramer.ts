/**
 * A Framer base for parsers that must see each segment whole. `segment()` starts afresh after a
 * frame is cut (the size limit, or an idle `cut()`), so a line split by a cut would parse as
 * two halves; this class carries the bytes that went out in cut frames over to the segment
 * they belong to, up to a bound the subclass sets with each terminator. It also lets a subclass
 * put back bytes it peeked at, so they start the next segment.
 */
import type { Terminator } from '../../terminatorScanner';
import type { Annotation, Frame } from '../frame';
import { Framer, type FramerOptions } from '../framer';
import { type Line, splitLine } from './protocol';

const CR = 13;

/** A segment as the subclass sees it: its first bytes (all of them if it was kept whole). */
export interface SegmentView {
  /** The segment's bytes, or only the first `keep` of them when cuts split a longer one. */
  readonly head: Buffer;
  /** The segment's full length, terminator included. */
  readonly total: number;
  /** The byte before the segment's last one (-1 if none), to tell `\r\n` from `\n`. */
  readonly prev: number;
}

/** A segment that ends in `\n`, as a line; a head cut short gives the line's first bytes. */
export function lineOf(v: SegmentView): Line {
  if (v.head.length === v.total) return splitLine(v.head);
  return { content: v.head, ending: v.prev === CR ? 'crlf' : 'lf' };
}

/** A Framer whose segments survive frame cuts, with a bounded copy of what was cut away. */
export abstract class CarryFramer extends Framer {
  private _keep: number;
  private _carry: Buffer[] = [];
  private _carryKept = 0;
  private _carryTotal = 0;
  private _carryLast = -1;
  /** Bytes of the current frame that onView has seen (the rest is the segment in progress). */
  private _parsed = 0;
  private _cutBytes = 0;

  constructor(terminator: Terminator, term: string, keep: number, options: FramerOptions) {
    super(terminator, term, CarryFramer._withCutHook(options));
    this._keep = keep;
  }

  /** Sees every frame made, to catch the cuts (options.onFrame still gets every frame). */
  private static _withCutHook(options: FramerOptions): FramerOptions {
    const user = options.onFrame;
    return {
      ...options,
      onFrame: (frame, framer) => {
        if (framer instanceof CarryFramer) framer._noteFrame(frame);
        user?.(frame, framer);
      },
    };
  }

  /** @internal */
  override found(buf: Buffer, start: number, end: number): void {
    // Framer.found appends a delimiter even past the size limit, and Framer.collect then
    // computes a negative room and repeats bytes. Passing the delimiter through collect keeps
    // the frame within the limit (collect cuts it first when needed).
    if (end > start && this.frameLength + (end - start) > this.maxFrameBytes) {
      this.collect(buf, start, end);
      super.found(buf, end, end);
    } else {
      super.found(buf, start, end);
    }
  }

  /** A terminator was found: the segment, with what cuts sent out before it. */
  protected abstract onView(view: SegmentView): void;

  protected override onSegment(): void {
    this.onView(this._takeView());
    this._parsed = this.frameLength;
  }

  /** Sets the next terminator and how many bytes of that segment to carry across cuts. */
  protected expect(terminator: Terminator, keep: number): void {
    this.setTerminator(terminator);
    this._keep = keep;
  }

  /** Ends the frame (endFrame) and starts counting cut bytes afresh. */
  protected end(ann: Annotation | undefined): void {
    this.endFrame(ann);
    this._cutBytes = 0;
    this._parsed = 0;
  }

  /** Bytes that went out in cut frames since the last end(). */
  protected get cutBytes(): number {
    return this._cutBytes;
  }

  /** True when bytes are waiting to start the next segment. */
  protected get carrying(): boolean {
    return this._carryTotal > 0;
  }

  /** Puts bytes (a copy is kept) in front of the next segment: cut bytes, or peeked ones. */
  protected carry(piece: Buffer): void {
    if (piece.length === 0) return;
    this._carryTotal += piece.length;
    this._carryLast = piece[piece.length - 1];
    const room = this._keep - this._carryKept;
    if (room > 0) {
      // A copy: the piece may be a view into a large chunk that should not be kept alive.
      const kept = Buffer.from(piece.subarray(0, room));
      this._carry.push(kept);
      this._carryKept += kept.length;
    }
  }

  private _noteFrame(frame: Frame): void {
    if (!frame.oversize && !frame.partial) return;
    this._cutBytes += frame.bytes.length;
    this.carry(frame.bytes.subarray(this._parsed));
    this._parsed = 0;
  }

  private _takeView(): SegmentView {
    const seg = this.segment();
    const prevInSeg = seg.length >= 2 ? seg[seg.length - 2] : -1;
    if (this._carryTotal === 0) return { head: seg, total: seg.length, prev: prevInSeg };
    const whole = this._carryKept === this._carryTotal;
    const view: SegmentView = {
      head: Buffer.concat(whole ? [...this._carry, seg] : this._carry),
      total: this._carryTotal + seg.length,
      prev: seg.length >= 2 ? prevInSeg : seg.length === 1 ? this._carryLast : -1,
    };
    this._carry = [];
    this._carryKept = 0;
    this._carryTotal = 0;
    this._carryLast = -1;
    return view;
  }
}
