/**
 * The `stomp` protocol framer (STOMP 1.2): one frame per STOMP frame, from its command line
 * through its headers, blank line and body to its NUL. With a `content-length` header the body
 * is exactly that many bytes (NULs allowed) before the NUL; without, it ends at the first NUL.
 * An EOL between frames (a heart-beat, or an EOL after a NUL) is a frame of its own: `kind`
 * event, `name` HEARTBEAT.
 *
 * Annotations: `name` is the command; client frames are requests, CONNECTED and RECEIPT are
 * replies, MESSAGE is a push, ERROR a reply when it answers something and a push otherwise.
 * `fields` hold the headers that matter (destination, content-type, content-length, receipt,
 * receipt-id, id, subscription, message-id, transaction, version...; never login or passcode),
 * `headers` (their count) and `bodyBytes`. Pairing: CONNECTED to the oldest unanswered CONNECT
 * or STOMP; RECEIPT and ERROR by `receipt-id` to the client frame whose `receipt` header it
 * names; an ERROR without one to an unanswered CONNECT (a refused login).
 */
import { isValidUtf8 } from '../../bytes';
import type { Annotation, Direction } from '../frame';
import type { FramerOptions } from '../framer';
import {
  article,
  type Pairing,
  PendingRequests,
  type Protocol,
  quote,
  WarningBag,
  Waits,
} from './protocol';
import { SegmentFramer } from './segmentFramer';

const NAME = 'stomp';
const LF = Buffer.from('\n');
const CR = 13;
const NUL = Buffer.from([0]);
const LINE_KEEP = 8192;
/** Body bytes kept for the summary: one more than quote() shows, so it knows to add `…`. */
const BODY_KEEP = 161;
const VALUE_MAX = 1024;
const MAX_WAITING = 4096;
const CLIENT = new Set(
  'CONNECT STOMP SEND SUBSCRIBE UNSUBSCRIBE ACK NACK BEGIN COMMIT ABORT DISCONNECT'.split(' '),
);
const SERVER = new Set(['CONNECTED', 'MESSAGE', 'RECEIPT', 'ERROR']);
const BODY_ALLOWED = new Set(['SEND', 'MESSAGE', 'ERROR']);
/** Headers kept for fields and summaries (a fixed set, so memory stays bounded). */
const KEPT = [
  'destination',
  'content-type',
  'content-length',
  'receipt',
  'receipt-id',
  'id',
  'subscription',
  'message-id',
  'transaction',
  'ack',
  'version',
  'accept-version',
  'host',
  'heart-beat',
  'message',
];
const KEPT_SET = new Set(KEPT);
/** Headers every STOMP version requires, by command. */
const REQUIRED: Record<string, readonly string[]> = {
  SEND: ['destination'],
  SUBSCRIBE: ['destination'],
  BEGIN: ['transaction'],
  COMMIT: ['transaction'],
  ABORT: ['transaction'],
  MESSAGE: ['destination', 'message-id'],
  RECEIPT: ['receipt-id'],
};
/** Headers a summary shows after the command and destination. */
const SHOWN: Record<string, readonly string[]> = {
  CONNECT: ['host', 'accept-version'],
  STOMP: ['host', 'accept-version'],
  CONNECTED: ['version'],
  SUBSCRIBE: ['id'],
  UNSUBSCRIBE: ['id'],
  ACK: ['id'],
  NACK: ['id'],
  BEGIN: ['transaction'],
  COMMIT: ['transaction'],
  ABORT: ['transaction'],
  DISCONNECT: ['receipt'],
  RECEIPT: ['receipt-id'],
};

/** A STOMP frame being read. */
interface StompFrame {
  /** The command, or its escaped text when it is no STOMP command. */
  readonly name: string;
  /** Header values are escaped (all frames but CONNECT and CONNECTED, STOMP 1.2). */
  readonly escapes: boolean;
  readonly headers: Map<string, string>;
  headerCount: number;
  contentLength: number | undefined;
  bodyBytes: number;
  body: Buffer;
  readonly warnings: WarningBag;
}

