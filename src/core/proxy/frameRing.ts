/**
 * The most recent frames, for UIs that open late or re-open (the panel's snapshot). Bounded by
 * a frame count and a byte budget; older frames live on in the capture file.
 *
 * A busy proxy pushes a million frames a second through here, and the ring keeps each one long
 * enough for the garbage collector to move it to the old generation, where it then dies: keeping
 * the TrafficFrame objects, with views that pin 64 KiB read buffers, made garbage collection the
 * proxy's biggest cost. So the ring keeps the fields of a frame in typed arrays and its bytes in
 * slabs of its own, which it reuses, and snapshot() makes TrafficFrames again. Nothing is
 * allocated per frame.
 */
import type { Annotation, TrafficFrame } from '../../shared/traffic';

/** Limits of a ring. */
export interface FrameRingLimits {
  /** Most frames kept. Default 10000. */
  readonly frames?: number;
  /** Most payload bytes kept. Default 64 MiB. */
  readonly bytes?: number;
}

/** Bytes of one slab; the frames in it are copied there. */
const SLAB_BYTES = 256 * 1024;
/** Frames this big or bigger are not copied into a slab (see _keepBig). */
const BIG_FRAME = 64 * 1024;

// Bits of _flags.
const S2C = 1;
const PARTIAL = 2;
const OVERSIZE = 4;
const INJECTED = 8;
const HELD = 16;
/** The bytes are kept in _store as they are (a big frame), not at _offset in a slab. */
const OWN = 32;

/** A slab and how many kept frames are in it. */
interface Slab {
  readonly buf: Buffer;
  frames: number;
}

/** A bounded FIFO of recent frames. */
export class FrameRing {
  private readonly _maxFrames: number;
  private readonly _maxBytes: number;
  /** Slots allocated so far (grows up to _maxFrames). */
  private _capacity = 0;
  private _id = new Float64Array(0);
  private _conn = new Float64Array(0);
  private _seq = new Float64Array(0);
  private _t = new Float64Array(0);
  /** NaN for none. */
  private _re = new Float64Array(0);
  /** NaN for none. */
  private _latency = new Float64Array(0);
  private _offset = new Float64Array(0);
  private _length = new Float64Array(0);
  private _flags = new Uint8Array(0);
  private _term: string[] = [];
  private _ann: (Annotation | undefined)[] = [];
  /** The slab each frame is in, or its own bytes (OWN). */
  private _store: (Slab | Uint8Array | undefined)[] = [];
  private _head = 0;
  private _size = 0;
  private _bytes = 0;
  private _dropped = 0;
  /** Slabs holding kept frames, oldest first; the last one is being filled. */
  private _slabs: Slab[] = [];
  /** Bytes used in the last slab. */
  private _used = 0;
  /** An emptied slab, kept for reuse. */
  private _spare: Slab | undefined;

  constructor(limits: FrameRingLimits = {}) {
    this._maxFrames = Math.max(1, limits.frames ?? 10_000);
    this._maxBytes = Math.max(1, limits.bytes ?? 64 * 1024 * 1024);
  }

  /** Adds a frame, evicting the oldest ones past the limits. */
  push(frame: TrafficFrame): void {
    if (this._size === this._maxFrames) this._evict();
    if (this._size === this._capacity) this._grow();
    const i = (this._head + this._size) % this._capacity;
    const b = frame.bytes;
    const n = b.byteLength;
    let flags = frame.dir === 's2c' ? S2C : 0;
    if (frame.partial) flags |= PARTIAL;
    if (frame.oversize) flags |= OVERSIZE;
    if (frame.injected) flags |= INJECTED;
    if (frame.held) flags |= HELD;
    if (n >= BIG_FRAME) {
      flags |= OWN;
      this._store[i] = keepBig(b);
    } else {
      const slab = this._room(n);
      const buf = slab.buf;
      const at = this._used;
      buf.set(b, at);
      this._used = at + n;
      slab.frames++;
      this._store[i] = slab;
      this._offset[i] = at;
    }
    this._id[i] = frame.id;
    this._conn[i] = frame.conn;
    this._seq[i] = frame.seq;
    this._t[i] = frame.t;
    this._re[i] = frame.re ?? NaN;
    this._latency[i] = frame.latency ?? NaN;
    this._length[i] = n;
    this._flags[i] = flags;
    this._term[i] = frame.term;
    this._ann[i] = frame.ann;
    this._size++;
    this._bytes += n;
    while (this._bytes > this._maxBytes && this._size > 1) this._evict();
  }

