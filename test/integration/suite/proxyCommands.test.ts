import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as vscode from 'vscode';
import { ChatServer } from '../../../src/demo/chatServer';
import { connect, readAll, waitFor } from '../../unit/helpers/net';
import { collectFrames, linetap, stopAll, text } from './linetap';

const portOf = (listen: string) => Number(listen.slice(listen.lastIndexOf(':') + 1));

describe('Start and Stop Proxy, in the extension host', function () {
  let chat: ChatServer;
  before(async () => {
    chat = await ChatServer.listen(0);
  });
  after(() => chat.close());
  afterEach(stopAll);

  it('starts a proxy from a profile, relays a chat session and shows its frames both ways', async () => {
    const api = await linetap();
    const id = await vscode.commands.executeCommand<string>('linetap.startProxy', {
      name: 'chat',
      listen: '0',
      upstream: `127.0.0.1:${chat.port}`,
      framing: 'crlf',
    });
    assert.ok(id, 'the command returns the proxy id');
    const [info] = api.proxies();
    assert.equal(info.id, id);
    assert.equal(info.label, 'chat');
    assert.deepEqual(info.framing, { c2s: 'crlf', s2c: 'crlf' });
    const frames = collectFrames(
      api,
      id,
      (fs) => fs.some((f) => f.dir === 's2c' && text(f).startsWith('JOINED')),
      'the JOINED reply',
    );
    const client = await connect(portOf(info.listen));
    let back = '';
    client.on('data', (d: Buffer) => (back += d.toString('latin1')));
    client.write('NICK tester\r\nJOIN #lobby\r\n');
    const seen = await frames;
    assert.deepEqual(seen.filter((f) => f.dir === 'c2s').map(text), [
      'NICK tester\r\n',
      'JOIN #lobby\r\n',
    ]);
    await waitFor(() => back.includes('JOINED'), 'the reply at the client');
    // What the client got is exactly what the proxy framed in its direction.
    assert.equal(
      seen
        .filter((f) => f.dir === 's2c')
        .map(text)
        .join(''),
      back.slice(
        0,
        seen
          .filter((f) => f.dir === 's2c')
          .map(text)
          .join('').length,
      ),
    );
    assert.equal(api.connections(id).length, 1);
    client.destroy();

    await vscode.commands.executeCommand('linetap.stopProxy', id);
    assert.deepEqual(api.proxies(), []);
    await assert.rejects(connect(portOf(info.listen)), /ECONNREFUSED/);
  });

  it('runs several proxies at once, each with its own frames', async () => {
    const api = await linetap();
    const profile = { listen: '0', upstream: `127.0.0.1:${chat.port}`, framing: 'line' };
    const a = await vscode.commands.executeCommand<string>('linetap.startProxy', profile);
    const b = await vscode.commands.executeCommand<string>('linetap.startProxy', profile);
    assert.ok(a && b && a !== b);
    assert.equal(api.proxies().length, 2);
    // The server's greeting and the client's line travel in opposite directions: either may be
    // framed first.
    const framesB = collectFrames(
      api,
      b,
      (fs) => fs.some((f) => f.dir === 'c2s'),
      "the client's line on the second proxy",
    );
    const listenB = api.proxies().find((p) => p.id === b)!.listen;
    const client = await connect(portOf(listenB));
    client.write('NICK second\r\n');
    const first = (await framesB).find((f) => f.dir === 'c2s')!;
    assert.equal(text(first), 'NICK second\r\n');
    assert.equal(first.conn, 1);
    assert.equal(api.proxies().find((p) => p.id === a)!.frameCount, 0);
    client.destroy();
  });

  it('starts a named profile from settings, and refuses a bad one without starting anything', async () => {
    const api = await linetap();
    const config = vscode.workspace.getConfiguration('linetap');
    await config.update(
      'profiles',
      [
        {
          name: 'chat from settings',
          listen: '0',
          upstream: `127.0.0.1:${chat.port}`,
          framing: 'crlf',
        },
        { name: 'broken', listen: '0', upstream: `127.0.0.1:${chat.port}`, framing: 'crlff' },
      ],
      vscode.ConfigurationTarget.Global,
    );
    try {
      const id = await vscode.commands.executeCommand<string>(
        'linetap.startProxy',
        'chat from settings',
      );
      assert.ok(id);
      assert.equal(api.proxies()[0].label, 'chat from settings');
      assert.equal(await vscode.commands.executeCommand('linetap.startProxy', 'broken'), undefined);
      assert.equal(
        await vscode.commands.executeCommand('linetap.startProxy', 'missing'),
        undefined,
      );
      assert.equal(api.proxies().length, 1);
    } finally {
      await config.update('profiles', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('says what to change when the port is in use or the profile is wrong', async () => {
    const api = await linetap();
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      await assert.rejects(
        api.startProxy({ listen: String(port), upstream: `127.0.0.1:${chat.port}` }),
        /already in use.*choose another listen port/,
      );
      await assert.rejects(
        api.startProxy({ listen: '0', upstream: 'localhost' }),
        /"upstream": "localhost" needs a host|port must be a number/,
      );
      assert.equal(
        await vscode.commands.executeCommand('linetap.startProxy', {
          listen: String(port),
          upstream: `127.0.0.1:${chat.port}`,
        }),
        undefined,
      );
      assert.deepEqual(api.proxies(), []);
    } finally {
      busy.close();
    }
  });

  it('keeps running when a client sends garbage or the upstream refuses', async () => {
    const api = await linetap();
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as net.AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const info = await api.startProxy({
      listen: '0',
      upstream: `127.0.0.1:${deadPort}`,
      framing: 'redis',
    });
    const refused = await connect(portOf(info.listen));
    await readAll(refused); // the proxy closes the client when the upstream refuses
    const viaChat = await api.startProxy({
      listen: '0',
      upstream: `127.0.0.1:${chat.port}`,
      framing: 'redis',
    });
    const frames = collectFrames(api, viaChat.id, (fs) => fs.length > 0, 'a frame of garbage');
    const client = await connect(portOf(viaChat.listen));
    client.write(Buffer.from([0xff, 0x00, 0x2a, 0x39, 0x39, 0x39, 0x39, 0x39, 0x0d, 0x0a]));
    const [f] = await frames;
    assert.ok(f.bytes.length > 0);
    assert.equal(api.proxies().length, 2, 'both proxies still run');
    client.destroy();
  });

  it('closes one connection from the Proxies view, opens the panel and clears it', async () => {
    const api = await linetap();
    const info = await api.startProxy({
      listen: '0',
      upstream: `127.0.0.1:${chat.port}`,
      framing: 'crlf',
    });
    const client = await connect(portOf(info.listen));
    const ended = readAll(client);
    client.write('NICK closer\r\n');
    await waitFor(() => api.connections(info.id).length === 1, 'the connection');
    const conn = api.connections(info.id)[0].id;
    assert.equal(await vscode.commands.executeCommand('linetap.openPanel', info.id), true);
    const panelTab = () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.label === `Linetap: ${info.label}`);
    await waitFor(() => panelTab() !== undefined, 'the traffic panel tab');
    // As the tree's inline action calls it: with the connection's node.
    await vscode.commands.executeCommand('linetap.closeConnection', {
      kind: 'connection',
      proxyId: info.id,
      conn,
    });
    await ended; // the client sees its connection end
    await waitFor(() => api.connections(info.id).length === 0, 'the connection to go');
    await vscode.commands.executeCommand('linetap.clear');
    assert.equal(api.proxies().length, 1, 'clearing keeps the proxy running');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
