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
import { escapeBytes } from '../../bytes';
import type { Annotation, Direction } from '../frame';
import type { FramerOptions } from '../framer';
import { PendingRequests, type Protocol, quote } from './protocol';
import { quoteText, Resp, RespReader, type RespValue, respTypeWord, summarizeValue } from './resp';
import { splitInline } from './redisInline';
import { SegmentFramer } from './segmentFramer';

const NL = Buffer.from('\n');
/** redis-server refuses longer inline commands (PROTO_INLINE_MAX_SIZE). */
const INLINE_MAX = 64 * 1024;
const MAX_ARGS = 64;

const CLIENT_OPTIONS = { commands: true, maxItems: MAX_ARGS, itemKeep: 1024, lineKeep: INLINE_MAX };
// A reply summary shows a few elements; pub/sub needs the first three.
const SERVER_OPTIONS = { commands: false, maxItems: 8, itemKeep: 128, lineKeep: 1024 };

/** Commands whose first argument is a subcommand. */
const CONTAINERS = new Set(
  (
    'ACL CLIENT CLUSTER COMMAND CONFIG DEBUG FUNCTION LATENCY MEMORY MODULE OBJECT PUBSUB ' +
    'SCRIPT SLOWLOG XGROUP XINFO'
  ).split(' '),
);
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

/** An argument of a command: its first bytes, and its whole length. */
interface Arg {
  readonly data: Buffer;
  readonly length: number;
}

