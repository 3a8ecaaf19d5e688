/**
 * Redis commands as the redis framer (redis.ts) shows them: the command's name, its arguments
 * and a one-line summary, read from a multibulk array or an inline line.
 */
import { escapeBytes } from '../../bytes';
import type { Annotation } from '../frame';
import { quote, quoteText } from './protocol';
import type { RespValue } from './resp';
import { splitInline } from './redisInline';

/** redis-server refuses longer inline commands (PROTO_INLINE_MAX_SIZE). */
export const INLINE_MAX = 64 * 1024;
/** Arguments kept of a command. */
export const MAX_ARGS = 64;
/** Bytes kept of each argument. */
export const ARG_KEEP = 1024;

/** Commands whose first argument is a subcommand. */
const CONTAINERS = new Set(
  (
    'ACL CLIENT CLUSTER COMMAND CONFIG DEBUG FUNCTION LATENCY MEMORY MODULE OBJECT PUBSUB ' +
    'SCRIPT SLOWLOG XGROUP XINFO'
  ).split(' '),
);

/** An argument of a command: its first bytes, and its whole length. */
export interface Arg {
  readonly data: Buffer;
  readonly length: number;
}

/** A command as read: its annotation, and what pairing needs to know of it. */
export interface Command {
  readonly ann: Annotation;
  /** The command uppercased; empty when there is none. */
  readonly name: string;
  /** The subcommand of a container command (`CONFIG GET`). */
  readonly sub: string | undefined;
  /** The arguments after the name. */
  readonly rest: readonly Arg[];
  readonly argc: number;
  /** False for what redis-server skips without an answer: empty lines and empty arrays. */
  readonly answered: boolean;
}

/** Reads a client value (multibulk, inline or garbage) as a command; warnings go to the value. */
export function describeCommand(v: RespValue): Command {
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
      data: data.subarray(0, ARG_KEEP),
      length: data.length,
    }));
    if (argc === 0 && split.error === undefined) {
      return ignored('(empty line: redis-server ignores it)', { inline: true });
    }
  } else if (v.kind === 'garbage') {
    // A bad multibulk count: redis-server answers with a protocol error (and closes).
    const ann: Annotation = { kind: 'request', summary: quote(v.data) };
    return { ann, name: '', sub: undefined, rest: [], argc: 0, answered: true };
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
  const ann: Annotation = {
    kind: 'request',
    name,
    args: rest.map(argText),
    summary: summarizeCommand(name, rest, argc - 1, sub !== undefined),
    fields,
  };
  return { ann, name, sub, rest, argc, answered: true };
}

/** An input redis-server skips without answering. */
function ignored(summary: string, fields: Record<string, boolean>): Command {
  const ann: Annotation = { kind: 'event', summary, fields: { ...fields, noreply: true } };
  return { ann, name: '', sub: undefined, rest: [], argc: 0, answered: false };
}

/** A command or keyword as text: uppercased when it is printable ASCII, else escaped. */
export function commandName(data: Buffer): string {
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
