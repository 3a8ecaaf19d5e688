/**
 * Replays one recorded connection: sends each client frame in order, and before each send waits
 * for as many server frames as were recorded since the previous one (or an idle timeout). What
 * arrives between two sends is the answer of the first, compared frame by frame.
 */
import type { ConnectionSpecs } from '../framing/framingSpec';
import { formatHostPort, type HostPort } from '../proxy/address';
import { LinetapError } from '../socketErrors';
import {
  connectLive,
  type FrameObserver,
  type LiveConnection,
  type WaitEnd,
} from './liveConnection';
import type { Mask } from './masks';
import { compareExchange, type ConnectionReport, type ExchangeReport } from './replayReport';
import type { ConnectionScript, Exchange } from './replayScript';
import { sleepUntil } from './timing';

/** Settings of one connection's replay. */
export interface ConnectionReplayOptions {
  readonly target: HostPort;
  readonly specs: string | ConnectionSpecs;
  readonly masks: readonly Mask[];
  /** 1 is the recorded pace, 2 twice as fast; Infinity sends as soon as the answers are in. */
  readonly speed: number;
  /** Longest wait for an answer with nothing arriving, in ms. */
  readonly timeoutMs: number;
  /** Longest wait for the server to close after the last exchange, in ms. */
  readonly closeWaitMs: number;
  readonly maxFrameBytes?: number;
  readonly signal?: AbortSignal;
  /** Each exchange as soon as its answers are final. */
  readonly onExchange?: (x: ExchangeReport) => void;
  /**
   * Each frame as it is framed, requests and answers; an answer is seen before the exchange it
   * belongs to is reported.
   */
  readonly onFrame?: FrameObserver;
}

/** What ended an exchange's wait, kept until its window closes. */
interface Open {
  readonly exchange: Exchange;
  readonly end: WaitEnd;
}

/** Replays one connection; never rejects (a failure is the report's `error`). */
export async function replayConnection(
  script: ConnectionScript,
  o: ConnectionReplayOptions,
): Promise<ConnectionReport> {
  const target = formatHostPort(o.target);
  const base = { conn: script.conn, target };
  let live: LiveConnection;
  try {
    live = await connectLive(o.target, o.specs, o);
  } catch (e) {
    if (o.signal?.aborted) return { ...base, status: 'cancelled', exchanges: [] };
    const message = e instanceof LinetapError ? e.message : String(e);
    return { ...base, status: 'error', exchanges: [], error: message };
  }
  const reports: ExchangeReport[] = [];
  const emit = (x: ExchangeReport) => {
    reports.push(x);
    o.onExchange?.(x);
  };
  const close = (open: Open | undefined) => {
    if (open) emit(settle(script.conn, open, live.takeWindow(), o));
  };
  const startMs = performance.now();
  let open: Open | undefined;
  let stalled: string | undefined;
  let i = 0;
  for (; i < script.exchanges.length; i++) {
    const x = script.exchanges[i];
    if (x.request) {
      if (Number.isFinite(o.speed)) {
        const at = startMs + (x.request.t - script.openT) / 1000 / o.speed;
        // Answers keep arriving into the window while we wait for the recorded moment.
        await sleepUntil(at, o.signal);
      }
      if (live.gone || o.signal?.aborted) break;
      close(open);
      const sent = await live.send(x.request.bytes, o.timeoutMs);
      if (sent !== 'done') {
        open = { exchange: x, end: sent };
        i++;
        break;
      }
    }
    const end = await live.waitFrames(x.replies.length, o.timeoutMs);
    // Bytes of an answer that stopped mid-frame are shown as what came, flagged partial. After
    // the last exchange the final flush does it, held-back terminator bytes included.
    if (end === 'timeout' && i < script.exchanges.length - 1) live.cutPending();
    open = { exchange: x, end };
    // A server silent for a whole timeout has hung: waiting out every exchange left would only
    // multiply the timeout, so the rest is reported as not sent.
    if (end === 'aborted' || (end === 'timeout' && live.windowFrames === 0)) {
      if (end === 'timeout') stalled = `no answer to exchange ${x.index} in ${o.timeoutMs} ms`;
      i++;
      break;
    }
  }
  if (o.signal?.aborted) {
    live.destroy();
    close(open);
    return { ...base, status: 'cancelled', exchanges: reports };
  }
  // Answers that come after the last exchange's count, until the server closes, are extra.
  if (i === script.exchanges.length) await live.finish(o.closeWaitMs);
  else live.destroy();
  close(open);
  const reason = stalled ?? live.goneReason;
  for (; i < script.exchanges.length; i++) {
    const note = `not sent: ${reason}`;
    emit(compareExchange(script.conn, script.exchanges[i], [], o.masks, { note, notSent: true }));
  }
  const differs = reports.some((x) => x.status !== 'matched');
  const early = reports.some((x) => x.notSent) ? { note: reason } : {};
  return { ...base, status: differs ? 'differs' : 'matched', exchanges: reports, ...early };
}

/** Compares a finished window with its exchange, saying why answers are missing. */
function settle(
  conn: number,
  open: Open,
  frames: ReturnType<LiveConnection['takeWindow']>,
  o: ConnectionReplayOptions,
): ExchangeReport {
  const want = open.exchange.replies.length;
  const got = frames.length;
  let note: string | undefined;
  if (got < want) {
    const counted = `${got} of ${want} frame${want === 1 ? '' : 's'}`;
    if (open.end === 'timeout') {
      note = `${got === 0 ? 'no answer' : `only ${counted}`} after waiting ${o.timeoutMs} ms`;
    } else if (open.end === 'closed') {
      note = `the server closed the connection after ${counted}`;
    } else if (open.end === 'aborted') {
      note = 'cancelled';
    }
  }
  const timedOut = open.end === 'timeout' && got < want;
  return compareExchange(conn, open.exchange, frames, o.masks, { note, timedOut });
}
