/**
 * The `redis` protocol framer: RESP2 and RESP3 values in both directions, client commands as
 * multibulk arrays or inline lines, each reply paired with its request.
 *
 * Annotations. Requests: `name` is the command uppercased (`SET`), `args` the rest as text,
 * `fields.subcommand` for container commands (`CONFIG GET` has name `CONFIG`, subcommand `GET`).
 * Replies: `name` is the RESP type byte, with the status or error code for simple strings and
 * errors (`+OK`, `-ERR`, `-WRONGTYPE`, `:`, `$`, `*`, `%`...; nulls are `$-1`, `*-1`, `_`), and
 * `fields.type` names the type in words (`bulk-string`). Pub/sub messages (RESP3 `>` pushes, and
 * RESP2 `message` arrays while subscribed), MONITOR's feed and other pushes are `push` frames
 * without `re`; the confirmations of (P|S)(UN)SUBSCRIBE pair with the command, one per channel.
 */
import type { Annotation, Direction } from '../frame';
import type { FramerOptions } from '../framer';
import { PendingRequests, type Protocol, quote } from './protocol';
import {
  ARG_KEEP,
  type Arg,
  commandName,
  describeCommand,
  INLINE_MAX,
  MAX_ARGS,
} from './redisCommands';
import { Resp, RespReader, type RespValue, respTypeWord } from './resp';
import { summarizeValue } from './respSummary';
import { SegmentFramer } from './segmentFramer';

const NL = Buffer.from('\n');

