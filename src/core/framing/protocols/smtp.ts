/**
 * The `smtp` protocol framer (RFC 5321 with PIPELINING, CHUNKING, AUTH, STARTTLS, 8BITMIME and
 * SMTPUTF8).
 *
 * Client frames: each command line (`kind` request, `name` the verb uppercased); the message
 * content after DATA up to and including the `.` line as one frame (`kind` data, `name`
 * MESSAGE); `BDAT <n>` with its n bytes as one frame; the base64 lines of an AUTH exchange
 * (`kind` data, `name` AUTH-RESPONSE, never shown). Server frames: each reply, a multi-line
 * reply as one frame, `name` the 3-digit code, `fields.enhanced` its RFC 3463 status. Every
 * client frame gets exactly one reply, so replies pair in order however many commands were
 * pipelined; the greeting (and a 421 nobody asked for) is an `event` without `re`.
 *
 * Data mode starts after the client's DATA line and ends early if the reply to DATA is known
 * and is not 354 (live: the client waits for it). After STARTTLS, the client's side is TLS when
 * its next byte starts a TLS handshake, the server's once it answered 220: each TLS record is
 * then one frame (`name` TLS), never read as SMTP.
 */
import { EMPTY, isValidUtf8 } from '../../bytes';
import type { Annotation, FrameWarning } from '../frame';
import type { FramerOptions } from '../framer';
import type { Terminator } from '../../terminatorScanner';
import { checkLine, PendingRequests, type Protocol, quote } from './protocol';
import { SegmentFramer, type SegmentLine, WarningBag } from './segmentFramer';

const NAME = 'smtp';
const LF = Buffer.from('\n');
/** RFC 5321 §4.5.3.1: command and reply lines 512 bytes, text lines 1000, CRLF included. */
const COMMAND_MAX = 512;
const REPLY_MAX = 512;
const TEXT_MAX = 1000;
/** RFC 4954 §4: AUTH lines may be up to 12288 bytes. */
const AUTH_MAX = 12288;
const LINE_KEEP = 1024;
const SUBJECT_MAX = 256;
const EXTENSIONS_MAX = 400;
/** Verbs a client sends: one alone after AUTH is a command, not a base64 response. */
const VERBS = new Set(
  'HELO EHLO MAIL RCPT DATA BDAT RSET VRFY EXPN HELP NOOP QUIT STARTTLS AUTH TURN ETRN ATRN'.split(
    ' ',
  ),
);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const SMUGGLING =
  'a "." line not between <CR><LF> endings is no end marker (RFC 5321), but some servers take ' +
  'it as one: the ground of SMTP smuggling';

/** What the two directions of one connection share. */
class SmtpSession {
  /** Client frames waiting for their reply, oldest first, each with its verb. */
  readonly pending = new PendingRequests<string>();
  /** The latest paired reply: its code and the seq of the frame it answered. */
  lastReply: { readonly code: string; readonly re: number } | undefined;
  /** The seq of a DATA command the server refused, so the client framer leaves data mode. */
  refusedData: number | undefined;
}

/** A line with its ending's bytes counted in: the size the RFC limits apply to. */
function lineSize(line: SegmentLine): number {
  return line.length + (line.ending === 'crlf' ? 2 : line.ending === 'lf' ? 1 : 0);
}

