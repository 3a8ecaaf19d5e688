/**
 * WebSocket frames (RFC 6455 §5), read by the http framer after a `101 Switching Protocols`.
 * The reader asks for the 2-byte header, then the extended length and mask key, then the
 * payload, one terminator (a byte count) at a time; each WebSocket frame is one Linetap frame.
 */
import { createHash } from 'node:crypto';
import { isValidUtf8 } from '../../bytes';
import type { Terminator } from '../../terminatorScanner';
import { type Annotation, type Direction, otherDirection } from '../frame';
import { httpWarnings, WHOLE } from './httpHead';
import { article, quote, type WarningBag } from './protocol';

/** A segment as the reader gets it: its first bytes, its length, whether a frame cut split it. */
export interface WsSegment {
  readonly head: Buffer;
  readonly total: number;
  readonly cut: boolean;
}

/** What the framer does next: the terminator, and the annotation when a frame is complete. */
export interface WsStep {
  readonly next: Terminator;
  /** Bytes of the next segment the framer must keep if a frame cut splits it. */
  readonly keep: number;
  readonly ann?: Annotation;
}

/** The key a server must answer with for a client's Sec-WebSocket-Key (RFC 6455 §4.2.2). */
export function websocketAccept(key: string): string {
  return createHash('sha1')
    .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
    .digest('base64');
}

const OPCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'continuation',
  1: 'text',
  2: 'binary',
  8: 'close',
  9: 'ping',
  10: 'pong',
};
/** Longest payload shown in a summary, in bytes. */
const PREVIEW_BYTES = 160;
/** Pings remembered per direction while their pong is awaited. */
const MAX_PINGS = 32;

/** WebSocket state shared by the two directions of a connection. */
export class WebSocketSession {
  /** Sec-WebSocket-Extensions of the upgrade request. */
  offered = '';
  /** Sec-WebSocket-Extensions of the 101 response, once it was seen. */
  accepted: string | undefined;
  /** Pings awaiting their pong, by the direction they were sent in. */
  readonly pings: Record<Direction, { seq: number; data: string }[]> = { c2s: [], s2c: [] };

  /** The extensions in force: the answer when known, else what the client offered. */
  extensions(): string[] {
    return (this.accepted ?? this.offered)
      .split(',')
      .map((e) => e.split(';')[0].trim().toLowerCase())
      .filter((e) => e.length > 0);
  }
}

/** The fixed part of a frame header. */
interface Header {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  length: number;
  mask: Buffer | undefined;
  warnings: WarningBag;
}

/** Reads one direction's WebSocket frames, given the segments the framer finds. */
export class WebSocketReader {
  private _stage: 'head' | 'ext' | 'payload' = 'head';
  private _h: Header | undefined;
  /** Opcode of the fragmented message in progress (1 or 2), and whether it is compressed. */
  private _message: { opcode: number; compressed: boolean } | undefined;
  private _closed = false;

  constructor(
    private readonly _dir: Direction,
    private readonly _session: WebSocketSession,
  ) {}

  /** The first terminator: a frame header. */
  start(): WsStep {
    return { next: 2, keep: 2 };
  }

  /** Handles the segment that ended at the current terminator; `seq` is the next frame's. */
  onSegment(seg: WsSegment, seq: number): WsStep {
    const h = this._h;
    if (this._stage === 'head' || h === undefined) return this._readHead(seg.head, seq);
    if (this._stage === 'ext') return this._readExt(h, seg.head, seq);
    return this._finish(h, seg, seq);
  }

  /** What was missing when the stream ended (or why a payload ran to the close). */
  describeEnd(remaining: Terminator): Annotation {
    const h = this._h;
    if (this._stage === 'payload' && h !== undefined) {
      const name = OPCODE_NAMES[h.opcode] ?? 'reserved';
      const kind = h.opcode >= 3 ? 'event' : 'data';
      if (typeof remaining !== 'number') {
        // The length was over 2^53: the payload was read up to the close, as announced.
        const summary = `ws ${name}, payload read until the close`;
        return { kind, name, summary, warnings: h.warnings.toArray() };
      }
      h.warnings.add(
        'truncated',
        `stream ended inside ${article(h.length)} ${h.length}-byte ws ${name} payload (${remaining} bytes missing)`,
      );
      return { kind, name, summary: `ws ${name} (cut off)`, warnings: h.warnings.toArray() };
    }
    const where = this._stage === 'head' ? 'header' : 'extended length or mask key';
    return {
      warnings: [{ code: 'truncated', message: `stream ended inside a WebSocket frame ${where}` }],
    };
  }

