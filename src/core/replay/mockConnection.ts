/**
 * One client of the server mock: sends the recorded greeting, then answers each client frame
 * with the recorded answer to the matching request, in order. A request with no recorded answer
 * closes the connection, gets a configured reply, or goes to a real upstream (hybrid).
 */
import type * as net from 'node:net';
import type { Frame } from '../framing/frame';
import type { Framer } from '../framing/framer';
import { type ConnectionSpecs, createConnectionFramers } from '../framing/framingSpec';
import type { HostPort } from '../proxy/address';
import { describeSocketError } from '../socketErrors';
import type { MockCursor } from './mockMatcher';
import { formatDiff } from './frameCompare';
import { MockUpstream } from './mockUpstream';
import type { ScriptFrame } from './replayScript';
import { sleepUntil } from './timing';

/** What to do with a request that has no recorded answer. */
export type Unmatched =
  | { readonly kind: 'close' }
  | { readonly kind: 'reply'; readonly bytes: Buffer }
  | { readonly kind: 'upstream'; readonly target: HostPort };

/** A request the mock answered, or could not. */
export interface MockExchange {
  /** The mock's client number, from 1. */
  readonly client: number;
  readonly request: Buffer;
  /** The request's protocol summary, when the framer gave one. */
  readonly summary?: string;
  /** `matched`: recorded answer played; otherwise what `unmatched` said to do. */
  readonly outcome: 'matched' | 'close' | 'reply' | 'upstream';
  /** Where the answer was recorded: connection and exchange index. */
  readonly recorded?: { readonly conn: number; readonly index: number };
  /** Matched only through masks. */
  readonly masked?: boolean;
  /** Frames sent back (recorded answers; 1 for a configured reply). */
  readonly replies: number;
  /** Unmatched: the recorded request it differs from least, and the diff (recorded → live). */
  readonly nearest?: { readonly conn: number; readonly index: number; readonly diff: string };
}

/** What a mock connection needs from the mock. */
export interface MockConnectionHost {
  readonly specs: string | ConnectionSpecs;
  readonly unmatched: Unmatched;
  readonly speed: number;
  readonly timeoutMs: number;
  readonly maxFrameBytes?: number;
  exchanged(x: MockExchange): void;
  closed(client: number, reason: string): void;
  error(client: number, message: string): void;
}

/** One client connection, playing one recorded connection. */
export class MockConnection {
  private readonly _framers: { readonly c2s: Framer; readonly s2c: Framer };
  private readonly _queue: Frame[] = [];
  private _busy = false;
  private _clientEnded = false;
  private _done = false;
  private _finished = false;
  /** Why the connection ended, when it was not the client closing it plainly. */
  private _closeReason: string | undefined;
  private _upstream: MockUpstream | undefined;
  private readonly _openedAt = performance.now();

  constructor(
    readonly client: number,
    private readonly _socket: net.Socket,
    private readonly _cursor: MockCursor,
    private readonly _host: MockConnectionHost,
  ) {
    this._framers = createConnectionFramers(_host.specs, { maxFrameBytes: _host.maxFrameBytes });
    _socket.on('data', (chunk: Buffer) => this._input(this._framers.c2s.feed(chunk)));
    _socket.on('end', () => {
      this._clientEnded = true;
      this._input(this._framers.c2s.flush());
    });
    _socket.on('error', (err) => {
      const peer = `${_socket.remoteAddress ?? '?'}:${_socket.remotePort ?? '?'}`;
      this._closeReason ??= describeSocketError(err, 'client', peer).message;
    });
    _socket.on('close', () => this._finish(this._closeReason ?? 'the client closed'));
    // The greeting goes first; requests that arrive meanwhile wait in the queue.
    this._busy = true;
    void this._greet().then(() => {
      this._busy = false;
      void this._pump();
    });
  }

  /** Closes the connection at once. */
  destroy(): void {
    this._socket.destroy();
    this._upstream?.destroy();
  }

  private async _greet(): Promise<void> {
    const greeting = this._cursor.greeting;
    if (greeting) await this._play(greeting.replies, this._cursor.script.openT, this._openedAt);
  }

  private _input(frames: readonly Frame[]): void {
    for (const f of frames) this._queue.push(f);
    void this._pump();
  }

  /** Answers queued requests one at a time, so answers leave in the order requests came. */
  private async _pump(): Promise<void> {
    if (this._busy) return;
    this._busy = true;
    try {
      while (this._queue.length > 0 && !this._done) await this._answer(this._queue.shift()!);
      if (this._clientEnded && !this._done && this._queue.length === 0) {
        this._upstream?.end();
        this._socket.end();
      }
    } finally {
      this._busy = false;
    }
  }

  private async _answer(f: Frame): Promise<void> {
    const request = Buffer.from(f.bytes);
    const base = {
      client: this.client,
      request,
      ...(f.ann?.summary !== undefined && { summary: f.ann.summary }),
    };
    const answer = this._cursor.answer(request);
    if (answer) {
      const x = answer.exchange;
      this._host.exchanged({
        ...base,
        outcome: 'matched',
        recorded: { conn: answer.conn, index: x.index },
        ...(answer.masked && { masked: true }),
        replies: x.replies.length,
      });
      await this._play(x.replies, x.request!.t, performance.now());
      return;
    }
    const unmatched = this._host.unmatched;
    const near = this._cursor.nearest(request);
    const nearest = near && { conn: near.conn, index: near.index, diff: formatDiff(near.diff) };
    this._host.exchanged({
      ...base,
      outcome: unmatched.kind,
      replies: 0,
      ...(nearest && { nearest }),
    });
    if (unmatched.kind === 'reply') {
      this._send(unmatched.bytes);
    } else if (unmatched.kind === 'close') {
      this._done = true;
      this._closeReason = 'the mock closed it: a request was not recorded';
      this._socket.end();
    } else {
      this._upstream ??= new MockUpstream(unmatched.target, this._cursor, this._host, {
        data: (bytes) => this._send(bytes),
        end: () => {
          this._done = true;
          this._closeReason ??= 'the upstream closed';
          this._socket.end();
        },
        error: (message) => this._host.error(this.client, message),
      });
      await this._upstream.forward(request);
    }
  }

  /** Sends recorded frames, at the recorded pace when asked (relative to `fromT` at `fromMs`). */
  private async _play(
    frames: readonly ScriptFrame[],
    fromT: number,
    fromMs: number,
  ): Promise<void> {
    for (const f of frames) {
      if (Number.isFinite(this._host.speed)) {
        await sleepUntil(fromMs + (f.t - fromT) / 1000 / this._host.speed);
      }
      if (this._socket.destroyed) return;
      this._send(f.bytes);
    }
  }

  /** Writes to the client and frames what was written, so protocol state (SMTP DATA) follows. */
  private _send(bytes: Buffer): void {
    if (this._socket.destroyed || this._socket.writableEnded) return;
    this._framers.s2c.feed(bytes);
    this._socket.write(bytes);
  }

  private _finish(reason: string): void {
    if (this._finished) return;
    this._finished = true;
    this._done = true;
    this._upstream?.destroy();
    this._host.closed(this.client, reason);
  }
}
