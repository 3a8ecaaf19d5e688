/**
 * Frames from a capture: rebuilds TrafficFrames from frame events and annotates them by running
 * the framers of a spec over the recorded bytes, either keeping the recorded frame boundaries
 * or framing the bytes anew under another spec. Both directions of a connection are fed in
 * recorded order, so protocol framers pair replies with requests.
 */
import type { Frame } from '../framing/frame';
import type { Framer } from '../framing/framer';
import {
  type ConnectionSpecs,
  createConnectionFramers,
  type FramingSpec,
} from '../framing/framingSpec';
import type { Annotation, Direction, TrafficFrame } from '../../shared/traffic';
import type { CaptureEvent, CaptureHeader, FrameEvent } from './captureFormat';
import { shapedFrame } from './shapedFrame';
import { SeqWindow } from '../seqWindow';

/**
 * `recorded`: one TrafficFrame per recorded frame, bytes and flags as recorded; a frame gets
 * the annotation of the framer's frame that ends exactly where it ends (none otherwise). A frame
 * recorded `partial` in mid-stream was an idle cut, so the framer is cut there too.
 *
 * `reframe`: the bytes of each connection and direction are framed anew; boundaries, `partial`
 * and `oversize` come from the framer. `injected` and `held` are kept only on a new frame whose
 * boundaries coincide with a recorded frame's. A new frame's `t` is that of the recorded frame
 * holding its last byte (when it was complete).
 */
export type FrameMode = 'recorded' | 'reframe';

/** How to frame a capture. */
export interface CaptureFramerOptions {
  readonly mode?: FrameMode;
  /** Passed to the framers; use the recording proxy's limit to get its `oversize` cuts. */
  readonly maxFrameBytes?: number;
}

/** The framing specs of a capture's header, in the form createConnectionFramers takes. */
export function headerSpecs(header: CaptureHeader): ConnectionSpecs {
  return { c2s: header.framing.c2s, s2c: header.framing.s2c };
}

/** Frames of a whole capture in memory, under its own specs or others. */
export function captureFrames(
  events: Iterable<CaptureEvent>,
  specs: string | FramingSpec | ConnectionSpecs,
  options?: CaptureFramerOptions,
): TrafficFrame[] {
  const framer = new CaptureFramer(specs, options);
  const out: TrafficFrame[] = [];
  for (const event of events) for (const f of framer.push(event)) out.push(f);
  for (const f of framer.end()) out.push(f);
  return out;
}

/** Frames of a streamed capture, as they become known. */
export async function* streamCaptureFrames(
  events: AsyncIterable<CaptureEvent> | Iterable<CaptureEvent>,
  specs: string | FramingSpec | ConnectionSpecs,
  options?: CaptureFramerOptions,
): AsyncGenerator<TrafficFrame> {
  const framer = new CaptureFramer(specs, options);
  for await (const event of events) yield* framer.push(event);
  yield* framer.end();
}

interface Entry {
  readonly id: number;
  readonly event: FrameEvent;
  readonly seq: number;
  readonly end: number;
  resolved: boolean;
  ann?: Annotation;
  term?: string;
  re?: number;
  latency?: number;
}

interface Ref {
  readonly id: number;
  readonly seq: number;
  readonly t: number;
}

interface Side {
  readonly dir: Direction;
  readonly framer: Framer;
  /** Bytes fed to the framer, and bytes it has returned as frames. */
  fed: number;
  framed: number;
  seq: number;
  /** Recorded frames not yet passed by the framer (recorded mode) or not yet framed (reframe). */
  entries: Entry[];
  cutPending: boolean;
  /** Framer seq -> the frame it became, for pairing replies; bounded. */
  readonly bySeq: SeqWindow<Ref>;
}

interface Conn {
  readonly c2s: Side;
  readonly s2c: Side;
}

/** How many request frames per direction are remembered for pairing. */
const PAIRING_WINDOW = 65_536;

/**
 * Turns capture events into TrafficFrames, one event at a time. In `recorded` mode frames come
 * out in recorded order; a frame may wait for the next event of its direction (to learn whether
 * an idle cut was one) or for its connection to close.
 */
export class CaptureFramer {
  private readonly _mode: FrameMode;
  private readonly _conns = new Map<number, Conn>();
  private readonly _out: Entry[] = [];
  private _nextId = 1;

  constructor(
    private readonly _specs: string | FramingSpec | ConnectionSpecs,
    private readonly _options: CaptureFramerOptions = {},
  ) {
    this._mode = _options.mode ?? 'recorded';
    // Fail on a bad spec now, not at the first connection.
    createConnectionFramers(_specs, { maxFrameBytes: _options.maxFrameBytes });
  }

  /** Takes the next event; returns the frames now complete. */
  push(event: CaptureEvent): TrafficFrame[] {
    const out: TrafficFrame[] = [];
    if (event.e === 'open') {
      if (this._conns.has(event.conn)) this._endConn(event.conn, out);
      this._conn(event.conn);
    } else if (event.e === 'close') {
      this._endConn(event.conn, out);
    } else if (event.e === 'frame') {
      this._frame(event, out);
    }
    this._drain(out);
    return out;
  }

  /** End of the capture: flushes the framers of connections still open. */
  end(): TrafficFrame[] {
    const out: TrafficFrame[] = [];
    for (const conn of [...this._conns.keys()]) this._endConn(conn, out);
    this._drain(out);
    return out;
  }