  private _readHead(b: Buffer, seq: number): WsStep {
    const b0 = b[0] ?? 0;
    const b1 = b[1] ?? 0;
    const len7 = b1 & 0x7f;
    const h: Header = {
      fin: (b0 & 0x80) !== 0,
      rsv: (b0 >> 4) & 7,
      opcode: b0 & 0x0f,
      masked: (b1 & 0x80) !== 0,
      length: len7,
      mask: undefined,
      warnings: httpWarnings(),
    };
    this._h = h;
    const need = (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (h.masked ? 4 : 0);
    if (need > 0) {
      this._stage = 'ext';
      return { next: need, keep: need };
    }
    return this._payload(h, seq);
  }

  private _readExt(h: Header, b: Buffer, seq: number): WsStep {
    let at = 0;
    if (h.length === 126) {
      h.length = b.length >= 2 ? b.readUInt16BE(0) : 0;
      at = 2;
      if (h.length < 126) {
        h.warnings.add('violation', `length ${h.length} is sent in 16 bits; under 126 takes 7`);
      }
    } else if (h.length === 127) {
      const big = b.length >= 8 ? b.readBigUInt64BE(0) : 0n;
      at = 8;
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
        h.warnings.add(
          'violation',
          `payload length ${big} is over 2^53; the rest of the stream is read as its payload`,
        );
        h.mask = h.masked ? Buffer.from(b.subarray(at, at + 4)) : undefined;
        this._stage = 'payload';
        return { next: null, keep: 0 };
      }
      h.length = Number(big);
      if (h.length < 65536) {
        h.warnings.add('violation', `length ${h.length} is sent in 64 bits; under 65536 takes 16`);
      }
    }
    if (h.masked) h.mask = Buffer.from(b.subarray(at, at + 4));
    return this._payload(h, seq);
  }

  /** The header is complete: wait for the payload, or finish a frame that has none. */
  private _payload(h: Header, seq: number): WsStep {
    if (h.length === 0) {
      return this._finish(h, { head: Buffer.alloc(0), total: 0, cut: false }, seq);
    }
    this._stage = 'payload';
    // Control payloads are needed whole (close code, ping data), and so is a whole text message
    // (its UTF-8 is checked); other data payloads are only previewed.
    const whole = h.opcode >= 8 || (h.opcode === 1 && h.fin);
    return { next: h.length, keep: whole ? WHOLE : PREVIEW_BYTES };
  }

  private _finish(h: Header, seg: WsSegment, seq: number): WsStep {
    this._stage = 'head';
    this._h = undefined;
    const ann = this._annotate(h, seg, seq);
    return { next: 2, keep: 2, ann };
  }

