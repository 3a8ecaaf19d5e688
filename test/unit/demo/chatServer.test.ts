import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { ChatServer } from '../../../src/demo/chatServer';
import { DEMO_SCRIPTS, ScriptedClient } from '../../../src/demo/scriptedClient';

/** Connects a raw socket, sends `lines` joined, and collects what comes back until close. */
async function rawSession(port: number, payload: Buffer | string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(payload);
  await new Promise((resolve) => socket.once('close', resolve));
  return Buffer.concat(chunks).toString('utf8');
}

describe('demo chat server (AsyncChat over loopback)', () => {
  let server: ChatServer;
  beforeEach(async () => {
    server = await ChatServer.listen(0);
  });
  afterEach(async () => {
    await server.close();
  });

  it('runs the three demo scripts to the end', async () => {
    const alice = new ScriptedClient('alice', DEMO_SCRIPTS.alice);
    const aliceDone = alice.run(server.port);
    await alice.when(/^JOINED alice/);
    const others = ['bob', 'carol'].map((n) =>
      new ScriptedClient(n, DEMO_SCRIPTS[n]).run(server.port),
    );
    await Promise.all([aliceDone, ...others]);
  });

  it('answers a pipelined burst in order, and closes after BYE', async () => {
    const reply = await rawSession(
      server.port,
      'NICK zed\r\nJOIN #a\r\nMSG #a hi\r\nWHO #a\r\nQUIT\r\n',
    );
    assert.equal(
      reply,
      'HELLO linetap-chat\r\nOK NICK\r\nJOINED zed #a\r\nOK MSG\r\nUSERS #a zed\r\nBYE\r\n',
    );
  });

  it('refuses a line over 4096 bytes without keeping it, then goes on', async () => {
    const reply = await rawSession(
      server.port,
      `NICK ${'x'.repeat(100_000)}\r\nNICK ok\r\nQUIT\r\n`,
    );
    const lines = reply.split('\r\n');
    assert.equal(lines[0], 'HELLO linetap-chat');
    assert.ok(lines.filter((l) => l.startsWith('ERR 414')).length >= 1, reply.slice(0, 200));
    assert.ok(lines.includes('OK NICK'));
    assert.equal(lines.at(-2), 'BYE');
  });
});
