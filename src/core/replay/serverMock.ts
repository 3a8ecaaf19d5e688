/**
 * The server mock: listens and plays the recorded server side of a capture to each client that
 * connects (greeting first, then the recorded answer to each request), so a client can be tested
 * with no server at all, or with a real one behind it for what was not recorded.
 */
import * as net from 'node:net';
import { unescapeBytes } from '../bytes';
import { Emitter, type Event } from '../events';
import { formatHostPort, type HostPort, parseHostPort } from '../proxy/address';
import { describeSocketError, LinetapError } from '../socketErrors';
import { type Mask, parseMasks } from './masks';
import {
  MockConnection,
  type MockConnectionHost,
  type MockExchange,
  type Unmatched,
} from './mockConnection';
import { MockMatcher } from './mockMatcher';
import { type ReplayScript, serverFrameCount } from './replayScript';

export type { MockExchange, Unmatched } from './mockConnection';

/** How to run a mock. */
export interface MockOptions {
  /** `[HOST:]PORT`; the host defaults to 127.0.0.1 (loopback only). Port 0 picks one. */
  readonly listen: string | HostPort;
  /** Volatile fields of requests: a request matches a recorded one through these. */
  readonly masks?: readonly (string | Mask)[];
  /** What to do with a request that has no recorded answer. Default close. */
  readonly unmatched?: Unmatched | string;
  /** Infinity (default): answer at once; 1: after the recorded latency; 2: twice as fast. */
  readonly speed?: number;
  /** Longest wait for a hybrid upstream's greeting or answer, in ms. Default 5000. */
  readonly timeoutMs?: number;
  readonly maxFrameBytes?: number;
}

/** A client connected to the mock. */
export interface MockOpen {
  readonly client: number;
  readonly peer: string;
  /** The recorded connection it is played. */
  readonly recorded: number;
  /** Frames of the recorded greeting sent to it. */
  readonly greeting: number;
}

/** A running mock. */
export class ServerMock {
  private readonly _connections = new Set<MockConnection>();
  private _clients = 0;
  private readonly _onDidOpen = new Emitter<MockOpen>();
  private readonly _onDidExchange = new Emitter<MockExchange>();
  private readonly _onDidClose = new Emitter<{ client: number; reason: string }>();
  private readonly _onDidError = new Emitter<LinetapError>();
  /** A client connected; the greeting is on its way. */
  readonly onDidOpen: Event<MockOpen> = this._onDidOpen.event;
  /** A client's request was answered, or not (see `outcome`). */
  readonly onDidExchange: Event<MockExchange> = this._onDidExchange.event;
  readonly onDidClose: Event<{ client: number; reason: string }> = this._onDidClose.event;
  /** Something a person should know: the hybrid upstream refused... */
  readonly onDidError: Event<LinetapError> = this._onDidError.event;

  private readonly _host: MockConnectionHost;

  private constructor(
    private readonly _server: net.Server,
    readonly listen: HostPort,
    private readonly _matcher: MockMatcher,
    settings: Pick<
      MockConnectionHost,
      'specs' | 'unmatched' | 'speed' | 'timeoutMs' | 'maxFrameBytes'
    >,
  ) {
    this._host = {
      ...settings,
      exchanged: (x) => this._onDidExchange.fire(x),
      closed: (client, reason) => this._onDidClose.fire({ client, reason }),
      error: (_client, message) => this._onDidError.fire(new LinetapError(message)),
    };
    _server.on('connection', (socket) => this._accept(socket));
  }

  /** Checks the options, listens, and returns the running mock. */
  static async start(script: ReplayScript, options: MockOptions): Promise<ServerMock> {
    if (script.connections.length === 0) {
      throw new LinetapError('the capture holds no frames: nothing to serve');
    }
    if (serverFrameCount(script) === 0) {
      throw new LinetapError('the capture has no server frames: nothing to answer with');
    }
    const listen =
      typeof options.listen === 'string'
        ? parseHostPort(options.listen, '127.0.0.1')
        : options.listen;
    const unmatched =
      typeof options.unmatched === 'string'
        ? parseUnmatched(options.unmatched)
        : (options.unmatched ?? { kind: 'close' });
    const matcher = new MockMatcher(script.connections, parseMasks(options.masks));
    const server = net.createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(describeSocketError(err, 'listen', formatHostPort(listen))),
      );
      server.listen(listen.port, listen.host, () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    return new ServerMock(server, { host: listen.host, port }, matcher, {
      specs: script.specs,
      unmatched,
      speed: options.speed ?? Infinity,
      timeoutMs: options.timeoutMs ?? 5000,
      maxFrameBytes: options.maxFrameBytes,
    });
  }

  /** Stops listening and closes every client. */
  async stop(): Promise<void> {
    for (const c of this._connections) c.destroy();
    await new Promise<void>((resolve) => this._server.close(() => resolve()));
    this._onDidOpen.dispose();
    this._onDidExchange.dispose();
    this._onDidClose.dispose();
    this._onDidError.dispose();
  }

  private _accept(socket: net.Socket): void {
    const client = ++this._clients;
    const cursor = this._matcher.nextClient();
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this._onDidOpen.fire({
      client,
      peer,
      recorded: cursor.script.conn,
      greeting: cursor.greeting?.replies.length ?? 0,
    });
    const connection = new MockConnection(client, socket, cursor, this._host);
    this._connections.add(connection);
    socket.on('close', () => this._connections.delete(connection));
  }
}

/**
 * Parses the unmatched policy: `close`, `reply:TEXT` (escapes \r \n \t \0 \xHH \\ allowed; end
 * the line yourself) or `upstream:HOST:PORT`.
 */
export function parseUnmatched(text: string): Unmatched {
  if (text === 'close') return { kind: 'close' };
  if (text.startsWith('reply:')) return { kind: 'reply', bytes: unescapeBytes(text.slice(6)) };
  if (text.startsWith('upstream:')) {
    return { kind: 'upstream', target: parseHostPort(text.slice(9)) };
  }
  throw new RangeError(
    `bad unmatched policy "${text}": use close, reply:TEXT (e.g. 'reply:-ERR not recorded\\r\\n') ` +
      'or upstream:HOST:PORT',
  );
}
