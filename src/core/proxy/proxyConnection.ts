/**
 * One proxied connection: the client's leg, the upstream's leg, a framer per direction.
 * Bytes are forwarded before they are framed, unchanged; framing only observes.
 */
import type * as net from 'node:net';
import type { Frame, Direction } from '../framing/frame';
import type { TrafficFrame } from '../../shared/traffic';
import type { Framer } from '../framing/framer';
import { describeSocketError, type LinetapError } from '../socketErrors';
import { DirectionGate } from './directionGate';
import type { LegReader } from './legReader';
import { ProxyLeg } from './proxyLeg';

/** Bytes waiting in an intercept gate above which the reader of that direction pauses. */
const GATE_PAUSE_BYTES = 4 * 1024 * 1024;

/** Annotated frames remembered per direction for pairing replies (a power of two). */
const REMEMBERED = 1024;

/** What a connection looks like from outside. */
export interface ConnectionInfo {
  readonly id: number;
  /** The client's address, `ip:port`. */
  readonly peer: string;
  readonly upstream: string;
  /** µs since the session started. */
  readonly openedAt: number;
  readonly state: 'connecting' | 'open' | 'closed';
  readonly bytes: Readonly<Record<Direction, number>>;
  readonly frames: Readonly<Record<Direction, number>>;
  readonly closeReason?: string;
}

/** What the connection needs from its proxy. */
export interface ConnectionHost {
  now(): number;
  emitFrames(conn: ProxyConnection, dir: Direction, frames: readonly Frame[], t: number): void;
  emitFrame(conn: ProxyConnection, dir: Direction, frame: Frame, t: number): void;
  connectionClosed(conn: ProxyConnection): void;
  connectionError(conn: ProxyConnection, err: LinetapError): void;
}

/** A client connection and its upstream connection. */
export class ProxyConnection {
  readonly client: ProxyLeg;
  readonly server: ProxyLeg;
  readonly openedAt: number;
  readonly bytes: Record<Direction, number> = { c2s: 0, s2c: 0 };
  /** When the last bytes of each direction arrived (µs), for the idle flush. */
  readonly lastData: Record<Direction, number> = { c2s: 0, s2c: 0 };
  state: ConnectionInfo['state'] = 'connecting';
  closeReason: string | undefined;
  private readonly _ended: Record<Direction, boolean> = { c2s: false, s2c: false };
  // Recent annotated frames by seq, so a reply's `re` (a seq) becomes a frame id and a
  // latency: a ring of REMEMBERED slots per direction, allocated on first use so connections
  // without protocol annotations cost nothing.
  private readonly _recent: Record<Direction, Float64Array | undefined> = {
    c2s: undefined,
    s2c: undefined,
  };
  private _closedLegs = 0;
  private _firstEnded: Direction | undefined;
  /** Intercept gates of the directions a breakpoint can match. */
  private readonly _gates: Record<Direction, DirectionGate | undefined> = {
    c2s: undefined,
    s2c: undefined,
  };

  constructor(
    readonly id: number,
    readonly peer: string,
    readonly upstream: string,
    clientSocket: net.Socket,
    upstreamSocket: net.Socket,
    readonly framers: { readonly c2s: Framer; readonly s2c: Framer },
    private readonly _host: ConnectionHost,
    readers: { readonly c2s?: LegReader; readonly s2c?: LegReader } = {},
  ) {
    this.openedAt = _host.now();
    this.client = new ProxyLeg(clientSocket, 'c2s', this, readers.c2s);
    this.server = new ProxyLeg(upstreamSocket, 's2c', this, readers.s2c);
    this.client.peer = this.server;
    this.server.peer = this.client;
    // Until the upstream is up, what the client sends waits in the upstream leg's queue; stop
    // reading the client so that queue stays small.
    if (!this.server.connected) this.client.pauseReading();
    else this.legConnected('s2c');
  }

  /** A snapshot for UIs. */
  info(): ConnectionInfo {
    return {
      id: this.id,
      peer: this.peer,
      upstream: this.upstream,
      openedAt: this.openedAt,
      state: this.state,
      bytes: { ...this.bytes },
      frames: { c2s: this.framers.c2s.frameCount, s2c: this.framers.s2c.frameCount },
      closeReason: this.closeReason,
    };
  }

