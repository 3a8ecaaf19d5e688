/**
 * The socket-free framer: feed it chunks, get back whole frames with their exact bytes. It runs
 * the same terminator state machine as AsyncChat (TerminatorScanner), and protocol framers
 * subclass it the way asynchat programs subclass async_chat: `onSegment` is `found_terminator`,
 * and it may change the terminator for what follows.
 */
import { asBuffer, EMPTY, Views } from '../bytes';
import { type ScanSink, type Terminator, TerminatorScanner } from '../terminatorScanner';
import type { Annotation, Frame } from './frame';

/** Settings every framer takes. */
export interface FramerOptions {
  /**
   * Bytes after which a frame is cut and flagged `oversize` (its terminator may add a few
   * more). Bounds the memory a framer holds whatever the stream. Default 1 MiB.
   */
  readonly maxFrameBytes?: number;
  /**
   * Called as each frame is made, inside feed(). It may call setRule() on the framer, which
   * applies at once to the rest of the chunk, like a terminator changed in found_terminator.
   */
  readonly onFrame?: (frame: Frame, framer: Framer) => void;
}

/** Receives frames from Framer.feedEach, in order, as they are made. */
export type FrameVisitor = (frame: Frame) => void;

/** The default frame size limit. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

const NO_FRAMES: readonly Frame[] = Object.freeze([]);
/** A stash grown past this by a long frame is dropped after it rather than kept. */
const MAX_KEPT_STASH_BYTES = 64 * 1024;

/**
 * Splits one direction of a stream into frames on a terminator. The base class ends a frame at
 * every terminator; subclasses override `onSegment` to build bigger messages from several.
 */
export class Framer implements ScanSink {
  /** Largest frame before a cut. */
  readonly maxFrameBytes: number;
  private readonly _scanner: TerminatorScanner;
  private readonly _onFrame: FramerOptions['onFrame'];
  // The current frame is `_stash[0, _stashEnd)`, then the run
  // `_runBuf[_runStart, _runEnd)`: a view into the chunk being scanned, so a frame inside one
  // chunk is never copied. When a feed returns, the run is copied into the stash: the caller
  // may reuse the chunk's memory for its next read (the proxy does), so nothing here may point
  // into it. The stash is reused from frame to frame: it never leaves the framer uncopied.
  private _stash: Buffer = EMPTY;
  private _stashEnd = 0;
  private _runBuf: Buffer = EMPTY;
  private _runStart = 0;
  private _runEnd = 0;
  private _frameBytes = 0;
  private _segmentStart = 0;
  /** Frames made by feed() (or left by a feedEach that threw), until they are returned. */
  private _out: Frame[] | undefined;
  /** The visitor of the running feedEach(). */
  private _visit: FrameVisitor | undefined;
  private _seq = 0;
  /** Makes the frames' views; it forgets the chunk when a call returns. */
  private readonly _views = new Views();
  private _ended = false;

