/**
 * A growable byte buffer that frame lines are written into directly, byte by byte, with the
 * same output as encodeFrame but no string per frame: the capture writer's hot path.
 */
import { isUtf8 } from 'node:buffer';
import { asBuffer } from '../bytes';
import { encodeFrame, type FrameInput } from './captureFormat';

const HEX = '0123456789abcdef';
/** Frames longer than this go through encodeFrame: native escaping wins on big payloads. */
const DIRECT_MAX = 1024;
const PREFIX = ascii('{"e":"frame","c":');
const C2S = ascii(',"d":">","t":');
const S2C = ascii(',"d":"<","t":');
const TEXT = ascii(',"text":"');
const LS = ascii('\\u2028');
const PS = ascii('\\u2029');
const FLAGS = {
  partial: ascii(',"partial":true'),
  oversize: ascii(',"oversize":true'),
  injected: ascii(',"injected":true'),
  held: ascii(',"held":true'),
};

/** 1 for the bytes a JSON string holds as they are: printable ASCII but `"` and `\\`. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = c === 0x22 || c === 0x5c ? 0 : 1;
/** A plain run this long is copied natively; a shorter one byte by byte. */
const NATIVE_COPY = 32;

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** Lines of a capture, built in one buffer that is handed over whole for each write. */
export class FrameLineBuffer {
  private _buf: Buffer;
  private _length = 0;
  // `{"e":"frame","c":N,"d":">","t":` of the last frame's connection and direction: frames
  // come in runs of one connection and direction, so this is made once per run, not per frame.
  private _headConn = -1;
  private _headDir = '';
  private _head: Uint8Array = PREFIX;

  constructor(private readonly _capacity = 256 * 1024) {
    this._buf = Buffer.allocUnsafe(_capacity);
  }

  /** Bytes written since the last take(). */
  get length(): number {
    return this._length;
  }

  /** Appends a line of text (newline added). */
  appendLine(line: string): void {
    this._room(line.length * 3 + 1);
    this._length += this._buf.write(line, this._length, 'utf8');
    this._buf[this._length++] = 10;
  }

  /** Appends a frame's line, exactly as encodeFrame writes it, plus the newline. */
  appendFrame(frame: FrameInput): void {
    const bytes = asBuffer(frame.bytes);
    if (bytes.length > DIRECT_MAX) return this.appendLine(encodeFrame(frame));
    // Worst case: 6 bytes per payload byte (\u00XX), numbers, flags.
    this._room(bytes.length * 6 + 160);
    const start = this._length;
    if (frame.conn !== this._headConn || frame.dir !== this._headDir) {
      this._number(frame.conn);
      this._raw(frame.dir === 'c2s' ? C2S : S2C);
      const head = Buffer.allocUnsafe(PREFIX.length + this._length - start);
      head.set(PREFIX);
      head.set(this._buf.subarray(start, this._length), PREFIX.length);
      this._length = start;
      this._head = head;
      this._headConn = frame.conn;
      this._headDir = frame.dir;
    }
    this._raw(this._head);
    this._number(frame.t);
    if (!this._text(bytes)) {
      // Not UTF-8: start the line again with a base64 payload.
      this._length = start;
      return this.appendLine(encodeFrame(frame));
    }
    if (frame.partial) this._raw(FLAGS.partial);
    if (frame.oversize) this._raw(FLAGS.oversize);
    if (frame.injected) this._raw(FLAGS.injected);
    if (frame.held) this._raw(FLAGS.held);
    this._buf[this._length++] = 0x7d;
    this._buf[this._length++] = 10;
  }

  /** Hands over the bytes written so far and starts a new buffer (no copy). */
  take(): Buffer {
    const out = this._buf.subarray(0, this._length);
    this._buf = Buffer.allocUnsafe(this._capacity);
    this._length = 0;
    return out;
  }

  /** `,"text":"..."` with JSON.stringify's escapes; false if the bytes are not valid UTF-8. */
  private _text(bytes: Buffer): boolean {
    this._raw(TEXT);
    const buf = this._buf;
    let o = this._length;
    let high = false;
    const n = bytes.length;
    // Text protocols' frames are mostly plain up to their line ending: find where that run
    // ends, and copy it with one native call (all of the frame: what follows is rewritten).
    let plain = 0;
    while (plain < n && PLAIN[bytes[plain]] === 1) plain++;
    if (plain >= NATIVE_COPY) {
      buf.set(bytes, o);
      o += plain;
    } else {
      for (let i = 0; i < plain; i++) buf[o++] = bytes[i];
    }
    for (let i = plain; i < n; i++) {
      const c = bytes[i];
      if (PLAIN[c] === 1) {
        buf[o++] = c;
        continue;
      }
      if (c >= 0x80) {
        high = true;
        // U+2028 and U+2029 (e2 80 a8/a9) are escaped, as encodeFrame does.
        if (c === 0xe2 && bytes[i + 1] === 0x80 && (bytes[i + 2] | 1) === 0xa9) {
          for (const b of bytes[i + 2] === 0xa8 ? LS : PS) buf[o++] = b;
          i += 2;
          continue;
        }
        buf[o++] = c;
        continue;
      }
      buf[o++] = 0x5c;
      switch (c) {
        case 0x22:
        case 0x5c:
          buf[o++] = c;
          break;
        case 0x08:
          buf[o++] = 0x62; // b
          break;
        case 0x09:
          buf[o++] = 0x74; // t
          break;
        case 0x0a:
          buf[o++] = 0x6e; // n
          break;
        case 0x0c:
          buf[o++] = 0x66; // f
          break;
        case 0x0d:
          buf[o++] = 0x72; // r
          break;
        default:
          buf[o++] = 0x75; // u00XX
          buf[o++] = 0x30;
          buf[o++] = 0x30;
          buf[o++] = HEX.charCodeAt(c >> 4);
          buf[o++] = HEX.charCodeAt(c & 15);
      }
    }
    if (high && !isUtf8(bytes)) return false;
    buf[o++] = 0x22;
    this._length = o;
    return true;
  }

  private _number(n: number): void {
    if (n >= 0 && n <= 0x7fffffff && (n | 0) === n) {
      // Small integers (conn ids, times under 35 minutes) in int32 arithmetic.
      const buf = this._buf;
      let digits = 1;
      for (let m = 10; m <= n; m *= 10) digits++;
      let o = this._length + digits;
      this._length = o;
      do {
        const q = (n / 10) | 0;
        buf[--o] = 0x30 + n - q * 10;
        n = q;
      } while (n > 0);
      return;
    }
    if (!(Number.isSafeInteger(n) && n >= 0)) return this._ascii(String(n));
    const buf = this._buf;
    let digits = 0;
    for (let m = n; m > 0; m = Math.floor(m / 10)) digits++;
    let o = this._length + digits;
    this._length = o;
    for (let m = n; m > 0; m = Math.floor(m / 10)) buf[--o] = 0x30 + (m % 10);
  }

  private _ascii(s: string): void {
    this._length += this._buf.write(s, this._length, 'latin1');
  }

  /** Short constant bytes: a plain loop beats a native copy call at this size. */
  private _raw(b: Uint8Array): void {
    const buf = this._buf;
    let o = this._length;
    for (let i = 0; i < b.length; i++) buf[o++] = b[i];
    this._length = o;
  }

  private _room(n: number): void {
    if (this._length + n <= this._buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this._buf.length * 2, this._length + n));
    this._buf.copy(bigger, 0, 0, this._length);
    this._buf = bigger;
  }
}
