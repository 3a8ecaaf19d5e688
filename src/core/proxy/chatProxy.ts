/**
 * ChatProxy: listens, and for each client opens a connection upstream and relays both ways,
 * framing each direction on the side (DESIGN.md §5). Frames and connection events go to any
 * number of listeners (the sinks: capture file, ring buffer, CLI printer, webview batcher).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Direction, Frame } from '../framing/frame';
import type { FramerOptions } from '../framing/framer';
import {
  createConnectionFramers,
  parseFramingSpec,
  type ConnectionSpecs,
  type FramingSpec,
} from '../framing/framingSpec';
import { Emitter, type Event } from '../events';
import { describeSocketError, LinetapError } from '../socketErrors';
import type { TrafficFrame } from '../../shared/traffic';
import { parseFilter, type Filter } from '../../shared/filter';
import { formatHostPort, parseHostPort, type HostPort } from './address';
import { type ConnectionHost, type ConnectionInfo, ProxyConnection } from './proxyConnection';
import { adoptAccepted, LegReader } from './legReader';

/** How to run a proxy. */
export interface ProxyOptions {
  /** `[HOST:]PORT` or an address; the host defaults to 127.0.0.1 (loopback only). */
  readonly listen: string | HostPort;
  /** `HOST:PORT` of the server. */
  readonly upstream: string | HostPort;
  /** One spec for both directions, or one each. Default `line`. */
  readonly framing?: string | ConnectionSpecs;
  /** Connect to the upstream with TLS (true, or Node TLS options such as `ca`, `servername`). */
  readonly upstreamTls?: boolean | tls.ConnectionOptions;
  /** Accept clients with TLS, with this certificate and key (PEM). */
  readonly listenTls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Most connections at once; more are refused (closed at once). Default 10000. */
  readonly maxConnections?: number;
  /** Frames longer than this are cut and flagged `oversize`. Default 1 MiB. */
  readonly maxFrameBytes?: number;
  /** An unfinished frame idle this long is shown as `partial`. Default 250 ms. */
  readonly idleFlushMs?: number;
  /** Time allowed to connect upstream. Default 10 s. */
  readonly connectTimeoutMs?: number;
}

/** What became of a frame held by intercept. */
export interface HeldFrameSettled {
  readonly id: number;
  readonly conn: number;
  readonly action: 'release' | 'edit' | 'drop';
  /** For an edit: the bytes sent instead. */
  readonly bytes?: Uint8Array;
}

/** A connection's end, with its reason. */
export interface ConnectionClosed {
  readonly info: ConnectionInfo;
  readonly reason: string;
}

/** A running proxy. */
export class ChatProxy implements ConnectionHost {
  readonly listen: HostPort;
  readonly upstream: HostPort;
  readonly framing: { readonly c2s: FramingSpec; readonly s2c: FramingSpec };
  private readonly _server: net.Server;
  private readonly _connections = new Map<number, ProxyConnection>();
  private readonly _start = performance.now();
  /** Wall-clock time of `t` = 0. */
  readonly startedAt = new Date();
  /** pause() calls not yet matched by resume(). */
  private _pauses = 0;
  private _nextConn = 1;
  private _nextFrame = 1;
  private readonly _idleTimer: NodeJS.Timeout;
  private _stopped = false;

  private readonly _onDidOpen = new Emitter<ConnectionInfo>();
  private readonly _onDidClose = new Emitter<ConnectionClosed>();
  private readonly _onDidFrame = new Emitter<TrafficFrame>();
  private readonly _onDidError = new Emitter<LinetapError>();
  private readonly _onDidSettle = new Emitter<HeldFrameSettled>();
  private _intercept: Filter | undefined;
  /** A client connected (the upstream connection is being made). */
  readonly onDidOpen: Event<ConnectionInfo> = this._onDidOpen.event;
  /** A connection ended, with why. */
  readonly onDidClose: Event<ConnectionClosed> = this._onDidClose.event;
  /**
   * A frame was seen (or injected). Its bytes may be a view of a read buffer the proxy reuses
   * (see LegReader): a listener that keeps them past the event keeps a copy.
   */
  readonly onDidFrame: Event<TrafficFrame> = this._onDidFrame.event;
  /** Something went wrong that a person should know: upstream refused, TLS failed... */
  readonly onDidError: Event<LinetapError> = this._onDidError.event;
  /** A held frame was released, edited or dropped. */
  readonly onDidSettle: Event<HeldFrameSettled> = this._onDidSettle.event;

  private constructor(
    server: net.Server,
    listen: HostPort,
    private readonly _options: ProxyOptions,
    upstream: HostPort,
    framing: { c2s: FramingSpec; s2c: FramingSpec },
  ) {
    this._server = server;
    this.listen = listen;
    this.upstream = upstream;
    this.framing = framing;
    const idleMs = _options.idleFlushMs ?? 250;
    this._idleTimer = setInterval(() => this._flushIdle(idleMs * 1000), Math.max(10, idleMs / 2));
    this._idleTimer.unref();
    const onSocket = (socket: net.Socket) => this._accept(socket);
    server.on(_options.listenTls ? 'secureConnection' : 'connection', onSocket);
    // A TLS handshake that fails is the client's problem, not the proxy's: log it and go on.
    server.on('tlsClientError', (err: Error) =>
      this._onDidError.fire(describeSocketError(err, 'client', 'TLS client')),
    );
  }

