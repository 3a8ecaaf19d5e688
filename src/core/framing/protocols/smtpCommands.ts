/**
 * What the smtp framer (smtp.ts) reads on the client side: command lines, AUTH responses and
 * the message content after DATA, gathered line by line in bounded space; and the line checks
 * both sides share.
 */
import { EMPTY, isValidUtf8 } from '../../bytes';
import type { Annotation, FrameWarning } from '../frame';
import { checkLine, quote, WarningBag } from './protocol';
import type { SegmentLine } from './segmentFramer';

/** RFC 5321 §4.5.3.1: command and reply lines 512 bytes, text lines 1000, CRLF included. */
const COMMAND_MAX = 512;
/** The longest reply line, CRLF included (RFC 5321 §4.5.3.1). */
export const REPLY_MAX = 512;
const TEXT_MAX = 1000;
/** RFC 4954 §4: AUTH lines may be up to 12288 bytes. */
const AUTH_MAX = 12288;
const SUBJECT_MAX = 256;
/** Verbs a client sends: one alone after AUTH is a command, not a base64 response. */
const VERBS = new Set(
  'HELO EHLO MAIL RCPT DATA BDAT RSET VRFY EXPN HELP NOOP QUIT STARTTLS AUTH TURN ETRN ATRN'.split(
    ' ',
  ),
);
/** Base64 text, as AUTH exchanges carry it. */
export const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const SMUGGLING =
  'a "." line not between <CR><LF> endings is no end marker (RFC 5321), but some servers take ' +
  'it as one: the ground of SMTP smuggling';

/** A line with its ending's bytes counted in: the size the RFC limits apply to. */
function lineSize(line: SegmentLine): number {
  return line.length + (line.ending === 'crlf' ? 2 : line.ending === 'lf' ? 1 : 0);
}

/** bare-lf, invalid-utf8 and long-line warnings for a protocol line. */
export function lineWarnings(line: SegmentLine, max: number, what: string, bag: WarningBag): void {
  // A head cut short may end inside a character: check only what surely is whole.
  const whole = line.content.length === line.length;
  const content = whole ? line.content : line.content.subarray(0, line.content.length - 3);
  bag.addAll(
    checkLine(content, { content, ending: line.ending }, { crlf: true, protocol: 'SMTP' }),
  );
  if (!isValidUtf8(content)) bag.add('invalid-utf8', `${what} is not valid UTF-8`);
  const size = lineSize(line);
  if (size > max) bag.add('long-line', `${what} is ${size} bytes; SMTP allows ${max}`);
}

/** Escaped text for a summary, without quotes. */
export function shown(data: Buffer, max = 80): string {
  return quote(data, max).slice(1, -1);
}

/** A parsed command line. */
export interface Command {
  readonly verb: string;
  readonly ann: Annotation;
  /** BDAT's chunk size, when valid. */
  readonly size?: number;
}

/** Parses and annotates a command line. */
export function parseCommand(line: SegmentLine): Command {
  const content = line.content;
  const sp = content.indexOf(0x20);
  const verbBytes = sp < 0 ? content : content.subarray(0, sp);
  const raw = verbBytes.toString('latin1');
  const verb = /^[A-Za-z0-9-]{1,32}$/.test(raw) ? raw.toUpperCase() : shown(verbBytes, 32);
  const rest = sp < 0 ? EMPTY : content.subarray(sp + 1);
  const text = rest.toString('utf8');
  let args = text.split(' ').filter((a) => a !== '');
  const w = new WarningBag();
  lineWarnings(line, verb === 'AUTH' ? AUTH_MAX : COMMAND_MAX, 'command line', w);
  const fields: Record<string, string | number | boolean> = {};
  let summary = rest.length > 0 ? `${verb} ${shown(rest)}` : verb;
  let size: number | undefined;
  switch (verb) {
    case '':
      w.add('violation', 'empty command line');
      summary = '(empty line)';
      break;
    case 'HELO':
    case 'EHLO':
      if (args[0] === undefined) w.add('violation', `${verb} needs the client's domain`);
      else fields.domain = args[0];
      break;
    case 'MAIL':
    case 'RCPT': {
      const key = verb === 'MAIL' ? 'FROM' : 'TO';
      const path = new RegExp(`^${key}:\\s*<([^>]*)>`, 'i').exec(text);
      if (path === null) w.add('violation', `${verb} needs ${key}:<address>`);
      else fields[key.toLowerCase()] = path[1];
      break;
    }
    case 'DATA':
      if (args.length > 0) w.add('violation', 'DATA takes no arguments (servers answer 501)');
      break;
    case 'BDAT':
      if (/^[0-9]{1,15}$/.test(args[0] ?? '')) size = fields.size = Number(args[0]);
      else w.add('violation', 'BDAT needs a chunk size in bytes');
      if (args[1]?.toUpperCase() === 'LAST') fields.last = true;
      break;
    case 'AUTH': {
      // The initial response is a credential: neither args nor summary show it.
      const mechanism = shown(Buffer.from((args[0] ?? '').toUpperCase()), 32);
      if (mechanism === '') w.add('violation', 'AUTH needs a mechanism');
      else fields.mechanism = mechanism;
      fields.initialResponse = args.length > 1;
      args = mechanism === '' ? [] : [mechanism];
      summary = `AUTH ${mechanism}${fields.initialResponse ? ' (credentials)' : ''}`;
      break;
    }
  }
  const ann: Annotation = {
    kind: 'request',
    name: verb === '' ? undefined : verb,
    args,
    summary,
    fields,
    warnings: w.toArray(),
  };
  return { verb, ann, size };
}