const CLIENT_OPTIONS = {
  commands: true,
  maxItems: MAX_ARGS,
  itemKeep: ARG_KEEP,
  lineKeep: INLINE_MAX,
};
// A reply summary shows a few elements; pub/sub needs the first three.
const SERVER_OPTIONS = { commands: false, maxItems: 8, itemKeep: 128, lineKeep: 1024 };
const SUBSCRIBES = new Set(['subscribe', 'psubscribe', 'ssubscribe']);
const CONFIRMATIONS = new Set([...SUBSCRIBES, 'unsubscribe', 'punsubscribe', 'sunsubscribe']);
const MESSAGES = new Set(['message', 'pmessage', 'smessage']);
const MONITOR_LINE = /^[0-9]+\.[0-9]+ \[/;
const PUSH = -1;
const UNPAIRED = -2;

/** What a reply needs to know about the request it answers. */
interface RedisRequest {
  readonly name: string;
  /** For (p|s)(un)subscribe: the confirmation kind, lowercase. */
  readonly pubsub?: string;
  /** Confirmations expected (one per channel); 0 for "as many as the server sends". */
  readonly expect: number;
  got: number;
}

/** State the two directions of one connection share. */
class RedisConnection {
  readonly pending = new PendingRequests<RedisRequest>();
  /** Requests seen; before the first, a framer is alone (no client side) and cannot pair. */
  requests = 0;
  /** RESP2 pub/sub mode: the last confirmation counted subscriptions. */
  subscribed = false;
  monitoring = false;
  /** CLIENT REPLY OFF / SKIP. */
  repliesOff = false;
  skipNext = false;
}

type Fields = Record<string, string | number | boolean>;

class RedisFramer extends SegmentFramer {
  private readonly _reader: RespReader;
  private _inData = false;
  /** The kind and `re` of the last broken value, which the frames of its rest share. */
  private _broken: Pick<Annotation, 'kind' | 're'> = {};

  constructor(
    private readonly _dir: Direction,
    private readonly _conn: RedisConnection,
    options?: FramerOptions,
  ) {
    super(NL, 'redis', options);
    this._reader = new RespReader(_dir === 'c2s' ? CLIENT_OPTIONS : SERVER_OPTIONS);
    this.segmentKeep = this._reader.nextKeep;
  }

  protected override onSegment(): void {
    const reader = this._reader;
    const next = this._inData
      ? // The payload without its \r\n.
        reader.data(
          this.rawHeadOf(this.wholeLength - 2),
          this.endsWithCrlf() ? undefined : this.lastTwoBytes(),
        )
      : reader.line(this.rawLine());
    const value = reader.takeValue();
    if (value !== undefined) {
      let ann: Annotation;
      if (value.remainder) ann = this._remainder(value);
      else ann = this._dir === 'c2s' ? this._request(value) : this._reply(value);
      if (value.broken && !value.remainder) this._broken = { kind: ann.kind, re: ann.re };
      this.endFrame(value.warnings.attach(ann));
    }
    this._inData = next > 0;
    this.segmentKeep = reader.nextKeep;
    this.setTerminator(next > 0 ? next : NL);
  }

  protected override describeTruncated(): Annotation {
    const reader = this._reader;
    const message = reader.describePartial(this._inData, this.wholeLength);
    // What arrived, annotated as if it had ended here; the stream is over, so it pairs with
    // nothing and leaves the pairing state as it is.
    const v = reader.cutOff(this._inData, this.segmentHead(), this.segmentLine());
    let ann: Annotation = { kind: this._dir === 'c2s' ? 'request' : 'reply' };
    if (v?.remainder === true) ann = this._remainder(v);
    else if (v !== undefined && this._dir === 'c2s') ann = describeCommand(v).ann;
    else if (v !== undefined) ann = describeValue(v, v.type === Resp.Push ? 'push' : 'reply');
    const w = v?.warnings;
    w?.add('truncated', message);
    return w?.attach(ann) ?? { ...ann, warnings: [{ code: 'truncated', message }] };
  }

  /** A value that is the rest of a broken one: it shares its kind and `re`, and pairs anew. */
  private _remainder(v: RespValue): Annotation {
    const ann = describeValue(v, this._broken.kind ?? 'reply');
    const fields = { ...ann.fields, remainder: true };
    if (this._dir === 'c2s') return { kind: 'request', summary: ann.summary, fields };
    return { ...ann, fields, re: this._broken.re };
  }

  // ---- client side ---------------------------------------------------------------------------

  private _request(v: RespValue): Annotation {
    this._conn.requests++;
    const cmd = describeCommand(v);
    if (!cmd.answered) return cmd.ann;
    if (v.kind === 'garbage' || this._expectsReply(cmd.name, cmd.sub, cmd.args)) {
      this._conn.pending.push(this.frameCount, requestInfo(cmd.name, cmd.argc));
      return cmd.ann;
    }
    return { ...cmd.ann, fields: { ...cmd.ann.fields, noreply: true } };
  }

  /** CLIENT REPLY OFF/SKIP silence the server; everything else is answered. */
  private _expectsReply(name: string, sub: string | undefined, args: readonly Arg[]): boolean {
    const conn = this._conn;
    if (name === 'CLIENT' && sub === 'REPLY' && args.length === 3) {
      const mode = commandName(args[2].text);
      if (mode === 'ON') {
        conn.repliesOff = conn.skipNext = false;
        return true;
      }
      if (mode === 'OFF') conn.repliesOff = true;
      else if (mode === 'SKIP') conn.skipNext = !conn.repliesOff;
      if (mode === 'OFF' || mode === 'SKIP') return false;
    }
    if (name === 'RESET') {
      conn.repliesOff = conn.skipNext = false;
      return true;
    }
    if (conn.repliesOff) return false;
    if (conn.skipNext) {
      conn.skipNext = false;
      return false;
    }
    return true;
  }

  // ---- server side ---------------------------------------------------------------------------

  private _reply(v: RespValue): Annotation {
    if (v.kind === 'garbage') {
      return { kind: 'event', summary: quote(Buffer.from(v.text, 'latin1')) };
    }
    // Built once, in one shape: a reply per frame is the hot path of a pipelined redis.
    const fields = valueFields(v);
    const re = this._pair(v, fields);
    const name = replyName(v);
    const summary = summarizeValue(v);
    if (re >= 0) return { kind: 'reply', name, summary, fields, re };
    if (re === UNPAIRED && this._conn.requests > 0) {
      v.warnings.add('unpaired', 'a reply with no request waiting for it');
    }
    return { kind: re === PUSH ? 'push' : 'reply', name, summary, fields };
  }

  /** The seq of the request a reply answers, PUSH for a push, or UNPAIRED. */
  private _pair(v: RespValue, fields: Fields): number {
    const conn = this._conn;
    const first = v.items[0];
    const word =
      first !== undefined &&
      first.length <= 16 &&
      (first.type === Resp.Bulk || first.type === Resp.Simple)
        ? first.text.toLowerCase()
        : '';
    if ((v.type === Resp.Push || v.type === Resp.Array) && CONFIRMATIONS.has(word)) {
      const re = this._confirm(word);
      if (re !== undefined || v.type === Resp.Push) {
        const count = v.items[2];
        if (count !== undefined && count.type === Resp.Integer) {
          const n = Number(count.text);
          conn.subscribed = n > 0;
          fields.subscriptions = n;
        }
        fields.pubsub = word;
        return re ?? PUSH;
      }
    }
    if (v.type === Resp.Push || (v.type === Resp.Array && conn.subscribed && MESSAGES.has(word))) {
      if (word !== '') fields.push = word;
      return PUSH;
    }
    if (conn.monitoring && v.type === Resp.Simple && MONITOR_LINE.test(head(v.text, 32))) {
      fields.push = 'monitor';
      return PUSH;
    }
    const request = this._answer();
    if (request === undefined) return UNPAIRED;
    if (request.info.name === 'MONITOR' && v.type === Resp.Simple) conn.monitoring = true;
    if (request.info.name === 'RESET') conn.monitoring = conn.subscribed = false;
    return request.seq;
  }

  /** Pairs a (un)subscribe confirmation with its command, if one is waiting for it. */
  private _confirm(kind: string): number | undefined {
    const pending = this._conn.pending;
    let head = pending.peek();
    // A command that got its confirmations and is not of this kind is done.
    while (head !== undefined && head.info.pubsub !== kind && head.info.got > 0) {
      pending.shift();
      head = pending.peek();
    }
    if (head === undefined || head.info.pubsub !== kind) return undefined;
    head.info.got++;
    if (head.info.expect > 0 && head.info.got >= head.info.expect) pending.shift();
    return head.seq;
  }

  /** The request an ordinary reply answers. */
  private _answer(): { seq: number; info: RedisRequest } | undefined {
    const pending = this._conn.pending;
    let head = pending.peek();
    // An UNSUBSCRIBE of everything has no count: its confirmations end at the next reply.
    while (head !== undefined && head.info.got > 0) {
      pending.shift();
      head = pending.peek();
    }
    return pending.shift();
  }
}

function requestInfo(name: string, argc: number): RedisRequest {
  // Only (P|S)(UN)SUBSCRIBE, 9 to 12 letters, need the lowercase name.
  const pubsub = name.length >= 9 && name.length <= 12 ? name.toLowerCase() : '';
  if (CONFIRMATIONS.has(pubsub) && (argc > 1 || !SUBSCRIBES.has(pubsub))) {
    return { name, pubsub, expect: argc - 1, got: 0 };
  }
  return { name, expect: 1, got: 0 };
}

/** `+OK`, `-ERR`, `$`, `*`, `$-1`... (see the module comment). */
function replyName(v: RespValue): string {
  const c = String.fromCharCode(v.type);
  switch (v.type) {
    case Resp.Simple: {
      const text = head(v.text, 33);
      return /^[A-Za-z0-9_.-]{1,32}$/.test(text) ? c + text : c;
    }
    case Resp.Error:
    case Resp.BlobError: {
      const code = /^[A-Za-z0-9_.-]{1,32}(?= |$)/.exec(head(v.text, 33));
      return code === null ? c : c + code[0];
    }
    case Resp.Bulk:
    case Resp.Array:
      return v.length < 0 ? `${c}-1` : c;
    default:
      return v.type < 0 ? '|' : c;
  }
}

/** The first `n` characters of `text` (bytes, for RespItem.text). */
function head(text: string, n: number): string {
  return text.length > n ? text.slice(0, n) : text;
}

/** A value's name, summary and fields, with no pairing. */
function describeValue(v: RespValue, kind: Annotation['kind']): Annotation {
  return { kind, name: replyName(v), summary: summarizeValue(v), fields: valueFields(v) };
}

function valueFields(v: RespValue): Fields {
  const fields: Fields = { type: respTypeWord(v.type) };
  addValueFields(v, fields);
  return fields;
}

function addValueFields(v: RespValue, fields: Fields): void {
  switch (v.type) {
    case Resp.Integer:
    case Resp.BigNumber:
    case Resp.Double: {
      // Numbers JSON can carry exactly; the text otherwise (big numbers, inf, nan).
      const text = head(v.text, 64);
      const n = Number(text);
      const exact = v.type === Resp.Double ? Number.isFinite(n) : Number.isSafeInteger(n);
      fields.value = exact ? n : text;
      break;
    }
    case Resp.Boolean:
      fields.value = v.text.charCodeAt(0) === 0x74;
      break;
    case Resp.Null:
      fields.null = true;
      break;
    case Resp.Error:
    case Resp.BlobError: {
      const code = /^\S{1,32}/.exec(head(v.text, 33));
      if (code !== null) fields.error = code[0];
      if (v.type === Resp.BlobError) fields.length = v.length;
      break;
    }
    case Resp.Bulk:
    case Resp.Verbatim:
    case Resp.Array:
    case Resp.Map:
    case Resp.Set:
    case Resp.Push:
      if (v.length < 0) fields.null = true;
      else fields[v.type === Resp.Bulk || v.type === Resp.Verbatim ? 'length' : 'count'] = v.length;
      break;
  }
  if (v.attributes > 0) fields.attributes = v.attributes;
}

/** The redis protocol (RESP2 and RESP3, inline commands, pub/sub and MONITOR). */
export const redisProtocol: Protocol = {
  name: 'redis',
  description: 'Redis RESP2/RESP3: one frame per command or reply, replies paired with commands',
  createFramers(options?: FramerOptions) {
    const conn = new RedisConnection();
    return {
      c2s: new RedisFramer('c2s', conn, options),
      s2c: new RedisFramer('s2c', conn, options),
    };
  },
};
