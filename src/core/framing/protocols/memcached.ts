/**
 * The `memcached` protocol framer: the text protocol of memcached's doc/protocol.txt, classic
 * and meta commands, each reply paired with its request.
 *
 * Frames. A storage command (`set`..., `cas`, `ms`) is one frame with its data block; a `VALUE`
 * or `VA` line is one frame with its data block; a list reply (`STAT` lines, or `ITEM`,
 * `PREFIX`, metadump `key=` lines, up to `END`) is one frame; every other line is a frame.
 *
 * Annotations. Requests: `name` is the command uppercased (`SET`, `GET`, `MG`), `args` the tokens
 * after it, `fields` key, flags, exptime, bytes, cas, noreply, keys (retrievals), quiet and opaque
 * (meta). Replies: `name` is the status word (`STORED`, `VALUE`, `END`, `HD`, `CLIENT_ERROR`...),
 * `NUMBER` for an incr/decr result, `STAT` for a stats list (each stat also a `stat:<name>` field).
 * All frames of a retrieval reply (its VALUEs and END) pair with the get; `noreply` commands and
 * quiet (`q`) meta commands that succeeded get no reply and pair with nothing.
 */
import { escapeBytes } from '../../bytes';
import type { Annotation } from '../frame';
import type { FramerOptions } from '../framer';
import {
  type Fields,
  MemcachedConnection,
  MemcachedFramer,
  type MemcachedRequest,
  readLine,
  RETRIEVAL,
  UINT,
  utf8,
} from './memcachedBase';
import { MemcachedReplyFramer } from './memcachedReplies';
import { type Protocol, quote, shortText, WarningBag } from './protocol';
import type { SegmentLine } from './segmentFramer';

const KEY_MAX = 250;
/** memcached closes a connection whose line passes this without a \n, unless it is a get. */
const LINE_MAX = 2048;
const MAX_ARGS = 64;

const STORAGE = new Set(['set', 'add', 'replace', 'append', 'prepend', 'cas']);
/** Classic commands that take a trailing `noreply`, with their token counts (command included). */
const SHAPES: Readonly<Record<string, readonly [number, number, string]>> = {
  delete: [2, 4, '<key> [noreply]'],
  incr: [3, 4, '<key> <value> [noreply]'],
  decr: [3, 4, '<key> <value> [noreply]'],
  touch: [3, 4, '<key> <exptime> [noreply]'],
  flush_all: [1, 3, '[delay] [noreply]'],
  verbosity: [2, 3, '<level> [noreply]'],
  cache_memlimit: [2, 3, '<megabytes> [noreply]'],
};
const OTHERS = new Set(
  (
    'stats version quit shutdown slabs lru_crawler lru watch extstore misbehave debugtime ' +
    'refresh_certs mg ms md ma mn me'
  ).split(' '),
);

/** A command word uppercased, or escaped when it is not printable ASCII. */
function verbName(verb: string): string {
  const raw = Buffer.from(verb, 'latin1');
  return /^[\x21-\x7e]+$/.test(verb) ? verb.toUpperCase() : escapeBytes(raw.subarray(0, 64));
}

const INT = /^[+-]?[0-9]{1,10}$/;

function checkKey(key: string, w: WarningBag): void {
  if (key.length > KEY_MAX) {
    w.add(
      'violation',
      `key of ${key.length} bytes: memcached allows ${KEY_MAX} and answers ` +
        'CLIENT_ERROR bad command line format',
    );
  }
  if (/[^\x21-\x7e\x80-\xff]/.test(key)) {
    w.add(
      'violation',
      `key ${quote(Buffer.from(key, 'latin1'))} holds control characters, ` +
        'which the protocol forbids',
    );
  }
}

/** A command line read: its annotation and warnings, its data block's size, what it expects. */
interface CommandLine {
  readonly ann: Annotation;
  readonly w: WarningBag;
  /** The size of the data block that follows, or -1. */
  readonly block: number;
  /** What its reply needs to know; undefined when none comes. */
  readonly reply: MemcachedRequest | undefined;
}

