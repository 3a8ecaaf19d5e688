/**
 * The filter language's syntax tree, its vocabulary of keys and flags, and its printer: what
 * filterParser.ts builds and filter.ts evaluates. The language itself is described in filter.ts.
 */
import type { Direction, WarningCode } from './traffic';

/** A comparison operator; `=` and `==` are read as `:`. */
export type FilterOp = ':' | '!=' | '>' | '>=' | '<' | '<=';

/**
 * How a key's values parse, compare and print: whole numbers (conn), byte counts with k/m
 * (size), durations in microseconds written with units (latency), text (name), one of a fixed
 * set (dir, kind, warning), or a protocol field, which compares as a number when it can.
 */
export type KeyType =
  'count' | 'bytes' | 'duration' | 'text' | 'dir' | 'kind' | 'warning' | 'field';

/** A presence test written as a bare word. */
export type FlagName = 'partial' | 'oversize' | 'injected' | 'held' | 'warning' | 're';

/** One value on the right of a comparison; text is `exact` when quoted, `n` when numeric. */
export type FilterValue =
  | { readonly kind: 'number'; readonly n: number }
  | { readonly kind: 'string'; readonly s: string; readonly exact: boolean; readonly n?: number }
  | {
      readonly kind: 'regex';
      readonly source: string;
      readonly flags: string;
      readonly re: RegExp;
    };

/** A parsed filter node; `has` is `field.NAME` alone, a `cmp` key is `conn` or `field.NAME`. */
export type FilterNode =
  | { readonly type: 'and' | 'or'; readonly items: readonly FilterNode[] }
  | { readonly type: 'not'; readonly item: FilterNode }
  | { readonly type: 'dir'; readonly dir: Direction }
  | { readonly type: 'flag'; readonly flag: FlagName }
  | { readonly type: 'has'; readonly field: string }
  | { readonly type: 'text'; readonly text: string; readonly exact: boolean }
  | { readonly type: 'regex'; readonly source: string; readonly flags: string; readonly re: RegExp }
  | {
      readonly type: 'cmp';
      readonly key: string;
      readonly op: FilterOp;
      readonly values: readonly FilterValue[];
    };

/** The built-in keys and their value types, in the order error messages list them. */
export const BUILTIN_KEYS: Readonly<Record<string, KeyType>> = {
  dir: 'dir',
  conn: 'count',
  id: 'count',
  seq: 'count',
  re: 'count',
  time: 'duration',
  latency: 'duration',
  size: 'bytes',
  name: 'text',
  kind: 'kind',
  arg: 'text',
  term: 'text',
  warning: 'warning',
};

/** Protocol fields that may be written without `field.`: `status>=400` is `field.status>=400`. */
export const FIELD_SHORTHANDS: readonly string[] = [
  'status',
  // SMTP's reply code (`code>=400`: the refusals).
  'code',
  'key',
  'length',
  'ending',
  'opcode',
  'method',
  'path',
  // A replayed frame's outcome (matched, differs, missing, extra), in replay panels.
  'replay',
];

/** The annotation kinds `kind:` accepts. */
export const KINDS: readonly string[] = ['request', 'reply', 'push', 'data', 'event'];

// A record, so that adding a WarningCode without listing it here fails to compile.
const WARNING_CODE_SET: Readonly<Record<WarningCode, true>> = {
  'bare-lf': true,
  'mixed-endings': true,
  'invalid-utf8': true,
  'long-line': true,
  violation: true,
  unpaired: true,
  truncated: true,
};

/** The warning codes `warning:` accepts. */
export const WARNING_CODES = Object.keys(WARNING_CODE_SET) as readonly WarningCode[];

const KEY_ALIASES: Readonly<Record<string, string>> = { t: 'time', 'reply-to': 're' };
const FLAG_WORDS: Readonly<Record<string, FlagName>> = {
  partial: 'partial',
  oversize: 'oversize',
  injected: 'injected',
  held: 'held',
  warning: 'warning',
  re: 're',
  'reply-to': 're',
};

