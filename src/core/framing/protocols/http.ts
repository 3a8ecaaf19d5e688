/**
 * The `http` protocol framer: HTTP/1.x (RFC 9112), then WebSocket frames after a `101`
 * upgrade (websocket.ts), or an opaque tunnel after a successful CONNECT.
 *
 * Frames, per direction:
 * - a header block (start line, fields, empty line) is one frame; a stray empty line or an
 *   unreadable line where a start line should be is a frame of its own, and reading goes on
 *   from the next line;
 * - a Content-Length body is one frame; a body read until the close is one frame ended by the
 *   close (not partial); a chunked body is one frame per chunk (size line, data and its CRLF),
 *   then one frame for the last chunk with the trailers and the final empty line;
 * - a response's body frames are kind `data` with `re` = the seq of the request's header frame
 *   (`re` always points into the other direction); a request's own body frames follow its
 *   header frame and carry no `re`;
 * - after a CONNECT's 2xx, a non-WebSocket 101 or the HTTP/2 preface, each direction is one
 *   opaque frame ended by the close (cut at the size limit like any frame).
 *
 * After an upgrade or CONNECT request the client side cannot always know whether the server
 * agreed. Live, the answer has usually been framed already and decides. When the client side
 * is framed before the server side (a recording), the framer looks at the next bytes instead:
 * a CR, an LF, or two token characters (a method's start, or a method and a space) mean the
 * client went on with HTTP; anything else is WebSocket frames (or tunnel data after CONNECT).
 */
import type { Terminator } from '../../terminatorScanner';
import { type Annotation, type Direction, type Frame, otherDirection } from '../frame';
import type { FramerOptions } from '../framer';
import {
  HeaderBlock,
  httpWarnings,
  parseChunkSize,
  parseRequestLine,
  parseStatusLine,
  PREVIEW_KEEP,
  type StartLine,
  WHOLE,
} from './httpHead';
import {
  type Chunk,
  chunkAnnotation,
  guessMode,
  isInterim,
  lastChunkAnnotation,
  type MessagePlan,
  planRequest,
  planResponse,
  type RequestInfo,
  sized,
  sizeNote,
  strayLineAnnotation,
  type Then,
} from './httpMessage';
import { PendingRequests, type Protocol, type ProtocolFramers, quote } from './protocol';
import { SegmentFramer } from './segmentFramer';
import { WebSocketReader, WebSocketSession } from './websocket';

const LF = 10;
const NEWLINE = Buffer.from('\n');
/** Bytes of a line kept for parsing when frame cuts split it; longer lines are read by prefix. */
const CUT_LINE_KEEP = 8 * 1024;
/** Requests awaiting a response, per connection. */
const MAX_PENDING = 10_000;

/** State shared by the two directions of one connection. */
class HttpSession {
  readonly pending = new PendingRequests<RequestInfo>(MAX_PENDING);
  readonly ws = new WebSocketSession();
  readonly framers: Partial<Record<Direction, HttpFramer>> = {};
}

type State =
  | 'line'
  | 'headers'
  | 'body'
  | 'until-close'
  | 'chunk-size'
  | 'chunk-data'
  | 'chunk-end'
  | 'trailers'
  | 'peek'
  | 'ws'
  | 'tunnel';

/** The message whose body is being read. */
interface Message {
  readonly re: number | undefined;
  readonly text: boolean;
  readonly length: number;
  readonly then: Then;
  readonly info: RequestInfo | undefined;
  chunks: number;
  chunkBytes: number;
  chunk: Chunk | undefined;
}

/** One direction of an HTTP connection. */
class HttpFramer extends SegmentFramer {
  private _state: State = 'line';
  private _head: StartLine | undefined;
  private _block: HeaderBlock | undefined;
  private _msg: Message | undefined;
  private _ws: WebSocketReader | undefined;
  private _peekInfo: RequestInfo | undefined;
  private _tunnel: 'tunnel' | 'h2' = 'tunnel';
  private _tunnelNext = false;

  constructor(
    private readonly _dir: Direction,
    private readonly _session: HttpSession,
    options: FramerOptions,
  ) {
    super(NEWLINE, 'http', options);
    this._expect(NEWLINE, WHOLE);
    _session.framers[_dir] = this;
  }