/** The client side: command lines, and the data blocks of storage commands. */
class MemcachedCommandFramer extends MemcachedFramer {
  private _block: CommandLine | undefined;

  protected override onSegment(): void {
    const block = this._block;
    this._block = undefined;
    if (block === undefined) {
      const cmd = readCommand(this.segmentLine());
      if (cmd.block < 0) return this._emitRequest(cmd.w.attach(cmd.ann), cmd.reply);
      this._block = cmd;
      this.expectBlock(cmd.block);
      return;
    }
    const then =
      ': memcached answers CLIENT_ERROR bad data chunk and reads what follows as the next command';
    const data = this.endBlock(block.block, block.w, 'command', then);
    const summary = `${block.ann.summary} ${data}`;
    this._emitRequest(block.w.attach({ ...block.ann, summary }), block.reply);
  }

  protected override describeTruncated(): Annotation {
    const block = this._block;
    let cmd: CommandLine;
    let message: string;
    if (block === undefined) {
      // The line as far as it came, read as if it ended there; what it lacks is no violation.
      cmd = { ...readCommand(this.segmentLine()), w: new WarningBag() };
      message = 'the stream ended inside a command line (no \\n)';
    } else {
      const ann = block.ann;
      cmd = {
        ...block,
        ann: { ...ann, summary: `${ann.summary} ${this.blockQuote(block.block)}` },
      };
      message = this.blockCutOff(block.block, ann.summary);
    }
    cmd.w.add('truncated', message);
    return cmd.w.attach(cmd.ann);
  }

  private _emitRequest(ann: Annotation, reply: MemcachedRequest | undefined): void {
    this.conn.requests++;
    if (reply !== undefined) this.conn.pending.push(this.frameCount, reply);
    this.endFrame(ann);
  }
}

/** Reads a command line: what it is, and whether a data block follows. */
function readCommand(line: SegmentLine): CommandLine {
  const w = new WarningBag();
  const { tokens } = readLine(line, w);
  const verb = tokens[0] ?? '';
  const fields: Fields = {};
  const ann = {
    kind: 'request' as const,
    ...(verb === '' ? {} : { name: verbName(verb) }),
    args: tokens.slice(1, MAX_ARGS + 1).map(utf8),
    summary: line.length === 0 ? '(empty line)' : shortText(line.content, line.length, 80),
    fields,
  };
  if (line.length > LINE_MAX && verb !== 'get' && verb !== 'gets') {
    w.add(
      'long-line',
      `command line of ${line.length} bytes: memcached closes the connection when a line ` +
        `passes ${LINE_MAX} bytes (only get and gets may be longer)`,
    );
  }
  let reply: MemcachedRequest | undefined = { verb, quiet: false, values: 0 };
  let block = -1;
  const last = tokens[tokens.length - 1];
  if (STORAGE.has(verb)) {
    block = storage(verb, tokens, fields, w);
    if (fields.noreply === true) reply = undefined;
  } else if (verb === 'ms' || verb === 'mg' || verb === 'md' || verb === 'ma' || verb === 'me') {
    block = meta(verb, tokens, fields, w);
    if (fields.quiet === true) reply = { ...reply, quiet: true };
    if (typeof fields.opaque === 'string') reply = { ...reply, opaque: fields.opaque };
    if (typeof fields.key === 'string') reply = { ...reply, key: fields.key };
  } else if (RETRIEVAL.has(verb)) {
    const keys = tokens.slice(verb.startsWith('gat') ? 2 : 1);
    if (keys.length === 0) w.add('violation', `${verb} needs a key: memcached answers ERROR`);
    for (const key of keys.slice(0, MAX_ARGS)) checkKey(key, w);
    fields.keys = keys.length;
    if (keys.length > 0) fields.key = utf8(keys[0]);
  } else if (verb in SHAPES) {
    const [min, max, usage] = SHAPES[verb];
    if (tokens.length < min || tokens.length > max) {
      w.add('violation', `${verb} takes ${usage}: memcached answers ERROR`);
    } else if (last === 'noreply') {
      fields.noreply = true;
      reply = undefined;
    }
    if (min >= 2 && tokens.length >= 2 && verb !== 'verbosity' && verb !== 'cache_memlimit') {
      checkKey(tokens[1], w);
      fields.key = utf8(tokens[1]);
    }
  } else if (verb === 'quit') {
    reply = undefined;
  } else if (!OTHERS.has(verb)) {
    const lower = verb.toLowerCase();
    const hint =
      lower !== verb && (STORAGE.has(lower) || RETRIEVAL.has(lower) || OTHERS.has(lower))
        ? ' (memcached commands are lowercase)'
        : '';
    w.add(
      'violation',
      verb === ''
        ? 'an empty command line: memcached answers ERROR'
        : `unknown command ${quote(Buffer.from(verb, 'latin1'))}${hint}: memcached answers ERROR`,
    );
  }
  return { ann, w, block, reply };
}

