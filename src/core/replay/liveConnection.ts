/**
 * The replay's side of one live connection: a socket to the target whose answers are framed as
 * they arrive and gathered into the current exchange's window, with waits that end on enough
 * frames, an idle timeout, the server closing, or a cancel.
 */
import * as net from 'node:net';
import type { Direction, Frame } from '../framing/frame';
import type { Framer } from '../framing/framer';
import { type ConnectionSpecs, createConnectionFramers } from '../framing/framingSpec';
import { formatHostPort, type HostPort } from '../proxy/address';
import { describeSocketError, LinetapError } from '../socketErrors';

/** A frame the server sent. */
export interface Received {
  readonly bytes: Buffer;
  readonly partial: boolean;
}

/** Why a wait ended. */
export type WaitEnd = 'done' | 'timeout' | 'closed' | 'aborted';

/** Sees each frame as it is framed: the requests sent and the answers received. */
export type FrameObserver = (dir: Direction, frame: Frame) => void;

/** Opens a connection to `target`; rejects with a LinetapError a person can act on. */
export async function connectLive(
  target: HostPort,
  specs: string | ConnectionSpecs,
  options: {
    timeoutMs: number;
    maxFrameBytes?: number;
    signal?: AbortSignal;
    onFrame?: FrameObserver;
  },
): Promise<LiveConnection> {
  const where = formatHostPort(target);
  const socket = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
  let cleanup = () => {};
  try {
    await new Promise<void>((resolve, reject) => {
      const timeout = Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' });
      const timer = setTimeout(
        () => reject(describeSocketError(timeout, 'upstream', where)),
        options.timeoutMs,
      );
      const onAbort = () => reject(new LinetapError('cancelled'));
      const onError = (err: Error) => reject(describeSocketError(err, 'upstream', where));
      if (options.signal?.aborted) onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', resolve);
      socket.once('error', onError);
      cleanup = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        socket.off('connect', resolve);
        socket.off('error', onError);
      };
    });
  } catch (e) {
    // A failed or abandoned connect may still report an error: nobody needs it now.
    socket.on('error', () => undefined);
    socket.destroy();
    throw e;
  } finally {
    cleanup();
  }
  const framers = createConnectionFramers(specs, { maxFrameBytes: options.maxFrameBytes });
  return new LiveConnection(socket, framers, where, options.signal, options.onFrame);
}

/** A connected socket with its framers and the frames of the current window. */
export class LiveConnection {
  /** Frames received since the window started. */
  private _window: Received[] = [];
  private _windowStart = performance.now();
  private _lastData = 0;
  private _ended = false;
  private _closed = false;
  private _error: LinetapError | undefined;
  private _wake: (() => void) | undefined;

  constructor(
    private readonly _socket: net.Socket,
    private readonly _framers: { readonly c2s: Framer; readonly s2c: Framer },
    private readonly _where: string,
    private readonly _signal: AbortSignal | undefined,
    private readonly _onFrame: FrameObserver = () => undefined,
  ) {
    _socket.on('data', (chunk: Buffer) => {
      this._lastData = performance.now();
      this._take(this._framers.s2c.feed(chunk));
    });
    _socket.on('end', () => {
      this._ended = true;
      this._take(this._framers.s2c.flush());
    });
    _socket.on('error', (err) => {
      this._error ??= describeSocketError(err, 'upstream', this._where);
      this._notify();
    });
    _socket.on('close', () => {
      this._closed = true;
      this._notify();
    });
    _signal?.addEventListener('abort', this._notify, { once: true });
  }

  /** The server will send nothing more: it ended its side, or the connection is gone. */
  get gone(): boolean {
    return this._ended || this._closed || this._error !== undefined;
  }

  /** Why the server stopped, in words, once `gone`. */
  get goneReason(): string {
    if (this._error) return this._error.message;
    return `${this._where} closed the connection`;
  }

  /** Frames in the current window so far. */
  get windowFrames(): number {
    return this._window.length;
  }

  /** Starts a new window; returns the frames of the one that ends. */
  takeWindow(): Received[] {
    const frames = this._window;
    this._window = [];
    this._windowStart = performance.now();
    return frames;
  }

  /**
   * Sends a request (and frames it, so protocol state such as SMTP DATA stays in step). A server
   * that stops reading a large request makes this time out after `idleMs`.
   */
  async send(bytes: Buffer, idleMs: number): Promise<WaitEnd> {
    this._sent(this._framers.c2s.feed(bytes));
    if (this._socket.write(bytes)) return 'done';
    return this.wait(() => this._socket.writableLength === 0, idleMs, 'drain');
  }

  /** Waits until the window holds `n` frames. */
  waitFrames(n: number, idleMs: number): Promise<WaitEnd> {
    return this.wait(() => this._window.length >= n, idleMs);
  }

  /**
   * Ends our side and waits for the server to close (frames that still come join the window),
   * at most `idleMs` after the last byte; then lets the socket go.
   */
  async finish(idleMs: number): Promise<void> {
    if (!this._closed) {
      this._socket.end();
      this._sent(this._framers.c2s.flush());
      await this.wait(() => this._closed, idleMs);
    }
    this.destroy();
  }

  /**
   * Closes at once. Whatever the server's framer still holds, a held-back `\r` included, joins the
   * window as a last partial frame: no byte that arrived goes unreported.
   */
  destroy(): void {
    if (!this._ended) {
      this._ended = true;
      this._take(this._framers.s2c.flush());
    }
    this._socket.destroy();
    this._signal?.removeEventListener('abort', this._notify);
  }

  /** Puts bytes of an unfinished answer into the window as a partial frame. */
  cutPending(): void {
    if (this._ended) return;
    const f = this._framers.s2c.cut();
    if (!f) return;
    const bytes = Buffer.from(f.bytes);
    this._onFrame('s2c', { ...f, bytes, partial: true });
    this._window.push({ bytes, partial: true });
  }

  /**
   * Resolves when `done()` holds (`done`), when the server is gone (`closed`), on cancel
   * (`aborted`), or when nothing has arrived for `idleMs` since the later of the window's start
   * and the last byte (`timeout`).
   */
  async wait(done: () => boolean, idleMs: number, drain?: 'drain'): Promise<WaitEnd> {
    const onDrain = () => this._notify();
    if (drain) this._socket.on('drain', onDrain);
    try {
      for (;;) {
        if (done()) return 'done';
        if (this._signal?.aborted) return 'aborted';
        if (this._closed || this._error || (this._ended && !drain)) return 'closed';
        const left = idleMs - (performance.now() - Math.max(this._windowStart, this._lastData));
        if (left <= 0) return 'timeout';
        await new Promise<void>((resolve) => {
          const timer = Number.isFinite(left) ? setTimeout(resolve, Math.ceil(left)) : undefined;
          this._wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      this._wake = undefined;
      if (drain) this._socket.off('drain', onDrain);
    }
  }

  private _take(frames: readonly Frame[]): void {
    for (const f of frames) {
      this._onFrame('s2c', f);
      this._window.push({ bytes: f.bytes, partial: f.partial });
    }
    this._notify();
  }

  private _sent(frames: readonly Frame[]): void {
    for (const f of frames) this._onFrame('c2s', f);
  }

  private readonly _notify = (): void => {
    this._wake?.();
  };
}