  /** @internal */
  override found(buf: Buffer, start: number, end: number): void {
    // HTTP frames stay within the limit: a delimiter that would take a frame past it goes
    // through collect, which cuts the frame first (the base lets a terminator pass the limit).
    if (end > start && this.frameLength + (end - start) > this.maxFrameBytes) {
      this.collect(buf, start, end);
      super.found(buf, end, end);
    } else {
      super.found(buf, start, end);
    }
  }

  override flush(): readonly Frame[] {
    // Until-close bodies and tunnels end here, complete: annotated, and not `partial`.
    if (this.terminator === null && this.frameLength > 0) this.endFrame(this._closeAnnotation());
    return super.flush();
  }

  protected override onSegment(): void {
    switch (this._state) {
      case 'line':
        return this._onStartLine();
      case 'headers':
        return this._onHeaderLine();
      case 'body':
        return this._onBody();
      case 'chunk-size':
        return this._onChunkSize();
      case 'chunk-data':
        return this._onChunkData();
      case 'chunk-end':
        return this._onChunkEnd();
      case 'trailers':
        return this._onTrailer();
      case 'peek':
        return this._onPeek();
      case 'ws':
        return this._onWs();
      default:
        // until-close and tunnel have no terminator: no segment ends there.
        return;
    }
  }

  protected override describeTruncated(): Annotation | undefined {
    const left = this.terminator;
    if (this._state === 'ws') return this._ws?.describeEnd(left);
    const missing = typeof left === 'number' ? left : 0;
    const msg = this._msg;
    const head = this._head;
    let ann: Annotation = { kind: 'data', re: msg?.re };
    let message: string;
    switch (this._state) {
      case 'line':
        ann = {};
        message = `stream ended inside a ${this._dir === 'c2s' ? 'request' : 'status'} line`;
        break;
      case 'headers':
        ann =
          head?.kind === 'request'
            ? { kind: 'request', name: head.method }
            : head?.kind === 'status'
              ? { kind: 'reply', name: String(head.status) }
              : {};
        message = 'stream ended inside a header block (no empty line yet)';
        break;
      case 'body':
        ann = { ...ann, name: 'body' };
        message = `stream ended inside ${sized(msg?.length, 'body')} (${missing} bytes missing)`;
        break;
      case 'chunk-data':
        ann = { ...ann, name: 'chunk' };
        message = `stream ended inside ${sized(msg?.chunk?.size, 'chunk')} (${missing} bytes missing)`;
        break;
      case 'chunk-size':
      case 'chunk-end':
        ann = { ...ann, name: 'chunk' };
        message = `stream ended inside a chunk, before the CRLF after its ${
          this._state === 'chunk-size' ? 'size' : 'data'
        }`;
        break;
      case 'trailers':
        ann = { ...ann, name: 'last-chunk' };
        message = 'stream ended inside the trailers after the last chunk';
        break;
      case 'peek':
        ann = {};
        message = 'stream ended in the first byte after an upgrade or CONNECT request';
        break;
      default:
        return undefined;
    }
    return { ...ann, warnings: [{ code: 'truncated', message }] };
  }

  // ---- HTTP messages -------------------------------------------------------------------------

  private _onStartLine(): void {
    const line = this.segmentLine();
    const c2s = this._dir === 'c2s';
    const parsed = c2s ? parseRequestLine(line.content) : parseStatusLine(line.content);
    if (parsed.kind === 'request' || parsed.kind === 'status') {
      this._head = parsed;
      this._block = new HeaderBlock();
      this._block.countLine(line, this.wholeLength);
      this._state = 'headers';
      return;
    }
    const seq = this.frameCount;
    this.endFrame(strayLineAnnotation(parsed, line, this.wholeLength, c2s));
    if (parsed.kind === 'http09') {
      const info = {
        method: parsed.method,
        upgrade: undefined,
        wsKey: undefined,
        outcome: undefined,
      };
      this._session.pending.push(seq, info);
    }
  }

  private _onHeaderLine(): void {
    const block = this._block;
    const head = this._head;
    if (block === undefined || head === undefined) return;
    const line = this.segmentLine();
    block.countLine(line, this.wholeLength);
    if (line.content.length > 0) {
      block.addField(line.content);
    } else if (head.kind === 'request') {
      const plan = planRequest(head, block, this._session.ws);
      const seq = this.frameCount;
      this.endFrame(plan.ann);
      this._session.pending.push(seq, plan.info);
      if (plan.then === 'h2') this._session.framers[otherDirection(this._dir)]?._h2Follows();
      this._startBody(plan, undefined, plan.info);
    } else if (head.kind === 'status') {
      const pending = this._session.pending;
      const request = isInterim(head.status) ? pending.peek() : pending.shift();
      const plan = planResponse(head, block, request, this._session.ws);
      this.endFrame(plan.ann);
      this._startBody(plan, request?.seq, undefined);
    }
  }

