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
import { isValidUtf8 } from '../../bytes';
import type { Annotation, FrameWarning } from '../frame';
import type { FramerOptions } from '../framer';
import { PendingRequests, type Protocol, quote, WarningBag } from './protocol';
import { SegmentFramer, type SegmentLine } from './segmentFramer';
import {
  authResponse,
  BASE64,
  type Command,
  Content,
  lineWarnings,
  looksLikeAuthResponse,
  parseCommand,
  REPLY_MAX,
  shown,
} from './smtpCommands';
import { TlsRecords } from './tlsRecords';

const NAME = 'smtp';
const LF = Buffer.from('\n');
const LINE_KEEP = 1024;
const EXTENSIONS_MAX = 400;

/** What the two directions of one connection share. */
class SmtpSession {
  /** Client frames waiting for their reply, oldest first, each with its verb. */
  readonly pending = new PendingRequests<string>();
  /** The latest paired reply: its code and the seq of the frame it answered. */
  lastReply: { readonly code: string; readonly re: number } | undefined;
  /** The seq of a DATA command the server refused, so the client framer leaves data mode. */
  refusedData: number | undefined;
}

// ---- client ------------------------------------------------------------------------------------

type ClientMode = 'command' | 'data' | 'bdat' | 'tls-peek' | 'tls';

class SmtpClientFramer extends SegmentFramer {
  private _mode: ClientMode = 'command';
  private readonly _tls = new TlsRecords();
  /** An AUTH exchange may be under way: base64 lines are responses. */
  private _auth = false;
  /** Seq of the last frame that waits for a reply. */
  private _lastSeq = -1;
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
        return this._commandLine(this.segmentLine());
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
        const line = this.segmentLine();
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

  private _commandLine(line: SegmentLine): void {
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
    return looksLikeAuthResponse(line);
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
    this.segmentKeep = LINE_KEEP;
    // The byte read to look for TLS starts the next line, or is a whole (empty) line.
    if (b[0] === 0x0a) this._commandLine(this.segmentLine());
    else this.continueSegment();
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
    const line = this.segmentLine();
    const code = r?.code ?? REPLY_START.exec(line.content.toString('latin1', 0, 4))?.[1];
    const message = r
      ? `stream ended inside a multi-line ${r.code} reply, before its last line`
      : 'stream ended inside a reply line, before its \\r\\n';
    // The reply as far as it came: its first line, counting a last line cut short.
    const summary =
      r !== undefined
        ? replySummary(r.code, r.text, r.lines + (line.length > 0 ? 1 : 0))
        : code !== undefined
          ? replySummary(code, line.content.subarray(4), 1)
          : quote(line.content);
    const warnings = [...(r?.warnings.toArray() ?? []), { code: 'truncated' as const, message }];
    return { kind: 'reply', name: code, summary, warnings };
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
    let summary = replySummary(r.code, r.text, r.lines);
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

/** `250 mx.example (+7 lines)`: a reply's code and first line, and how many lines follow. */
function replySummary(code: string, text: Buffer, lines: number): string {
  const summary = text.length > 0 ? `${code} ${shown(text)}` : code;
  return lines > 1 ? `${summary} (+${lines - 1} lines)` : summary;
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
