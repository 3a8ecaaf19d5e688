import * as assert from 'node:assert/strict';
import * as tls from 'node:tls';
import { ChatProxy } from '../../../src/core/proxy/chatProxy';
import type { TrafficFrame } from '../../../src/shared/traffic';
import type * as net from 'node:net';
import { connect, readAll, startServer, waitFor } from '../helpers/net';
import { testCert } from '../helpers/tlsCert';

describe('ChatProxy with TLS', function () {
  this.timeout(30_000);
  const stops: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0).reverse()) await s();
  });

  /** A TLS echo server that upper-cases lines. */
  async function tlsUpperServer(): Promise<number> {
    const { cert, key } = testCert();
    const server = tls.createServer({ cert, key }, (s) => {
      s.on('data', (c: Buffer) => s.write(c.toString().toUpperCase()));
      s.on('end', () => s.end());
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    stops.push(() => new Promise<void>((r) => server.close(() => r())));
    return (server.address() as { port: number }).port;
  }

  it('listens plain and connects upstream with TLS, framing the clear text', async () => {
    const port = await tlsUpperServer();
    const proxy = await ChatProxy.start({
      listen: '0',
      upstream: `localhost:${port}`,
      framing: 'crlf',
      upstreamTls: { ca: testCert().cert },
    });
    stops.push(() => proxy.stop());
    const frames: TrafficFrame[] = [];
    proxy.onDidFrame((f) => frames.push(f));
    const client = await connect(proxy.listen.port);
    const got = readAll(client);
    client.write('hello\r\n');
    await waitFor(() => frames.length === 2, 'both frames');
    client.end();
    assert.equal((await got).toString(), 'HELLO\r\n');
    assert.deepEqual(
      frames.map((f) => [f.dir, Buffer.from(f.bytes).toString()]),
      [
        ['c2s', 'hello\r\n'],
        ['s2c', 'HELLO\r\n'],
      ],
    );
  });

  it('refuses an upstream whose certificate it cannot verify, saying why', async () => {
    const port = await tlsUpperServer();
    const proxy = await ChatProxy.start({
      listen: '0',
      upstream: `localhost:${port}`,
      upstreamTls: true,
    });
    stops.push(() => proxy.stop());
    const errors: string[] = [];
    proxy.onDidError((e) => errors.push(e.message));
    const client = await connect(proxy.listen.port);
    client.on('error', () => undefined);
    client.write('x\r\n');
    await waitFor(() => errors.length > 0, 'a TLS error');
    assert.match(errors[0], /TLS with localhost:\d+ failed: .*(self.signed|certificate)/i);
    assert.match(
      errors[0],
      /Trust the CA that signed it .* accept any certificate \(linetap proxy --insecure/,
    );
  });

  it('accepts TLS clients with a given certificate and relays to a plain upstream', async () => {
    const up = await startServer((s) => s.pipe(s));
    stops.push(() => up.close());
    const proxy = await ChatProxy.start({
      listen: '0',
      upstream: `127.0.0.1:${up.port}`,
      framing: 'lf',
      listenTls: testCert(),
    });
    stops.push(() => proxy.stop());
    const frames: TrafficFrame[] = [];
    proxy.onDidFrame((f) => frames.push(f));
    const client = tls.connect({
      port: proxy.listen.port,
      host: '127.0.0.1',
      ca: testCert().cert,
      servername: 'localhost',
    });
    await new Promise((r) => client.once('secureConnect', r));
    const got = readAll(client as net.Socket);
    client.end('secret line\n');
    assert.equal((await got).toString(), 'secret line\n');
    await waitFor(() => frames.length === 2, 'frames');
    assert.equal(Buffer.from(frames[0].bytes).toString(), 'secret line\n');
  });
});
