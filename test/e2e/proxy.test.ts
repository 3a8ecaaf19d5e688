import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { ChatServer } from '../../src/demo/chatServer';
import { connect, waitFor } from '../unit/helpers/net';
import { freePort } from '../unit/helpers/peers';
import { e2e } from './session';

const STATUS = 'linetap.linetap.linetap.status';

describe('a person starts a proxy, watches it and sends a message', function () {
  let chat: ChatServer;
  let client: net.Socket | undefined;
  before(async () => {
    chat = await ChatServer.listen(0);
  });
  after(async () => {
    client?.destroy();
    await e2e()
      .workbench.runCommand('Linetap: Stop All Proxies')
      .catch(() => undefined);
    await chat.close();
  });

  it('starts a proxy from the palette by typing listen port, server and framing', async () => {
    const { workbench } = e2e();
    const port = await freePort();
    await workbench.runCommand('Linetap: Start Proxy');
    await workbench.answerQuickInput(String(port));
    await workbench.answerQuickInput(`127.0.0.1:${chat.port}`);
    await workbench.answerQuickInput('crlf');
    const status = await workbench.waitForStatusBarItem(/0 conn · 0 frames/, 20_000);
    assert.match(status, new RegExp(`${port} → 127\\.0\\.0\\.1:${chat.port}`));
    await workbench.screenshot('proxy-started');

    client = await connect(port);
    let back = '';
    client.on('data', (d: Buffer) => (back += d.toString('latin1')));
    client.write('NICK visitor\r\nJOIN #lobby\r\n');
    await waitFor(
      () => back.includes('JOINED visitor'),
      'the chat server answer through the proxy',
    );
    await workbench.waitForStatusBarItem(/1 conn · [1-9]\d* frames/, 20_000);

    // The status bar item leads to the Proxies view, which lists the connection.
    await workbench.statusBarItem(STATUS).click();
    const tree = workbench.page.locator('.pane-body .monaco-list-row');
    await tree.filter({ hasText: 'Connection 1' }).waitFor({ timeout: 15_000 });
    assert.match((await tree.first().innerText()).replace(/\s+/g, ' '), new RegExp(`${port}`));
    await workbench.screenshot('proxies-view');
  });

  it('sends a message to the client from the palette, with escapes', async () => {
    const { workbench } = e2e();
    let back = '';
    client!.on('data', (d: Buffer) => (back += d.toString('latin1')));
    await workbench.runCommand('Linetap: Send Message');
    await workbench.answerQuickInput('To the client');
    await workbench.answerQuickInput('NOTICE from linetap\\r\\n');
    await waitFor(() => back.includes('NOTICE from linetap\r\n'), 'the pushed line at the client');
    await workbench.screenshot('message-sent');
  });

  it('says what to change when the listen port is taken', async () => {
    const { workbench } = e2e();
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      await workbench.runCommand('Linetap: Start Proxy');
      await workbench.answerQuickInput(String(port));
      await workbench.answerQuickInput(`127.0.0.1:${chat.port}`);
      await workbench.answerQuickInput('line');
      const deadline = Date.now() + 15_000;
      let messages: string[] = [];
      while (Date.now() < deadline) {
        messages = await workbench.notifications();
        if (messages.some((m) => m.includes('already in use'))) break;
        await workbench.page.waitForTimeout(250);
      }
      assert.ok(
        messages.some((m) =>
          /cannot start proxy.*already in use.*choose another listen port/.test(m),
        ),
        `notifications: ${JSON.stringify(messages)}`,
      );
      await workbench.screenshot('port-in-use');
    } finally {
      busy.close();
    }
  });

  it('checks what is typed before it is accepted', async () => {
    const { workbench } = e2e();
    await workbench.runCommand('Linetap: Start Proxy');
    const input = workbench.quickInput.locator('input').first();
    await input.fill('70000');
    const message = workbench.quickInput.locator('.quick-input-message');
    await message.filter({ hasText: 'from 0 to 65535' }).waitFor({ timeout: 10_000 });
    await workbench.screenshot('listen-validation');
    await workbench.page.keyboard.press('Escape');
  });
});