  /** Validates the options, listens, and returns the running proxy. Errors say what to change. */
  static async start(options: ProxyOptions): Promise<ChatProxy> {
    const listen =
      typeof options.listen === 'string'
        ? parseHostPort(options.listen, '127.0.0.1')
        : options.listen;
    const upstream =
      typeof options.upstream === 'string' ? parseHostPort(options.upstream) : options.upstream;
    const spec = options.framing ?? 'line';
    const both = typeof spec === 'string' ? { c2s: spec, s2c: spec } : spec;
    const framing = {
      c2s: typeof both.c2s === 'string' ? parseFramingSpec(both.c2s) : both.c2s,
      s2c: typeof both.s2c === 'string' ? parseFramingSpec(both.s2c) : both.s2c,
    };
    // Plain sockets move to a Socket that reads through a LegReader (see adoptAccepted).
    const serverOptions = { allowHalfOpen: true, pauseOnConnect: !options.listenTls };
    const server = options.listenTls
      ? tls.createServer({
          ...serverOptions,
          cert: options.listenTls.cert,
          key: options.listenTls.key,
        })
      : net.createServer(serverOptions);
    server.maxConnections = options.maxConnections ?? 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(describeSocketError(err, 'listen', formatHostPort(listen))),
      );
      server.listen(listen.port, listen.host, () => resolve());
    });
    const bound = server.address() as net.AddressInfo;
    return new ChatProxy(
      server,
      { host: listen.host, port: bound.port },
      options,
      upstream,
      framing,
    );
  }

  /** Connections now open. */
  connections(): ConnectionInfo[] {
    return [...this._connections.values()].map((c) => c.info());
  }

  /** µs since the proxy started; the `t` of frames. */
  now(): number {
    return Math.round((performance.now() - this._start) * 1000);
  }

  /**
   * Pushes `bytes` into connection `conn` towards the server (`c2s`) or the client (`s2c`).
   * They are framed like peer bytes and recorded as `injected` frames.
   */
  inject(conn: number, dir: Direction, bytes: Uint8Array): void {
    const c = this._connections.get(conn);
    if (!c)
      throw new LinetapError(
        `no open connection ${conn}; open ones: ${[...this._connections.keys()].join(', ') || 'none'}`,
      );
    const frames = c.inject(dir, Buffer.from(bytes));
    this.emitFrames(c, dir, frames, this.now(), true);
  }

  /**
   * Stops reading from every socket (new connections too) until resume(): for a sink that
   * cannot keep up, such as a capture file on a slow disk. Nothing is dropped meanwhile. Each
   * sink that falls behind pauses and resumes for itself: reading starts again when every
   * pause() has had its resume().
   */
  pause(): void {
    if (this._pauses++ > 0) return;
    for (const c of this._connections.values()) c.setPaused(true);
  }

  /** Ends one pause(); reading starts again after the last. */
  resume(): void {
    if (this._pauses === 0 || --this._pauses > 0) return;
    for (const c of this._connections.values()) c.setPaused(false);
  }

  /**
   * Sets the breakpoint filter (intercept), or clears it with undefined or ''. Frames that
   * match are held until release(), edit or drop(); the directions it can match become
   * frame-gated on every connection, new ones too. Clearing it lets every held frame go.
   */
  setIntercept(filter: Filter | string | undefined): void {
    const f = typeof filter === 'string' ? parseFilter(filter) : filter;
    this._intercept = f && !f.empty ? f : undefined;
    for (const c of this._connections.values()) this._applyIntercept(c);
  }

  /** The breakpoint filter in force. */
  get intercept(): Filter | undefined {
    return this._intercept;
  }

  /** Frames held by intercept now, oldest first per connection and direction. */
  heldFrames(): TrafficFrame[] {
    const out: TrafficFrame[] = [];
    for (const c of this._connections.values()) out.push(...c.held('c2s'), ...c.held('s2c'));
    return out.sort((a, b) => a.id - b.id);
  }

  /** Lets a held frame go on, unchanged or with `bytes` instead (an edit). */
  release(id: number, bytes?: Uint8Array): void {
    this._settle(id, bytes ? 'edit' : 'release', bytes);
  }

  /** Drops a held frame: its bytes never reach the other side. */
  drop(id: number): void {
    this._settle(id, 'drop');
  }

  /** Closes one connection (both sides). */
  closeConnection(conn: number, reason = 'closed by user'): void {
    this._connections.get(conn)?.close(reason);
  }

  /** Stops listening and closes every connection; resolves when all are gone. */
  async stop(): Promise<void> {
    if (this._stopped) return;
    this._stopped = true;
    clearInterval(this._idleTimer);
    const closed = new Promise<void>((resolve) => this._server.close(() => resolve()));
    for (const c of this._connections.values()) c.abort('proxy stopped');
    await closed;
    this._onDidOpen.dispose();
    this._onDidClose.dispose();
    this._onDidFrame.dispose();
    this._onDidError.dispose();
    this._onDidSettle.dispose();
  }

  // ---- ConnectionHost ------------------------------------------------------------------------

  /** @internal */
  emitFrames(
    conn: ProxyConnection,
    dir: Direction,
    frames: readonly Frame[],
    t: number,
    injected = false,
  ): void {
    for (const f of frames) this.emitFrame(conn, dir, f, t, injected);
  }

  /** @internal Gives a frame its id, pairs it, and hands it to the listeners and the gate. */
  emitFrame(conn: ProxyConnection, dir: Direction, f: Frame, t: number, injected = false): void {
    const gated = conn.isGated(dir);
    if (!this._onDidFrame.hasListeners && !gated) {
      this._nextFrame++;
      return;
    }
    const id = this._nextFrame++;
    const ann = f.ann;
    let re: number | undefined;
    let latency: number | undefined;
    if (ann?.re !== undefined) {
      const req = conn.frameAt(dir === 'c2s' ? 's2c' : 'c2s', ann.re);
      if (req) {
        re = req.id;
        latency = t - req.t;
      }
    }
    if (ann) conn.rememberFrame(dir, f.seq, id, t);
    const frame: TrafficFrame = {
      id,
      conn: conn.id,
      dir,
      seq: f.seq,
      t,
      bytes: f.bytes,
      term: f.term,
      partial: f.partial,
      oversize: f.oversize,
      injected,
      held: false,
      ann,
      re,
      latency,
    };
    if (gated && !injected) {
      const held = this._intercept?.matches(frame) === true;
      const final = held ? { ...frame, held } : frame;
      this._onDidFrame.fire(final);
      conn.gateFrame(final);
    } else {
      this._onDidFrame.fire(frame);
    }
  }

  /** @internal */
  connectionClosed(conn: ProxyConnection): void {
    this._connections.delete(conn.id);
    this._onDidClose.fire({ info: conn.info(), reason: conn.closeReason ?? 'closed' });
  }

  /** @internal */
  connectionError(_conn: ProxyConnection, err: LinetapError): void {
    this._onDidError.fire(err);
  }

  // ---- internals -----------------------------------------------------------------------------

  private _accept(client: net.Socket): void {
    if (this._stopped) {
      client.destroy();
      return;
    }
    const id = this._nextConn++;
    const peer = formatHostPort({
      host: client.remoteAddress ?? '?',
      port: client.remotePort ?? 0,
    });
    const { host, port } = this.upstream;
    const timeout = this._options.connectTimeoutMs ?? 10_000;
    const upstreamTls = this._options.upstreamTls;
    // TLS sockets read the default way: decrypted data comes out as fresh Buffers anyway.
    const readers = {
      c2s: this._options.listenTls ? undefined : new LegReader(),
      s2c: upstreamTls ? undefined : new LegReader(),
    };
    if (readers.c2s) client = adoptAccepted(client, readers.c2s);
    // Half-close must work over TLS too, so the TCP socket is made here and TLS wraps it.
    const raw = net.connect({ host, port, allowHalfOpen: true, onread: readers.s2c?.onread });
    raw.setTimeout(timeout, () => {
      if (raw.connecting)
        raw.destroy(Object.assign(new Error(`no answer in ${timeout} ms`), { code: 'ETIMEDOUT' }));
    });
    raw.once('connect', () => raw.setTimeout(0));
    const socket = upstreamTls
      ? tls.connect({
          socket: raw,
          servername: net.isIP(host) ? undefined : host,
          ...(typeof upstreamTls === 'object' ? upstreamTls : {}),
        })
      : raw;
    if (socket !== raw) raw.once('error', (err) => socket.destroy(err));
    const framerOptions: FramerOptions = { maxFrameBytes: this._options.maxFrameBytes };
    const conn = new ProxyConnection(
      id,
      peer,
      formatHostPort(this.upstream),
      client,
      socket,
      createConnectionFramers(this.framing, framerOptions),
      this,
      readers,
    );
    this._connections.set(id, conn);
    if (this._pauses > 0) conn.setPaused(true);
    this._applyIntercept(conn);
    this._onDidOpen.fire(conn.info());
  }

  private _applyIntercept(conn: ProxyConnection): void {
    for (const dir of ['c2s', 's2c'] as const) {
      conn.setGated(dir, this._intercept?.directions.includes(dir) === true);
    }
  }

  private _settle(id: number, action: HeldFrameSettled['action'], bytes?: Uint8Array): void {
    for (const c of this._connections.values()) {
      if (c.settle(id, action === 'drop' ? 'drop' : 'release', bytes)) {
        this._onDidSettle.fire({ id, conn: c.id, action, bytes });
        return;
      }
    }
    throw new LinetapError(
      `frame ${id} is not held (held now: ${
        this.heldFrames()
          .map((f) => f.id)
          .join(', ') || 'none'
      })`,
    );
  }

  private _flushIdle(idleUs: number): void {
    const now = this.now();
    for (const c of this._connections.values()) c.flushIdle(now, idleUs);
  }
}
