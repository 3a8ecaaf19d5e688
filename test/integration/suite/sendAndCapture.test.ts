import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readCapture } from '../../../src/core/capture/captureReader';
import { connect, waitFor } from '../../unit/helpers/net';
import { startRedis, type Peer } from '../../unit/helpers/peers';
import { collectFrames, linetap, stopAll, text } from './linetap';

const portOf = (listen: string) => Number(listen.slice(listen.lastIndexOf(':') + 1));

describe('Send Message, Save Capture and Export pcapng, against redis-server', function () {
  let redis: Peer;
  let dir: string;
  before(async () => {
    redis = await startRedis();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-it-'));
  });
  after(async () => {
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(stopAll);

  it('pushes a command to the server and a message to the client; both are injected frames', async () => {
    const api = await linetap();
    const info = await api.startProxy({
      listen: '0',
      upstream: `127.0.0.1:${redis.port}`,
      framing: 'redis',
    });
    const client = await connect(portOf(info.listen));
    let back = '';
    client.on('data', (d: Buffer) => (back += d.toString('latin1')));
    client.write('*1\r\n$4\r\nPING\r\n');
    await waitFor(() => back === '+PONG\r\n', 'the PONG of the client');
    const conn = api.connections(info.id)[0].id;

    // Towards the server: redis answers, and the answer reaches the client too.
    const toServer = collectFrames(
      api,
      info.id,
      (fs) => fs.some((f) => f.dir === 's2c' && text(f) === ':1\r\n'),
      'the reply to the injected INCR',
    );
    const sent = await vscode.commands.executeCommand<number>('linetap.sendMessage', {
      proxyId: info.id,
      conn,
      dir: 'c2s',
      message: '*2\\r\\n$4\\r\\nINCR\\r\\n$7\\r\\ncounter\\r\\n',
    });
    assert.equal(sent, 27);
    const frames = await toServer;
    const injected = frames.find((f) => f.dir === 'c2s')!;
    assert.equal(injected.injected, true);
    assert.equal(injected.ann?.name, 'INCR');
    await waitFor(() => back === '+PONG\r\n:1\r\n', 'the INCR reply at the client');

    // Towards the client, in hex.
    const toClient = collectFrames(api, info.id, (fs) => fs.length > 0, 'the injected push');
    await vscode.commands.executeCommand('linetap.sendMessage', {
      proxyId: info.id,
      conn,
      dir: 's2c',
      message: 'hex: 2b 68 69 0d 0a',
    });
    const [push] = await toClient;
    assert.equal(text(push), '+hi\r\n');
    assert.equal(push.dir, 's2c');
    assert.equal(push.injected, true);
    await waitFor(() => back.endsWith('+hi\r\n'), 'the pushed message at the client');

    // A bad escape sends nothing.
    const bad = await vscode.commands.executeCommand('linetap.sendMessage', {
      proxyId: info.id,
      conn,
      dir: 'c2s',
      message: 'PING\\q',
    });
    assert.equal(bad, undefined);
    client.destroy();
  });

  it('saves the running capture and exports it to pcapng', async () => {
    const api = await linetap();
    const info = await api.startProxy({
      name: 'redis',
      listen: '0',
      upstream: `127.0.0.1:${redis.port}`,
      framing: 'redis',
    });
    const client = await connect(portOf(info.listen));
    let back = '';
    client.on('data', (d: Buffer) => (back += d.toString('latin1')));
    client.write(
      '*3\r\n$3\r\nSET\r\n$8\r\ngreeting\r\n$5\r\nhello\r\n*2\r\n$3\r\nGET\r\n$8\r\ngreeting\r\n',
    );
    await waitFor(() => back === '+OK\r\n$5\r\nhello\r\n', 'the replies');

    const saved = path.join(dir, 'session.linetap');
    assert.equal(
      await vscode.commands.executeCommand('linetap.saveCapture', {
        proxyId: info.id,
        target: saved,
      }),
      saved,
    );
    const capture = await readCapture(saved);
    assert.deepEqual(capture.errors, []);
    assert.equal(capture.header?.upstream, `127.0.0.1:${redis.port}`);
    const frames = capture.events.flatMap((e) =>
      e.e === 'frame' ? [{ dir: e.dir, text: Buffer.from(e.bytes).toString('latin1') }] : [],
    );
    // Each direction in order; how the two interleave depends on how the reads fell.
    const inDir = (dir: string) => frames.filter((f) => f.dir === dir).map((f) => f.text);
    assert.deepEqual(inDir('c2s'), [
      '*3\r\n$3\r\nSET\r\n$8\r\ngreeting\r\n$5\r\nhello\r\n',
      '*2\r\n$3\r\nGET\r\n$8\r\ngreeting\r\n',
    ]);
    assert.deepEqual(inDir('s2c'), ['+OK\r\n', '$5\r\nhello\r\n']);

    const pcap = path.join(dir, 'session.pcapng');
    assert.equal(
      await vscode.commands.executeCommand('linetap.exportPcapng', { source: saved, target: pcap }),
      pcap,
    );
    const head = fs.readFileSync(pcap).subarray(0, 4);
    assert.deepEqual([...head], [0x0a, 0x0d, 0x0d, 0x0a], 'a pcapng section header block');
    client.destroy();
  });

  it('runs the demo: chat server, proxy and scripted clients, with frames both ways', async () => {
    const api = await linetap();
    const id = await vscode.commands.executeCommand<string>('linetap.runDemo');
    assert.ok(id);
    const demo = api.proxies().find((p) => p.id === id)!;
    assert.equal(demo.label, 'demo chat');
    assert.ok(demo.frameCount > 10, `${demo.frameCount} frames`);
  });
});
