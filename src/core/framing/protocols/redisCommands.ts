/**
 * Redis commands as the redis framer (redis.ts) shows them: the command's name, its arguments
 * and a one-line summary, read from a multibulk array or an inline line.
 */
import { escapeBytes } from '../../bytes';
import type { Annotation } from '../frame';
import { quote, quoteLatin1 } from './protocol';
import type { RespValue } from './resp';
import { splitInline } from './redisInline';

/** redis-server refuses longer inline commands (PROTO_INLINE_MAX_SIZE). */
export const INLINE_MAX = 64 * 1024;
/** Arguments kept of a command. */
export const MAX_ARGS = 64;
/** Bytes kept of each argument. */
export const ARG_KEEP = 1024;

/**
 * Commands whose first argument is a subcommand. A switch, not a Set: a Set hashes the name,
 * a fresh string per command, and costs more than these comparisons, which most lengths skip.
 */
function isContainer(name: string): boolean {
  switch (name) {
    case 'ACL':
    case 'CLIENT':
    case 'CLUSTER':
    case 'COMMAND':
    case 'CONFIG':
    case 'DEBUG':
    case 'FUNCTION':
    case 'LATENCY':
    case 'MEMORY':
    case 'MODULE':
    case 'OBJECT':
    case 'PUBSUB':
    case 'SCRIPT':
    case 'SLOWLOG':
    case 'XGROUP':
    case 'XINFO':
      return true;
    default:
      return false;
  }
}

/** An argument of a command: its first bytes as latin1 text (see RespItem), its whole length. */
export interface Arg {
  readonly text: string;
  readonly length: number;
}

/** A command as read: its annotation, and what pairing needs to know of it. */
export interface Command {
  readonly ann: Annotation;
  /** The command uppercased; empty when there is none. */
  readonly name: string;
  /** The subcommand of a container command (`CONFIG GET`). */
  readonly sub: string | undefined;
  /** The arguments kept, the name first. */
  readonly args: readonly Arg[];
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
    const split = splitInline(Buffer.from(v.text, 'latin1'));
    if (split.error !== undefined) w.add('violation', split.error);
    argc = split.args.length;
    // Kept as for multibulk commands: the first arguments, and their first bytes.
    args = split.args.slice(0, MAX_ARGS).map((data) => ({
      text: data.toString('latin1', 0, ARG_KEEP),
      length: data.length,
    }));
    if (argc === 0 && split.error === undefined) {
      return ignored('(empty line: redis-server ignores it)', { inline: true });
    }
  } else if (v.kind === 'garbage') {
    // A bad multibulk count: redis-server answers with a protocol error (and closes).
    const ann: Annotation = { kind: 'request', summary: quote(Buffer.from(v.text, 'latin1')) };
    return { ann, name: '', sub: undefined, args: [], argc: 0, answered: true };
  } else {
    args = v.items;
    argc = Math.max(0, v.length);
    if (!v.broken && v.length <= 0) {
      return ignored(`*${v.length} (empty command: redis-server ignores it)`, {});
    }
  }
  const name = args.length > 0 ? commandName(args[0].text) : '';
  const sub = args.length > 1 && isContainer(name) ? commandName(args[1].text) : undefined;
  const fields: Record<string, string | number | boolean> = { argc };
  if (sub !== undefined) fields.subcommand = sub;
  if (v.kind === 'inline') fields.inline = true;
  // Sized up front: a ring of recent frames keeps this array, and push() would give it room
  // for 17 elements.
  const shown = new Array<string>(Math.max(0, args.length - 1));
  for (let i = 1; i < args.length; i++) shown[i - 1] = argText(args[i]);
  const ann: Annotation = {
    kind: 'request',
    name,
    args: shown,
    summary: summarizeCommand(name, args, argc - 1, sub !== undefined),
    fields,
  };
  return { ann, name, sub, args, argc, answered: true };
}

/** An input redis-server skips without answering. */
function ignored(summary: string, fields: Record<string, boolean>): Command {
  const ann: Annotation = { kind: 'event', summary, fields: { ...fields, noreply: true } };
  return { ann, name: '', sub: undefined, args: [], argc: 0, answered: false };
}

/**
 * A command or keyword as text (its first 64 bytes, latin1 as in Arg): uppercased when it is
 * printable ASCII, else escaped.
 */
export function commandName(text: string): string {
  const raw = text.length > 64 ? text.slice(0, 64) : text;
  let lower = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return escapeBytes(Buffer.from(raw, 'latin1'));
    if (c >= 0x61 && c <= 0x7a) lower = true;
  }
  // toUpperCase is a runtime call in V8: names already uppercase skip it.
  return lower ? raw.toUpperCase() : raw;
}

/** A byte of 0x80 or more in latin1 text (whose characters are all below 0x100). */
const NOT_ASCII = /[\x80-\xff]/;

/** The argument as UTF-8 text: ASCII reads the same in latin1, and needs no decoding. */
function argText(arg: Arg): string {
  const text = NOT_ASCII.test(arg.text)
    ? Buffer.from(arg.text, 'latin1').toString('utf8')
    : arg.text;
  return arg.length > arg.text.length ? text + '…' : text;
}

/** `/^[\x21\x23-\x26\x28-\x5b\x5d-\x7e]{1,40}$/`: a token shown bare, without quotes. */
function isPlain(text: string): boolean {
  if (text.length === 0 || text.length > 40) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x22 || c === 0x27 || c === 0x5c) return false;
  }
  return true;
}
const BARE = /^(?:-?[0-9]+(?:\.[0-9]+)?|[A-Z][A-Z_-]{0,23})$/;
const COMMAND_WIDTH = 100;

/**
 * `SET greeting "hello world"`: the key (the first argument, after the subcommand if any) bare
 * when it is a plain token; later arguments bare when they are numbers or uppercase keywords
 * (`EX`, `WITHSCORES`), quoted otherwise. `args` starts with the name; `total` counts the rest.
 */
function summarizeCommand(
  name: string,
  args: readonly Arg[],
  total: number,
  hasSub: boolean,
): string {
  let out = name === '' ? '""' : name;
  for (let i = 1; i < args.length; i++) {
    const arg = args[i];
    const text = arg.length === arg.text.length && arg.length <= 40 ? arg.text : '';
    const bare = i <= (hasSub ? 2 : 1) ? isPlain(text) : BARE.test(text);
    const s = bare ? text : quoteLatin1(arg.text, arg.length, 32);
    if (out.length + 1 + s.length > COMMAND_WIDTH) return `${out} …`;
    out += ' ' + s;
  }
  return Math.max(0, args.length - 1) < total ? `${out} …` : out;
}