/** What the two directions of one connection share. */
class StompSession {
  private readonly _connects = new PendingRequests<string>();
  private readonly _receipts = new Waits(MAX_WAITING);

  fromClient(seq: number, f: StompFrame): Pairing {
    if (f.name === 'CONNECT' || f.name === 'STOMP') this._connects.push(seq, f.name);
    const receipt = f.headers.get('receipt');
    if (receipt !== undefined) this._receipts.add(receipt, seq);
    return { kind: 'request' };
  }

  fromServer(f: StompFrame): Pairing {
    const id = f.headers.get('receipt-id');
    switch (f.name) {
      case 'CONNECTED': {
        const re = this._connects.shift()?.seq;
        return {
          kind: 'reply',
          re,
          warning: re === undefined ? 'no CONNECT waits for it' : undefined,
        };
      }
      case 'RECEIPT': {
        const re = id === undefined ? undefined : this._receipts.take(id);
        if (re !== undefined) return { kind: 'reply', re };
        return { kind: 'reply', warning: 'no client frame asked for this receipt' };
      }
      case 'ERROR': {
        const re = id !== undefined ? this._receipts.take(id) : this._connects.shift()?.seq;
        return re === undefined ? { kind: 'push' } : { kind: 'reply', re };
      }
      default:
        return { kind: 'push' };
    }
  }
}

/** Escaped text for a summary, without quotes. */
function shown(text: string | Buffer, max = 60): string {
  return quote(typeof text === 'string' ? Buffer.from(text) : text, max).slice(1, -1);
}

function annotate(f: StompFrame, p: Pairing): Annotation {
  if (p.warning !== undefined) f.warnings.add('unpaired', p.warning);
  const fields: Record<string, string | number | boolean> = {};
  for (const h of KEPT) {
    const v = f.headers.get(h);
    if (v !== undefined) fields[h] = h === 'content-length' ? (f.contentLength ?? v) : v;
  }
  fields.headers = f.headerCount;
  fields.bodyBytes = f.bodyBytes;
  let summary = f.name;
  const destination = f.headers.get('destination');
  if (destination !== undefined) summary += ' ' + shown(destination);
  for (const h of SHOWN[f.name] ?? []) {
    const v = f.headers.get(h);
    if (v !== undefined) summary += ` ${h}=${shown(v, 30)}`;
  }
  const message = f.headers.get('message');
  if (f.name === 'ERROR' && message !== undefined) summary += ' ' + quote(Buffer.from(message));
  if (f.bodyBytes > 0) summary += ' ' + quote(f.body);
  return { kind: p.kind, name: f.name, summary, fields, warnings: f.warnings.toArray(), re: p.re };
}

/** Decodes a header name or value; undefined escapes are kept as sent, with a warning. */
function decodeHeader(f: StompFrame, bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (!f.escapes || !text.includes('\\')) return text;
  return text.replace(/\\(.?)/gs, (_, c: string) => {
    const decoded = ({ r: '\r', n: '\n', c: ':', '\\': '\\' } as Record<string, string>)[c];
    if (decoded !== undefined) return decoded;
    const what = c === '' ? 'a lone \\ at the end' : `"\\${shown(c, 8)}"`;
    f.warnings.add(
      'violation',
      `undefined escape ${what} in a header (STOMP 1.2 has \\r \\n \\c \\\\)`,
    );
    return '\\' + c;
  });
}

/** A command line without the stray NULs before it (a violation in `w`). */
function skipNuls(line: Buffer, w: WarningBag): Buffer {
  let nuls = 0;
  while (nuls < line.length && line[nuls] === 0) nuls++;
  if (nuls > 0) w.add('violation', `${nuls} stray NUL byte(s) before the command`);
  return line.subarray(nuls);
}

type State = 'idle' | 'headers' | 'body' | 'nul';

class StompFramer extends SegmentFramer {
  private _state: State = 'idle';
  private _frame: StompFrame | undefined;

