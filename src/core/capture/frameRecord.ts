/**
 * One frame as a binary record of a capture index (frameStore.ts): the fields of a
 * TrafficFrame at fixed places, then its term, its annotation as JSON and its payload, or only
 * the head of a long payload, which then lives in a file of its own. A record is everything a
 * list row needs, so a window of rows is one read; fixed places let a scan look at `re` and
 * `conn` of thousands of records without decoding them.
 */
import type { Annotation, TrafficFrame } from '../../shared/traffic';
import { EMPTY, Views } from '../bytes';
import { shapedFrame } from './shapedFrame';

/** Payloads up to this many bytes live in their record; longer ones in the payload file. */
export const INLINE_BYTES = 1024;
/** Bytes of a long payload kept in its record: what a row's preview shows. */
export const HEAD_BYTES = 160;

// Byte offsets of the fixed fields, little-endian.
const LENGTH = 0; // u32, the whole record
const SIZE = 4; // u32, payload bytes
const ANN_LENGTH = 8; // u32, bytes of the annotation's JSON (0 for none)
const TERM_LENGTH = 12; // u16
const FLAGS = 14; // u8
const ID = 16; // f64
const CONN = 24; // f64
const SEQ = 32; // f64
const T = 40; // f64
const RE = 48; // f64, NaN for none
const LATENCY = 56; // f64, NaN for none
const PAYLOAD_AT = 64; // f64, offset in the payload file, -1 when the payload is inline
/** Longest term kept, in UTF-16 units (its UTF-8 fits the u16 length). */
const MAX_TERM = 4096;
/** Bytes before the variable part. */
export const RECORD_HEADER = 72;

// Bits of FLAGS.
const S2C = 1;
const PARTIAL = 2;
const OVERSIZE = 4;
const INJECTED = 8;
const HELD = 16;

/** A decoded record. */
export interface FrameRecord {
  /** The frame; its `bytes` are the whole payload unless `payloadAt` >= 0, then its head. */
  readonly head: TrafficFrame;
  /** Payload bytes. */
  readonly size: number;
  /** Where the payload is in the payload file, or -1 when `head.bytes` is all of it. */
  readonly payloadAt: number;
}

/** Writes records into one growing buffer, taken a block at a time. */
export class RecordWriter {
  private _buf: Buffer = Buffer.allocUnsafe(64 * 1024);
  // Numbers go through a DataView: Buffer's write methods check their arguments on each call.
  private _view: DataView = new DataView(this._buf.buffer, this._buf.byteOffset, this._buf.length);
  private _length = 0;

  /** Bytes written since the last take(). */
  get length(): number {
    return this._length;
  }

  /** Appends `frame`'s record; `payloadAt` is where its payload was put when it is long. */
  append(frame: TrafficFrame, payloadAt: number): void {
    const bytes = frame.bytes;
    const size = bytes.byteLength;
    const inline = payloadAt < 0 ? size : Math.min(size, HEAD_BYTES);
    const ann = frame.ann === undefined ? '' : JSON.stringify(frame.ann);
    // A term is a spec or a protocol name; the clip only keeps its length within 16 bits.
    const term = frame.term.length > MAX_TERM ? frame.term.slice(0, MAX_TERM) : frame.term;
    // Room for the worst case: 3 UTF-8 bytes per UTF-16 unit of the strings.
    this._room(RECORD_HEADER + 3 * (term.length + ann.length) + inline);
    const buf = this._buf;
    const view = this._view;
    const at = this._length;
    let o = at + RECORD_HEADER;
    const termLength = writeString(buf, term, o);
    o += termLength;
    const annLength = ann === '' ? 0 : writeString(buf, ann, o);
    o += annLength;
    if (inline <= 64) for (let i = 0; i < inline; i++) buf[o + i] = bytes[i];
    else buf.set(inline === size ? bytes : bytes.subarray(0, inline), o);
    o += inline;
    view.setUint32(at + LENGTH, o - at, true);
    view.setUint32(at + SIZE, size, true);
    view.setUint32(at + ANN_LENGTH, annLength, true);
    view.setUint16(at + TERM_LENGTH, termLength, true);
    buf[at + FLAGS] =
      (frame.dir === 's2c' ? S2C : 0) |
      (frame.partial ? PARTIAL : 0) |
      (frame.oversize ? OVERSIZE : 0) |
      (frame.injected ? INJECTED : 0) |
      (frame.held ? HELD : 0);
    buf[at + FLAGS + 1] = 0;
    view.setFloat64(at + ID, frame.id, true);
    view.setFloat64(at + CONN, frame.conn, true);
    view.setFloat64(at + SEQ, frame.seq, true);
    view.setFloat64(at + T, frame.t, true);
    view.setFloat64(at + RE, frame.re ?? NaN, true);
    view.setFloat64(at + LATENCY, frame.latency ?? NaN, true);
    view.setFloat64(at + PAYLOAD_AT, payloadAt, true);
    this._length = o;
  }

