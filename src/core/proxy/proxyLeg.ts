/**
 * One side of a proxied connection: an AsyncChat on the client's or the upstream's socket. It
 * reads one direction and writes the other; what it reads goes to its connection, which forwards
 * it at once to the other leg and frames it on the side.
 */
import type * as net from 'node:net';
import { AsyncChat } from '../asyncChat';
import type { Direction } from '../framing/frame';
import type { LegReader, ReadTarget } from './legReader';

/** What a leg tells its connection. */
export interface LegOwner {
  relay(dir: Direction, chunk: Buffer): void;
  peerEnded(dir: Direction): void;
  legError(dir: Direction, err: Error): void;
  legClosed(dir: Direction): void;
  legConnected(dir: Direction): void;
  averageFrameBytes(dir: Direction): number;
}

/**
 * A socket of a proxied connection. `dir` is the direction of the bytes it reads. When its socket
 * reads through a LegReader, a chunk handed to the owner's relay() is valid only during the call.
 */
export class ProxyLeg extends AsyncChat implements ReadTarget {
  /** The other side; set once both legs exist. */
  peer: ProxyLeg | undefined;
  /** Set while the proxy holds all reading; the leg's own back-pressure must not undo it. */
  hostPaused = false;
  private _endWhenDrained = false;

  constructor(
    socket: net.Socket,
    readonly dir: Direction,
    private readonly _owner: LegOwner,
    private readonly _reader?: LegReader,
  ) {
    super(socket);
    _reader?.bind(this);
  }

  averageFrameBytes(): number {
    return this._owner.averageFrameBytes(this.dir);
  }

  /** True when the last chunk read went into the other side's write queue rather than out. */
  retained(): boolean {
    const out = this.peer;
    return !!out && (out.queuedOutputEntries > 0 || (out.socket?.writableLength ?? 0) > 0);
  }

  // The proxy forwards raw chunks and frames them with its own Framer, so the asynchat
  // terminator machinery of the leg itself is not used for input.
  override handleRead(chunk: Uint8Array): void {
    this._owner.relay(this.dir, chunk as Buffer);
  }

  override handleConnect(): void {
    this._owner.legConnected(this.dir);
  }

  /** The peer of this socket sent FIN: half-close, the other direction may go on. */
  override handleClose(): void {
    this._owner.peerEnded(this.dir);
  }

  override handleError(err: Error): void {
    this._owner.legError(this.dir, err);
  }

  override handleClosed(): void {
    this._reader?.dispose();
    this._owner.legClosed(this.dir);
  }

  /** This leg cannot write as fast as the other side reads: stop reading there. */
  override handleWriteBlocked(): void {
    this.peer?.pauseReading();
  }

  override handleDrain(): void {
    if (this._endWhenDrained && this.queuedOutputEntries === 0) this._endOutput();
    this.peer?.resumeReading();
  }

  override resumeReading(): void {
    if (!this.hostPaused) super.resumeReading();
  }

  /** Sends FIN once everything queued has been written, and goes on reading. */
  endOutputWhenDone(): void {
    if (this.queuedOutputEntries === 0) this._endOutput();
    else this._endWhenDrained = true;
  }

  private _endOutput(): void {
    this._endWhenDrained = false;
    const socket = this.socket;
    if (socket && !socket.destroyed && !socket.writableEnded) socket.end();
  }
}
