import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { allWarnings, names, res, run } from './httpHelpers';

describe('http framer: real traffic', () => {
  it('frames Node http client and server traffic recorded through a tee', async () => {
    const { c2s, s2c } = await recordNodeSession();
    const p = run(c2s, s2c);
    assert.deepEqual(allWarnings(p), []);
    assert.deepEqual(names(p.c2s), [
      'GET',
      'GET',
      'POST',
      'chunk',
      'chunk',
      'last-chunk',
      'HEAD',
      'GET',
    ]);
    assert.equal(p.c2s[2].ann?.fields?.expect, '100-continue');
    assert.deepEqual(names(p.s2c), [
      '200',
      'body',
      '200',
      'chunk',
      'chunk',
      'last-chunk',
      '100',
      '200',
      'body',
      '200',
      '304',
    ]);
    assert.deepEqual(res(p.s2c), [0, 0, 1, 1, 1, 1, 2, 2, 2, 6, 7]);
    assert.equal(p.s2c[1].ann?.summary, 'body 11 bytes "{"ok":true}"');
    assert.equal(p.s2c[3].ann?.summary, 'chunk 6 bytes "first "');
    assert.equal(p.s2c[8].ann?.summary, 'body 11 bytes "hello=world"');
    assert.equal(p.s2c[9].ann?.summary, '200 OK (no body: HEAD)');
  });
});

/**
 * Runs Node's http server and client over loopback through a relay that records each
 * direction: JSON, a chunked reply, a chunked POST with Expect: 100-continue, HEAD and 304.
 */
async function recordNodeSession(): Promise<{ c2s: Buffer; s2c: Buffer }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      if (req.url === '/json') {
        res.setHeader('Content-Type', 'application/json');
        res.end('{"ok":true}');
      } else if (req.url === '/stream') {
        res.setHeader('Content-Type', 'text/plain');
        res.write('first ');
        res.write('second');
        res.end();
      } else if (req.url === '/echo') {
        res.setHeader('Content-Type', 'application/x-www-form-urlencoded');
        res.end(Buffer.concat(chunks));
      } else {
        res.statusCode = 304;
        res.end();
      }
    });
  });
  const c2s: Buffer[] = [];
  const s2c: Buffer[] = [];
  const closed: Promise<void>[] = [];
  const relay = net.createServer((client) => {
    const upstream = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    client.on('data', (d: Buffer) => c2s.push(Buffer.from(d)));
    upstream.on('data', (d: Buffer) => s2c.push(Buffer.from(d)));
    client.pipe(upstream);
    upstream.pipe(client);
    closed.push(
      new Promise((resolve) => {
        let open = 2;
        const done = () => (--open === 0 ? resolve() : undefined);
        client.on('close', done);
        upstream.on('close', done);
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const port = (relay.address() as AddressInfo).port;
  const request = (method: string, path: string, body?: string[]) =>
    new Promise<void>((resolve, reject) => {
      const headers = body ? { Expect: '100-continue' } : undefined;
      const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      if (body) {
        req.on('continue', () => {
          for (const part of body.slice(0, -1)) req.write(part);
          req.end(body[body.length - 1]);
        });
      } else {
        req.end();
      }
    });
  try {
    await request('GET', '/json');
    await request('GET', '/stream');
    await request('POST', '/echo', ['hello=', 'world']);
    await request('HEAD', '/json');
    await request('GET', '/cached');
  } finally {
    agent.destroy();
    await Promise.all(closed);
    await new Promise((resolve) => relay.close(resolve));
    await new Promise((resolve) => server.close(resolve));
  }
  return { c2s: Buffer.concat(c2s), s2c: Buffer.concat(s2c) };
}