  /** A copy of what was written since the last take(); the writer starts again, empty. */
  take(): Buffer {
    const out = Buffer.allocUnsafeSlow(this._length);
    this._buf.copy(out, 0, 0, this._length);
    this._length = 0;
    return out;
  }

  private _room(n: number): void {
    if (this._length + n <= this._buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this._buf.length * 2, this._length + n));
    this._buf.copy(bigger, 0, 0, this._length);
    this._setBuffer(bigger);
  }

  private _setBuffer(buf: Buffer): void {
    this._buf = buf;
    this._view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  }
}

/** Writes a string as UTF-8 at `at`; returns the bytes written. ASCII is copied in a loop. */
function writeString(buf: Buffer, s: string, at: number): number {
  const n = s.length;
  if (n > 64) return buf.write(s, at, 'utf8');
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    // Anything beyond ASCII: let the native encoder do it all.
    if (c >= 0x80) return buf.write(s, at, 'utf8');
    buf[at + i] = c;
  }
  return n;
}

/** Whether the payload of a frame this long goes to the payload file. */
export function isLongPayload(size: number): boolean {
  return size > INLINE_BYTES;
}

/**
 * Reads the records of one buffer (a block): numbers through a DataView and payloads as cheap
 * views, since a filter decodes every record of a capture.
 */
export class RecordReader {
  private readonly _view: DataView;
  private readonly _views = new Views();
  private _term = '';
  private _termBytes: Buffer = EMPTY;

  constructor(readonly buf: Buffer) {
    this._view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  }

  /** Length of the record starting at `at`. */
  length(at: number): number {
    return this._view.getUint32(at + LENGTH, true);
  }

  /** `re` of the record at `at` (NaN for none), without decoding the record. */
  re(at: number): number {
    return this._view.getFloat64(at + RE, true);
  }

  /** `conn` of the record at `at`. */
  conn(at: number): number {
    return this._view.getFloat64(at + CONN, true);
  }

  /** Payload bytes of the record at `at`. */
  size(at: number): number {
    return this._view.getUint32(at + SIZE, true);
  }

  /** Where the payload of the record at `at` is in the payload file, or -1 when inline. */
  payloadAt(at: number): number {
    return this._view.getFloat64(at + PAYLOAD_AT, true);
  }

