/**
 * Parsing of HTTP/1.x start lines and header blocks (RFC 9112 §3-5, §7), for the http framer.
 * Everything here is pure and bounded: values are capped and warnings are counted, so a hostile
 * header block costs a fixed amount of memory however long it runs.
 */
import { escapeBytes } from '../../bytes';
import { type Line, quote, WarningBag } from './protocol';

/** Size of a header block (start line, headers, empty line) above which it gets `long-line`. */
export const MAX_HEADER_BLOCK = 64 * 1024;

/** Warnings kept per frame; the rest are counted in a last warning. */
const MAX_WARNINGS = 8;
/** Characters kept of a tracked header's combined value. */
const MAX_VALUE = 1024;
/** Characters of a value shown in fields and summaries. */
const MAX_SHOWN = 200;
/** Header names remembered for a summary (trailers). */
const MAX_NAMES = 8;

const HT = 9;
const CR = 13;
const SP = 32;
const COLON = 58;

const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  TCHAR[c.charCodeAt(0)] = 1;
}

/** True for the bytes a token (method, header name) may hold (RFC 9110 §5.6.2). */
export function isTchar(c: number): boolean {
  return TCHAR[c] === 1;
}

/** Headers whose values the framer needs or shows; the others are only checked. */
const TRACKED = new Set([
  'host',
  'transfer-encoding',
  'content-type',
  'content-encoding',
  'upgrade',
  'connection',
  'expect',
  'sec-websocket-key',
  'sec-websocket-accept',
  'sec-websocket-extensions',
]);

/** Warnings of one frame, capped so a stream of bad lines cannot grow them without bound. */
export function httpWarnings(): WarningBag {
  return new WarningBag({ perCode: Infinity, max: MAX_WARNINGS });
}

/** Segment bytes to keep for a preview: one more than quote() reads, so it knows to add `…`. */
export const PREVIEW_KEEP = 161;
/** Keep all of a segment (the framer keeps at most a frame's worth). */
export const WHOLE = Number.MAX_SAFE_INTEGER;

/** A value for fields and summaries: escaped, and cut at a readable length. */
export function shown(value: string, max = MAX_SHOWN): string {
  const text = escapeBytes(Buffer.from(value, 'latin1'));
  return text.length > max ? text.slice(0, max) + '…' : text;
}

/** A request line, a status line, or what could not be read as one. */
export type StartLine =
  | {
      readonly kind: 'request';
      readonly method: string;
      readonly target: string;
      readonly version: string;
      readonly problem?: string;
    }
  | { readonly kind: 'http09'; readonly method: string; readonly target: string }
  | {
      readonly kind: 'status';
      readonly version: string;
      readonly status: number;
      readonly reason: string;
      readonly problem?: string;
    }
  | { readonly kind: 'empty' }
  | { readonly kind: 'garbage'; readonly problem: string };

// The control bytes in these patterns are the point: HTTP forbids them in a request target.
/* eslint-disable no-control-regex */
const REQUEST_STRICT = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([^\x00-\x20\x7f]+) (HTTP\/\d\.\d)$/;
const REQUEST_LOOSE =
  /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]+([^\x00-\x20\x7f]+)[ \t]+(HTTP\/\d\.\d)[ \t]*$/;
const REQUEST_09 = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) +([^\x00-\x20\x7f]+) *$/;
/* eslint-enable no-control-regex */
const STATUS = /^(HTTP\/\d\.\d)([ \t]+)(\d{3})(?:([ \t]+)([^]*))?$/;

/** Reads a request line (the bytes before its line ending). */
export function parseRequestLine(content: Buffer): StartLine {
  if (content.length === 0) return { kind: 'empty' };
  const text = content.toString('latin1');
  const strict = REQUEST_STRICT.exec(text);
  const m = strict ?? REQUEST_LOOSE.exec(text);
  if (m) {
    const [, method, target, version] = m;
    const problem = !strict
      ? 'request line parts are not separated by single spaces'
      : !version.startsWith('HTTP/1.') && !(method === 'PRI' && version === 'HTTP/2.0')
        ? `${version} is not HTTP/1.x; read as HTTP/1.1`
        : undefined;
    return { kind: 'request', method, target, version, ...(problem ? { problem } : {}) };
  }
  const old = REQUEST_09.exec(text);
  if (old) return { kind: 'http09', method: old[1], target: old[2] };
  return { kind: 'garbage', problem: `not an HTTP request line: ${quote(content)}` };
}