  /**
   * Frames kept now, oldest first (the last `n` when given). Their bytes are copies, in one new
   * buffer, except big frames, which are kept as they came.
   */
  snapshot(n = this._size): TrafficFrame[] {
    const count = Math.min(n, this._size);
    const first = this._size - count;
    let copied = 0;
    for (let k = first; k < this._size; k++) {
      const i = (this._head + k) % this._capacity;
      if (!(this._flags[i] & OWN)) copied += this._length[i];
    }
    // allocUnsafeSlow: the frames' bytes only, not a shared 8 KiB pool slab.
    const out = Buffer.allocUnsafeSlow(copied);
    let at = 0;
    const frames: TrafficFrame[] = [];
    for (let k = first; k < this._size; k++) {
      const i = (this._head + k) % this._capacity;
      const flags = this._flags[i];
      const len = this._length[i];
      let bytes: Uint8Array;
      if (flags & OWN) {
        bytes = this._store[i] as Uint8Array;
      } else {
        const from = this._offset[i];
        (this._store[i] as Slab).buf.copy(out, at, from, from + len);
        bytes = out.subarray(at, at + len);
        at += len;
      }
      const re = this._re[i];
      const latency = this._latency[i];
      // The same fields, in the same order, as the proxy's frames.
      frames.push({
        id: this._id[i],
        conn: this._conn[i],
        dir: flags & S2C ? 's2c' : 'c2s',
        seq: this._seq[i],
        t: this._t[i],
        bytes,
        term: this._term[i],
        partial: (flags & PARTIAL) !== 0,
        oversize: (flags & OVERSIZE) !== 0,
        injected: (flags & INJECTED) !== 0,
        held: (flags & HELD) !== 0,
        ann: this._ann[i],
        re: Number.isNaN(re) ? undefined : re,
        latency: Number.isNaN(latency) ? undefined : latency,
      });
    }
    return frames;
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
    this._term.fill('');
    this._ann.fill(undefined);
    this._store.fill(undefined);
    this._head = this._size = this._bytes = 0;
    this._slabs = [];
    this._used = 0;
  }

  /** The slab to copy `n` bytes into: the last one, or a new one when they do not fit. */
  private _room(n: number): Slab {
    const last = this._slabs[this._slabs.length - 1];
    if (last && this._used + n <= SLAB_BYTES) return last;
    const slab = this._spare ?? { buf: Buffer.allocUnsafeSlow(SLAB_BYTES), frames: 0 };
    this._spare = undefined;
    slab.frames = 0;
    this._slabs.push(slab);
    this._used = 0;
    return slab;
  }

  /** More slots, up to the frame limit: rings that stay small cost little. */
  private _grow(): void {
    const old = this._capacity;
    const capacity = Math.min(this._maxFrames, Math.max(64, old * 2));
    const move = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      for (let k = 0; k < this._size; k++) b[k] = a[(this._head + k) % old];
      return b;
    };
    const f64 = (n: number) => new Float64Array(n);
    this._id = move(this._id, f64);
    this._conn = move(this._conn, f64);
    this._seq = move(this._seq, f64);
    this._t = move(this._t, f64);
    this._re = move(this._re, f64);
    this._latency = move(this._latency, f64);
    this._offset = move(this._offset, f64);
    this._length = move(this._length, f64);
    this._flags = move(this._flags, (n) => new Uint8Array(n));
    const moveArray = <T>(a: T[], fill: T): T[] => {
      const b = new Array<T>(capacity).fill(fill);
      for (let k = 0; k < this._size; k++) b[k] = a[(this._head + k) % old];
      return b;
    };
    this._term = moveArray(this._term, '');
    this._ann = moveArray<Annotation | undefined>(this._ann, undefined);
    this._store = moveArray<Slab | Uint8Array | undefined>(this._store, undefined);
    this._head = 0;
    this._capacity = capacity;
  }

  private _evict(): void {
    const i = this._head;
    const store = this._store[i];
    if (!(this._flags[i] & OWN) && store && --(store as Slab).frames === 0) {
      // Slabs empty in the order they were filled: this is the oldest one.
      this._slabs.shift();
      if (this._slabs.length === 0) this._used = 0;
      this._spare = store as Slab;
    }
    this._store[i] = undefined;
    this._ann[i] = undefined;
    this._head = (this._head + 1) % this._capacity;
    this._size--;
    this._bytes -= this._length[i];
    this._dropped++;
  }
}

/**
 * A big frame's bytes, copied: a frame's bytes may be a view of a read buffer the proxy reuses
 * (see LegReader), and a view would also pin the whole read buffer.
 */
function keepBig(b: Uint8Array): Uint8Array {
  // allocUnsafeSlow: a pooled small Buffer would share an 8 KiB slab again.
  const copy = Buffer.allocUnsafeSlow(b.byteLength);
  copy.set(b);
  return copy;
}
