/**
 * A capture turned into what replay and mock play: per connection, the server's greeting, then
 * each client frame with the server frames that answer it: those the protocol pairs with it, or
 * else those recorded after it and before the next client frame.
 * Both directions are framed anew with the capture's spec, so an idle cut made by the recording
 * proxy does not split a message, and live traffic framed the same way compares frame by frame.
 */
import { type Capture, readCapture, type CaptureSource } from '../capture/captureReader';
import type { CaptureError } from '../capture/captureDecode';
import type { CaptureEvent, CaptureHeader } from '../capture/captureFormat';
import { CaptureFramer, headerSpecs } from '../capture/reframe';
import type { ConnectionSpecs } from '../framing/framingSpec';
import { LinetapError } from '../socketErrors';
import type { TrafficFrame } from '../../shared/traffic';

/** One recorded frame, as it is sent or expected. */
export interface ScriptFrame {
  /** The exact bytes, terminator included. */
  readonly bytes: Buffer;
  /** Microseconds since the capture started, when the frame was complete. */
  readonly t: number;
  /** The protocol framer's one-line summary, when it gave one (`GET greeting`). */
  readonly summary?: string;
  /** Ended by close without its terminator. */
  readonly partial: boolean;
}

/**
 * One client frame and its answers: the server frames the protocol pairs with it, and those that
 * pair with nothing recorded after it, up to the next client frame. Exchange 0 is the greeting:
 * server frames before the first client frame (it has no request).
 */
export interface Exchange {
  /** 0 for the greeting, then the client frame's number from 1. */
  readonly index: number;
  readonly request?: ScriptFrame;
  readonly replies: readonly ScriptFrame[];
}

/** One recorded connection. */
export interface ConnectionScript {
  /** The connection id in the capture. */
  readonly conn: number;
  /** The recorded client address. */
  readonly peer?: string;
  /** When it opened, µs since the capture started. */
  readonly openT: number;
  /** The greeting (when the server spoke first) and one exchange per client frame, in order. */
  readonly exchanges: readonly Exchange[];
}

/** A capture ready to replay or serve. */
export interface ReplayScript {
  readonly header: CaptureHeader | undefined;
  /** The framing both sides are compared under. */
  readonly specs: string | ConnectionSpecs;
  readonly connections: readonly ConnectionScript[];
  /** Lines of the capture that could not be read; the rest is in the script. */
  readonly errors: readonly CaptureError[];
}

/** The LinetapError code of a capture whose framing is unknown (no header, none given). */
export const NO_HEADER = 'LINETAP_NO_HEADER';

/** How to build a script. */
export interface ScriptOptions {
  /** Frame under these specs instead of the header's. Required when the header is missing. */
  readonly framing?: string | ConnectionSpecs;
  readonly maxFrameBytes?: number;
  /**
   * Keep server-to-client frames the user injected while recording. A mock plays them (the
   * client saw them); a replay drops them (the server never sent them). Default false.
   */
  readonly keepInjectedReplies?: boolean;
}

/** Builds the script of a capture read into memory. */
export function buildScript(capture: Capture, options: ScriptOptions = {}): ReplayScript {
  const header = capture.header;
  const specs = options.framing ?? (header ? headerSpecs(header) : undefined);
  if (!specs) {
    throw new LinetapError(
      'the capture has no header line, so its framing is unknown: give the framing',
      NO_HEADER,
    );
  }
  const framer = new CaptureFramer(specs, {
    mode: 'reframe',
    maxFrameBytes: options.maxFrameBytes,
  });
  const conns = new Map<number, Building>();
  const get = (conn: number, t: number): Building => {
    let b = conns.get(conn);
    if (!b) {
      b = { conn, openT: t, exchanges: [] };
      conns.set(conn, b);
    }
    return b;
  };
  // The exchange of each request frame, by frame id, for the replies that pair with it.
  const byRequest = new Map<number, Exchange>();
  const take = (frames: Iterable<TrafficFrame>) => {
    for (const f of frames) {
      const b = get(f.conn, f.t);
      const frame: ScriptFrame = {
        bytes: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength),
        t: f.t,
        partial: f.partial,
        ...(f.ann?.summary !== undefined && { summary: f.ann.summary }),
      };
      if (f.dir === 'c2s') {
        const x: Exchange = {
          index: b.exchanges.length + (hasGreeting(b) ? 0 : 1),
          request: frame,
          replies: [],
        };
        b.exchanges.push(x);
        byRequest.set(f.id, x);
      } else {
        if (b.exchanges.length === 0) b.exchanges.push({ index: 0, replies: [] });
        // A reply the protocol pairs goes with its request: the requests of a pipelined client
        // each get their own answers (replayed one by one, and a mock answers each as it comes)
        // rather than all in the window of the last one. Anything else stays where it came.
        const paired = f.re === undefined ? undefined : byRequest.get(f.re);
        const x = paired ?? b.exchanges[b.exchanges.length - 1];
        (x.replies as ScriptFrame[]).push(frame);
      }
    }
  };
  for (const event of capture.events) {
    if (event.e === 'open') {
      const b = get(event.conn, event.t);
      b.peer ??= event.peer;
    }
    if (isInjectedReply(event) && !options.keepInjectedReplies) continue;
    take(framer.push(event));
  }
  take(framer.end());
  const connections = [...conns.values()]
    .filter((b) => b.exchanges.length > 0)
    .sort((a, b) => a.openT - b.openT || a.conn - b.conn);
  return { header, specs, connections, errors: capture.errors };
}

/** Reads a capture (file path or stream) and builds its script. */
export async function loadScript(
  source: CaptureSource,
  options: ScriptOptions = {},
): Promise<ReplayScript> {
  let capture: Capture;
  try {
    capture = await readCapture(source);
  } catch (e) {
    const err = e as Error & { code?: string };
    const name = typeof source === 'string' ? `"${source}"` : '';
    const why =
      err.code === 'ENOENT'
        ? 'no such file'
        : err.code === 'EACCES'
          ? 'permission denied'
          : err.message;
    throw new LinetapError(`cannot read the capture ${name}: ${why}`, err.code, { cause: e });
  }
  return buildScript(capture, options);
}

/** Frames the client sent, over every connection. */
export function clientFrameCount(script: ReplayScript): number {
  let n = 0;
  for (const c of script.connections) for (const x of c.exchanges) if (x.request) n++;
  return n;
}

/** Frames the server sent, over every connection. */
export function serverFrameCount(script: ReplayScript): number {
  let n = 0;
  for (const c of script.connections) for (const x of c.exchanges) n += x.replies.length;
  return n;
}

interface Building {
  readonly conn: number;
  peer?: string;
  openT: number;
  exchanges: Exchange[];
}

function hasGreeting(b: Building): boolean {
  return b.exchanges.length > 0 && b.exchanges[0].index === 0;
}

function isInjectedReply(event: CaptureEvent): boolean {
  return event.e === 'frame' && event.dir === 's2c' && event.injected;
}