  /** Decodes the record at `at`; its bytes are a view into the buffer. */
  decode(at: number): FrameRecord {
    const buf = this.buf;
    const view = this._view;
    const length = view.getUint32(at + LENGTH, true);
    const annLength = view.getUint32(at + ANN_LENGTH, true);
    const termLength = view.getUint16(at + TERM_LENGTH, true);
    const flags = buf[at + FLAGS];
    let o = at + RECORD_HEADER;
    const term = this._termAt(o, termLength);
    o += termLength;
    const ann =
      annLength === 0
        ? undefined
        : (JSON.parse(buf.toString('utf8', o, o + annLength)) as Annotation);
    o += annLength;
    const id = view.getFloat64(at + ID, true);
    const conn = view.getFloat64(at + CONN, true);
    const dir = flags & S2C ? 's2c' : 'c2s';
    const seq = view.getFloat64(at + SEQ, true);
    const t = view.getFloat64(at + T, true);
    const bytes = this._views.of(buf, o, at + length);
    const partial = (flags & PARTIAL) !== 0;
    const oversize = (flags & OVERSIZE) !== 0;
    const injected = (flags & INJECTED) !== 0;
    const held = (flags & HELD) !== 0;
    const re = view.getFloat64(at + RE, true);
    const l = Number.isNaN(re) ? NaN : view.getFloat64(at + LATENCY, true);
    const head = shapedFrame(
      id,
      conn,
      dir,
      seq,
      t,
      bytes,
      term,
      partial,
      oversize,
      injected,
      held,
      ann,
      Number.isNaN(re) ? undefined : re,
      Number.isNaN(l) ? undefined : l,
    );
    return {
      head,
      size: view.getUint32(at + SIZE, true),
      payloadAt: view.getFloat64(at + PAYLOAD_AT, true),
    };
  }

  /**
   * The frame of the record at `at`, for a filter to look at, with `bytes` given when the
   * payload is long: its annotation is parsed only if the filter reads it.
   */
  scanned(at: number, bytes?: Uint8Array): TrafficFrame {
    const view = this._view;
    const length = view.getUint32(at + LENGTH, true);
    const annLength = view.getUint32(at + ANN_LENGTH, true);
    const termLength = view.getUint16(at + TERM_LENGTH, true);
    const o = at + RECORD_HEADER;
    const re = view.getFloat64(at + RE, true);
    const latency = view.getFloat64(at + LATENCY, true);
    return new ScannedFrame(
      view.getFloat64(at + ID, true),
      view.getFloat64(at + CONN, true),
      view.getFloat64(at + SEQ, true),
      view.getFloat64(at + T, true),
      this.buf[at + FLAGS],
      bytes ?? this._views.of(this.buf, o + termLength + annLength, at + length),
      this._termAt(o, termLength),
      Number.isNaN(re) ? undefined : re,
      Number.isNaN(latency) ? undefined : latency,
      this.buf,
      o + termLength,
      annLength,
    );
  }

  /** The term at `at`: the same few terms come again and again, so the last one is reused. */
  private _termAt(at: number, n: number): string {
    const buf = this.buf;
    const last = this._termBytes;
    let same = last.length === n;
    for (let i = 0; same && i < n; i++) same = buf[at + i] === last[i];
    if (!same) {
      this._termBytes = Buffer.from(buf.subarray(at, at + n));
      this._term = buf.toString('utf8', at, at + n);
    }
    return this._term;
  }
}

/** A frame as a filter sees it: the annotation stays JSON until something reads it. */
class ScannedFrame implements TrafficFrame {
  private _ann: Annotation | undefined | null = null;

  constructor(
    readonly id: number,
    readonly conn: number,
    readonly seq: number,
    readonly t: number,
    private readonly _flags: number,
    readonly bytes: Uint8Array,
    readonly term: string,
    readonly re: number | undefined,
    readonly latency: number | undefined,
    private readonly _buf: Buffer,
    private readonly _annAt: number,
    private readonly _annLength: number,
  ) {}

  get dir(): 's2c' | 'c2s' {
    return this._flags & S2C ? 's2c' : 'c2s';
  }
  get partial(): boolean {
    return (this._flags & PARTIAL) !== 0;
  }
  get oversize(): boolean {
    return (this._flags & OVERSIZE) !== 0;
  }
  get injected(): boolean {
    return (this._flags & INJECTED) !== 0;
  }
  get held(): boolean {
    return (this._flags & HELD) !== 0;
  }
  get ann(): Annotation | undefined {
    if (this._ann === null) {
      const { _buf: buf, _annAt: at, _annLength: n } = this;
      this._ann =
        n === 0 ? undefined : (JSON.parse(buf.toString('utf8', at, at + n)) as Annotation);
    }
    return this._ann;
  }
}
