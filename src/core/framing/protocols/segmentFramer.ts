/**
 * The base of the protocol framers: a Framer whose parser sees each segment whole, whatever
 * frame cuts did to it. The plain `segment()` starts afresh after an oversize cut or an idle
 * `cut()`, and may copy the whole frame so far when a segment spans chunks; this class tracks
 * segments itself, independently of frame boundaries, and keeps only what a parser reads: the
 * first `segmentKeep` bytes, the length and the last two bytes. A segment inside one chunk is
 * never copied.
 */
import { EMPTY } from '../../bytes';
import type { Annotation } from '../frame';
import { Framer } from '../framer';

const CR = 13;
const LF = 10;

/** A line of the current segment: its (possibly cut) content and how it ended. */
export interface SegmentLine {
  /** The bytes before the ending, at most `segmentKeep` of them. */
  readonly content: Buffer;
  /** Length of the whole content, which may be more than `content` holds. */
  readonly length: number;
  readonly ending: 'crlf' | 'lf' | 'none';
}

/**
 * The kept head of the current segment, without a view: its bytes are `buf[start, start + kept)`,
 * what segmentHeadOf / segmentLine would view. A view costs more than the parsing of a short
 * line, so hot parsers read these bytes in place. One scratch object per framer, refilled by
 * each call: read it at once, never keep it (`buf` may be the chunk being fed).
 */
export interface RawSegment {
  buf: Buffer;
  start: number;
  kept: number;
  /** For rawLine(): the whole content length and the ending, as in SegmentLine. */
  length: number;
  ending: SegmentLine['ending'];
}

/** Bytes of each line ending. */
const ENDING_BYTES: Readonly<Record<SegmentLine['ending'], number>> = { crlf: 2, lf: 1, none: 0 };

/** A Framer whose segments survive oversize cuts and partial flushes, with bounded copies. */
export abstract class SegmentFramer extends Framer {
  /** Head bytes to keep of each segment from the next one on (set in onSegment or constructor). */
  protected segmentKeep = 1024;
  private _keep = 0;
  private _len = 0;
  // A segment inside one chunk is the view _view[_start, _end); once it spans chunks, its head
  // is copied into _owned.
  private _view: Buffer = EMPTY;
  private _start = 0;
  private _end = 0;
  private _owned: Buffer | undefined;
  private _ownedLen = 0;
  private _last = -1;
  private _beforeLast = -1;
  private _continued = false;
  private _sinceEnd = 0;
  private readonly _raw: RawSegment = { buf: EMPTY, start: 0, kept: 0, length: 0, ending: 'none' };

  /** @internal */
  override collect(buf: Buffer, start: number, end: number): void {
    this._track(buf, start, end);
    super.collect(buf, start, end);
  }

  /** @internal */
  override found(buf: Buffer, start: number, end: number): void {
    if (end > start) this._track(buf, start, end);
    this._continued = false;
    super.found(buf, start, end);
    if (this._continued) {
      this._continued = false;
      // Later bytes add up to segmentKeep more to a head that is whole (a peek is short).
      this._keep =
        this._owned === undefined || this._ownedLen === this._len
          ? this._len + this.segmentKeep
          : this._ownedLen;
      return;
    }
    this._len = 0;
    this._view = EMPTY;
    this._raw.buf = EMPTY;
    this._owned = undefined;
    this._ownedLen = 0;
    this._last = this._beforeLast = -1;
  }

  /** The segment's head may be a view of the chunk: the caller may overwrite it after feed. */
  protected override detachChunk(): void {
    super.detachChunk();
    if (this._owned === undefined && this._len > 0) this._own();
  }

  protected override endFrame(ann: Annotation | undefined): void {
    super.endFrame(ann);
    this._sinceEnd = 0;
  }

  /** Length of the whole current segment, terminator included, whatever was cut from it. */
  protected get wholeLength(): number {
    return this._len;
  }

  /** True when a frame cut went through the current segment: it began in an earlier frame. */
  protected get segmentCut(): boolean {
    return this._len > this.frameLength;
  }

  /** Bytes since the last endFrame: the current frame and the frames cuts sent out before it. */
  protected get messageLength(): number {
    return this._sinceEnd;
  }