class RedisFramer extends SegmentFramer {
  private readonly _reader: RespReader;
  private _inData = false;

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
      ? reader.data(this.segmentHead(), this.endsWithCrlf() ? undefined : this.lastTwoBytes())
      : reader.line(this.segmentLine());
    const value = reader.takeValue();
    if (value !== undefined) {
      const ann = this._dir === 'c2s' ? this._request(value) : this._reply(value);
      this.endFrame(value.warnings.attach(ann));
    }
    this._inData = next > 0;
    this.segmentKeep = reader.nextKeep;
    this.setTerminator(next > 0 ? next : NL);
  }

  protected override describeTruncated(): Annotation {
    return {
      kind: this._dir === 'c2s' ? 'request' : 'reply',
      warnings: [
        {
          code: 'truncated',
          message: this._reader.describePartial(this._inData, this.wholeLength),
        },
      ],
    };
  }

  // ---- client side ---------------------------------------------------------------------------

  private _request(v: RespValue): Annotation {
    this._conn.requests++;
    const w = v.warnings;
    let args: readonly Arg[];
    let argc: number;
    if (v.kind === 'inline') {
      if (v.length > INLINE_MAX) {
        w.add(
          'long-line',
          `inline command of ${v.length} bytes; redis-server refuses more than ${INLINE_MAX}`,
        );
      }
      const split = splitInline(v.data);
      if (split.error !== undefined) w.add('violation', split.error);
      argc = split.args.length;
      // Kept as for multibulk commands: the first arguments, and their first bytes.
      args = split.args.slice(0, MAX_ARGS).map((data) => ({
        data: data.subarray(0, CLIENT_OPTIONS.itemKeep),
        length: data.length,
      }));
      if (argc === 0 && split.error === undefined) {
        return ignored('(empty line: redis-server ignores it)', { inline: true });
      }
    } else if (v.kind === 'garbage') {
      // A bad multibulk count: redis-server answers with a protocol error (and closes).
      this._conn.pending.push(this.frameCount, requestInfo('', 0));
      return { kind: 'request', summary: quote(v.data) };
    } else {
      args = v.items;
      argc = Math.max(0, v.length);
      if (!v.broken && v.length <= 0) {
        return ignored(`*${v.length} (empty command: redis-server ignores it)`, {});
      }
    }
    const name = args.length > 0 ? commandName(args[0].data) : '';
    const rest = args.slice(1);
    const sub = CONTAINERS.has(name) && rest.length > 0 ? commandName(rest[0].data) : undefined;
    const fields: Record<string, string | number | boolean> = { argc };
    if (sub !== undefined) fields.subcommand = sub;
    if (v.kind === 'inline') fields.inline = true;
    if (this._expectsReply(name, sub, rest)) {
      this._conn.pending.push(this.frameCount, requestInfo(name, argc));
    } else {
      fields.noreply = true;
    }
    return {
      kind: 'request',
      name,
      args: rest.map(argText),
      summary: summarizeCommand(name, rest, argc - 1, sub !== undefined),
      fields,
    };
  }

  /** CLIENT REPLY OFF/SKIP silence the server; everything else is answered. */
  private _expectsReply(name: string, sub: string | undefined, rest: readonly Arg[]): boolean {
    const conn = this._conn;
    if (name === 'CLIENT' && sub === 'REPLY' && rest.length === 2) {
      const mode = commandName(rest[1].data);
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
    if (v.kind === 'garbage') return { kind: 'event', summary: quote(v.data) };
    const fields: Record<string, string | number | boolean> = { type: respTypeWord(v.type) };
    addValueFields(v, fields);
    const re = this._pair(v, fields);
    const name = replyName(v);
    const summary = summarizeValue(v);
    if (re === PUSH) return { kind: 'push', name, summary, fields };
    if (re === UNPAIRED) {
      if (this._conn.requests > 0) {
        v.warnings.add('unpaired', 'a reply with no request waiting for it');
      }
      return { kind: 'reply', name, summary, fields };
    }
    return { kind: 'reply', name, summary, fields, re };
  }

  /** The seq of the request a reply answers, PUSH for a push, or UNPAIRED. */
  private _pair(v: RespValue, fields: Record<string, string | number | boolean>): number {
    const conn = this._conn;
    const first = v.items[0];
    const word =
      first !== undefined &&
      first.length <= 16 &&
      (first.type === Resp.Bulk || first.type === Resp.Simple)
        ? first.data.toString('latin1').toLowerCase()
        : '';
    if ((v.type === Resp.Push || v.type === Resp.Array) && CONFIRMATIONS.has(word)) {
      const re = this._confirm(word);
      if (re !== undefined || v.type === Resp.Push) {
        const count = v.items[2];
        if (count !== undefined && count.type === Resp.Integer) {
          const n = Number(count.data.toString('latin1'));
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
    if (
      conn.monitoring &&
      v.type === Resp.Simple &&
      MONITOR_LINE.test(v.data.toString('latin1', 0, 32))
    ) {
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

/** An input redis-server skips without answering. */
function ignored(summary: string, fields: Record<string, boolean>): Annotation {
  return { kind: 'event', summary, fields: { ...fields, noreply: true } };
}

function requestInfo(name: string, argc: number): RedisRequest {
  const pubsub = name.toLowerCase();
  if (CONFIRMATIONS.has(pubsub) && (argc > 1 || !SUBSCRIBES.has(pubsub))) {
    return { name, pubsub, expect: argc - 1, got: 0 };
  }
  return { name, expect: 1, got: 0 };
}

/** A command or keyword as text: uppercased when it is printable ASCII, else escaped. */
function commandName(data: Buffer): string {
  const raw = data.toString('latin1', 0, 64);
  return /^[\x21-\x7e]*$/.test(raw) ? raw.toUpperCase() : escapeBytes(data.subarray(0, 64));
}

function argText(arg: Arg): string {
  const text = arg.data.toString('utf8');
  return arg.length > arg.data.length ? text + '…' : text;
}

const PLAIN = /^[\x21\x23-\x26\x28-\x5b\x5d-\x7e]{1,40}$/;
const BARE = /^(?:-?[0-9]+(?:\.[0-9]+)?|[A-Z][A-Z_-]{0,23})$/;
const COMMAND_WIDTH = 100;

/**
 * `SET greeting "hello world"`: the key (the first argument, after the subcommand if any) bare
 * when it is a plain token; later arguments bare when they are numbers or uppercase keywords
 * (`EX`, `WITHSCORES`), quoted otherwise.
 */
function summarizeCommand(
  name: string,
  args: readonly Arg[],
  total: number,
  hasSub: boolean,
): string {
  let out = name === '' ? '""' : name;
  for (let i = 0; i < args.length; i++) {
    const { data, length } = args[i];
    const text = length === data.length && length <= 40 ? data.toString('latin1') : '';
    const bare = i <= (hasSub ? 1 : 0) ? PLAIN.test(text) : BARE.test(text);
    const s = bare ? text : quoteText(data, length, 32);
    if (out.length + 1 + s.length > COMMAND_WIDTH) return `${out} …`;
    out += ' ' + s;
  }
  return args.length < total ? `${out} …` : out;
}

/** `+OK`, `-ERR`, `$`, `*`, `$-1`... (see the module comment). */
function replyName(v: RespValue): string {
  const c = String.fromCharCode(v.type);
  switch (v.type) {
    case Resp.Simple: {
      const text = v.data.toString('latin1', 0, 33);
      return /^[A-Za-z0-9_.-]{1,32}$/.test(text) ? c + text : c;
    }
    case Resp.Error:
    case Resp.BlobError: {
      const code = /^[A-Za-z0-9_.-]{1,32}(?= |$)/.exec(v.data.toString('latin1', 0, 33));
      return code === null ? c : c + code[0];
    }
    case Resp.Bulk:
    case Resp.Array:
      return v.length < 0 ? `${c}-1` : c;
    default:
      return v.type < 0 ? '|' : c;
  }
}

function addValueFields(v: RespValue, fields: Record<string, string | number | boolean>): void {
  switch (v.type) {
    case Resp.Integer:
    case Resp.BigNumber:
    case Resp.Double: {
      // Numbers JSON can carry exactly; the text otherwise (big numbers, inf, nan).
      const text = v.data.toString('latin1', 0, 64);
      const n = Number(text);
      const exact = v.type === Resp.Double ? Number.isFinite(n) : Number.isSafeInteger(n);
      fields.value = exact ? n : text;
      break;
    }
    case Resp.Boolean:
      fields.value = v.data[0] === 0x74;
      break;
    case Resp.Null:
      fields.null = true;
      break;
    case Resp.Error:
    case Resp.BlobError: {
      const code = /^\S{1,32}/.exec(v.data.toString('latin1', 0, 33));
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
