// AsyncChat end to end on real loopback sockets (127.0.0.1, port 0): echo, graceful close,
// re-entrant pushes, back-pressure, bounded input, EOF and reset handling, errors, and the
// STARTTLS-style discard. Chunk boundaries are tested through handleRead, where they can be
// chosen; the sockets show the behaviour a peer sees.
import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { AsyncChat, type Producer } from '../../src/core/asyncChat';

/** A CRLF line channel that records what happens to it. */
class LineChat extends AsyncChat {
  readonly lines: string[] = [];
  readonly events: string[] = [];
  readonly errors: Error[] = [];
  /** Runs at each line; may push, switch, discard or throw. */
  onLine: (line: string, chat: LineChat) => void = () => {};
  /** When false, handleError records the error and keeps the channel open. */
  closeOnError = true;
  private _closedResolve: () => void = () => {};
  /** Resolves when the socket is fully closed (declared after its resolver, which it sets). */
  readonly whenClosed = new Promise<void>((resolve) => (this._closedResolve = resolve));

  constructor(socket?: net.Socket) {
    super(socket);
    this.setTerminator('\r\n');
  }

  override collectIncomingData(data: Buffer): void {
    this.events.push(`collect:${data.toString('latin1')}`);
    this.storeIncomingData(data);
  }

  override foundTerminator(): void {
    const line = this.getData().toString('latin1');
    this.events.push('found');
    this.lines.push(line);
    this.onLine(line, this);
  }

  override handleClose(): void {
    this.events.push('handle_close');
    super.handleClose();
  }

  override handleError(err: Error): void {
    this.events.push(`error:${err.message}`);
    this.errors.push(err);
    if (this.closeOnError) super.handleError(err);
  }

  override handleClosed(): void {
    this._closedResolve();
  }
}

const cleanups: (() => void)[] = [];

