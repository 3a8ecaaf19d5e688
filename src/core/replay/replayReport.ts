/**
 * What a replay found, structured for the CLI (human and --json) and the VS Code panel: per
 * connection, per exchange, per frame, with the exact expected and actual bytes and a diff.
 */
import { isValidUtf8 } from '../bytes';
import type { CaptureError } from '../capture/captureDecode';
import { compareFrames, type FrameDiff, formatDiff } from './frameCompare';
import type { Mask } from './masks';
import type { Exchange } from './replayScript';

/**
 * `matched`: equal bytes, or equal through the masks. `differs`: both sides have a frame and
 * they are not equal. `missing`: recorded, but the server did not send it. `extra`: the server
 * sent it, but it was not recorded.
 */
export type FrameStatus = 'matched' | 'differs' | 'missing' | 'extra';

/** One recorded frame against the live frame in the same place. */
export interface FrameResult {
  readonly status: FrameStatus;
  readonly expected?: Buffer;
  readonly actual?: Buffer;
  /** Matched only through masks. */
  readonly masked?: boolean;
  /** The live frame ended without its terminator (cut at the timeout, or at close). */
  readonly partial?: boolean;
  readonly diff?: FrameDiff;
}

/** One exchange: the request sent and how the answers compared. */
export interface ExchangeReport {
  readonly conn: number;
  /** 0 for the greeting, then the client frame's number from 1. */
  readonly index: number;
  /** The bytes sent (none for the greeting). */
  readonly request?: Buffer;
  /** The request's protocol summary, when the framer gave one. */
  readonly summary?: string;
  /** The worst of the frames: differs, then missing, then extra, then matched. */
  readonly status: FrameStatus;
  readonly frames: readonly FrameResult[];
  /** Why answers are missing, in words: a timeout (with how long), the server closing. */
  readonly note?: string;
  /** The wait for answers ran out. */
  readonly timedOut?: boolean;
  /** The request was never sent (the connection had ended). */
  readonly notSent?: boolean;
}

/** One connection of the capture, replayed. */
export interface ConnectionReport {
  /** The connection id in the capture. */
  readonly conn: number;
  readonly target: string;
  /** `error` when the replay could not run (refused, not found); see `error`. */
  readonly status: 'matched' | 'differs' | 'error' | 'cancelled';
  readonly exchanges: readonly ExchangeReport[];
  /** Why the connection could not be replayed, in words a person can act on. */
  readonly error?: string;
  /** How the live connection ended, when it ended early or oddly. */
  readonly note?: string;
}

/** Exchanges by status. */
export interface ReplayCounts {
  readonly exchanges: number;
  readonly matched: number;
  readonly differs: number;
  readonly missing: number;
  readonly extra: number;
}

/** A whole replay. */
export interface ReplayReport {
  readonly target: string;
  readonly connections: readonly ConnectionReport[];
  readonly counts: ReplayCounts;
  /** Capture lines that could not be read (the rest was replayed). */
  readonly captureErrors: readonly CaptureError[];
  /** Connections that could not run. */
  readonly errors: number;
  /** Stopped through the AbortSignal before the end. */
  readonly cancelled: boolean;
}

const RANK: Record<FrameStatus, number> = { matched: 0, extra: 1, missing: 2, differs: 3 };

