/**
 * Intercept for one direction of one connection. While a breakpoint filter can match this
 * direction, its bytes are no longer forwarded as they arrive: they go out frame by frame, and a
 * frame that matches is held, with everything behind it, until it is released, edited or
 * dropped (DESIGN.md §5: "frame-gated while it is set").
 */
import type { TrafficFrame } from '../../shared/traffic';

interface Entry {
  readonly frame: TrafficFrame;
  /** Leading bytes that were forwarded before the gate closed (only the first frame has any). */
  readonly skip: number;
  held: boolean;
  /** What to send instead of the frame's bytes (edit); empty to send nothing (drop). */
  replacement?: Uint8Array;
}

/** What the gate does to the outside world. */
export interface GateOutput {
  forward(bytes: Uint8Array): void;
  /** The reader's FIN, once everything before it has been forwarded. */
  end(): void;
}

/** The frame-gated forwarding of one direction. */
export class DirectionGate {
  private readonly _queue: Entry[] = [];
  /** Bytes received and not yet part of a frame: the framer's pending bytes. */
  private _unframed: Buffer[] = [];
  private _unframedBytes = 0;
  private _queuedBytes = 0;
  private _ended = false;

  /**
   * @param _ahead bytes of the frame in progress that were already forwarded when the gate
   *   closed; they are not sent again.
   */
  constructor(
    private _ahead: number,
    private readonly _out: GateOutput,
  ) {}

  /** Bytes waiting in the gate (framed or not): the reader pauses above a limit. */
  get waitingBytes(): number {
    return this._queuedBytes + this._unframedBytes;
  }

  /** Frames held now, oldest first. */
  held(): TrafficFrame[] {
    return this._queue.filter((e) => e.held).map((e) => e.frame);
  }

  /** Bytes arrived from the reader; they wait until they are framed. */
  received(chunk: Buffer): void {
    this._unframed.push(chunk);
    this._unframedBytes += chunk.length;
  }

  /** A frame was made of received bytes; it goes out now unless it (or one before it) is held. */
  framed(frame: TrafficFrame): void {
    const n = frame.bytes.length;
    const skip = Math.min(this._ahead, n);
    this._ahead -= skip;
    this._consume(n - skip);
    this._queue.push({ frame, skip, held: frame.held });
    this._queuedBytes += n - skip;
    this._pump();
  }

  /** Lets a held frame go, as it was or with `replacement` bytes. False if it is not held here. */
  release(id: number, replacement?: Uint8Array): boolean {
    const entry = this._queue.find((e) => e.frame.id === id && e.held);
    if (!entry) return false;
    entry.held = false;
    if (replacement) entry.replacement = replacement;
    this._pump();
    return true;
  }

  /** Drops a held frame: its bytes are never sent. False if it is not held here. */
  drop(id: number): boolean {
    return this.release(id, new Uint8Array(0));
  }

  /** The reader sent FIN: pass it on after everything queued. */
  end(): void {
    this._ended = true;
    this._pump();
  }

  /**
   * Opens the gate for good (the breakpoint is gone): held frames go as they are, then the
   * bytes of the unfinished frame; from now on the connection forwards raw bytes again.
   */
  open(): void {
    for (const e of this._queue) e.held = false;
    this._pump();
    for (const b of this._unframed) this._out.forward(b);
    this._unframed = [];
    this._unframedBytes = 0;
  }

  private _pump(): void {
    while (this._queue.length > 0 && !this._queue[0].held) {
      const e = this._queue.shift() as Entry;
      this._queuedBytes -= e.frame.bytes.length - e.skip;
      const bytes = e.replacement ?? e.frame.bytes.subarray(e.skip);
      if (bytes.length > 0) this._out.forward(bytes);
    }
    if (this._queue.length === 0 && this._ended) {
      this._ended = false;
      this._out.end();
    }
  }

  /** Removes `n` bytes from the front of the unframed bytes (a frame now owns them). */
  private _consume(n: number): void {
    this._unframedBytes -= n;
    while (n > 0 && this._unframed.length > 0) {
      const head = this._unframed[0];
      if (head.length <= n) {
        n -= head.length;
        this._unframed.shift();
      } else {
        this._unframed[0] = head.subarray(n);
        n = 0;
      }
    }
  }
}
