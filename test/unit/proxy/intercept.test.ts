import * as assert from 'node:assert/strict';
import type * as net from 'node:net';
import { ChatProxy } from '../../../src/core/proxy/chatProxy';
import type { TrafficFrame } from '../../../src/shared/traffic';
import { connect, startServer, waitFor, type TestServer } from '../helpers/net';

describe('intercept (breakpoints) on a live connection', function () {
  this.timeout(30_000);
  let up: TestServer;
  let proxy: ChatProxy;
  let received: string;
  let upstreamEnded: boolean;
  let upSocket: net.Socket | undefined;
  let frames: TrafficFrame[];

  beforeEach(async () => {
    received = '';
    upstreamEnded = false;
    upSocket = undefined;
    frames = [];
    up = await startServer((s) => {
      upSocket = s;
      s.on('data', (c: Buffer) => (received += c.toString()));
      s.on('end', () => (upstreamEnded = true));
    });
    proxy = await ChatProxy.start({
      listen: '0',
      upstream: `127.0.0.1:${up.port}`,
      framing: 'crlf',
    });
    proxy.onDidFrame((f) => frames.push(f));
  });
  afterEach(async () => {
    await proxy.stop();
    await up.close();
  });

  async function client() {
    const c = await connect(proxy.listen.port);
    await waitFor(() => proxy.connections()[0]?.state === 'open', 'open');
    return c;
  }
  const settle = () => new Promise((r) => setTimeout(r, 100));

  it('holds a matching frame and everything behind it, until released', async () => {
    proxy.setIntercept('c2s /^SECRET/');
    const c = await client();
    c.write('a\r\nSECRET 1\r\nb\r\n');
    await waitFor(() => frames.length === 3, 'three frames');
    await settle();
    assert.equal(received, 'a\r\n');
    const held = proxy.heldFrames();
    assert.deepEqual(
      held.map((f) => Buffer.from(f.bytes).toString()),
      ['SECRET 1\r\n'],
    );
    assert.equal(frames[1].held, true);
    proxy.release(held[0].id);
    await waitFor(() => received === 'a\r\nSECRET 1\r\nb\r\n', 'the rest to pass');
    assert.deepEqual(proxy.heldFrames(), []);
    c.destroy();
  });

  it('drops or edits a held frame', async () => {
    proxy.setIntercept('/^(DROP|EDIT)/');
    const c = await client();
    c.write('DROP me\r\nEDIT me\r\nkeep\r\n');
    await waitFor(() => proxy.heldFrames().length === 2, 'two held frames');
    const [drop, edit] = proxy.heldFrames();
    const settled: string[] = [];
    proxy.onDidSettle((s) => settled.push(`${s.id}:${s.action}`));
    proxy.drop(drop.id);
    await settle();
    assert.equal(received, '', 'the edit frame still holds the line');
    proxy.release(edit.id, Buffer.from('EDITED\r\n'));
    await waitFor(() => received === 'EDITED\r\nkeep\r\n', 'edited bytes');
    assert.deepEqual(settled, [`${drop.id}:drop`, `${edit.id}:edit`]);
    assert.throws(() => proxy.release(drop.id), /frame \d+ is not held \(held now: none\)/);
    c.destroy();
  });

  it('gates only the direction the filter can match', async () => {
    proxy.setIntercept('c2s');
    const c = await client();
    let fromServer = '';
    c.on('data', (d: Buffer) => (fromServer += d.toString()));
    c.write('held\r\n');
    await waitFor(() => proxy.heldFrames().length === 1, 'held');
    upSocket?.write('free\r\n');
    await waitFor(() => fromServer === 'free\r\n', 'server bytes to flow');
    assert.equal(received, '');
    c.destroy();
  });

  it('clearing the breakpoint lets everything go in order', async () => {
    proxy.setIntercept('/x/');
    const c = await client();
    c.write('x1\r\nx2\r\ny\r\npartial');
    await waitFor(() => proxy.heldFrames().length === 2, 'held');
    proxy.setIntercept(undefined);
    await waitFor(() => received === 'x1\r\nx2\r\ny\r\npartial', 'everything');
    c.write(' rest\r\n');
    await waitFor(() => received.endsWith('partial rest\r\n'), 'raw forwarding again');
    c.destroy();
  });

  it('set in the middle of a line, it does not send the forwarded part twice', async () => {
    const c = await client();
    c.write('par');
    await waitFor(() => received === 'par', 'the first bytes');
    proxy.setIntercept('c2s /nothing/');
    c.write('tial\r\nnext\r\n');
    await waitFor(() => received === 'partial\r\nnext\r\n', 'the rest, once');
    await settle();
    assert.equal(received, 'partial\r\nnext\r\n');
    c.destroy();
  });

  it("passes the client's FIN on only after the held frame is settled", async () => {
    proxy.setIntercept('c2s /^last/');
    const c = await client();
    c.end('first\r\nlast\r\n');
    await waitFor(() => proxy.heldFrames().length === 1, 'held');
    await settle();
    assert.equal(upstreamEnded, false);
    assert.equal(received, 'first\r\n');
    proxy.release(proxy.heldFrames()[0].id);
    await waitFor(() => upstreamEnded, 'FIN at the server');
    assert.equal(received, 'first\r\nlast\r\n');
  });
});
