/**
 * Client replay: plays the client side of each recorded connection against a server (the
 * recorded upstream or another) and compares its answers with the recording, frame by frame,
 * through masks for volatile fields. Reports progress as it goes and stops on an AbortSignal,
 * so an editor can show a progress bar with a cancel button.
 */
import type { Direction, Frame } from '../framing/frame';
import { formatHostPort, type HostPort, parseHostPort } from '../proxy/address';
import { LinetapError } from '../socketErrors';
import { type Mask, parseMasks } from './masks';
import { replayConnection } from './replayConnection';
import {
  type ConnectionReport,
  countExchanges,
  type ExchangeReport,
  type ReplayReport,
} from './replayReport';
import { clientFrameCount, type ReplayScript } from './replayScript';
import { sleepUntil } from './timing';

export { parseTiming } from './timing';

/** What a replay reports while it runs. */
export type ReplayProgress =
  | {
      readonly type: 'connection-start';
      readonly conn: number;
      /** Position among the connections, from 0, and how many there are. */
      readonly index: number;
      readonly total: number;
      readonly target: string;
    }
  | { readonly type: 'exchange'; readonly exchange: ExchangeReport }
  | { readonly type: 'connection-end'; readonly connection: ConnectionReport };

/** A frame of the replay's live traffic: a request sent, or an answer received. */
export interface ReplayFrame {
  /** The connection id in the capture. */
  readonly conn: number;
  readonly dir: Direction;
  /** Framed and annotated under the capture's specs. */
  readonly frame: Frame;
  /** Microseconds since the replay started. */
  readonly t: number;
}

/** How to replay. */
export interface ReplayOptions {
  /** `HOST:PORT` to replay against; default the capture's recorded upstream. */
  readonly target?: string | HostPort;
  /** Ready-made names, regexes, or parsed masks, for volatile fields. */
  readonly masks?: readonly (string | Mask)[];
  /**
   * Pace: Infinity (the default) sends each request as soon as the answers to the previous one
   * are in; 1 keeps the recorded gaps too; 2 halves them, 0.5 doubles them.
   */
  readonly speed?: number;
  /** Run connections at their recorded start times, overlapping as recorded. Default false. */
  readonly concurrent?: boolean;
  /** Longest wait for an answer with nothing arriving, in ms. Default 5000. */
  readonly timeoutMs?: number;
  /** Longest wait for the server to close after the last exchange. Default min(1000, timeout). */
  readonly closeWaitMs?: number;
  readonly maxFrameBytes?: number;
  /** Cancels the replay; it resolves with what was done, `cancelled` set. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ReplayProgress) => void;
  /**
   * Every frame as it crosses, for a view of the replay's traffic. Calls and onProgress calls
   * come in one order: the answers of an exchange before its `exchange` event.
   */
  readonly onFrame?: (frame: ReplayFrame) => void;
}

/** Replays a script; resolves with the report (connection failures are in it, not thrown). */
export async function replayScript(
  script: ReplayScript,
  options: ReplayOptions = {},
): Promise<ReplayReport> {
  if (clientFrameCount(script) === 0) {
    throw new LinetapError(
      script.connections.length === 0
        ? 'the capture holds no frames: nothing to replay'
        : 'the capture has no client frames: nothing to send, so nothing to replay',
    );
  }
  const target = replayTarget(script, options.target);
  const masks = parseMasks(options.masks);
  const speed = options.speed ?? Infinity;
  if (!(speed > 0)) throw new RangeError(`the replay speed must be above 0, got ${speed}`);
  const timeoutMs = options.timeoutMs ?? 5000;
  const shared = {
    target,
    specs: script.specs,
    masks,
    speed,
    timeoutMs,
    closeWaitMs: options.closeWaitMs ?? Math.min(1000, timeoutMs),
    maxFrameBytes: options.maxFrameBytes,
    signal: options.signal,
  };
  const progress = options.onProgress ?? (() => undefined);
  const conns = script.connections;
  const first = conns.length > 0 ? conns[0].openT : 0;
  const startMs = performance.now();
  const run = async (index: number): Promise<ConnectionReport> => {
    const c = conns[index];
    if (Number.isFinite(speed))
      await sleepUntil(startMs + (c.openT - first) / 1000 / speed, options.signal);
    if (options.signal?.aborted) {
      return { conn: c.conn, target: formatHostPort(target), status: 'cancelled', exchanges: [] };
    }
    progress({
      type: 'connection-start',
      conn: c.conn,
      index,
      total: conns.length,
      target: formatHostPort(target),
    });
    const onFrame = options.onFrame;
    const report = await replayConnection(c, {
      ...shared,
      onExchange: (exchange) => progress({ type: 'exchange', exchange }),
      ...(onFrame && {
        onFrame: (dir: Direction, frame: Frame) =>
          onFrame({
            conn: c.conn,
            dir,
            frame,
            t: Math.round((performance.now() - startMs) * 1000),
          }),
      }),
    });
    progress({ type: 'connection-end', connection: report });
    return report;
  };
  let reports: ConnectionReport[];
  if (options.concurrent) {
    reports = await Promise.all(conns.map((_, i) => run(i)));
  } else {
    reports = [];
    for (let i = 0; i < conns.length && !options.signal?.aborted; i++) reports.push(await run(i));
  }
  return {
    target: formatHostPort(target),
    connections: reports,
    counts: countExchanges(reports),
    captureErrors: script.errors,
    errors: reports.filter((r) => r.status === 'error').length,
    cancelled: options.signal?.aborted === true,
  };
}

/** The target: the option, else the capture's recorded upstream. */
export function replayTarget(script: ReplayScript, target?: string | HostPort): HostPort {
  if (typeof target === 'object') return target;
  const text = target ?? script.header?.upstream;
  if (!text) {
    throw new LinetapError('the capture does not say which server it recorded: give a target');
  }
  return parseHostPort(text);
}
