/**
 * Deep checks of what the host sends, beyond isHostToWebview (which checks each message's
 * envelope). The panel renders bytes from the network, so a row, a status or a detail that is
 * not what the contract says is dropped (or its bad part left out) instead of reaching the DOM
 * as something else. Pure: tested in node.
 */
import {
  REPLAY_OUTCOMES,
  type ConnectionSummary,
  type DiffRun,
  type FrameDetail,
  type FrameRow,
  type ReplayComparison,
  type ReplayOutcome,
  type SourceInfo,
  type ViewStatus,
} from '../shared/protocol';
import type { FrameWarning } from '../shared/traffic';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const optional = (v: unknown, check: (x: unknown) => boolean) => v === undefined || check(v);
const strArray = (v: unknown) => Array.isArray(v) && v.every(isStr);
const isOutcome = (v: unknown): v is ReplayOutcome => REPLAY_OUTCOMES.includes(v as ReplayOutcome);

/**
 * True when `v` is a FrameRow the list can show. A held frame may not have reached the host's
 * table yet, and comes with index -1 (`held`).
 */
export function isFrameRow(v: unknown, held = false): v is FrameRow {
  return (
    isObj(v) &&
    (isCount(v.index) || (held && v.index === -1)) &&
    isCount(v.id) &&
    isCount(v.conn) &&
    (v.dir === 'c2s' || v.dir === 's2c') &&
    isCount(v.seq) &&
    isNum(v.t) &&
    isCount(v.size) &&
    isCount(v.flags) &&
    isStr(v.summary) &&
    optional(v.name, isStr) &&
    optional(v.warnings, strArray) &&
    optional(v.re, isCount) &&
    optional(v.latency, isNum) &&
    optional(v.outcome, isOutcome)
  );
}

/** The rows that pass isFrameRow, in order, up to the first one that does not. */
export function checkedRows(rows: readonly unknown[]): FrameRow[] {
  // Stopping at the first bad row keeps positions right: rows[k] must stay at pos + k.
  const bad = rows.findIndex((r) => !isFrameRow(r));
  return (bad < 0 ? rows : rows.slice(0, bad)) as FrameRow[];
}

function isConnection(v: unknown): v is ConnectionSummary {
  return (
    isObj(v) &&
    isCount(v.conn) &&
    isStr(v.peer) &&
    typeof v.open === 'boolean' &&
    isObj(v.bytes) &&
    isCount(v.bytes.c2s) &&
    isCount(v.bytes.s2c)
  );
}

/** A ViewStatus with its lists cleaned, or undefined when its counts are unusable. */
export function checkedStatus(v: unknown): ViewStatus | undefined {
  if (!isObj(v) || !isCount(v.total) || !isCount(v.matched) || !isCount(v.dropped)) {
    return undefined;
  }
  const progress =
    isObj(v.progress) && isCount(v.progress.done) && isCount(v.progress.total)
      ? { done: v.progress.done, total: v.progress.total }
      : undefined;
  return {
    total: v.total,
    matched: v.matched,
    dropped: v.dropped,
    growing: v.growing === true,
    progress,
    connections: Array.isArray(v.connections) ? v.connections.filter(isConnection) : [],
    held: Array.isArray(v.held) ? v.held.filter((r): r is FrameRow => isFrameRow(r, true)) : [],
    breakpoint: isStr(v.breakpoint) ? v.breakpoint : '',
  };
}

/** A SourceInfo with safe defaults for anything missing; never interactive unless it says so. */
export function checkedSource(source: unknown): SourceInfo {
  const v = isObj(source) ? source : {};
  const framing = isObj(v.framing) ? v.framing : {};
  return {
    kind: v.kind === 'live' || v.kind === 'replay' ? v.kind : 'capture',
    title: isStr(v.title) ? v.title : '',
    description: isStr(v.description) ? v.description : '',
    framing: {
      c2s: isStr(framing.c2s) ? framing.c2s : '',
      s2c: isStr(framing.s2c) ? framing.s2c : '',
    },
    interactive: v.interactive === true,
  };
}

/** A FrameDetail whose parts are what they claim, or undefined. */
export function checkedDetail(v: unknown): FrameDetail | undefined {
  if (!isObj(v) || !isFrameRow(v.row) || !(v.bytes instanceof Uint8Array)) return undefined;
  return {
    row: v.row,
    bytes: v.bytes,
    truncated: v.truncated === true,
    term: isStr(v.term) ? v.term : '',
    ann: isObj(v.ann) ? checkedAnnotation(v.ann) : undefined,
    pair: isFrameRow(v.pair) ? v.pair : undefined,
    replay: checkedComparison(v.replay),
  };
}

const isDiffRun = (r: unknown): r is DiffRun =>
  isObj(r) && (r.op === 'same' || r.op === 'removed' || r.op === 'added') && isStr(r.text);

/** A replay comparison whose parts are what they claim (bad optional parts left out). */
export function checkedComparison(v: unknown): ReplayComparison | undefined {
  if (!isObj(v) || !isOutcome(v.outcome)) return undefined;
  const recorded = v.recorded instanceof Uint8Array ? v.recorded : undefined;
  return {
    outcome: v.outcome,
    exchange: isStr(v.exchange) ? v.exchange : '',
    recorded,
    recordedSize: recorded && isCount(v.recordedSize) ? v.recordedSize : recorded?.length,
    masked: v.masked === true,
    diff: Array.isArray(v.diff) ? v.diff.filter(isDiffRun) : undefined,
    note: isStr(v.note) ? v.note : undefined,
    masks: Array.isArray(v.masks) ? v.masks.filter(isStr) : [],
  };
}

type Field = string | number | boolean;
const isField = (x: unknown): x is Field => isStr(x) || isNum(x) || typeof x === 'boolean';
const KINDS = ['request', 'reply', 'push', 'data', 'event'] as const;

function checkedAnnotation(a: Obj): FrameDetail['ann'] {
  const fields = isObj(a.fields)
    ? Object.fromEntries(Object.entries(a.fields).filter(([, x]) => isField(x)))
    : undefined;
  const warnings = Array.isArray(a.warnings)
    ? a.warnings.filter((w): w is Obj => isObj(w) && isStr(w.code) && isStr(w.message))
    : undefined;
  return {
    kind: KINDS.find((k) => k === a.kind),
    name: isStr(a.name) ? a.name : undefined,
    args: Array.isArray(a.args) ? a.args.filter(isStr) : undefined,
    summary: isStr(a.summary) ? a.summary : undefined,
    fields: fields as Record<string, Field> | undefined,
    warnings: warnings?.map((w) => ({ code: w.code, message: w.message })) as FrameWarning[],
    re: isCount(a.re) ? a.re : undefined,
  };
}