  constructor(
    private readonly _dir: Direction,
    private readonly _session: StompSession,
    options?: FramerOptions,
  ) {
    super(LF, NAME, options);
    this.segmentKeep = LINE_KEEP;
  }

  protected override onSegment(): void {
    const f = this._frame;
    if (f === undefined) return this._commandLine();
    switch (this._state) {
      case 'headers':
        return this._headerLine(f);
      case 'body':
        f.bodyBytes = this.wholeLength;
        f.body = Buffer.from(this.segmentHead());
        return this._expectNul(f);
      default:
        return this._atNul(f);
    }
  }

  protected override describeTruncated(): Annotation {
    const f = this._frame;
    const kind = this._dir === 'c2s' ? 'request' : 'push';
    if (f === undefined) {
      // The command as far as it came: named when it is one STOMP knows.
      const w = new WarningBag();
      let c = skipNuls(this.segmentLine().content, w);
      if (c[c.length - 1] === CR) c = c.subarray(0, c.length - 1);
      const text = c.toString('latin1');
      const known = CLIENT.has(text) || SERVER.has(text);
      w.add('truncated', 'stream ended inside a command line, before its EOL');
      const ann = known ? { name: text, summary: text } : { summary: quote(this.segmentHead()) };
      return w.attach({ kind, ...ann });
    }
    let where: string;
    if (this._state === 'headers') {
      where = 'in its headers';
    } else if (this._state === 'body') {
      const cl = f.contentLength ?? 0;
      f.bodyBytes = cl - (typeof this.terminator === 'number' ? this.terminator : 0);
      where = `after ${f.bodyBytes} of its ${cl} body bytes`;
    } else if (f.contentLength === undefined) {
      f.bodyBytes = this.wholeLength;
      f.body = Buffer.from(this.segmentHead());
      where = 'in its body, before the NUL';
    } else {
      where = 'before the NUL after its body';
    }
    const ann = annotate(f, { kind });
    const message = `stream ended inside ${article(f.name)} ${f.name} frame, ${where}`;
    return { ...ann, warnings: [...(ann.warnings ?? []), { code: 'truncated', message }] };
  }

  private _commandLine(): void {
    const line = this.segmentLine();
    const w = new WarningBag();
    const c = skipNuls(line.content, w);
    if (c.length === 0 && line.content.length === line.length) {
      const fields = { eol: line.ending };
      this.endFrame({
        kind: 'event',
        name: 'HEARTBEAT',
        summary: 'heart-beat',
        fields,
        warnings: w.toArray(),
      });
      return;
    }
    const text = c.toString('latin1');
    const [mine, theirs] = this._dir === 'c2s' ? [CLIENT, SERVER] : [SERVER, CLIENT];
    if (theirs.has(text)) {
      const sender = this._dir === 'c2s' ? 'client' : 'server';
      w.add(
        'violation',
        `${text} is a ${sender === 'client' ? 'server' : 'client'} frame, sent by the ${sender}`,
      );
    } else if (!mine.has(text)) {
      w.add('violation', `unknown command ${quote(c, 32)}`);
      if (!isValidUtf8(c)) w.add('invalid-utf8', 'the command line is not valid UTF-8');
    }
    const name = mine.has(text) || theirs.has(text) ? text : shown(c, 32);
    this._frame = {
      name,
      escapes: name !== 'CONNECT' && name !== 'CONNECTED',
      headers: new Map(),
      headerCount: 0,
      contentLength: undefined,
      bodyBytes: 0,
      body: Buffer.alloc(0),
      warnings: w,
    };
    this._state = 'headers';
    this._splitIfOver();
  }

