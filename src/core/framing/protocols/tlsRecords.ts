/**
 * TLS records after STARTTLS, for the smtp framer: each record (5-byte header and body) is one
 * frame, never read as SMTP; bytes that are not a record header make the rest opaque chunks.
 */
import type { Annotation } from '../frame';
import type { Terminator } from '../../terminatorScanner';
import { article, quote } from './protocol';

/** What TlsRecords needs of the framer it runs in. */
export interface FrameIo {
  end(ann: Annotation): void;
  expect(count: number): void;
}

const TLS_TYPES: Record<number, string> = {
  20: 'change_cipher_spec',
  21: 'alert',
  22: 'handshake',
  23: 'application_data',
  24: 'heartbeat',
};
/** RFC 5246 §6.2.3: a record body is at most 2^14 + 2048 bytes. */
const TLS_RECORD_MAX = 16384 + 2048;
const OPAQUE_CHUNK = 16384;
const OPAQUE: Annotation = {
  kind: 'data',
  name: 'TLS',
  summary: 'TLS (opaque)',
  fields: { tls: true },
};

/**
 * One direction after STARTTLS: each TLS record (5-byte header and body) is a frame, never read
 * as SMTP. Bytes that are not a record header make the rest opaque fixed-size chunks.
 */
export class TlsRecords {
  private _head: number[] = [];
  private _record:
    { readonly type: string; readonly version: string; readonly length: number } | undefined;
  private _opaque = false;

  /** Starts reading records; `first` is a header byte already read. */
  start(io: FrameIo, first?: number): void {
    this._head = first === undefined ? [] : [first];
    io.expect(5 - this._head.length);
  }

  onSegment(head: Buffer, io: FrameIo): void {
    if (this._opaque) {
      io.end(OPAQUE);
      io.expect(OPAQUE_CHUNK);
      return;
    }
    const record = this._record;
    if (record !== undefined) {
      this._record = undefined;
      io.end(recordAnnotation(record));
      io.expect(5);
      return;
    }
    const h = Buffer.from([...this._head, ...head.subarray(0, 5 - this._head.length)]);
    this._head = [];
    const type = TLS_TYPES[h[0]];
    const length = h.readUInt16BE(3);
    if (type === undefined || h[1] !== 3 || length > TLS_RECORD_MAX) {
      this._opaque = true;
      const message = `${quote(h)} is not a TLS record header: the rest is shown as opaque chunks`;
      io.end({ ...OPAQUE, warnings: [{ code: 'violation', message }] });
      io.expect(OPAQUE_CHUNK);
      return;
    }
    const rec = { type, version: `${h[1]}.${h[2]}`, length };
    if (length > 0) {
      this._record = rec;
      io.expect(length);
    } else {
      io.end(recordAnnotation(rec));
      io.expect(5);
    }
  }

  /** The annotation of a frame the stream ended inside; `left` is the count still expected. */
  describeTruncated(left: Terminator): Annotation {
    if (this._opaque) return OPAQUE;
    const rec = this._record;
    const message =
      rec === undefined
        ? 'stream ended inside a TLS record header'
        : `stream ended inside ${article(rec.length)} ${rec.length}-byte TLS ${rec.type} record, after ${rec.length - (typeof left === 'number' ? left : 0)} bytes`;
    return {
      ...(rec ? recordAnnotation(rec) : OPAQUE),
      warnings: [{ code: 'truncated', message }],
    };
  }
}

function recordAnnotation(rec: { type: string; version: string; length: number }): Annotation {
  return {
    kind: 'data',
    name: 'TLS',
    summary: `TLS ${rec.type} record (${rec.length} bytes)`,
    fields: { tls: true, contentType: rec.type, version: rec.version, length: rec.length },
  };
}