  private _startBody(
    plan: MessagePlan,
    re: number | undefined,
    info: RequestInfo | undefined,
  ): void {
    const { text, length, then } = plan;
    this._msg = { re, text, length, then, info, chunks: 0, chunkBytes: 0, chunk: undefined };
    this._head = undefined;
    this._block = undefined;
    if (plan.body === 'length') this._enter('body', length, PREVIEW_KEEP);
    else if (plan.body === 'chunked') this._enter('chunk-size', NEWLINE, WHOLE);
    else if (plan.body === 'close') this._enter('until-close', null, PREVIEW_KEEP);
    else this._afterMessage();
  }

  private _onBody(): void {
    const msg = this._msg;
    const length = msg?.length ?? 0;
    const preview = !this.segmentCut && msg?.text ? ` ${quote(this.segmentHead())}` : '';
    const summary = `body ${sizeNote(length, this.frameLength)}${preview}`;
    this.endFrame({ kind: 'data', name: 'body', re: msg?.re, summary, fields: { length } });
    this._afterMessage();
  }

  // ---- chunked bodies (RFC 9112 §7.1) --------------------------------------------------------

  private _onChunkSize(): void {
    const msg = this._msg;
    if (msg === undefined) return;
    const line = this.segmentLine();
    const warnings = httpWarnings();
    if (line.ending === 'lf') warnings.add('bare-lf', 'chunk size line ends with a bare \\n');
    const parsed = parseChunkSize(line.content);
    if (!parsed.ok) {
      warnings.add('violation', `${parsed.problem}; reading the next line as a chunk size`);
      const summary = parsed.problem;
      const ann = { kind: 'data' as const, name: 'chunk', re: msg.re, summary };
      this.endFrame(warnings.attach(ann));
      return;
    }
    const { size, ext } = parsed;
    msg.chunk = { size, ext, preview: undefined, cut: false, warnings };
    if (size > 0) {
      this._enter('chunk-data', size, PREVIEW_KEEP);
    } else {
      this._block = new HeaderBlock();
      this._block.countLine(line, this.wholeLength);
      this._enter('trailers', NEWLINE, WHOLE);
    }
  }

  private _onChunkData(): void {
    const chunk = this._msg?.chunk;
    if (chunk === undefined) return;
    chunk.cut = this.segmentCut;
    chunk.preview = !chunk.cut && this._msg?.text ? quote(this.segmentHead()) : undefined;
    this._enter('chunk-end', NEWLINE, WHOLE);
  }

  private _onChunkEnd(): void {
    const msg = this._msg;
    const chunk = msg?.chunk;
    if (msg === undefined || chunk === undefined) return;
    msg.chunks++;
    msg.chunkBytes += chunk.size;
    this.endFrame(chunkAnnotation(chunk, this.segmentLine(), msg.re));
    msg.chunk = undefined;
    this._enter('chunk-size', NEWLINE, WHOLE);
  }

  private _onTrailer(): void {
    const block = this._block;
    const msg = this._msg;
    if (block === undefined || msg === undefined) return;
    const line = this.segmentLine();
    block.countLine(line, this.wholeLength);
    if (line.content.length > 0) {
      block.addField(line.content);
      return;
    }
    const ext = msg.chunk?.ext ?? '';
    this.endFrame(lastChunkAnnotation(block, ext, msg.chunks, msg.chunkBytes, msg.re));
    this._block = undefined;
    this._afterMessage();
  }

  // ---- what follows a message ----------------------------------------------------------------

  private _afterMessage(): void {
    const msg = this._msg;
    const then = msg?.then ?? 'http';
    if (then === 'http') this._enterLine();
    else if (then === 'websocket') this._enterWs();
    else if (then === 'decide' && msg?.info !== undefined) this._decide(msg.info);
    else this._enterTunnel(then === 'h2' ? 'h2' : 'tunnel');
  }

  private _enterLine(): void {
    if (this._tunnelNext) this._enterTunnel('h2');
    else this._enter('line', NEWLINE, WHOLE);
  }