  /** Notes an annotated frame so replies can point at it. */
  rememberFrame(dir: Direction, seq: number, id: number, t: number): void {
    const ring = (this._recent[dir] ??= new Float64Array(REMEMBERED * 3).fill(-1));
    const i = (seq & (REMEMBERED - 1)) * 3;
    ring[i] = seq;
    ring[i + 1] = id;
    ring[i + 2] = t;
  }

  /** The frame of `dir` with this seq, if still remembered. */
  frameAt(dir: Direction, seq: number): { id: number; t: number } | undefined {
    const ring = this._recent[dir];
    const i = (seq & (REMEMBERED - 1)) * 3;
    return ring && ring[i] === seq ? { id: ring[i + 1], t: ring[i + 2] } : undefined;
  }

  /** Holds both sides' reading (the host's sinks are behind) or lets them read again. */
  setPaused(paused: boolean): void {
    this.client.hostPaused = paused;
    this.server.hostPaused = paused;
    if (paused) {
      this.client.pauseReading();
      this.server.pauseReading();
    } else {
      if (this.state === 'open') this.client.resumeReading();
      this.server.resumeReading();
    }
  }

  /**
   * Turns intercept on or off for `dir`. On: bytes go out frame by frame through a gate, and
   * matching frames wait there. Off: whatever waits goes out, and raw forwarding resumes.
   */
  setGated(dir: Direction, gated: boolean): void {
    const gate = this._gates[dir];
    if (gated && !gate) {
      const out = dir === 'c2s' ? this.server : this.client;
      this._gates[dir] = new DirectionGate(this.framers[dir].pendingBytes, {
        forward: (bytes) =>
          out.pushBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
        end: () => out.endOutputWhenDone(),
      });
    } else if (!gated && gate) {
      this._gates[dir] = undefined;
      gate.open();
      this._reader(dir).resumeReading();
    }
  }

  /** Whether `dir` is gated by intercept. */
  isGated(dir: Direction): boolean {
    return this._gates[dir] !== undefined;
  }

  /** Frames of `dir` held by intercept. */
  held(dir: Direction): TrafficFrame[] {
    return this._gates[dir]?.held() ?? [];
  }

  /** Puts a frame of a gated direction through its gate (the host decided `held`). */
  gateFrame(frame: TrafficFrame): void {
    this._gates[frame.dir]?.framed(frame);
  }

  /** Releases (with optional new bytes) or drops a held frame; false if it is not held here. */
  settle(id: number, action: 'release' | 'drop', replacement?: Uint8Array): boolean {
    for (const dir of ['c2s', 's2c'] as const) {
      const gate = this._gates[dir];
      if (!gate) continue;
      const done = action === 'drop' ? gate.drop(id) : gate.release(id, replacement);
      if (done) {
        if (gate.waitingBytes < GATE_PAUSE_BYTES) this._reader(dir).resumeReading();
        return true;
      }
    }
    return false;
  }

  /**
   * Forwards a chunk read in `dir` to the other side at once, then frames it. The chunk may be
   * a reused read buffer (see LegReader): what outlives this call must be a copy.
   */
  relay(dir: Direction, chunk: Buffer): void {
    const gate = this._gates[dir];
    if (gate) {
      // The gate and the frames it holds keep these bytes until a frame is released.
      chunk = Buffer.from(chunk);
      gate.received(chunk);
      if (gate.waitingBytes > GATE_PAUSE_BYTES) this._reader(dir).pauseReading();
    } else {
      (dir === 'c2s' ? this.server : this.client).pushBuffer(chunk);
    }
    this.bytes[dir] += chunk.length;
    const t = this._host.now();
    this.lastData[dir] = t;
    // Each frame goes out as it is made: a big read of small lines would otherwise keep
    // thousands of frames alive at once, past V8's young generation (see Framer.feedEach).
    this.framers[dir].feedEach(chunk, (frame) => this._host.emitFrame(this, dir, frame, t));
  }

