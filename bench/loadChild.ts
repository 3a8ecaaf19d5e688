/**
 * The load process of the proxy benchmarks (`--child=load`): the sender and the receiver of the
 * streams, the echo server and ping-pong client of the latency case, and the idle connections of
 * the memory case. It is the same process whatever relay sits between its two ends, so the
 * relays differ only by what they cost.
 */
import { once } from 'node:events';
import * as net from 'node:net';
import { type JsonMessage } from './jsonChild';
import { serveJsonAsync } from './benchChildren';
import { streamBlock, StreamCheck, type StreamId } from './proxyWorkloads';

/** Bytes per write of the sender: big writes, so the sender costs few system calls. */
const WRITE_BYTES = 256 * 1024;
/** Connections of the memory case opened at once (the rest wait their turn). */
const OPEN_AT_ONCE = 200;

interface Expectation {
  readonly check: StreamCheck;
  resolve(endMs: number): void;
  reject(err: Error): void;
}

/**
 * The receiving end of the streams: takes one connection per run and checks every byte against
 * the stream the run sends. Connections that come while no run waits are an error.
 */
class Sink {
  readonly server: net.Server;
  private _expect: Expectation | undefined;

  constructor() {
    this.server = net.createServer((socket) => this._accept(socket));
  }

  /** Resolves with performance.now() when all of `check`'s stream has arrived. */
  expect(check: StreamCheck): Promise<number> {
    return new Promise((resolve, reject) => {
      this._expect = { check, resolve, reject };
    });
  }

  private _accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const run = this._expect;
    let done = false;
    const fail = (err: Error): void => {
      if (done) return;
      done = true;
      socket.destroy();
      if (run) run.reject(err);
    };
    if (!run) {
      socket.destroy();
      return;
    }
    this._expect = undefined;
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      try {
        run.check.take(chunk);
      } catch (err) {
        fail(err as Error);
        return;
      }
      if (run.check.complete) {
        done = true;
        run.resolve(performance.now());
      }
    });
    socket.on('end', () => {
      if (!done) fail(new Error(`stream ended after ${run.check.received} bytes`));
      socket.end();
    });
    socket.on('error', fail);
    socket.on('close', () => fail(new Error(`closed after ${run.check.received} bytes`)));
  }
}

/** Sends `times` blocks of the stream on `socket`, waiting for drain when its buffer is full. */
async function send(socket: net.Socket, block: Buffer, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    for (let at = 0; at < block.length; at += WRITE_BYTES) {
      if (!socket.write(block.subarray(at, at + WRITE_BYTES))) await once(socket, 'drain');
    }
  }
}

/** Connects to 127.0.0.1:port; rejects on error. */
async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.setNoDelay(true);
  await once(socket, 'connect');
  return socket;
}

/**
 * One stream run through 127.0.0.1:port, timed from the connection being up to the last byte
 * arriving at the sink (wall clock: the work is split among processes).
 */
async function streamRun(sink: Sink, req: JsonMessage): Promise<JsonMessage> {
  const check = new StreamCheck(req.stream as StreamId, Number(req.times), req.hash === true);
  const arrived = sink.expect(check);
  const client = await connect(Number(req.port));
  const failed = new Promise<never>((_, reject) => client.once('error', reject));
  const start = performance.now();
  const startEpoch = performance.timeOrigin + start;
  const sent = send(client, streamBlock(check.id), check.times);
  const end = await Promise.race([sent.then(() => arrived), arrived, failed]);
  client.end();
  return {
    ms: end - start,
    startEpoch,
    endEpoch: performance.timeOrigin + end,
    bytes: check.received,
    digest: check.digest() ?? '',
  };
}

/**
 * `count` round trips of a `size`-byte line to the echo server through 127.0.0.1:port, one at a
 * time; returns each round trip's time in µs, comma-separated.
 */
async function pingRun(req: JsonMessage): Promise<JsonMessage> {
  const size = Number(req.size);
  const count = Number(req.count);
  const line = Buffer.alloc(size, 0x78);
  line[size - 2] = 13;
  line[size - 1] = 10;
  const client = await connect(Number(req.port));
  const samples = new Float64Array(count);
  await new Promise<void>((resolve, reject) => {
    let got = 0;
    let i = 0;
    let sent = 0n;
    const next = (): void => {
      sent = process.hrtime.bigint();
      client.write(line);
    };
    client.on('data', (chunk: Buffer) => {
      got += chunk.length;
      if (got < size) return;
      if (got > size) return reject(new Error(`echo sent ${got} bytes for ${size}`));
      samples[i++] = Number(process.hrtime.bigint() - sent) / 1000;
      got = 0;
      if (i < count) next();
      else resolve();
    });
    client.on('error', reject);
    next();
  });
  client.end();
  return { samples: Array.from(samples, (s) => s.toFixed(1)).join(',') };
}

/** Echoes whatever it reads. */
function echoServer(): net.Server {
  return net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => socket.write(chunk));
    socket.on('end', () => socket.end());
    socket.on('error', () => socket.destroy());
  });
}

async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1', 4096);
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

/** Idle connections: the clients this process opened, and those its holding server accepted. */
class Idle {
  private readonly _clients = new Set<net.Socket>();
  private readonly _held = new Set<net.Socket>();
  private _holder: net.Server | undefined;

  /** Starts the server that accepts connections and holds them; returns its port. */
  async holdServer(): Promise<number> {
    this._holder = net.createServer((socket) => {
      this._held.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => this._held.delete(socket));
    });
    return listen(this._holder);
  }

  get held(): number {
    return this._held.size;
  }

  get clients(): number {
    return this._clients.size;
  }

  /** Opens `count` idle connections to 127.0.0.1:port, OPEN_AT_ONCE at a time. */
  async open(port: number, count: number): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        next++;
        const socket = await connect(port);
        this._clients.add(socket);
        socket.on('error', () => socket.destroy());
        socket.on('close', () => this._clients.delete(socket));
      }
    };
    await Promise.all(Array.from({ length: Math.min(OPEN_AT_ONCE, count) }, worker));
  }

  /** Closes every client and held connection; resolves when they are gone. */
  async closeAll(): Promise<void> {
    const all = [...this._clients, ...this._held];
    for (const s of all) s.destroy();
    await Promise.all(all.map((s) => (s.closed ? undefined : once(s, 'close'))));
  }
}

/** The child side. Requests: ports, stream, ping, holdServer, open, counts, closeAll. */
export function runLoadChild(): void {
  const sink = new Sink();
  const echo = echoServer();
  const idle = new Idle();
  const ports = Promise.all([listen(sink.server), listen(echo)]);
  serveJsonAsync(async (req): Promise<JsonMessage> => {
    switch (req.cmd) {
      case 'ports': {
        const [sinkPort, echoPort] = await ports;
        return { sink: sinkPort, echo: echoPort };
      }
      case 'stream':
        return streamRun(sink, req);
      case 'ping':
        return pingRun(req);
      case 'holdServer':
        return { port: await idle.holdServer() };
      case 'open':
        await idle.open(Number(req.port), Number(req.count));
        return { open: idle.clients };
      case 'counts':
        return { open: idle.clients, held: idle.held };
      case 'closeAll':
        await idle.closeAll();
        return {};
      default:
        throw new Error(`unknown command ${String(req.cmd)}`);
    }
  });
}