  /**
   * @param terminator where frames end (see Terminator)
   * @param term what frames record as the rule that ended them (a spec or protocol name)
   */
  constructor(
    terminator: Terminator,
    readonly term: string,
    options: FramerOptions = {},
  ) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!(this.maxFrameBytes >= 1)) {
      throw new RangeError(`maxFrameBytes must be at least 1, got ${this.maxFrameBytes}`);
    }
    this._onFrame = options.onFrame;
    this._scanner = new TerminatorScanner(this);
    this._scanner.terminator = terminator;
  }

  /** Frames made so far in this direction. */
  get frameCount(): number {
    return this._seq;
  }

  /** Bytes received that are not yet part of a returned frame. */
  get pendingBytes(): number {
    return this._frameBytes + this._scanner.heldBytes;
  }

  /**
   * Feeds the next chunk of the stream; returns the frames it completed. The frames' bytes may
   * be views of `chunk`; the framer itself keeps no reference to it once this returns.
   */
  feed(chunk: Uint8Array): readonly Frame[] {
    if (this._ended) throw new Error(`framer ${this.term}: feed() after flush()`);
    if (chunk.length === 0) return NO_FRAMES;
    try {
      this._scanner.feed(asBuffer(chunk));
    } finally {
      this._detach();
    }
    return this._takeOut();
  }

  /**
   * feed() for a consumer that takes each frame at once: `visit` gets the frames in order as
   * they are made, and none are kept. Returning every frame of a many-megabyte chunk in one
   * array keeps them all alive until the call returns, which outgrows V8's young generation and
   * makes each frame several times dearer to collect; visited frames die young.
   */
  feedEach(chunk: Uint8Array, visit: FrameVisitor): void {
    if (this._ended) throw new Error(`framer ${this.term}: feed() after flush()`);
    // Frames a throwing call left behind come first, as feed() would return them.
    if (this._out) for (const frame of this._takeOut()) visit(frame);
    if (chunk.length === 0) return;
    const outer = this._visit;
    this._visit = visit;
    try {
      this._scanner.feed(asBuffer(chunk));
    } finally {
      this._visit = outer;
      this._detach();
    }
  }

  /**
   * End of stream: returns what is left as a last frame, `partial` unless the rule is "until
   * close". The framer takes no more input after this.
   */
  flush(): readonly Frame[] {
    if (this._ended) return NO_FRAMES;
    this._ended = true;
    try {
      this._scanner.end();
      if (this._frameBytes > 0) {
        const untilClose = this._scanner.terminator === null;
        this._emit(
          untilClose ? undefined : this.describeTruncated(),
          !untilClose,
          false,
          untilClose ? 'close' : this.term,
        );
      }
    } finally {
      this._views.release();
    }
    return this._takeOut();
  }

  /**
   * Returns the bytes of an unfinished frame now, flagged `partial`, and goes on: the rest of the
   * message will come as later frames. For showing a line that is taking long to complete.
   */
  cut(): Frame | undefined {
    if (this._frameBytes === 0 || this._ended) return undefined;
    const frame = this._take(undefined, true, false, this.term);
    this._views.release();
    this._onFrame?.(frame, this);
    return frame;
  }

  /** Changes the framing rule from here on; applies to the rest of the chunk being fed. */
  setTerminator(terminator: Terminator): void {
    this._scanner.terminator = terminator;
  }

  /** The terminator now in force (a count shows what is left of it). */
  get terminator(): Terminator {
    return this._scanner.terminator ?? null;
  }

  // ---- for subclasses ------------------------------------------------------------------------

  /**
   * A terminator was found: the bytes since the last one (terminator included) are the current
   * segment. The default ends the frame here. Protocol framers parse `segment()`, may set a new
   * terminator, and call `endFrame` when the message is complete.
   */
  protected onSegment(): void {
    this.endFrame(undefined);
  }

  /** Bytes of the current segment, terminator included. */
  protected segment(): Buffer {
    return this._bytesFrom(this._segmentStart);
  }

  /** Length of the current segment. */
  protected get segmentLength(): number {
    return this._frameBytes - this._segmentStart;
  }

  /** Bytes of the current frame so far. */
  protected get frameLength(): number {
    return this._frameBytes;
  }

  /** Ends the current frame (everything up to the current terminator) with an annotation. */
  protected endFrame(ann: Annotation | undefined): void {
    this._emit(ann, false, false);
  }

  /** Annotation for a message the stream ended inside; protocol framers say what was missing. */
  protected describeTruncated(): Annotation | undefined {
    return undefined;
  }

  /**
   * The chunk being fed is about to be given back to its owner, who may overwrite it: copy
   * whatever still points into it. Subclasses that keep views of segments override this.
   */
  protected detachChunk(): void {
    if (this._runEnd > this._runStart) {
      this._stashRun();
      this._runBuf = EMPTY;
      this._runStart = this._runEnd = 0;
    }
  }

  // ---- ScanSink ------------------------------------------------------------------------------

  /** @internal */
  collect(buf: Buffer, start: number, end: number): void {
    while (this._frameBytes + (end - start) > this.maxFrameBytes) {
      // A protocol frame spans several terminators, and a terminator may take it past the limit:
      // then there is no room at all, and the frame is cut before these bytes.
      const room = Math.max(0, this.maxFrameBytes - this._frameBytes);
      if (room > 0) this._append(buf, start, start + room);
      start += room;
      this._emit(undefined, false, true);
    }
    if (end > start) this._append(buf, start, end);
  }

  /** @internal */
  found(buf: Buffer, start: number, end: number): void {
    if (end > start) this._append(buf, start, end);
    this.onSegment();
    this._segmentStart = this._frameBytes;
    // Terminators alone (empty segments) can also grow a multi-segment frame: cut it here, so
    // a frame never passes the limit by more than one terminator.
    if (this._frameBytes >= this.maxFrameBytes) this._emit(undefined, false, true);
  }

  // ---- internals -----------------------------------------------------------------------------

  private _detach(): void {
    this.detachChunk();
    this._views.release();
  }

  private _append(buf: Buffer, start: number, end: number): void {
    if (buf === this._runBuf && start === this._runEnd) {
      this._runEnd = end;
    } else {
      if (this._runEnd > this._runStart) this._stashRun();
      this._runBuf = buf;
      this._runStart = start;
      this._runEnd = end;
    }
    this._frameBytes += end - start;
  }

  /** Copies the run to the end of the stash (one-byte reads must not cost a Buffer per byte). */
  private _stashRun(): void {
    const buf = this._runBuf;
    const start = this._runStart;
    const n = this._runEnd - start;
    let stash = this._stash;
    const at = this._stashEnd;
    if (at + n > stash.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * stash.length, at + n, 256));
      stash.copy(grown, 0, 0, at);
      this._stash = stash = grown;
    }
    if (n <= 32) {
      for (let i = 0; i < n; i++) stash[at + i] = buf[start + i];
    } else {
      buf.copy(stash, at, start, this._runEnd);
    }
    this._stashEnd = at + n;
  }

  /** The frame's bytes from `offset` (within the frame) to its current end; never the stash. */
  private _bytesFrom(offset: number): Buffer {
    const runLen = this._runEnd - this._runStart;
    const fromEnd = this._frameBytes - offset;
    if (fromEnd <= runLen) {
      return this._views.of(this._runBuf, this._runEnd - fromEnd, this._runEnd);
    }
    return this._joinFrom(fromEnd, runLen);
  }

  // The rare paths of _bytesFrom and _take live apart, so that the common ones stay small
  // enough for V8 to inline into the scanner's loop (a few ns a frame on Node 20).

  /** _bytesFrom when the bytes are not all in the run: the stash's end, then the run. */
  private _joinFrom(fromEnd: number, runLen: number): Buffer {
    const out = Buffer.allocUnsafe(fromEnd);
    this._stash.copy(out, 0, this._stashEnd - (fromEnd - runLen), this._stashEnd);
    if (runLen > 0) this._runBuf.copy(out, fromEnd - runLen, this._runStart, this._runEnd);
    return out;
  }

  /** Makes a frame inside a feed: to the visitor or the output, then to onFrame. */
  private _emit(
    ann: Annotation | undefined,
    partial: boolean,
    oversize: boolean,
    term = this.term,
  ): void {
    const frame = this._take(ann, partial, oversize, term);
    const visit = this._visit;
    if (visit === undefined) (this._out ??= []).push(frame);
    else visit(frame);
    this._onFrame?.(frame, this);
  }

  /** The current frame, ready; the next one starts empty. */
  private _take(
    ann: Annotation | undefined,
    partial: boolean,
    oversize: boolean,
    term: string,
  ): Frame {
    const frame: Frame = {
      seq: this._seq++,
      bytes: this._frameBytes === 0 ? EMPTY : this._bytesFrom(0),
      term,
      partial,
      oversize,
      ann,
    };
    if (this._stashEnd !== 0) this._clearStore();
    this._runBuf = EMPTY;
    this._runStart = this._runEnd = 0;
    this._frameBytes = 0;
    this._segmentStart = 0;
    return frame;
  }

  /** Empties the stash after a frame that used it. */
  private _clearStore(): void {
    // Keep a small stash for the next frame; let a big one go with this frame's memory.
    if (this._stash.length > MAX_KEPT_STASH_BYTES) this._stash = EMPTY;
    this._stashEnd = 0;
  }

  private _takeOut(): readonly Frame[] {
    const out = this._out;
    this._out = undefined;
    return out ?? NO_FRAMES;
  }
}