/** Reads a status line (the bytes before its line ending). */
export function parseStatusLine(content: Buffer): StartLine {
  if (content.length === 0) return { kind: 'empty' };
  const m = STATUS.exec(content.toString('latin1'));
  if (!m) return { kind: 'garbage', problem: `not an HTTP status line: ${quote(content)}` };
  const [, version, gap1, code, gap2, reason] = m;
  const status = Number(code);
  const problem =
    status < 100 || status > 599
      ? `status code ${code} is outside 100-599`
      : gap1 !== ' ' || (gap2 !== undefined && gap2 !== ' ')
        ? 'status line parts are not separated by single spaces'
        : !version.startsWith('HTTP/1.')
          ? `${version} is not HTTP/1.x; read as HTTP/1.1`
          : undefined;
  return {
    kind: 'status',
    version,
    status,
    reason: reason ?? '',
    ...(problem ? { problem } : {}),
  };
}

/** What a header block said, kept small: tracked values, Content-Length values, counts. */
export class HeaderBlock {
  /** Lines so far, the start line and the final empty line included. */
  lines = 0;
  /** Bytes so far, line endings included. */
  bytes = 0;
  /** Lines that ended with a bare `\n`. */
  bareLf = 0;
  /** Header fields (obs-fold continuations not counted). */
  fields = 0;
  hostCount = 0;
  readonly warnings = httpWarnings();
  /** Every Content-Length value, as sent (capped). */
  readonly contentLengths: string[] = [];
  /** Field names in order, for a summary (the first few). */
  readonly names: string[] = [];
  private readonly _values = new Map<string, string>();
  /** The last field's lowercased name, for obs-fold continuations. */
  private _last: string | undefined;

  /** Counts a line of the block: its length and its ending. */
  countLine(line: Line, length: number): void {
    this.lines++;
    this.bytes += length;
    if (line.ending === 'lf') this.bareLf++;
  }

  /** The combined value of a tracked header (lowercase name), if it was sent. */
  get(name: string): string | undefined {
    return this._values.get(name);
  }

  /** Reads one header field line (already counted), warning about what RFC 9112 forbids. */
  addField(content: Buffer): void {
    const n = content.length;
    if (content.indexOf(CR) >= 0) this.warnings.add('violation', 'bare \\r inside a header line');
    if (content[0] === SP || content[0] === HT) {
      if (this.fields === 0) {
        const line = quote(content);
        this.warnings.add('violation', `whitespace at the start of the first header line ${line}`);
      } else {
        const last =
          this._last === undefined ? 'the line before' : `header "${shown(this._last, 60)}"`;
        this.warnings.add('violation', `obsolete line folding (obs-fold) continues ${last}`);
        if (this._last !== undefined) {
          this._append(this._last, content.toString('latin1').trim(), ' ');
        }
      }
      return;
    }
    this.fields++;
    const colon = content.indexOf(COLON);
    if (colon < 0) {
      this._last = undefined;
      this.warnings.add('violation', `header line without a colon: ${quote(content)}`);
      return;
    }
    let nameEnd = colon;
    while (nameEnd > 0 && (content[nameEnd - 1] === SP || content[nameEnd - 1] === HT)) nameEnd--;
    const name = content.toString('latin1', 0, nameEnd);
    if (nameEnd < colon) {
      this.warnings.add(
        'violation',
        `whitespace between header name "${shown(name, 60)}" and the colon (RFC 9112 §5.1)`,
      );
    }
    let validName = nameEnd > 0;
    for (let i = 0; i < nameEnd && validName; i++) validName = isTchar(content[i]);
    if (!validName) {
      this.warnings.add('violation', `invalid header name ${quote(content.subarray(0, colon))}`);
    }
    let start = colon + 1;
    let end = n;
    while (start < end && (content[start] === SP || content[start] === HT)) start++;
    while (end > start && (content[end - 1] === SP || content[end - 1] === HT)) end--;
    for (let i = start; i < end; i++) {
      const c = content[i];
      if ((c < 0x20 && c !== HT) || c === 0x7f) {
        this.warnings.add('violation', `control character in the value of "${shown(name, 60)}"`);
        break;
      }
    }
    const lower = name.toLowerCase();
    this._last = lower;
    if (this.names.length < MAX_NAMES) this.names.push(name);
    if (lower === 'content-length') {
      const value = content.toString('latin1', start, Math.min(end, start + 64));
      if (this.contentLengths.length < MAX_NAMES) this.contentLengths.push(value);
    } else if (lower === 'host') {
      this.hostCount++;
    }
    if (TRACKED.has(lower)) {
      this._append(
        lower,
        content.toString('latin1', start, Math.min(end, start + MAX_VALUE)),
        ', ',
      );
    }
  }