  private _annotate(h: Header, seg: WsSegment, seq: number): Annotation {
    const w = h.warnings;
    const { opcode } = h;
    const control = opcode >= 8;
    const name = OPCODE_NAMES[opcode] ?? 'reserved';
    // A control payload is kept across frame cuts; a data payload a cut split is not previewed.
    const whole = control ? seg.head.length === seg.total : !seg.cut;
    if (this._dir === 'c2s' && !h.masked) {
      w.add('violation', 'client frame is not masked (RFC 6455 §5.1)');
    } else if (this._dir === 's2c' && h.masked) {
      w.add('violation', 'server frame is masked (RFC 6455 §5.1)');
    }
    if (name === 'reserved') w.add('violation', `reserved opcode 0x${opcode.toString(16)}`);
    if (control && h.length > 125)
      w.add('violation', `${name} frame of ${h.length} bytes; control frames take at most 125`);
    if (control && !h.fin)
      w.add('violation', `fragmented ${name} frame; control frames cannot be fragmented`);
    // RFC 6455 §5.5.1: no data frames after a close frame (and a second close is pointless).
    if (this._closed && opcode <= 8) {
      w.add('violation', `${name} frame after this side's close frame`);
    }
    const compressed = this._checkRsv(h, control);

    // Fragmentation (RFC 6455 §5.4): which message a data frame belongs to.
    const ongoing = this._message;
    let textual = opcode === 1;
    let deflated = compressed;
    if (opcode === 0) {
      if (ongoing === undefined) {
        w.add('violation', 'continuation frame with no fragmented message to continue');
      }
      textual = ongoing?.opcode === 1;
      deflated = ongoing?.compressed === true;
      if (h.fin) this._message = undefined;
    } else if (opcode === 1 || opcode === 2) {
      if (ongoing !== undefined) {
        w.add('violation', `new ${name} message before the fragmented one ended`);
      }
      this._message = h.fin ? undefined : { opcode, compressed };
    }

    const preview = whole ? unmask(seg.head.subarray(0, PREVIEW_BYTES), h.mask) : undefined;
    let summary = `ws ${name}`;
    let re: number | undefined;
    let kind: Annotation['kind'] = control || name === 'reserved' ? 'event' : 'data';
    if (opcode === 8) {
      this._closed = true;
      summary += this._describeClose(h, preview);
    } else if (opcode === 9 || opcode === 10) {
      const data = preview?.toString('hex') ?? '';
      if (opcode === 9) {
        kind = this._dir === 'c2s' ? 'request' : 'push';
        const queue = this._session.pings[this._dir];
        if (queue.length >= MAX_PINGS) queue.shift();
        queue.push({ seq, data });
      } else {
        re = this._pairPong(data);
        if (re !== undefined) kind = 'reply';
      }
      if (preview !== undefined && preview.length > 0) summary += ` ${quote(preview)}`;
    } else if (textual && !deflated && preview !== undefined) {
      summary += ` ${quote(preview)}`;
      if (opcode === 1 && h.fin && !isValidUtf8(unmask(seg.head, h.mask))) {
        w.add('invalid-utf8', 'text frame payload is not valid UTF-8');
      }
    } else {
      summary += ` ${h.length} bytes${deflated ? ' (compressed)' : ''}`;
    }
    if (!h.fin && !control) summary += ' (more fragments follow)';
    else if (opcode === 0 && h.fin) summary += ' (last fragment)';
    const fields: Record<string, string | number | boolean> = {
      fin: h.fin,
      opcode,
      masked: h.masked,
      length: h.length,
      rsv1: (h.rsv & 4) !== 0,
      rsv2: (h.rsv & 2) !== 0,
      rsv3: (h.rsv & 1) !== 0,
    };
    if (h.mask) fields.mask = h.mask.toString('hex');
    return {
      kind,
      name,
      summary,
      fields,
      warnings: w.toArray(),
      ...(re !== undefined ? { re } : {}),
    };
  }

  /** Checks the RSV bits against the negotiated extensions; true for a compressed message. */
  private _checkRsv(h: Header, control: boolean): boolean {
    if (h.rsv === 0) return false;
    const ext = this._session.extensions();
    if (ext.length === 0) {
      h.warnings.add('violation', 'RSV bits set but no extension was negotiated');
      return false;
    }
    if (ext.length === 1 && ext[0] === 'permessage-deflate') {
      // RFC 7692 §6: RSV1 marks the first frame of a compressed message; nothing else is used.
      if ((h.rsv & 3) !== 0)
        h.warnings.add('violation', 'RSV2/RSV3 set; permessage-deflate uses only RSV1');
      if ((h.rsv & 4) !== 0 && (control || h.opcode === 0)) {
        h.warnings.add('violation', 'RSV1 set on a control or continuation frame');
        return false;
      }
    }
    return (h.rsv & 4) !== 0;
  }

  /** The close frame's part of the summary, with its checks (RFC 6455 §5.5.1, §7.4). */
  private _describeClose(h: Header, payload: Buffer | undefined): string {
    if (payload === undefined || payload.length === 0)
      return h.length === 0 ? ' (no status code)' : '';
    if (payload.length === 1) {
      h.warnings.add('violation', 'close payload of 1 byte; a status code takes 2');
      return '';
    }
    const code = payload.readUInt16BE(0);
    const reason = payload.subarray(2);
    const allowed =
      (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) ||
      (code >= 3000 && code <= 4999);
    if (!allowed) h.warnings.add('violation', `close code ${code} may not be sent`);
    if (!isValidUtf8(reason)) h.warnings.add('invalid-utf8', 'close reason is not valid UTF-8');
    return ` ${code}${reason.length > 0 ? ` ${quote(reason)}` : ''}`;
  }

  /** Pairs a pong with the newest ping of the other side that carried the same data. */
  private _pairPong(data: string): number | undefined {
    const queue = this._session.pings[otherDirection(this._dir)];
    for (let i = queue.length - 1; i >= 0; i--) {
      if (queue[i].data === data) {
        const { seq } = queue[i];
        // A pong may answer only the latest of several pings (RFC 6455 §5.5.3).
        queue.splice(0, i + 1);
        return seq;
      }
    }
    return undefined;
  }
}

/** A copy of `data` XORed with the mask key (or `data` itself when there is none). */
function unmask(data: Buffer, mask: Buffer | undefined): Buffer {
  if (mask === undefined || mask.length < 4) return data;
  const out = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] ^ mask[i & 3];
  return out;
}