  /** Pushes bytes into the connection towards `dir`'s receiver; framed like peer bytes. */
  inject(dir: Direction, bytes: Buffer): readonly Frame[] {
    if (this.state === 'closed') throw new Error(`connection ${this.id} is closed`);
    if (this._ended[dir]) {
      throw new Error(
        `connection ${this.id}: the ${dir === 'c2s' ? 'client' : 'server'} side has already ended its stream`,
      );
    }
    (dir === 'c2s' ? this.server : this.client).pushBuffer(bytes);
    this.bytes[dir] += bytes.length;
    return this.framers[dir].feed(bytes);
  }

  /** Shows the unfinished frame of `dir` as partial, if its bytes have waited long enough. */
  flushIdle(now: number, idleUs: number): void {
    for (const dir of ['c2s', 's2c'] as const) {
      const framer = this.framers[dir];
      if (framer.pendingBytes > 0 && now - this.lastData[dir] >= idleUs) {
        const frame = framer.cut();
        if (frame) this._host.emitFrames(this, dir, [frame], now);
      }
    }
  }

  /** Closes both sides (a user's request, or the proxy stopping). */
  close(reason: string): void {
    this.closeReason ??= reason;
    this.client.close();
    this.server.close();
  }

  /** Resets both sides at once. */
  abort(reason: string): void {
    this.closeReason ??= reason;
    this._flushFramers();
    this.client.abort();
    this.server.abort();
  }

  // ---- LegOwner ------------------------------------------------------------------------------

  /** @internal */
  legConnected(dir: Direction): void {
    if (dir !== 's2c' || this.state !== 'connecting') return;
    this.state = 'open';
    this.client.resumeReading();
  }

  /** @internal Bytes per frame so far in `dir` (all bytes while no frame has ended). */
  averageFrameBytes(dir: Direction): number {
    return this.bytes[dir] / Math.max(1, this.framers[dir].frameCount);
  }

  /** @internal The reader of `dir` got FIN: pass it on once the data before it is written. */
  peerEnded(dir: Direction): void {
    if (this._ended[dir]) return;
    this._ended[dir] = true;
    this._firstEnded ??= dir;
    const frames = this.framers[dir].flush();
    if (frames.length > 0) this._host.emitFrames(this, dir, frames, this._host.now());
    const gate = this._gates[dir];
    if (gate) gate.end();
    else (dir === 'c2s' ? this.server : this.client).endOutputWhenDone();
    if (this._ended.c2s && this._ended.s2c) {
      this.closeReason ??= this._firstEnded === 'c2s' ? 'client closed' : 'server closed';
    }
  }

  /** @internal A socket error: reset the other side too, as it happened on the wire. */
  legError(dir: Direction, err: Error & { code?: string }): void {
    const fromClient = dir === 'c2s';
    const connecting = !fromClient && this.state === 'connecting';
    const described = describeSocketError(
      err,
      fromClient ? 'client' : 'upstream',
      fromClient ? this.peer : this.upstream,
    );
    if (err.code === 'ECONNRESET') {
      this.closeReason ??= fromClient
        ? 'client reset the connection'
        : 'server reset the connection';
    } else {
      this.closeReason ??= described.message;
      this._host.connectionError(this, described);
    }
    if (connecting) this.state = 'closed';
    this.abort(this.closeReason);
  }

  /** @internal */
  legClosed(dir: Direction): void {
    if (++this._closedLegs < 2) {
      // One socket is gone for good, so nothing more can reach it: the other side gets what is
      // already queued for it, then closes.
      (dir === 'c2s' ? this.server : this.client).closeWhenDone();
      return;
    }
    this._flushFramers();
    this.state = 'closed';
    this.closeReason ??= 'closed';
    this._host.connectionClosed(this);
  }

  /** The leg that reads `dir`. */
  private _reader(dir: Direction): ProxyLeg {
    return dir === 'c2s' ? this.client : this.server;
  }

  private _flushFramers(): void {
    for (const dir of ['c2s', 's2c'] as const) {
      const frames = this.framers[dir].flush();
      if (frames.length > 0) this._host.emitFrames(this, dir, frames, this._host.now());
    }
  }
}