/** A classic storage command line; returns its data block's size, or -1 when none follows. */
function storage(verb: string, tokens: string[], fields: Fields, w: WarningBag): number {
  const want = verb === 'cas' ? 6 : 5;
  const casArg = verb === 'cas' ? ' <cas unique>' : '';
  const usage = `<key> <flags> <exptime> <bytes>${casArg} [noreply]`;
  if (tokens.length !== want && tokens.length !== want + 1) {
    w.add('violation', `${verb} takes ${usage}: memcached answers ERROR and reads no data block`);
    return -1;
  }
  const [, key, flags, exptime, bytes, cas] = tokens;
  fields.key = utf8(key);
  if (tokens[tokens.length - 1] === 'noreply') fields.noreply = true;
  checkKey(key, w);
  const ok =
    UINT.test(flags) &&
    Number(flags) <= 0xffffffff &&
    INT.test(exptime) &&
    INT.test(bytes) &&
    Number(bytes) >= 0 &&
    Number(bytes) <= 0x7ffffffd &&
    (verb !== 'cas' || UINT.test(cas));
  if (!ok) {
    w.add(
      'violation',
      `${verb} takes ${usage} as numbers: memcached answers CLIENT_ERROR bad command ` +
        'line format and reads no data block',
    );
    return -1;
  }
  fields.flags = Number(flags);
  fields.exptime = Number(exptime);
  fields.bytes = Number(bytes);
  if (verb === 'cas') fields.cas = cas;
  return key.length > KEY_MAX ? -1 : Number(bytes);
}

/** A meta command line; returns the data block's size for `ms`, or -1. */
function meta(verb: string, tokens: string[], fields: Fields, w: WarningBag): number {
  const key = tokens[1];
  if (key === undefined) {
    w.add('violation', `${verb} needs a key: memcached answers ERROR`);
    return -1;
  }
  const flags = tokens.slice(verb === 'ms' ? 3 : 2);
  fields.key = utf8(key);
  if (!flags.includes('b')) checkKey(key, w);
  if (flags.includes('q')) fields.quiet = true;
  const opaque = flags.find((f) => f.startsWith('O'));
  if (opaque !== undefined) fields.opaque = opaque.slice(1);
  if (verb !== 'ms') return -1;
  const size = tokens[2];
  if (size === undefined || !INT.test(size) || Number(size) < 0) {
    w.add(
      'violation',
      'ms takes <key> <datalen> <flags>*: memcached answers CLIENT_ERROR bad command ' +
        'line format and reads no data block',
    );
    return -1;
  }
  fields.bytes = Number(size);
  return key.length > KEY_MAX ? -1 : Number(size);
}

/** The memcached text protocol (classic and meta commands). */
export const memcachedProtocol: Protocol = {
  name: 'memcached',
  description: 'memcached text protocol: commands with their data blocks, replies paired',
  createFramers(options?: FramerOptions) {
    const conn = new MemcachedConnection();
    return {
      c2s: new MemcachedCommandFramer(conn, options),
      s2c: new MemcachedReplyFramer(conn, options),
    };
  },
};