/** bare-lf, invalid-utf8 and long-line warnings for a protocol line. */
function lineWarnings(line: SegmentLine, max: number, what: string, bag: WarningBag): void {
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
function shown(data: Buffer, max = 80): string {
  return quote(data, max).slice(1, -1);
}

// ---- client ------------------------------------------------------------------------------------

/** A parsed command line. */
interface Command {
  readonly verb: string;
  readonly ann: Annotation;
  /** BDAT's chunk size, when valid. */
  readonly size?: number;
}

function parseCommand(line: SegmentLine): Command {
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

function authResponse(line: SegmentLine): Annotation {
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
class Content {
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

type ClientMode = 'command' | 'data' | 'bdat' | 'tls-peek' | 'tls';

class SmtpClientFramer extends SegmentFramer {
  private _mode: ClientMode = 'command';
  private readonly _tls = new TlsRecords();
  /** An AUTH exchange may be under way: base64 lines are responses. */
  private _auth = false;
  /** Seq of the last frame that waits for a reply. */
  private _lastSeq = -1;
  /** The byte read after STARTTLS to look for TLS; it starts the next line. */
  private _prefix: Buffer = EMPTY;
  private _dataSeq = -1;
  private _prevEnding: SegmentLine['ending'] = 'crlf';
  private _content = new Content();
  private _bdat: Command | undefined;

  constructor(
    private readonly _session: SmtpSession,
    options?: FramerOptions,
  ) {
    super(LF, NAME, options);
    this.segmentKeep = LINE_KEEP;
  }

  protected override onSegment(): void {
    switch (this._mode) {
      case 'tls':
        this._tls.onSegment(this.segmentHead(), this._io);
        return;
      case 'tls-peek':
        return this._afterStartTls();
      case 'bdat':
        return this._endChunk();
      case 'data':
        return this._session.refusedData === this._dataSeq
          ? this._dataRefused()
          : this._contentLine();
      case 'command':
        return this._commandLine(this._line());
    }
  }

  protected override describeTruncated(): Annotation {
    const truncated = (message: string): FrameWarning => ({ code: 'truncated', message });
    switch (this._mode) {
      case 'tls':
        return this._tls.describeTruncated(this.terminator);
      case 'bdat': {
        const ann = this._bdat?.ann ?? {};
        const size = this._bdat?.size ?? 0;
        const got = size - (typeof this.terminator === 'number' ? this.terminator : 0);
        const w = [
          truncated(`stream ended inside the ${size}-byte BDAT chunk, after ${got} bytes`),
        ];
        return { ...ann, warnings: [...(ann.warnings ?? []), ...w] };
      }
      case 'data':
        return this._content.annotation([
          truncated(
            'stream ended inside the message content, before the <CR><LF>.<CR><LF> end marker',
          ),
        ]);
      default: {
        const line = this._line();
        const ann =
          this._auth && this._isAuthResponse(line) ? authResponse(line) : parseCommand(line).ann;
        const w = truncated('stream ended inside a command line, before its \\r\\n');
        return { ...ann, warnings: [...(ann.warnings ?? []), w] };
      }
    }
  }

  /** What TlsRecords needs of this framer. */
  private readonly _io = {
    end: (ann: Annotation) => this.endFrame(ann),
    expect: (count: number) => this.setTerminator(count),
  };

  private _line(): SegmentLine {
    const line = this.segmentLine();
    if (this._prefix.length === 0) return line;
    const p = this._prefix;
    return { ...line, content: Buffer.concat([p, line.content]), length: line.length + p.length };
  }

  private _commandLine(line: SegmentLine): void {
    this._prefix = EMPTY;
    const seq = this.frameCount;
    if (this._auth && this._isAuthResponse(line)) {
      this.endFrame(authResponse(line));
      this._request(seq, 'AUTH-RESPONSE');
      return;
    }
    this._auth = false;
    const cmd = parseCommand(line);
    if (cmd.verb === 'BDAT' && cmd.size !== undefined && cmd.size > 0) {
      this._bdat = cmd;
      this._mode = 'bdat';
      this.setTerminator(cmd.size);
      this.segmentKeep = 0;
      this._splitIfOver(() => cmd.ann);
      return;
    }
    this.endFrame(cmd.ann);
    this._request(seq, cmd.verb);
    if (cmd.verb === 'DATA' && cmd.ann.args?.length === 0) {
      this._mode = 'data';
      this._dataSeq = seq;
      this._prevEnding = line.ending;
      this._content = new Content();
    } else if (cmd.verb === 'STARTTLS') {
      this._mode = 'tls-peek';
      this.setTerminator(1);
    } else if (cmd.verb === 'AUTH') {
      this._auth = true;
    }
  }

  /**
   * Whether a line in an AUTH exchange is a response. When the reply to the client's last line
   * is known, a 334 challenge says so; otherwise (replies not seen yet) its shape decides.
   */
  private _isAuthResponse(line: SegmentLine): boolean {
    const s = this._session;
    const last = s.lastReply;
    if (s.pending.size === 0 && last !== undefined && last.re === this._lastSeq) {
      return last.code === '334';
    }
    const text = line.content.toString('latin1');
    if (text === '*') return true;
    return (
      line.content.length === line.length && BASE64.test(text) && !VERBS.has(text.toUpperCase())
    );
  }

  private _afterStartTls(): void {
    const b = this.segmentHead();
    if (b[0] === 0x16) {
      this._mode = 'tls';
      this.segmentKeep = 5;
      this._tls.start(this._io, b[0]);
      return;
    }
    this._mode = 'command';
    this.setTerminator(LF);
    if (b[0] === 0x0a) this._commandLine(this.segmentLine());
    else this._prefix = Buffer.from(b);
  }

  private _endChunk(): void {
    const cmd = this._bdat;
    this._bdat = undefined;
    this._mode = 'command';
    this.setTerminator(LF);
    this.segmentKeep = LINE_KEEP;
    const seq = this.frameCount;
    this.endFrame(cmd?.ann);
    this._request(seq, 'BDAT');
  }

  private _contentLine(): void {
    const line = this.segmentLine();
    const dot = line.length === 1 && line.content[0] === 0x2e;
    const content = this._content;
    if (dot && line.ending === 'crlf' && this._prevEnding === 'crlf') {
      const seq = this.frameCount;
      this.endFrame(content.annotation());
      this._request(seq, 'MESSAGE');
      this._mode = 'command';
      return;
    }
    if (dot) content.smuggling = true;
    content.add(line);
    this._prevEnding = line.ending;
    this._splitIfOver(() => content.annotation());
  }

  /** The server refused DATA (live, so its reply came before this line): back to commands. */
  private _dataRefused(): void {
    this._session.refusedData = undefined;
    this._mode = 'command';
    const content = this._content;
    if (content.lines === 0) return this._commandLine(this.segmentLine());
    // Lines sent without waiting for 354: the server reads each as a command and answers it.
    content.add(this.segmentLine());
    const seq = this.frameCount;
    const refused = `the server refused DATA, so it reads these ${content.lines} lines as commands`;
    this.endFrame(content.annotation([{ code: 'violation', message: refused }]));
    for (let i = 0; i < content.lines; i++) this._request(seq, 'LINE');
  }

  private _request(seq: number, verb: string): void {
    this._session.pending.push(seq, verb);
    this._lastSeq = seq;
  }

  /**
   * Ends the frame early when a terminator took it past maxFrameBytes while the message goes
   * on, so that the bytes after it start a new frame instead of overrunning the limit.
   */
  private _splitIfOver(annotation: () => Annotation): void {
    if (this.frameLength <= this.maxFrameBytes) return;
    const ann = annotation();
    this.endFrame({ ...ann, summary: `${ann.summary} (continues)`, fields: { continued: true } });
  }
}

// ---- server ------------------------------------------------------------------------------------

/** A reply being read, line by line. */
interface Reply {
  readonly code: string;
  readonly text: Buffer;
  lines: number;
  extensions: string;
  readonly warnings: WarningBag;
}

const REPLY_START = /^([0-9]{3})([ -]|$)/;
const ENHANCED = /^([245]\.[0-9]{1,3}\.[0-9]{1,3})(?: |$)/;

class SmtpServerFramer extends SegmentFramer {
  private readonly _tls = new TlsRecords();
  private _inTls = false;
  private _reply: Reply | undefined;
  private _greeted = false;

  constructor(
    private readonly _session: SmtpSession,
    options?: FramerOptions,
  ) {
    super(LF, NAME, options);
    this.segmentKeep = LINE_KEEP;
  }

  private readonly _io = {
    end: (ann: Annotation) => this.endFrame(ann),
    expect: (count: number) => this.setTerminator(count),
  };

  protected override onSegment(): void {
    if (this._inTls) return this._tls.onSegment(this.segmentHead(), this._io);
    const line = this.segmentLine();
    const w = new WarningBag();
    lineWarnings(line, REPLY_MAX, 'reply line', w);
    const start = REPLY_START.exec(line.content.toString('latin1', 0, 4));
    let r = this._reply;
    if (start === null) {
      if (r === undefined) {
        w.add('violation', 'reply line does not start with a 3-digit code');
        this.endFrame({ kind: 'event', summary: quote(line.content), warnings: w.toArray() });
        return;
      }
      // Inside a multi-line reply: keep reading to its last line.
      w.add('violation', `line inside a multi-line ${r.code} reply does not start with a code`);
      r.lines++;
      r.warnings.addAll(w.toArray() ?? []);
      return this._splitIfOver(r);
    }
    const code = start[1];
    const text = line.content.subarray(4);
    if (r === undefined) {
      r = this._reply = { code, text: Buffer.from(text), lines: 0, extensions: '', warnings: w };
      if (!/^[2-5][0-5]/.test(code)) w.add('violation', `reply code ${code} is not 2xx to 5xx`);
    } else {
      if (code !== r.code) {
        w.add(
          'violation',
          `reply code changes from ${r.code} to ${code} inside a multi-line reply`,
        );
      }
      r.warnings.addAll(w.toArray() ?? []);
      if (r.extensions.length < EXTENSIONS_MAX) {
        r.extensions += (r.extensions ? ', ' : '') + shown(text, EXTENSIONS_MAX);
      }
    }
    r.lines++;
    if (start[2] === '-') return this._splitIfOver(r);
    this._reply = undefined;
    this._finish(r);
  }

  protected override describeTruncated(): Annotation {
    if (this._inTls) return this._tls.describeTruncated(this.terminator);
    const r = this._reply;
    const code = r?.code ?? REPLY_START.exec(this.segmentHead().toString('latin1', 0, 4))?.[1];
    const message = r
      ? `stream ended inside a multi-line ${r.code} reply, before its last line`
      : 'stream ended inside a reply line, before its \\r\\n';
    return { kind: 'reply', name: code, warnings: [{ code: 'truncated', message }] };
  }

  private _finish(r: Reply): void {
    const s = this._session;
    const greeting = !this._greeted;
    this._greeted = true;
    const request = greeting ? undefined : s.pending.shift();
    if (!greeting && request === undefined && r.code !== '421') {
      r.warnings.add('unpaired', 'a reply with no command waiting for it');
    }
    const fields: Record<string, string | number | boolean> = { code: r.code };
    const enhanced = ENHANCED.exec(r.text.toString('latin1', 0, 12));
    if (enhanced !== null) fields.enhanced = enhanced[1];
    if (r.lines > 1) fields.lines = r.lines;
    if (greeting) fields.greeting = true;
    let summary = r.text.length > 0 ? `${r.code} ${shown(r.text)}` : r.code;
    if (r.lines > 1) summary += ` (+${r.lines - 1} lines)`;
    if (request !== undefined) {
      s.lastReply = { code: r.code, re: request.seq };
      if (request.info === 'DATA' && r.code !== '354') s.refusedData = request.seq;
      if (request.info === 'EHLO' && r.extensions !== '') fields.extensions = r.extensions;
      if (r.code === '334') {
        const challenge = decodeChallenge(r.text);
        if (challenge !== undefined) summary += ` (${quote(challenge)})`;
      }
    }
    this.endFrame({
      kind: request === undefined && (greeting || r.code === '421') ? 'event' : 'reply',
      name: r.code,
      summary,
      fields,
      warnings: r.warnings.toArray(),
      re: request?.seq,
    });
    if (request?.info === 'STARTTLS' && r.code === '220') {
      this._inTls = true;
      this.segmentKeep = 5;
      this._tls.start(this._io);
    }
  }

  /** Ends the frame early when its last line took it past maxFrameBytes (see the client's). */
  private _splitIfOver(r: Reply): void {
    if (this.frameLength <= this.maxFrameBytes) return;
    this.endFrame({
      kind: 'reply',
      name: r.code,
      summary: `${r.code} ${shown(r.text)} (continues)`,
      fields: { code: r.code, continued: true },
    });
  }
}

/** A 334 challenge's text decoded, when it is base64 of printable UTF-8 (`Username:`). */
function decodeChallenge(text: Buffer): Buffer | undefined {
  const t = text.toString('latin1');
  if (t.length === 0 || t.length > 1024 || t.length % 4 !== 0 || !BASE64.test(t)) return undefined;
  const decoded = Buffer.from(t, 'base64');
  return isValidUtf8(decoded) && /^[^\p{Cc}]*$/u.test(decoded.toString('utf8'))
    ? decoded
    : undefined;
}

// ---- TLS after STARTTLS ------------------------------------------------------------------------

/** What TlsRecords needs of the framer it runs in. */
interface FrameIo {
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
class TlsRecords {
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
        : `stream ended inside a ${rec.length}-byte TLS ${rec.type} record, after ${rec.length - (typeof left === 'number' ? left : 0)} bytes`;
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

/** SMTP: commands and replies paired in order, DATA and BDAT content, AUTH, STARTTLS. */
export const smtpProtocol: Protocol = {
  name: NAME,
  description:
    'SMTP: commands, replies (multi-line as one frame), DATA/BDAT content, AUTH, STARTTLS',
  createFramers(options?: FramerOptions) {
    const session = new SmtpSession();
    return {
      c2s: new SmtpClientFramer(session, options),
      s2c: new SmtpServerFramer(session, options),
    };
  },
};