  /** Adds a value to a tracked header, combining repeats as a list (RFC 9110 §5.3). */
  private _append(lower: string, value: string, sep: string): void {
    if (!TRACKED.has(lower)) return;
    const old = this._values.get(lower);
    const combined = old === undefined ? value : old + sep + value;
    this._values.set(lower, combined.slice(0, MAX_VALUE));
  }
}

/** The Content-Length of a block: absent, a valid length, or what was wrong with it. */
export type ContentLength =
  | { readonly kind: 'none' }
  | { readonly kind: 'valid'; readonly value: number }
  | { readonly kind: 'invalid'; readonly problem: string };

/** Reads the Content-Length values: all must be digits and agree (RFC 9110 §8.6). */
export function contentLength(block: HeaderBlock): ContentLength {
  if (block.contentLengths.length === 0) return { kind: 'none' };
  const only = block.contentLengths.length === 1 ? block.contentLengths[0] : '';
  if (/^[0-9]{1,15}$/.test(only)) return { kind: 'valid', value: Number(only) };
  const values = block.contentLengths.flatMap((v) => v.split(',').map((s) => s.trim()));
  const bad = values.find((v) => !/^[0-9]+$/.test(v));
  if (bad !== undefined) {
    return { kind: 'invalid', problem: `invalid Content-Length "${shown(bad, 60)}": not digits` };
  }
  const numbers = new Set(values.map((v) => Number(v)));
  if (numbers.size > 1) {
    return {
      kind: 'invalid',
      problem: `several differing Content-Length values: ${[...numbers].join(', ')}`,
    };
  }
  const value = [...numbers][0];
  if (!Number.isSafeInteger(value)) {
    return { kind: 'invalid', problem: `Content-Length ${shown(values[0], 60)} is too large` };
  }
  return { kind: 'valid', value };
}

/** The comma-separated tokens of a list header, lowercased. */
export function tokens(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t.length > 0);
}

/**
 * Whether a body can be previewed as text: `text/*`, JSON, XML and form data, when no content
 * coding (gzip...) turns it into binary.
 */
export function isTextBody(contentType: string | undefined, encoding: string | undefined): boolean {
  if (contentType === undefined) return false;
  if (tokens(encoding).some((t) => t !== 'identity')) return false;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    /[/+](json|xml)$/.test(type) ||
    type === 'application/x-www-form-urlencoded' ||
    type === 'application/javascript'
  );
}

/** A chunk size line (RFC 9112 §7.1): the size, the extensions as sent, or the problem. */
export type ChunkSize =
  | { readonly ok: true; readonly size: number; readonly ext: string }
  | { readonly ok: false; readonly problem: string };

/** Reads a chunk size line (the bytes before its line ending). */
export function parseChunkSize(content: Buffer): ChunkSize {
  const m = /^([0-9A-Fa-f]+)([ \t]*;[^]*)?$/.exec(content.toString('latin1'));
  if (!m) return { ok: false, problem: `bad chunk size line ${quote(content)}` };
  const digits = m[1].replace(/^0+(?=.)/, '');
  const size = parseInt(digits, 16);
  if (digits.length > 13 || !Number.isSafeInteger(size)) {
    return { ok: false, problem: `chunk size 0x${shown(digits, 40)} is too large` };
  }
  return { ok: true, size, ext: (m[2] ?? '').trim() };
}