  private _headerLine(f: StompFrame): void {
    const line = this.segmentLine();
    if (line.length === 0) return this._startBody(f);
    const c = line.content;
    f.headerCount++;
    if (c.includes(0)) {
      f.warnings.add(
        'violation',
        'a header line holds a NUL: the blank line before the body is missing?',
      );
      return this._finish(f);
    }
    // A head cut short may end inside a character: check only what surely is whole.
    if (!isValidUtf8(c.length === line.length ? c : c.subarray(0, c.length - 3))) {
      f.warnings.add('invalid-utf8', 'a header is not valid UTF-8');
    }
    const colon = c.indexOf(0x3a);
    if (colon < 0) {
      f.warnings.add('violation', `a header line without a colon: ${quote(c, 32)}`);
    } else {
      const name = decodeHeader(f, c.subarray(0, colon));
      const value = decodeHeader(f, c.subarray(colon + 1));
      // STOMP 1.2: the first of repeated headers is the one that counts.
      if (KEPT_SET.has(name) && !f.headers.has(name))
        f.headers.set(name, value.slice(0, VALUE_MAX));
    }
    this._splitIfOver();
  }

  private _startBody(f: StompFrame): void {
    const cl = f.headers.get('content-length');
    if (cl !== undefined) {
      if (/^[0-9]{1,15}$/.test(cl)) f.contentLength = Number(cl);
      else {
        const what = quote(Buffer.from(cl), 20);
        f.warnings.add(
          'violation',
          `content-length ${what} is not a byte count: the body ends at the first NUL`,
        );
      }
    }
    const needs = `${article(f.name)} ${f.name} frame needs a`;
    for (const h of REQUIRED[f.name] ?? []) {
      if (!f.headers.has(h)) f.warnings.add('violation', `${needs} ${h} header`);
    }
    this.segmentKeep = BODY_KEEP;
    if (f.contentLength !== undefined && f.contentLength > 0) {
      this._state = 'body';
      this.setTerminator(f.contentLength);
      this._splitIfOver();
    } else {
      this._expectNul(f);
    }
  }

  private _expectNul(f: StompFrame): void {
    this._state = 'nul';
    this.setTerminator(NUL);
    this._splitIfOver(f);
  }

  private _atNul(f: StompFrame): void {
    const extra = this.wholeLength - 1;
    if (f.contentLength === undefined) {
      f.bodyBytes = extra;
      f.body = Buffer.from(this.segmentHead().subarray(0, Math.min(extra, BODY_KEEP)));
    } else if (extra > 0) {
      const message = `no NUL right after the ${f.contentLength}-byte body (content-length): the frame ends at the next NUL, ${extra} bytes later`;
      f.warnings.add('violation', message);
      f.bodyBytes += extra;
    }
    if (
      f.bodyBytes > 0 &&
      (CLIENT.has(f.name) || SERVER.has(f.name)) &&
      !BODY_ALLOWED.has(f.name)
    ) {
      f.warnings.add('violation', `${article(f.name)} ${f.name} frame has no body in STOMP 1.2`);
    }
    this._finish(f);
  }

  private _finish(f: StompFrame): void {
    const seq = this.frameCount;
    const pairing =
      this._dir === 'c2s' ? this._session.fromClient(seq, f) : this._session.fromServer(f);
    this.endFrame(annotate(f, pairing));
    this._frame = undefined;
    this._state = 'idle';
    this.setTerminator(LF);
    this.segmentKeep = LINE_KEEP;
  }

  /**
   * Ends the frame early when a terminator took it past maxFrameBytes while the STOMP frame goes
   * on, so that the bytes after it start a new frame instead of overrunning the limit.
   */
  private _splitIfOver(f = this._frame): void {
    if (f === undefined || this.frameLength <= this.maxFrameBytes) return;
    this.endFrame({
      kind: this._dir === 'c2s' ? 'request' : 'push',
      name: f.name,
      summary: `${f.name} (continues)`,
      fields: { continued: true },
    });
  }
}

/** STOMP 1.2: whole frames with content-length bodies, heart-beats, receipts paired. */
export const stompProtocol: Protocol = {
  name: NAME,
  description: 'STOMP 1.2: one frame per STOMP frame, heart-beats, CONNECTED and receipts paired',
  createFramers(options?: FramerOptions) {
    const session = new StompSession();
    return {
      c2s: new StompFramer('c2s', session, options),
      s2c: new StompFramer('s2c', session, options),
    };
  },
};
