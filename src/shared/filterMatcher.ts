/**
 * Filter evaluation: a FilterNode compiled into one closure per node, run over a frame whose
 * payload text is decoded at most once per call, and only if a text or regex term asks for it.
 */
import type { FilterNode, FilterOp, FilterValue, FlagName } from './filterSyntax';
import type { TrafficFrame } from './traffic';

/** How many bytes of a payload text terms and regexes see. */
export const FILTER_TEXT_LIMIT = 64 * 1024;

// src/shared is checked without DOM or Node types; both provide this global.
declare const TextDecoder: new (
  label?: string,
  options?: { fatal?: boolean; ignoreBOM?: boolean },
) => { decode(input?: Uint8Array): string };

// ignoreBOM keeps a leading BOM in the text instead of dropping it silently.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** The payload of one frame as text, decoded on first use and kept for the rest of the call. */
class Payload {
  private decoded: string | undefined;
  private lowered: string | undefined;

  constructor(readonly frame: TrafficFrame) {}

  text(): string {
    return (this.decoded ??= decodeCapped(this.frame.bytes));
  }

  lower(): string {
    return (this.lowered ??= this.text().toLowerCase());
  }
}

function decodeCapped(bytes: Uint8Array): string {
  if (bytes.length <= FILTER_TEXT_LIMIT) return decoder.decode(bytes);
  // Cut before a character that straddles the limit, rather than invent a U+FFFD for it.
  let end = FILTER_TEXT_LIMIT;
  while (end > FILTER_TEXT_LIMIT - 3 && (bytes[end] & 0xc0) === 0x80) end--;
  return decoder.decode(bytes.subarray(0, end));
}

type Predicate = (payload: Payload) => boolean;
type Scalar = string | number | boolean;
type Getter = (frame: TrafficFrame) => Scalar | readonly Scalar[] | undefined;

/** Compiles a node into a test of one frame. */
export function compileFilter(node: FilterNode): (frame: TrafficFrame) => boolean {
  const predicate = compileNode(node);
  return (frame) => predicate(new Payload(frame));
}

function compileNode(node: FilterNode): Predicate {
  switch (node.type) {
    case 'and': {
      const items = node.items.map(compileNode);
      return (p) => items.every((item) => item(p));
    }
    case 'or': {
      const items = node.items.map(compileNode);
      return (p) => items.some((item) => item(p));
    }
    case 'not': {
      const item = compileNode(node.item);
      return (p) => !item(p);
    }
    case 'dir': {
      const dir = node.dir;
      return (p) => p.frame.dir === dir;
    }
    case 'flag':
      return FLAGS[node.flag];
    case 'has': {
      const get = getter(`field.${node.field}`);
      return (p) => {
        const value = get(p.frame);
        return value !== undefined && value !== false;
      };
    }
    case 'text': {
      const needle = node.exact ? node.text : node.text.toLowerCase();
      return node.exact ? (p) => p.text().includes(needle) : (p) => p.lower().includes(needle);
    }
    case 'regex': {
      // No g or y flag is accepted, so test() keeps no state between frames.
      const re = node.re;
      return (p) => re.test(p.text());
    }
    case 'cmp':
      return compileComparison(node.key, node.op, node.values);
  }
}

const FLAGS: Readonly<Record<FlagName, Predicate>> = {
  partial: (p) => p.frame.partial,
  oversize: (p) => p.frame.oversize,
  injected: (p) => p.frame.injected,
  held: (p) => p.frame.held,
  warning: (p) => (p.frame.ann?.warnings?.length ?? 0) > 0,
  re: (p) => p.frame.re !== undefined || p.frame.ann?.re !== undefined,
};

const GETTERS: Readonly<Record<string, Getter>> = {
  dir: (f) => f.dir,
  conn: (f) => f.conn,
  id: (f) => f.id,
  seq: (f) => f.seq,
  re: (f) => f.re,
  time: (f) => f.t,
  latency: (f) => f.latency,
  size: (f) => f.bytes.length,
  name: (f) => f.ann?.name,
  kind: (f) => f.ann?.kind,
  arg: (f) => f.ann?.args,
  term: (f) => f.term,
  warning: (f) => f.ann?.warnings?.map((w) => w.code),
};

function getter(key: string): Getter {
  if (!key.startsWith('field.')) return GETTERS[key];
  const name = key.slice('field.'.length);
  return (f) => {
    const fields = f.ann?.fields;
    // hasOwn: a field named "constructor" must not find Object.prototype's.
    return fields && Object.hasOwn(fields, name) ? fields[name] : undefined;
  };
}

function compileComparison(key: string, op: FilterOp, values: readonly FilterValue[]): Predicate {
  const get = getter(key);
  const bound = values[0].kind === 'number' ? values[0].n : NaN;
  const tests = values.map(equalityTest);
  const test: (v: Scalar) => boolean =
    op === '>'
      ? (v) => toNumber(v) > bound
      : op === '>='
        ? (v) => toNumber(v) >= bound
        : op === '<'
          ? (v) => toNumber(v) < bound
          : op === '<='
            ? (v) => toNumber(v) <= bound
            : (v) => tests.some((t) => t(v));
  return (p) => {
    const got = get(p.frame);
    // Checked loosely: frames from capture files or messages may carry null where types say not.
    if (got === undefined || got === null) return false;
    if (isList(got)) {
      // A list (arguments, warnings) is absent when empty; `!=` needs one and none may match.
      return op === '!=' ? got.length > 0 && !got.some(test) : got.some(test);
    }
    return op === '!=' ? !test(got) : test(got);
  };
}

function isList(value: Scalar | readonly Scalar[]): value is readonly Scalar[] {
  return Array.isArray(value);
}

function equalityTest(value: FilterValue): (v: Scalar) => boolean {
  switch (value.kind) {
    case 'number': {
      const n = value.n;
      return (v) => toNumber(v) === n;
    }
    case 'regex': {
      const re = value.re;
      return (v) => re.test(String(v));
    }
    case 'string': {
      const { s, exact, n } = value;
      const lower = s.toLowerCase();
      return (v) => {
        if (typeof v === 'number') return v === n;
        return exact ? String(v) === s : String(v).toLowerCase() === lower;
      };
    }
  }
}

function toNumber(v: Scalar): number {
  if (typeof v === 'number') return v;
  return typeof v === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(v) ? Number(v) : NaN;
}