/** The flag a bare word names, if any (case-insensitive). */
export function flagFor(word: string): FlagName | undefined {
  const lower = word.toLowerCase();
  return Object.hasOwn(FLAG_WORDS, lower) ? FLAG_WORDS[lower] : undefined;
}

/** The canonical key (`conn`, `field.status`) a typed key names, or undefined if unknown. */
export function resolveKey(ident: string): string | undefined {
  const lower = ident.toLowerCase();
  if (lower.startsWith('field.')) {
    // Protocol field names are matched as written: they are identifiers from the framers.
    return ident.length > 'field.'.length ? `field.${ident.slice('field.'.length)}` : undefined;
  }
  const key = Object.hasOwn(KEY_ALIASES, lower) ? KEY_ALIASES[lower] : lower;
  if (Object.hasOwn(BUILTIN_KEYS, key)) return key;
  return FIELD_SHORTHANDS.includes(key) ? `field.${key}` : undefined;
}

/** The value type of a canonical key. */
export function keyType(key: string): KeyType {
  return key.startsWith('field.') ? 'field' : BUILTIN_KEYS[key];
}

/** The keys a person can type without `field.`. */
export function keyNames(): string[] {
  return [...Object.keys(BUILTIN_KEYS), ...FIELD_SHORTHANDS];
}

/** The known key within two edits of a mistyped one, if any. */
export function closestKey(word: string): string | undefined {
  const candidates = keyNames();
  let best: string | undefined;
  let bestDistance = 3;
  for (const key of candidates) {
    const d = editDistance(word, key);
    if (d < bestDistance) [best, bestDistance] = [key, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/** The keys a person can type, for error messages. */
export function knownKeys(): string {
  return `${keyNames().join(', ')}, or field.NAME`;
}

/** `text` in double quotes, escaped so that the parser reads back exactly `text`. */
export function quote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    // Lone surrogates would not survive being written out as UTF-8.
    else if (code >= 0xd800 && code <= 0xdfff) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A duration in microseconds, in the largest unit that keeps it whole. */
export function formatDuration(us: number): string {
  if (us !== 0 && us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  if (us !== 0 && us % 1000 === 0) return `${us / 1000}ms`;
  return us === 0 ? '0' : `${us}us`;
}

function printValue(key: string, value: FilterValue): string {
  switch (value.kind) {
    case 'number':
      return keyType(key) === 'duration' ? formatDuration(value.n) : String(value.n);
    case 'string':
      return value.exact ? quote(value.s) : value.s;
    case 'regex':
      return `/${value.source}/${value.flags}`;
  }
}

function printKey(key: string): string {
  const field = key.startsWith('field.') ? key.slice('field.'.length) : undefined;
  return field !== undefined && !FIELD_SHORTHANDS.includes(field) ? key : (field ?? key);
}

const PRECEDENCE = { or: 1, and: 2, not: 3 } as const;

/** The normalised text of a node; parsing it gives back an equivalent node. */
export function printNode(node: FilterNode, outer = 0): string {
  switch (node.type) {
    case 'and':
    case 'or': {
      const inner = PRECEDENCE[node.type];
      const text = node.items
        .map((item) => printNode(item, inner))
        .join(node.type === 'and' ? ' ' : ' or ');
      return inner < outer ? `(${text})` : text;
    }
    case 'not':
      return `not ${printNode(node.item, PRECEDENCE.not)}`;
    case 'dir':
      return node.dir;
    case 'flag':
      return node.flag;
    case 'has':
      // Always with the prefix: a bare `status` is a text search.
      return `field.${node.field}`;
    case 'text':
      return node.exact ? quote(node.text) : node.text;
    case 'regex':
      return `/${node.source}/${node.flags}`;
    case 'cmp': {
      const values = node.values.map((v) => printValue(node.key, v));
      return `${printKey(node.key)}${node.op}${values.join(',')}`;
    }
  }
}