/** The annotation of a line answering an AUTH challenge (never shown: it holds credentials). */
export function authResponse(line: SegmentLine): Annotation {
  const w = new WarningBag();
  lineWarnings(line, AUTH_MAX, 'AUTH response line', w);
  const cancel = line.length === 1 && line.content[0] === 0x2a;
  return {
    kind: 'data',
    name: 'AUTH-RESPONSE',
    summary: cancel ? 'AUTH-RESPONSE * (cancel)' : 'AUTH-RESPONSE (credentials)',
    fields: cancel ? { cancel: true } : { length: line.length },
    warnings: w.toArray(),
  };
}

/** What the client framer gathers about message content, line by line, in bounded space. */
export class Content {
  lines = 0;
  bytes = 0;
  dotStuffed = false;
  bareLf = 0;
  bareCr = 0;
  long = 0;
  longest = 0;
  smuggling = false;
  private _inHeaders = true;
  private _inSubject = false;
  private _subject: Buffer | undefined;

  /** Counts one content line (not the end marker). */
  add(line: SegmentLine): void {
    const c = line.content;
    this.lines++;
    this.bytes += lineSize(line);
    if (c[0] === 0x2e && line.length > 1) this.dotStuffed = true;
    if (line.ending === 'lf') this.bareLf++;
    if (c.includes(13)) this.bareCr++;
    if (lineSize(line) > TEXT_MAX) {
      this.long++;
      this.longest = Math.max(this.longest, lineSize(line));
    }
    if (!this._inHeaders) return;
    if (line.length === 0) {
      this._inHeaders = this._inSubject = false;
    } else if (c[0] === 0x20 || c[0] === 0x09) {
      // A folded header line: unfolding keeps its leading white space.
      if (this._inSubject && this._subject !== undefined)
        this._subject = this._clip([this._subject, c]);
    } else {
      this._inSubject = /^subject:/i.test(c.toString('latin1', 0, 8));
      if (this._inSubject && this._subject === undefined)
        this._subject = this._clip([c.subarray(8)]);
    }
  }

  /** The MESSAGE annotation; `more` are warnings about how the content ended. */
  annotation(more: readonly FrameWarning[] = []): Annotation {
    const w = new WarningBag();
    if (this.smuggling) w.add('violation', SMUGGLING);
    if (this.bareLf > 0) {
      w.add('bare-lf', `${this.bareLf} content line(s) end with a bare \\n; SMTP wants \\r\\n`);
    }
    if (this.bareCr > 0) w.add('violation', `${this.bareCr} content line(s) hold a bare \\r`);
    if (this.long > 0) {
      w.add(
        'long-line',
        `${this.long} content line(s) over ${TEXT_MAX} bytes (the longest ${this.longest}); SMTP allows ${TEXT_MAX}`,
      );
    }
    w.addAll(more);
    const subject = this._subject?.subarray(this._subject[0] === 0x20 ? 1 : 0);
    const fields: Record<string, string | number | boolean> = {
      bytes: this.bytes,
      lines: this.lines,
      dotStuffed: this.dotStuffed,
    };
    if (subject !== undefined) fields.subject = subject.toString('utf8');
    const counts = `${this.lines} lines, ${this.bytes} bytes`;
    return {
      kind: 'data',
      name: 'MESSAGE',
      summary:
        subject === undefined
          ? `MESSAGE (${counts})`
          : `MESSAGE Subject ${quote(subject)} (${counts})`,
      fields,
      warnings: w.toArray(),
    };
  }

  private _clip(parts: Buffer[]): Buffer {
    const b = Buffer.concat(parts);
    return Buffer.from(b.subarray(0, SUBJECT_MAX));
  }
}

/** Whether a line in an AUTH exchange looks like a response (base64 or `*`), not a command. */
export function looksLikeAuthResponse(line: SegmentLine): boolean {
  const text = line.content.toString('latin1');
  if (text === '*') return true;
  return line.content.length === line.length && BASE64.test(text) && !VERBS.has(text.toUpperCase());
}