/** Compares an exchange's recorded answers with the live ones, frame by frame in order. */
export function compareExchange(
  conn: number,
  exchange: Exchange,
  actual: readonly { readonly bytes: Buffer; readonly partial: boolean }[],
  masks: readonly Mask[],
  extra: { note?: string; timedOut?: boolean; notSent?: boolean } = {},
): ExchangeReport {
  const frames: FrameResult[] = [];
  const n = Math.max(exchange.replies.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = exchange.replies[i]?.bytes;
    const a = actual[i];
    const partial = a?.partial ? { partial: true } : {};
    if (e === undefined) frames.push({ status: 'extra', actual: a.bytes, ...partial });
    else if (a === undefined) frames.push({ status: 'missing', expected: e });
    else {
      const c = compareFrames(e, a.bytes, masks);
      frames.push(
        c.equal
          ? { status: 'matched', expected: e, actual: a.bytes, ...(c.masked && { masked: true }) }
          : { status: 'differs', expected: e, actual: a.bytes, diff: c.diff, ...partial },
      );
    }
  }
  let status: FrameStatus = extra.notSent ? 'missing' : 'matched';
  for (const f of frames) if (RANK[f.status] > RANK[status]) status = f.status;
  return {
    conn,
    index: exchange.index,
    ...(exchange.request && { request: exchange.request.bytes }),
    ...(exchange.request?.summary !== undefined && { summary: exchange.request.summary }),
    status,
    frames,
    ...(extra.note !== undefined && { note: extra.note }),
    ...(extra.timedOut && { timedOut: true }),
    ...(extra.notSent && { notSent: true }),
  };
}

/** `conn 1 #2 GET greeting`, or `conn 1 greeting` for what the server sent first. */
export function exchangeLabel(x: ExchangeReport): string {
  if (x.index === 0) return `conn ${x.conn} greeting`;
  return `conn ${x.conn} #${x.index}${x.summary ? ` ${x.summary}` : ''}`;
}

/** Counts exchanges by status over connections. */
export function countExchanges(connections: readonly ConnectionReport[]): ReplayCounts {
  const counts = { exchanges: 0, matched: 0, differs: 0, missing: 0, extra: 0 };
  for (const c of connections) {
    for (const x of c.exchanges) {
      counts.exchanges++;
      counts[x.status]++;
    }
  }
  return counts;
}

/**
 * The CLI's exit code: 2 when something could not run (a connection, capture lines, a cancel),
 * else 1 when any exchange did not match, else 0.
 */
export function replayExitCode(report: ReplayReport): 0 | 1 | 2 {
  if (report.errors > 0 || report.captureErrors.length > 0 || report.cancelled) return 2;
  return report.counts.matched === report.counts.exchanges ? 0 : 1;
}

/** Bytes for JSON: `{text}` when valid UTF-8 (readable, exact), else `{b64}`. */
export function bytesToJson(b: Uint8Array): { text: string } | { b64: string } {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return isValidUtf8(buf) ? { text: buf.toString('utf8') } : { b64: buf.toString('base64') };
}

/** An exchange as the `--json` object of one line. */
export function exchangeToJson(x: ExchangeReport): Record<string, unknown> {
  return {
    type: 'exchange',
    conn: x.conn,
    index: x.index,
    status: x.status,
    ...(x.request && { request: bytesToJson(x.request) }),
    ...(x.summary !== undefined && { summary: x.summary }),
    ...(x.note !== undefined && { note: x.note }),
    ...(x.timedOut && { timedOut: true }),
    ...(x.notSent && { notSent: true }),
    // A frame that matched byte for byte is its size only: its bytes are in the capture, and
    // a large answer would otherwise fill the log twice.
    frames: x.frames.map((f) =>
      f.status === 'matched' && !f.masked
        ? { status: f.status, size: f.expected!.length }
        : frameToJson(f),
    ),
  };
}

function frameToJson(f: FrameResult): Record<string, unknown> {
  return {
    status: f.status,
    ...(f.expected && { expected: bytesToJson(f.expected) }),
    ...(f.actual && { actual: bytesToJson(f.actual) }),
    ...(f.masked && { masked: true }),
    ...(f.partial && { partial: true }),
    ...(f.diff && { diff: formatDiff(f.diff) }),
  };
}

/** A connection's outcome as the `--json` object of one line (its exchanges come before it). */
export function connectionToJson(c: ConnectionReport): Record<string, unknown> {
  return {
    type: 'connection',
    conn: c.conn,
    target: c.target,
    status: c.status,
    ...countExchanges([c]),
    ...(c.error !== undefined && { error: c.error }),
    ...(c.note !== undefined && { note: c.note }),
  };
}