  /**
   * Called in onSegment: the current segment's bytes also start the next one, for a parser that
   * peeked at a byte or two before it knew what they begin.
   */
  protected continueSegment(): void {
    this._continued = true;
  }

  /** The first bytes of the current segment: all of it, or `segmentKeep` bytes when longer. */
  protected segmentHead(): Buffer {
    return this._headOf(this._len);
  }

  /** The first `min(n, segmentKeep)` bytes of the segment: its head without a known tail. */
  protected segmentHeadOf(n: number): Buffer {
    return this._headOf(Math.min(n, this._len));
  }

  /** True when the segment's last two bytes are `\r\n`. */
  protected endsWithCrlf(): boolean {
    return this._last === LF && this._beforeLast === CR;
  }

  /** The last two bytes of the segment as text for messages, e.g. `"lo"`; empty when none. */
  protected lastTwoBytes(): Buffer {
    if (this._len >= 2) return Buffer.from([this._beforeLast, this._last]);
    return this._len === 1 ? Buffer.from([this._last]) : EMPTY;
  }

  /** The current segment read as a line ending in `\n` (or cut off at end of stream). */
  protected segmentLine(): SegmentLine {
    const ending = this._ending();
    const length = this._len - ENDING_BYTES[ending];
    return { content: this._headOf(length), length, ending };
  }

  /** segmentHeadOf(n) without a view (see RawSegment). */
  protected rawHeadOf(n: number): RawSegment {
    return this._rawOf(Math.min(n, this._len));
  }

  /** segmentLine() without a view (see RawSegment). */
  protected rawLine(): RawSegment {
    const ending = this._ending();
    const length = this._len - ENDING_BYTES[ending];
    const raw = this._rawOf(length);
    raw.length = length;
    raw.ending = ending;
    return raw;
  }

  /** The bytes _headOf(n) would view. */
  private _rawOf(n: number): RawSegment {
    const raw = this._raw;
    const size = Math.max(0, Math.min(n, this._keep));
    if (this._owned !== undefined) {
      raw.buf = this._owned;
      raw.start = 0;
      raw.kept = Math.min(size, this._ownedLen);
    } else {
      raw.buf = this._view;
      raw.start = this._start;
      raw.kept = size;
    }
    return raw;
  }

  /** The first `min(n, keep)` bytes of the segment, with a single view. */
  private _headOf(n: number): Buffer {
    const { buf, start, kept } = this._rawOf(n);
    return kept === 0 ? EMPTY : buf.subarray(start, start + kept);
  }

  /** How the segment ends, read as a line. */
  private _ending(): SegmentLine['ending'] {
    return this._last !== LF ? 'none' : this._beforeLast === CR ? 'crlf' : 'lf';
  }

  private _track(buf: Buffer, start: number, end: number): void {
    const n = end - start;
    this._sinceEnd += n;
    if (this._len === 0) {
      this._keep = this.segmentKeep;
      this._view = buf;
      this._start = start;
      this._end = end;
    } else if (this._owned === undefined && buf === this._view && start === this._end) {
      this._end = end;
    } else {
      if (this._owned === undefined) this._own();
      this._copyIn(buf, start, end);
    }
    this._len += n;
    if (n >= 2) {
      this._beforeLast = buf[end - 2];
      this._last = buf[end - 1];
    } else {
      this._beforeLast = this._last;
      this._last = buf[start];
    }
  }

  /** Copies the segment's head out of the chunk it was a view of. */
  private _own(): void {
    this._owned = Buffer.allocUnsafe(Math.min(this._keep, 256));
    this._copyIn(this._view, this._start, this._end);
    this._view = EMPTY;
  }

  private _copyIn(src: Buffer, start: number, end: number): void {
    const n = Math.min(end - start, this._keep - this._ownedLen);
    if (n <= 0 || this._owned === undefined) return;
    if (this._ownedLen + n > this._owned.length) {
      const size = Math.min(this._keep, Math.max(this._owned.length * 2, this._ownedLen + n));
      const grown = Buffer.allocUnsafe(size);
      this._owned.copy(grown, 0, 0, this._ownedLen);
      this._owned = grown;
    }
    src.copy(this._owned, this._ownedLen, start, start + n);
    this._ownedLen += n;
  }
}