  private _conn(id: number): Conn {
    let conn = this._conns.get(id);
    if (!conn) {
      const framers = createConnectionFramers(this._specs, {
        maxFrameBytes: this._options.maxFrameBytes,
      });
      conn = { c2s: side('c2s', framers.c2s), s2c: side('s2c', framers.s2c) };
      this._conns.set(id, conn);
    }
    return conn;
  }

  private _frame(event: FrameEvent, out: TrafficFrame[]): void {
    const conn = this._conn(event.conn);
    const s = conn[event.dir];
    if (s.cutPending) {
      // The proxy cut the previous frame on an idle timer: cut the framer at the same place.
      s.cutPending = false;
      const cut = s.framer.cut();
      if (cut) this._framed(event.conn, conn, s, cut, out);
      this._resolveAll(s);
    }
    const entry: Entry = {
      id: this._mode === 'recorded' ? this._nextId++ : 0,
      event,
      seq: this._mode === 'recorded' ? s.seq++ : 0,
      end: s.fed + event.bytes.length,
      resolved: false,
    };
    s.entries.push(entry);
    if (this._mode === 'recorded') this._out.push(entry);
    s.fed = entry.end;
    s.framer.feedEach(event.bytes, (f) => this._framed(event.conn, conn, s, f, out));
    s.cutPending = this._mode === 'recorded' && event.partial && s.framed < s.fed;
  }

  private _endConn(id: number, out: TrafficFrame[]): void {
    const conn = this._conns.get(id);
    if (!conn) return;
    this._conns.delete(id);
    for (const s of [conn.c2s, conn.s2c]) {
      for (const f of s.framer.flush()) this._framed(id, conn, s, f, out);
      this._resolveAll(s);
    }
  }

  /** A frame from a framer: annotate the recorded frames it ends, or emit it (reframe). */
  private _framed(id: number, conn: Conn, s: Side, f: Frame, out: TrafficFrame[]): void {
    const start = s.framed;
    const end = start + f.bytes.length;
    s.framed = end;
    const other = s.dir === 'c2s' ? conn.s2c : conn.c2s;
    const request = f.ann?.re === undefined ? undefined : other.bySeq.get(f.ann.re);
    if (this._mode === 'reframe') {
      // Drop recorded frames wholly before this one; the first left holds its last byte.
      while (s.entries.length > 1 && s.entries[0].end < end) s.entries.shift();
      const holder: Entry | undefined = s.entries[0];
      const same = holder && holder.end - holder.event.bytes.length === start && holder.end === end;
      const t = holder?.event.t ?? 0;
      const frame = trafficFrame(this._nextId++, id, s.dir, s.seq++, t, f, request);
      const flags = same ? { injected: holder.event.injected, held: holder.event.held } : {};
      out.push({ ...frame, ...flags });
      remember(s, f.seq, frame);
      return;
    }
    let target: Entry | undefined;
    while (s.entries.length > 0 && s.entries[0].end <= end) {
      const e = s.entries.shift() as Entry;
      e.resolved = true;
      if (e.end === end) target = e;
    }
    const holder = target ?? s.entries[0];
    if (holder) remember(s, f.seq, { id: holder.id, seq: holder.seq, t: holder.event.t });
    if (!target) return;
    target.term = f.term;
    target.ann = f.ann;
    if (request) {
      target.re = request.id;
      target.latency = target.event.t - request.t;
      if (f.ann && f.ann.re !== request.seq) target.ann = { ...f.ann, re: request.seq };
    }
  }

  private _resolveAll(s: Side): void {
    for (const e of s.entries) e.resolved = true;
    s.entries = [];
  }

  private _drain(out: TrafficFrame[]): void {
    let n = 0;
    while (n < this._out.length && this._out[n].resolved) {
      const e = this._out[n++];
      const term = e.term ?? this._defaultTerm(e);
      const { event } = e;
      out.push(
        shapedFrame(
          e.id,
          event.conn,
          event.dir,
          e.seq,
          event.t,
          event.bytes,
          term,
          event.partial,
          event.oversize,
          event.injected,
          event.held,
          e.ann,
          e.re,
          e.latency,
        ),
      );
    }
    if (n > 0) this._out.splice(0, n);
  }

  private _defaultTerm(e: Entry): string {
    const specs = this._specs;
    const spec = typeof specs === 'string' || 'kind' in specs ? specs : specs[e.event.dir];
    return typeof spec === 'string' ? spec : spec.spec;
  }
}

function side(dir: Direction, framer: Framer): Side {
  return {
    dir,
    framer,
    fed: 0,
    framed: 0,
    seq: 0,
    entries: [],
    cutPending: false,
    bySeq: new SeqWindow(PAIRING_WINDOW),
  };
}

function remember(s: Side, framerSeq: number, ref: Ref): void {
  s.bySeq.set(framerSeq, { id: ref.id, seq: ref.seq, t: ref.t });
}

function trafficFrame(
  id: number,
  conn: number,
  dir: Direction,
  seq: number,
  t: number,
  f: Frame,
  request: Ref | undefined,
): TrafficFrame {
  const ann = request && f.ann && f.ann.re !== request.seq ? { ...f.ann, re: request.seq } : f.ann;
  // prettier-ignore
  return shapedFrame(id, conn, dir, seq, t, f.bytes, f.term, f.partial, f.oversize, false, false,
    ann, request?.id, request ? t - request.t : undefined);
}
