/** Loopback servers and clients for tests: real sockets on 127.0.0.1, port 0. */
import * as net from 'node:net';

/** A listening test server. */
export interface TestServer {
  readonly port: number;
  readonly sockets: Set<net.Socket>;
  close(): Promise<void>;
}

/** Starts a TCP server on 127.0.0.1 with half-open sockets. */
export async function startServer(onSocket: (socket: net.Socket) => void): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Connects to 127.0.0.1:port (half-open allowed) and waits until connected. */
export async function connect(port: number): Promise<net.Socket> {
  const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  return s;
}

/** Everything a socket receives until it ends or closes. */
export function readAll(s: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (!done) resolve(Buffer.concat(chunks));
      done = true;
    };
    s.once('end', finish);
    s.once('close', finish);
  });
}

/** Resolves when `check` is true, polling; rejects after `ms` with `what`. */
export async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Writes `data` in pieces of the given sizes, yielding to the event loop between pieces. */
export async function writeInPieces(s: net.Socket, data: Buffer, sizes: number[]): Promise<void> {
  let pos = 0;
  let i = 0;
  while (pos < data.length) {
    const n = Math.max(1, sizes[i++ % sizes.length]);
    const ok = s.write(data.subarray(pos, pos + n));
    pos += n;
    if (!ok) await new Promise((r) => s.once('drain', r));
    else if (i % 7 === 0) await new Promise((r) => setImmediate(r));
  }
}

/** A deterministic PRNG (mulberry32) so random tests reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` random bytes from a seeded PRNG. */
export function randomBytes(n: number, rand: () => number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (rand() * 256) | 0;
  return b;
}