  private _enterWs(): void {
    const ws = new WebSocketReader(this._dir, this._session.ws);
    this._ws = ws;
    const step = ws.start();
    this._enter('ws', step.next, step.keep);
  }

  private _enterTunnel(kind: 'tunnel' | 'h2'): void {
    this._tunnel = kind;
    this._enter('tunnel', null, 0);
  }

  /** The client sent the HTTP/2 preface: the server's next message is HTTP/2 too. */
  private _h2Follows(): void {
    if (this._state === 'line' && this.frameLength === 0 && this.wholeLength === 0) {
      this._enterTunnel('h2');
    } else {
      this._tunnelNext = true;
    }
  }

  /** The client after an upgrade or CONNECT request: the answer if known, else a peek. */
  private _decide(info: RequestInfo): void {
    if (info.outcome === 'http') this._enterLine();
    else if (info.outcome === 'websocket') this._enterWs();
    else if (info.outcome === 'tunnel') this._enterTunnel('tunnel');
    else {
      this._peekInfo = info;
      this._enter('peek', 1, 2);
    }
  }

  private _onPeek(): void {
    const info = this._peekInfo;
    const bytes = this.segmentHead();
    const mode = info?.outcome ?? guessMode(bytes, info?.upgrade === 'websocket');
    if (mode === undefined) {
      this.continueSegment();
      this._expect(1, 2);
      return;
    }
    this._peekInfo = undefined;
    if (mode === 'http') {
      this._enterLine();
      if (this._state !== 'line') return;
      // The peeked bytes start the next line, or are a whole (empty) line already.
      if (bytes[bytes.length - 1] === LF) this._onStartLine();
      else this.continueSegment();
    } else if (mode === 'websocket') {
      this._enterWs();
      if (bytes.length >= 2) {
        this._onWs();
      } else {
        this.continueSegment();
        this._expect(1, 2);
      }
    } else {
      this._enterTunnel('tunnel');
    }
  }

  private _onWs(): void {
    const ws = this._ws;
    if (ws === undefined) return;
    const seg = { head: this.segmentHead(), total: this.wholeLength, cut: this.segmentCut };
    const step = ws.onSegment(seg, this.frameCount);
    if (step.ann !== undefined) this.endFrame(step.ann);
    this._expect(step.next, step.keep);
  }

  /** The annotation of a frame ended by the close: an until-close body or a tunnel. */
  private _closeAnnotation(): Annotation | undefined {
    if (this._state === 'ws') return this._ws?.describeEnd(null);
    const total = this.messageLength;
    const size = sizeNote(total, this.frameLength);
    const fields = { length: total };
    if (this._state === 'tunnel') {
      return this._tunnel === 'h2'
        ? { kind: 'data', name: 'h2', summary: `HTTP/2 frames, ${size} (not decoded)`, fields }
        : { kind: 'data', name: 'tunnel', summary: `tunnel ${size}`, fields };
    }
    const msg = this._msg;
    const preview = msg?.text && total === this.frameLength ? ` ${quote(this.segmentHead())}` : '';
    const summary = `body ${size} until close${preview}`;
    return { kind: 'data', name: 'body', re: msg?.re, summary, fields };
  }

  private _enter(state: State, terminator: Terminator, keep: number): void {
    this._state = state;
    this._expect(terminator, keep);
  }

  /** Sets the next terminator and how many bytes of that segment to keep (WHOLE: all of it). */
  private _expect(terminator: Terminator, keep: number): void {
    this.setTerminator(terminator);
    // A segment no frame cut splits fits in a frame, so a frame's worth keeps it whole; a line a
    // small limit cuts is still read by its first CUT_LINE_KEEP bytes.
    this.segmentKeep = Math.min(keep, Math.max(this.maxFrameBytes, CUT_LINE_KEEP));
  }
}

/** HTTP/1.x with request/response pairing, then WebSocket after an upgrade. */
export const httpProtocol: Protocol = {
  name: 'http',
  description:
    'HTTP/1.x: header blocks, Content-Length, chunked and until-close bodies, request pairing; ' +
    'WebSocket frames after a 101 upgrade',
  createFramers(options: FramerOptions = {}): ProtocolFramers {
    const session = new HttpSession();
    return {
      c2s: new HttpFramer('c2s', session, options),
      s2c: new HttpFramer('s2c', session, options),
    };
  },
};
