/**
 * The real server behind a hybrid mock: requests with no recorded answer are forwarded to it and
 * its bytes go back to the client unchanged. Its greeting is dropped (the client already had the
 * recorded one), and each forwarded request waits for its answer before the next request is
 * served, so answers reach the client in request order.
 */
import * as net from 'node:net';
import type { Framer } from '../framing/framer';
import { type ConnectionSpecs, createConnectionFramers } from '../framing/framingSpec';
import { formatHostPort, type HostPort } from '../proxy/address';
import { describeSocketError } from '../socketErrors';
import type { MockCursor } from './mockMatcher';

/** Quiet time after the first answer frame before the answer is taken as complete, in ms. */
const SETTLE_MS = 50;

/** Where the upstream's output goes. */
export interface UpstreamSink {
  data(bytes: Buffer): void;
  /** The upstream closed: the client's connection ends too, as the server's would. */
  end(): void;
  error(message: string): void;
}

/** A lazily opened connection to the real server for one mock client. */
export class MockUpstream {
  private _socket: net.Socket | undefined;
  private _framers: { readonly c2s: Framer; readonly s2c: Framer } | undefined;
  private _connecting: Promise<boolean> | undefined;
  /** Greeting frames still to drop. */
  private _skip: number;
  private _frames = 0;
  /** Bytes received, and bytes of them that were greeting. */
  private _received = 0;
  private _skipped = 0;
  private _lastData = 0;
  private _gone = false;
  private _wake: (() => void) | undefined;

  constructor(
    private readonly _target: HostPort,
    cursor: MockCursor,
    private readonly _host: {
      readonly specs: string | ConnectionSpecs;
      readonly timeoutMs: number;
      readonly maxFrameBytes?: number;
    },
    private readonly _sink: UpstreamSink,
  ) {
    this._skip = cursor.greeting?.replies.length ?? 0;
  }

  /** Sends a request to the upstream and resolves once its answer has come (or timed out). */
  async forward(request: Buffer): Promise<void> {
    if (!(await (this._connecting ??= this._connect()))) return;
    // The greeting must be gone before the answer to the first request is told apart.
    await this._until(() => this._skip === 0);
    // A shorter greeting than recorded: stop dropping, or answers would be lost.
    this._skip = 0;
    if (this._gone) return;
    const before = this._frames;
    this._framers!.c2s.feed(request);
    this._socket!.write(request);
    await this._until(() => this._frames > before);
    await this._until(() => performance.now() - this._lastData >= SETTLE_MS, SETTLE_MS);
  }

  /** The client ended: end the upstream side too. */
  end(): void {
    if (this._socket && !this._gone) this._socket.end();
  }

  destroy(): void {
    this._socket?.destroy();
  }

  private async _connect(): Promise<boolean> {
    const where = formatHostPort(this._target);
    const socket = net.connect({ host: this._target.host, port: this._target.port });
    this._socket = socket;
    this._framers = createConnectionFramers(this._host.specs, {
      maxFrameBytes: this._host.maxFrameBytes,
    });
    // One error listener for the socket's whole life: a refused connect and a later reset are
    // both reported once, and both end the client's connection (through 'close').
    socket.on('error', (err) =>
      this._sink.error(describeSocketError(err, 'upstream', where).message),
    );
    const ok = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('close', () => resolve(false));
    });
    if (!ok) {
      this._gone = true;
      this._sink.end();
      return false;
    }
    socket.on('data', (chunk: Buffer) => this._data(chunk));
    socket.on('close', () => {
      this._gone = true;
      this._wake?.();
      this._sink.end();
    });
    return true;
  }

  private _data(chunk: Buffer): void {
    this._lastData = performance.now();
    const before = this._received;
    this._received += chunk.length;
    let frames = 0;
    for (const f of this._framers!.s2c.feed(chunk)) {
      if (this._skip > 0) {
        this._skip--;
        this._skipped += f.bytes.length;
      } else {
        frames++;
      }
    }
    this._frames += frames;
    // Drop the greeting's bytes; what follows them goes to the client unchanged.
    const from = this._skip > 0 ? chunk.length : Math.max(0, this._skipped - before);
    if (from < chunk.length) this._sink.data(from === 0 ? chunk : chunk.subarray(from));
    this._wake?.();
  }

  /** Waits until `done()`, the upstream is gone, or `idleMs` pass with no data. */
  private async _until(done: () => boolean, idleMs = this._host.timeoutMs): Promise<void> {
    const since = performance.now();
    while (!done() && !this._gone) {
      const left = idleMs - (performance.now() - Math.max(since, this._lastData));
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.ceil(left));
        this._wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this._wake = undefined;
    }
  }
}
