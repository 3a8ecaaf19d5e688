/** Decoding one line of a `.linetap` capture, with an error that says what is wrong. */
import {
  CAPTURE_VERSION,
  type CaptureEvent,
  type CaptureHeader,
  FRAME_FLAGS,
  type FrameEvent,
} from './captureFormat';

/** What is wrong with a line, for filters and tests. */
export type CaptureErrorKind =
  | 'not-json' // the line does not parse as JSON
  | 'not-utf8' // the line is not well-formed UTF-8
  | 'not-record' // valid JSON, but neither a header nor an event
  | 'unknown-event' // an `e` this reader does not know
  | 'missing-field' // a required field is absent
  | 'bad-field' // a field has the wrong type or value
  | 'bad-base64' // a `b64` payload that is not canonical base64
  | 'no-header' // the file does not start with a header
  | 'unknown-version' // a header of a format version this reader does not know
  | 'torn' // the last line stops mid-record: the writer was cut off
  | 'too-long'; // a line longer than the reader accepts

/** A malformed line: where, what kind, and what is wrong in words. */
export interface CaptureError {
  /** Line number, from 1. */
  readonly line: number;
  readonly kind: CaptureErrorKind;
  readonly message: string;
}

/** What one line holds. */
export type DecodedLine =
  | { readonly kind: 'header'; readonly header: CaptureHeader }
  | { readonly kind: 'event'; readonly event: CaptureEvent }
  | { readonly kind: 'error'; readonly error: CaptureError };

/** `line 7: unknown event "foo"`, for people. */
export function formatCaptureError(error: CaptureError): string {
  return `line ${error.line}: ${error.message}`;
}

type Fields = Readonly<Record<string, unknown>>;

class LineError extends Error {
  constructor(
    readonly kind: CaptureErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Decodes one line (without its newline). Never throws: problems come back as errors. */
export function decodeLine(text: string, line: number): DecodedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return lineError(line, 'not-json', `not JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return lineError(line, 'not-record', 'not a JSON object');
  }
  const o = value as Fields;
  try {
    if ('linetap' in o) return { kind: 'header', header: decodeHeader(o) };
    if ('e' in o) return { kind: 'event', event: decodeEvent(o) };
  } catch (e) {
    if (e instanceof LineError) return lineError(line, e.kind, e.message);
    throw e;
  }
  return lineError(line, 'not-record', 'neither a header ("linetap") nor an event ("e")');
}

function lineError(line: number, kind: CaptureErrorKind, message: string): DecodedLine {
  return { kind: 'error', error: { line, kind, message } };
}

function decodeHeader(o: Fields): CaptureHeader {
  const version = o.linetap;
  if (version !== CAPTURE_VERSION) {
    throw new LineError(
      'unknown-version',
      `capture format version ${JSON.stringify(version)} is not one this reader knows ` +
        `(it reads version ${CAPTURE_VERSION})`,
    );
  }
  const created = str(o, 'created');
  if (Number.isNaN(Date.parse(created))) {
    throw new LineError(
      'bad-field',
      `"created" is not an ISO-8601 time: ${JSON.stringify(created)}`,
    );
  }
  const framing = o.framing;
  if (framing === undefined) throw new LineError('missing-field', 'header has no "framing"');
  if (typeof framing !== 'object' || framing === null || Array.isArray(framing)) {
    throw new LineError('bad-field', '"framing" must be an object {"c2s":spec,"s2c":spec}');
  }
  const header: CaptureHeader = {
    linetap: CAPTURE_VERSION,
    created,
    listen: str(o, 'listen'),
    upstream: str(o, 'upstream'),
    framing: { c2s: str(framing as Fields, 'c2s'), s2c: str(framing as Fields, 's2c') },
  };
  const tool = optional(o, 'tool', 'string');
  return tool === undefined ? header : { ...header, tool };
}

function decodeEvent(o: Fields): CaptureEvent {
  const e = o.e;
  switch (e) {
    case 'frame':
      return decodeFrame(o);
    case 'open': {
      const event = { e, conn: connId(o), t: time(o) };
      const peer = optional(o, 'peer', 'string');
      return peer === undefined ? event : { ...event, peer };
    }
    case 'close': {
      const event = { e, conn: connId(o), t: time(o) };
      const reason = optional(o, 'reason', 'string');
      return reason === undefined ? event : { ...event, reason };
    }
    case 'note': {
      const event = { e, t: time(o), text: str(o, 'text') };
      return o.c === undefined ? event : { ...event, conn: connId(o) };
    }
    default:
      throw new LineError('unknown-event', `unknown event ${JSON.stringify(e)}`);
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeFrame(o: Fields): FrameEvent {
  const conn = connId(o);
  const t = time(o);
  const d = o.d;
  if (d === undefined) throw new LineError('missing-field', 'frame has no "d"');
  if (d !== '>' && d !== '<') {
    throw new LineError('bad-field', `"d" must be ">" or "<", not ${JSON.stringify(d)}`);
  }
  const text = optional(o, 'text', 'string');
  const b64 = optional(o, 'b64', 'string');
  let bytes: Buffer;
  if (text !== undefined) {
    if (b64 !== undefined) throw new LineError('bad-field', 'frame has both "text" and "b64"');
    bytes = Buffer.from(text, 'utf8');
  } else if (b64 !== undefined) {
    bytes = Buffer.from(b64, 'base64');
    // Node's decoder skips what it does not understand; re-encoding shows whether it had to.
    if (!BASE64.test(b64) || bytes.toString('base64') !== b64) {
      throw new LineError('bad-base64', '"b64" is not canonical base64');
    }
  } else {
    throw new LineError('missing-field', 'frame has neither "text" nor "b64"');
  }
  return {
    e: 'frame',
    conn,
    dir: d === '>' ? 'c2s' : 's2c',
    t,
    bytes,
    partial: flag(o, 'partial'),
    oversize: flag(o, 'oversize'),
    injected: flag(o, 'injected'),
    held: flag(o, 'held'),
  };
}

function str(o: Fields, key: string): string {
  const v = o[key];
  if (v === undefined) throw new LineError('missing-field', `missing "${key}"`);
  if (typeof v !== 'string') throw new LineError('bad-field', `"${key}" must be a string`);
  return v;
}

function optional(o: Fields, key: string, type: 'string'): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== type) throw new LineError('bad-field', `"${key}" must be a ${type}`);
  return v as string;
}

function flag(o: Fields, key: (typeof FRAME_FLAGS)[number]): boolean {
  const v = o[key];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new LineError('bad-field', `"${key}" must be true or false`);
  return v;
}

function connId(o: Fields): number {
  const c = o.c;
  if (c === undefined) throw new LineError('missing-field', 'missing "c" (connection id)');
  if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 1) {
    throw new LineError('bad-field', `"c" must be a whole number from 1, not ${JSON.stringify(c)}`);
  }
  return c;
}

function time(o: Fields): number {
  const t = o.t;
  if (t === undefined) throw new LineError('missing-field', 'missing "t" (microseconds)');
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
    throw new LineError('bad-field', `"t" must be microseconds from 0, not ${JSON.stringify(t)}`);
  }
  return t;
}