/** A listening server whose first connection gets a LineChat set up by `setup`. */
async function serveChat(setup: (chat: LineChat) => void = () => {}) {
  const server = net.createServer();
  const channel = new Promise<LineChat>((resolve) => {
    server.once('connection', (socket: net.Socket) => {
      const chat = new LineChat(socket);
      setup(chat);
      cleanups.push(() => chat.abort());
      resolve(chat);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => server.close());
  return { port: (server.address() as net.AddressInfo).port, channel };
}

/** A plain socket to `port`, destroyed after the test. */
async function rawClient(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  cleanups.push(() => socket.destroy());
  await once(socket, 'connect');
  return socket;
}

/** Everything a plain socket receives until the peer's FIN. */
function readAll(socket: net.Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  socket.on('data', (d: Buffer) => parts.push(d));
  return once(socket, 'end').then(() => Buffer.concat(parts));
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('AsyncChat on loopback sockets', () => {
  afterEach(() => {
    while (cleanups.length > 0) cleanups.pop()?.();
  });

  it('echoes lines between an AsyncChat server and an AsyncChat client', async () => {
    const sent = ['hello', '', 'a\rb', 'x'.repeat(100_000), 'last'];
    const { port, channel } = await serveChat((ch) => {
      ch.onLine = (line, c) => c.push(`${line}\r\n`);
    });
    const client = new LineChat();
    cleanups.push(() => client.abort());
    client.onLine = (_line, c) => {
      if (c.lines.length === sent.length) c.closeWhenDone();
    };
    client.connect(port);
    client.push(sent.map((l) => `${l}\r\n`).join(''));
    await client.whenClosed;
    const server = await channel;
    await server.whenClosed;
    assert.deepEqual(client.lines, sent);
    assert.deepEqual(server.lines, sent);
    assert.equal(server.events.at(-1), 'handle_close', 'the server saw the client EOF');
  });

  it('splits a stream the same way at every chunk boundary (handleRead)', () => {
    const stream = 'one\r\ntwo\r\n\r\nthree\r\nfour\r\n';
    const feed = (chunks: string[]) => {
      const chat = new LineChat();
      for (const c of chunks) chat.handleRead(Buffer.from(c, 'latin1'));
      return chat.lines;
    };
    const expected = ['one', 'two', '', 'three', 'four'];
    assert.deepEqual(feed([stream]), expected);
    assert.deepEqual(feed(stream.split('')), expected, 'one byte per read');
    for (let i = 1; i < stream.length; i++) {
      assert.deepEqual(feed([stream.slice(0, i), stream.slice(i)]), expected, `cut at ${i}`);
    }
  });

  it('closeWhenDone after many pushes delivers everything, then the peer sees EOF', async () => {
    const pieces: Buffer[] = [];
    const { port, channel } = await serveChat((ch) => {
      for (let i = 0; i < 2000; i++) {
        const size = i % 100 === 0 ? 100_000 + i : (i * 7919) % 3000;
        const piece = Buffer.alloc(size, i % 251);
        pieces.push(piece);
        ch.push(piece);
      }
      ch.closeWhenDone();
    });
    const received = readAll(await rawClient(port));
    assert.ok((await received).equals(Buffer.concat(pieces)), 'every byte, in order');
    const server = await channel;
    assert.equal(server.closed, true);
    assert.deepEqual(server.events, [], 'closed directly: handleClose means the input ended');
  });

  it('pushes from foundTerminator and from a producer are neither duplicated nor lost', async () => {
    const { port } = await serveChat((ch) => {
      ch.onLine = (line, c) => {
        if (line !== 'go') return;
        c.push('A');
        let n = 0;
        const producer: Producer = {
          more: () => {
            if (n === 3) return '';
            n++;
            c.push(`[${n}]`); // re-entrant: initiateSend is running
            return `p${n}`;
          },
        };
        c.pushWithProducer(producer);
        c.push('Z');
        c.closeWhenDone();
      };
    });
    const client = await rawClient(port);
    const received = readAll(client);
    client.write('go\r\n');
    // The producer's pushes queue behind it, so they follow its output.
    assert.equal((await received).toString(), 'Ap1p2p3[1][2][3]Z');
  });

  it('back-pressure (§3; asynchat has none, §1.1): outputBlocked until the peer reads, then handleDrain', async () => {
    const PIECE = 64 * 1024;
    const COUNT = 512; // 32 MiB: more than the loopback socket buffers can take
    let blocked = 0;
    let drained = 0;
    const { port, channel } = await serveChat();
    const client = await rawClient(port);
    client.pause();
    const server = await channel;
    server.handleWriteBlocked = () => void blocked++;
    server.handleDrain = () => void drained++;
    for (let i = 0; i < COUNT; i++) server.push(Buffer.alloc(PIECE, i % 256));
    assert.equal(server.outputBlocked, true);
    assert.equal(blocked, 1);
    // The kernel took what it could; the rest waits in our queue, not in Node's write buffer.
    assert.ok(server.queuedOutputBytes > 0, 'the rest waits in our queue');
    assert.ok(
      (server.socket?.writableLength ?? Infinity) <= PIECE,
      'Node buffers one piece at most',
    );
    await tick();
    await tick();
    assert.equal(drained, 0, 'no drain while the peer reads nothing');

    let got = 0;
    let inOrder = true;
    client.on('data', (d: Buffer) => {
      for (let at = 0; at < d.length; at += PIECE - ((got + at) % PIECE)) {
        if (d[at] !== Math.floor((got + at) / PIECE) % 256) inOrder = false;
      }
      got += d.length;
      if (got === COUNT * PIECE) server.close();
    });
    client.resume();
    await once(client, 'end');
    assert.equal(got, COUNT * PIECE);
    assert.ok(inOrder, 'pieces arrived in order');
    assert.ok(drained >= 1, 'handleDrain ran once the queue was handed over');
    assert.equal(server.outputBlocked, false);
    assert.equal(server.queuedOutputBytes, 0);
  });

  it('maxMessageBytes: a 10 MB line with no terminator comes as bounded, flagged messages', async () => {
    const MAX = 64 * 1024;
    const TOTAL = 10 * 1024 * 1024;
    const sizes: number[] = [];
    let allCut = true;
    let left = -1;
    const server = net.createServer((socket) => {
      const chat = new (class extends AsyncChat {
        override collectIncomingData(data: Buffer): void {
          this.storeIncomingData(data);
        }
        override foundTerminator(): void {
          sizes.push(this.getData().length);
          allCut &&= this.messageCut;
        }
        override handleClose(): void {
          left = this.getData().length;
          super.handleClose();
        }
      })(socket);
      chat.setTerminator('\n');
      chat.maxMessageBytes = MAX;
      cleanups.push(() => chat.abort());
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => server.close());
    const client = await rawClient((server.address() as net.AddressInfo).port);
    const ended = readAll(client);
    client.end(Buffer.alloc(TOTAL, 'a'));
    await ended;
    assert.equal(Math.max(...sizes), MAX, 'no message above the limit');
    // A message is cut when a byte more would pass the limit: the last full one stays open.
    assert.equal(sizes.length, TOTAL / MAX - 1);
    assert.ok(allCut, 'every message is flagged messageCut');
    assert.equal(left, MAX, 'the unfinished last message is still held at close');
  });

  it('a \\r held back at EOF is delivered before handleClose (pitfall 1)', async () => {
    const { port, channel } = await serveChat();
    const client = await rawClient(port);
    client.end('abc\r');
    const server = await channel;
    await server.whenClosed;
    assert.equal(server.events.at(-1), 'handle_close');
    const collected = server.events.slice(0, -1);
    assert.ok(
      collected.every((e) => e.startsWith('collect:')),
      collected.join(),
    );
    assert.equal(collected.map((e) => e.slice(8)).join(''), 'abc\r');
    assert.equal(collected.at(-1), 'collect:\r');
  });

  it('a reset delivers the held bytes, then goes to handleError with ECONNRESET', async () => {
    let sawAbc: () => void = () => {};
    const collectedAbc = new Promise<void>((resolve) => (sawAbc = resolve));
    const { port, channel } = await serveChat();
    const client = await rawClient(port);
    const server = await channel;
    const collect = server.collectIncomingData.bind(server);
    server.collectIncomingData = (data: Buffer) => {
      collect(data);
      if (server.events.join('').includes('abc')) sawAbc();
    };
    client.write('abc\r');
    await collectedAbc;
    client.resetAndDestroy();
    await server.whenClosed;
    // asyncore would call handle_close; we report the reset so a proxy can pass it on.
    assert.deepEqual(
      server.errors.map((e) => (e as NodeJS.ErrnoException).code),
      ['ECONNRESET'],
    );
    assert.deepEqual(server.events.slice(-2), ['collect:\r', `error:${server.errors[0].message}`]);
  });

  it('abort() right after the output was ended still closes the channel, and the peer sees it', async () => {
    const { port, channel } = await serveChat();
    const client = await rawClient(port);
    const server = await channel;
    const clientClosed = once(client, 'close');
    client.on('error', () => undefined);
    // end() has started the FIN: libuv cannot reset this socket any more, it must close it.
    server.socket?.end();
    server.abort();
    await server.whenClosed;
    await clientClosed;
    assert.equal(server.closed, true);
  });
  it('an exception in foundTerminator goes to handleError; the rest of the read goes on', async () => {
    const { port, channel } = await serveChat((ch) => {
      ch.closeOnError = false;
      ch.onLine = (line) => {
        if (line === 'boom') throw new Error('bad line');
      };
    });
    const client = await rawClient(port);
    const ended = readAll(client);
    client.end('a\r\nboom\r\nb\r\n');
    await ended;
    const server = await channel;
    assert.deepEqual(server.lines, ['a', 'boom', 'b']);
    assert.deepEqual(
      server.errors.map((e) => e.message),
      ['bad line'],
    );
    assert.equal(server.events.at(-1), 'handle_close');
  });

  it('by default an exception in foundTerminator closes the channel, and nothing crashes', async () => {
    const { port, channel } = await serveChat((ch) => {
      ch.onLine = () => {
        throw new Error('handler bug');
      };
    });
    const client = await rawClient(port);
    const ended = readAll(client);
    client.write('x\r\ny\r\n');
    await ended;
    const server = await channel;
    assert.deepEqual(server.lines, ['x']);
    assert.deepEqual(server.events.slice(-2), ['found', 'error:handler bug']);
    assert.equal(server.closed, true);
  });

  it('a producer that throws after closeWhenDone goes to handleError, not the event loop', async () => {
    const { port, channel } = await serveChat();
    await rawClient(port);
    const server = await channel;
    let calls = 0;
    const broken: Producer = {
      more: () => {
        calls++;
        throw new Error(`producer broke (${calls})`);
      },
    };
    assert.throws(() => server.pushWithProducer(broken), /producer broke \(1\)/);
    server.closeWhenDone();
    await server.whenClosed;
    assert.deepEqual(
      server.errors.map((e) => e.message),
      ['producer broke (2)'],
    );
  });

  it('a refused connection goes to handleError with ECONNREFUSED', async () => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const client = new LineChat();
    client.connect(port);
    await client.whenClosed;
    assert.equal(client.errors.length, 1);
    assert.equal((client.errors[0] as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    assert.equal(client.closed, true);
  });

  for (const discard of [true, false]) {
    it(`STARTTLS: ${discard ? 'discardInput drops' : 'without discardInput, the server takes'} the pipelined command (pitfall 5)`, async () => {
      const { port, channel } = await serveChat((ch) => {
        ch.onLine = (line, c) => {
          if (line !== 'STARTTLS') return;
          c.push('220 go ahead\r\n');
          if (discard) c.discardInput();
        };
      });
      const client = new LineChat();
      cleanups.push(() => client.abort());
      client.onLine = (line, c) => {
        if (line === '220 go ahead') {
          c.push('AFTER\r\n');
          c.closeWhenDone();
        }
      };
      client.connect(port);
      // One write: the injected line arrives in the same read as STARTTLS.
      client.push('STARTTLS\r\nINJECTED\r\n');
      const server = await channel;
      await server.whenClosed;
      assert.deepEqual(client.lines, ['220 go ahead'], 'the reply was not discarded');
      assert.deepEqual(
        server.lines,
        discard ? ['STARTTLS', 'AFTER'] : ['STARTTLS', 'INJECTED', 'AFTER'],
      );
    });
  }
});
