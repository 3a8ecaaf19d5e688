/**
 * A replay's traffic as panel frames, built from the replay's onFrame and onProgress calls:
 * each request as it is sent, and the server's frames once their exchange has been compared,
 * each with its outcome. So a row never changes after it is shown, and a filter on the outcome
 * (`replay!=matched`) sees it. A recorded answer the server did not send becomes a
 * placeholder row with no bytes, so missing answers are in the list too.
 */
import { escapeBytes } from '../bytes';
import { SeqWindow } from '../seqWindow';
import type { Frame } from '../framing/frame';
import type { FrameTableLimits } from '../view/frameTable';
import {
  type ConnectionSummary,
  REPLAY_OUTCOME_FIELD,
  type ReplayOutcome,
} from '../../shared/protocol';
import { type Annotation, type Direction, otherDirection } from '../../shared/traffic';
import type { ReplayFrame, ReplayProgress } from './clientReplay';
import type { ExchangeReport, FrameResult } from './replayReport';
import { ReplayTable } from './replayTable';

/** Frames remembered per connection and direction for pairing replies with requests. */
const REMEMBERED = 1024;
/** Bytes of a missing frame's recording shown in its placeholder row. */
const PREVIEW_BYTES = 160;

interface Seen {
  readonly id: number;
  readonly t: number;
}

/** A frame the server sent, waiting for its exchange to be compared. */
interface Received {
  readonly frame: Frame;
  readonly t: number;
}

interface Connection {
  readonly conn: number;
  peer: string;
  open: boolean;
  readonly bytes: Record<Direction, number>;
  /** Recent frames by their framer's seq, so a reply's `re` (a seq) becomes a frame id. */
  readonly recent: Record<Direction, SeqWindow<Seen>>;
  /** The last request sent: the answers in the next comparison are its answers. */
  lastRequest?: Seen;
  /** The seq the next server frame will have, and the time of the last frame. */
  nextS2cSeq: number;
  lastT: number;
  readonly pending: Received[];
}

/** Turns a replay's calls into the frames of a ReplayTable. */
export class ReplayTraffic {
  readonly table: ReplayTable;
  private readonly _conns = new Map<number, Connection>();
  private _nextId = 1;

  constructor(options: { readonly masks: readonly string[]; readonly limits?: FrameTableLimits }) {
    this.table = new ReplayTable(options.limits ?? {}, options.masks);
  }

  /** For ReplayOptions.onFrame. */
  readonly frame = (e: ReplayFrame): void => {
    const c = this._connection(e.conn);
    c.bytes[e.dir] += e.frame.bytes.length;
    c.lastT = Math.max(c.lastT, e.t);
    if (e.dir === 's2c') {
      c.nextS2cSeq = e.frame.seq + 1;
      c.pending.push({ frame: e.frame, t: e.t });
      return;
    }
    const id = this._push(c, 'c2s', e.frame, e.t);
    c.lastRequest = { id, t: e.t };
  };

  /** For ReplayOptions.onProgress. */
  readonly progress = (e: ReplayProgress): void => {
    switch (e.type) {
      case 'connection-start': {
        const c = this._connection(e.conn);
        c.open = true;
        c.peer = e.target;
        return;
      }
      case 'exchange':
        return this._settle(e.exchange);
      case 'connection-end': {
        const c = this._connection(e.connection.conn);
        c.open = false;
        // Never compared (nothing should be left): shown all the same, no byte goes unseen.
        for (const r of c.pending.splice(0)) this._push(c, 's2c', r.frame, r.t);
        return;
      }
    }
  };

  /** The replay's connections, for the panel's list of them. */
  connections(): ConnectionSummary[] {
    return [...this._conns.values()].map((c) => ({
      conn: c.conn,
      peer: c.peer,
      open: c.open,
      bytes: { ...c.bytes },
    }));
  }

  /** Moves the exchange's server frames into the table, each with its comparison. */
  private _settle(x: ExchangeReport): void {
    const c = this._connection(x.conn);
    const request = x.request && !x.notSent ? c.lastRequest : undefined;
    for (const result of x.frames) {
      const comparison = { exchange: x, result };
      if (result.actual) {
        const got = c.pending.shift();
        if (got) this._push(c, 's2c', got.frame, got.t, request, comparison);
      } else {
        this._pushMissing(c, result, request, comparison);
      }
    }
  }

  private _push(
    c: Connection,
    dir: Direction,
    frame: Frame,
    t: number,
    request?: Seen,
    comparison?: { exchange: ExchangeReport; result: FrameResult },
  ): number {
    const id = this._nextId++;
    // The protocol's pairing first; else the replay's own: an answer answers its exchange.
    const re =
      frame.ann?.re !== undefined ? c.recent[otherDirection(dir)].get(frame.ann.re) : request;
    this.table.pushFrame(
      {
        id,
        conn: c.conn,
        dir,
        seq: frame.seq,
        t,
        bytes: frame.bytes,
        term: frame.term,
        partial: frame.partial,
        oversize: frame.oversize,
        injected: false,
        held: false,
        ann: comparison ? withOutcome(frame.ann, comparison.result.status) : frame.ann,
        ...(re && { re: re.id, latency: Math.max(0, t - re.t) }),
      },
      comparison,
    );
    c.recent[dir].set(frame.seq, { id, t });
    return id;
  }

  /** A row in the place of a recorded frame the server did not send: no bytes, its outcome. */
  private _pushMissing(
    c: Connection,
    result: FrameResult,
    request: Seen | undefined,
    comparison: { exchange: ExchangeReport; result: FrameResult },
  ): void {
    const recorded = result.expected ?? Buffer.alloc(0);
    const preview = escapeBytes(recorded.subarray(0, PREVIEW_BYTES));
    const more = recorded.length > PREVIEW_BYTES ? '…' : '';
    this.table.pushFrame(
      {
        id: this._nextId++,
        conn: c.conn,
        dir: 's2c',
        seq: c.nextS2cSeq,
        // Placed at the last moment its connection saw, to keep the list in time order.
        t: c.lastT,
        bytes: new Uint8Array(0),
        term: '',
        partial: false,
        oversize: false,
        injected: false,
        held: false,
        ann: withOutcome({ summary: `(not received) ${preview}${more}` }, 'missing'),
        ...(request && { re: request.id }),
      },
      comparison,
    );
  }

  private _connection(conn: number): Connection {
    let c = this._conns.get(conn);
    if (!c) {
      c = {
        conn,
        peer: '',
        open: false,
        bytes: { c2s: 0, s2c: 0 },
        recent: { c2s: new SeqWindow(REMEMBERED), s2c: new SeqWindow(REMEMBERED) },
        nextS2cSeq: 0,
        lastT: 0,
        pending: [],
      };
      this._conns.set(conn, c);
    }
    return c;
  }
}

/** The annotation with the outcome as a field, where the filter language finds it. */
function withOutcome(ann: Annotation | undefined, outcome: ReplayOutcome): Annotation {
  return { ...ann, fields: { ...ann?.fields, [REPLAY_OUTCOME_FIELD]: outcome } };
}
