/**
 * The most recent frames, for UIs that open late or re-open (the panel's snapshot). Bounded by
 * a frame count and a byte budget; older frames live on in the capture file.
 */
import type { TrafficFrame } from '../../shared/traffic';

/** Limits of a ring. */
export interface FrameRingLimits {
  /** Most frames kept. Default 10000. */
  readonly frames?: number;
  /** Most payload bytes kept. Default 64 MiB. */
  readonly bytes?: number;
}

/** A bounded FIFO of recent frames. */
export class FrameRing {
  private readonly _maxFrames: number;
  private readonly _maxBytes: number;
  private _items: (TrafficFrame | undefined)[];
  private _head = 0;
  private _size = 0;
  private _bytes = 0;
  private _dropped = 0;

  constructor(limits: FrameRingLimits = {}) {
    this._maxFrames = Math.max(1, limits.frames ?? 10_000);
    this._maxBytes = Math.max(1, limits.bytes ?? 64 * 1024 * 1024);
    this._items = new Array<TrafficFrame | undefined>(this._maxFrames);
  }

  /** Adds a frame, evicting the oldest ones past the limits. */
  push(frame: TrafficFrame): void {
    const kept = compact(frame);
    if (this._size === this._maxFrames) this._evict();
    this._items[(this._head + this._size) % this._maxFrames] = kept;
    this._size++;
    this._bytes += kept.bytes.length;
    while (this._bytes > this._maxBytes && this._size > 1) this._evict();
  }

  /** Frames kept now, oldest first (the last `n` when given). */
  snapshot(n = this._size): TrafficFrame[] {
    const count = Math.min(n, this._size);
    const out: TrafficFrame[] = [];
    for (let i = this._size - count; i < this._size; i++) {
      out.push(this._items[(this._head + i) % this._maxFrames] as TrafficFrame);
    }
    return out;
  }

  /** Number of frames kept. */
  get size(): number {
    return this._size;
  }

  /** Payload bytes kept. */
  get bytes(): number {
    return this._bytes;
  }

  /** Frames evicted so far (the UI says how many are not shown). */
  get dropped(): number {
    return this._dropped;
  }

  /** Forgets everything. */
  clear(): void {
    this._items = new Array<TrafficFrame | undefined>(this._maxFrames);
    this._head = this._size = this._bytes = 0;
  }

  private _evict(): void {
    const old = this._items[this._head];
    this._items[this._head] = undefined;
    this._head = (this._head + 1) % this._maxFrames;
    this._size--;
    this._bytes -= old?.bytes.length ?? 0;
    this._dropped++;
  }
}

/**
 * Frame bytes are often views into a 64 KiB read buffer; keeping a small view would pin the
 * whole buffer, so small views of big buffers are copied out.
 */
function compact(frame: TrafficFrame): TrafficFrame {
  const b = frame.bytes;
  if (b.byteLength * 4 >= b.buffer.byteLength) return frame;
  // allocUnsafeSlow: a pooled small Buffer would share an 8 KiB slab again.
  const copy = Buffer.allocUnsafeSlow(b.byteLength);
  copy.set(b);
  return { ...frame, bytes: copy };
}
