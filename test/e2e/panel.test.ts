import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Socket } from 'node:net';
import type { Frame } from 'playwright-core';
import { connect, waitFor } from '../unit/helpers/net';
import { freePort, run, startRedis, type Peer } from '../unit/helpers/peers';
import { e2e } from './session';

/** The panel's document inside VS Code's webview frames. */
async function panelFrame(): Promise<Frame> {
  return e2e().workbench.webviewFrame('.row .summary, .list-spacer', 30_000);
}

/** Summaries of the rows the list shows now. */
async function summaries(frame: Frame): Promise<string[]> {
  return frame.locator('.row .cell.summary').allInnerTexts();
}

async function waitForRow(frame: Frame, text: string, timeout = 20_000): Promise<void> {
  await frame.locator('.row .cell.summary', { hasText: text }).first().waitFor({ timeout });
}

/** The number the panel gives the connection of a client socket, found by its port. */
async function connectionOf(frame: Frame, client: Socket): Promise<number> {
  const chip = frame.getByLabel(
    new RegExp(`^Connection \\d+ from 127\\.0\\.0\\.1:${client.localPort}, open`),
  );
  await chip.waitFor({ timeout: 15_000 });
  return Number(/^Connection (\d+)/.exec((await chip.getAttribute('aria-label')) ?? '')?.[1]);
}

function writeSettings(workspace: string, settings: Record<string, unknown>): void {
  const dir = path.join(workspace, '.vscode');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

/**
 * Waits for the panel to be drawn in a theme of `kind` (the class VS Code puts on a webview's
 * body), then reads the colours it ended up with.
 */
async function themed(
  frame: Frame,
  kind: string,
): Promise<{ background: string; text: string; border: string }> {
  await frame
    .waitForFunction((k) => document.body.classList.contains(k), kind, { timeout: 15_000 })
    .catch(async (error: Error) => {
      const classes = await frame.evaluate(
        () => `body "${document.body.className}", html "${document.documentElement.className}"`,
      );
      throw new Error(`the panel is not drawn in a ${kind} theme: ${classes}`, { cause: error });
    });
  // Styles follow the class in the same task, but the theme's variables may land a frame later.
  await frame.page().waitForTimeout(500);
  return frame.evaluate(() => {
    const body = getComputedStyle(document.body);
    const summary = document.querySelector('.row .cell.summary');
    const list = document.querySelector('.list') ?? document.body;
    return {
      background: body.backgroundColor,
      text: summary ? getComputedStyle(summary).color : body.color,
      border: getComputedStyle(list).borderTopColor,
    };
  });
}

/** Switches the colour theme the way a person does: Preferences: Color Theme, then its name. */
async function setTheme(theme: string): Promise<void> {
  const { workbench } = e2e();
  await workbench.runCommand('Preferences: Color Theme');
  await workbench.answerQuickInput(theme);
}

/** The colour theme in use: the row Preferences: Color Theme opens on. */
async function currentTheme(): Promise<string> {
  const { workbench } = e2e();
  await workbench.runCommand('Preferences: Color Theme');
  const row = workbench.quickInput.locator('.monaco-list-row.focused .label-name').first();
  await row.waitFor({ timeout: 10_000 });
  const name = (await row.innerText()).trim();
  await workbench.dismissQuickInput();
  return name;
}

/**
 * Starts a profile from the palette. Settings written to the workspace reach the extension a
 * moment later: until they do, Start Proxy asks for a new proxy instead of listing profiles.
 */
async function startProfile(name: string): Promise<void> {
  const { workbench } = e2e();
  const deadline = Date.now() + 30_000;
  for (;;) {
    await workbench.runCommand('Linetap: Start Proxy');
    // Either the list of profiles comes up, or the first step of a new proxy.
    const row = workbench.quickInput.locator('.monaco-list-row', { hasText: name });
    const listen = workbench.quickInput.locator('.quick-input-title', { hasText: 'listen' });
    // Attached, not visible: over a webview the list can count as hidden.
    await row.or(listen).first().waitFor({ state: 'attached', timeout: 15_000 });
    if ((await row.count()) > 0) break;
    await workbench.dismissQuickInput();
    if (Date.now() > deadline) throw new Error('the profiles never reached the extension');
    await workbench.page.waitForTimeout(1000);
  }
  await pickItem(name);
  await workbench.quickInput.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
}

/** Picks an item of an open quick pick by typing its label, as a keyboard user does. */
async function pickItem(label: string): Promise<void> {
  const { workbench } = e2e();
  const row = workbench.quickInput.locator('.monaco-list-row', { hasText: label }).first();
  // Not a click: over a webview the list can count as hidden, or the click lands elsewhere.
  await row.waitFor({ state: 'attached', timeout: 15_000 });
  // Keys go where focus is: until the pick has it (it takes it a moment after it shows), they
  // would land in the panel.
  const box = workbench.quickInput.locator('.quick-input-header input.input').first();
  await workbench.page
    .waitForFunction(
      () => document.activeElement?.closest('.quick-input-widget') != null,
      undefined,
      { timeout: 5_000 },
    )
    .catch(() => box.focus());
  await workbench.page.keyboard.type(label);
  await workbench.page.waitForTimeout(300);
  await workbench.page.keyboard.press('Enter');
}

describe('the traffic panel, as a person uses it on redis traffic', function () {
  let redis: Peer;
  let port: number;
  before(async () => {
    redis = await startRedis();
    port = await freePort();
    writeSettings(e2e().server.workspace, {
      'linetap.profiles': [
        {
          name: 'redis e2e',
          listen: String(port),
          upstream: `127.0.0.1:${redis.port}`,
          framing: 'redis',
        },
        { name: 'lines e2e', listen: '0', upstream: `127.0.0.1:${redis.port}`, framing: 'line' },
      ],
    });
  });
  after(async () => {
    await e2e()
      .workbench.runCommand('Linetap: Stop All Proxies')
      .catch(() => undefined);
    // Other test files expect a workspace without profiles.
    fs.rmSync(path.join(e2e().server.workspace, '.vscode'), { recursive: true, force: true });
    await redis.stop();
  });

  it('streams redis-cli traffic into the panel with protocol summaries', async function () {
    this.timeout(180_000); // three theme switches through the palette
    const { workbench } = e2e();
    await startProfile('redis e2e');
    await workbench.waitForStatusBarItem(/redis e2e/, 20_000);
    await workbench.runCommand('Linetap: Open Traffic Panel');
    const frame = await panelFrame();
    await run('redis-cli', ['-p', String(port), 'SET', 'greeting', 'hello world']);
    await run('redis-cli', ['-p', String(port), 'GET', 'greeting']);
    await waitForRow(frame, '"hello world"');
    const rows = await summaries(frame);
    assert.ok(
      rows.some((r) => /SET greeting/.test(r)),
      JSON.stringify(rows),
    );
    assert.ok(
      rows.some((r) => /\+OK/.test(r)),
      JSON.stringify(rows),
    );
    // The panel takes its colours from the theme, in the three kinds VS Code has.
    const start = await currentTheme();
    await setTheme('Dark Modern');
    const dark = await themed(frame, 'vscode-dark');
    await workbench.screenshot('panel-redis-dark');
    await setTheme('Light Modern');
    const light = await themed(frame, 'vscode-light');
    await workbench.screenshot('panel-redis-light');
    await setTheme('Dark High Contrast');
    const contrast = await themed(frame, 'vscode-high-contrast');
    await workbench.screenshot('panel-redis-high-contrast');
    await setTheme(start);
    assert.notEqual(light.background, dark.background);
    assert.notEqual(light.text, dark.text);
    assert.notEqual(contrast.background, light.background);
    assert.notEqual(contrast.border, light.border, 'high contrast draws its own borders');
  });

  it('filters, shows the detail with hex, and resends a frame', async () => {
    const { workbench } = e2e();
    const frame = await panelFrame();
    const filter = frame.getByLabel('Filter', { exact: true });
    await filter.fill('name:GET');
    await frame
      .locator('.row .cell.name', { hasText: /^\s*GET\s*$/ })
      .first()
      .waitFor();
    const deadline = Date.now() + 10_000;
    let names: string[] = [];
    while (Date.now() < deadline) {
      names = (await frame.locator('.row .cell.name').allInnerTexts()).map((t) => t.trim());
      if (names.length > 0 && names.every((n) => n === 'GET')) break;
      await workbench.page.waitForTimeout(200);
    }
    assert.ok(names.length > 0 && names.every((n) => n === 'GET'), JSON.stringify(names));
    await frame.locator('.row .cell.summary', { hasText: 'GET greeting' }).first().click();
    const hexSection = frame.locator('details.section', { hasText: 'HEX' }).first();
    if ((await hexSection.getAttribute('open')) === null)
      await hexSection.locator('summary').click();
    await frame.locator('.hex-dump .hex-bytes').first().waitFor({ timeout: 10_000 });
    const hex = (await frame.locator('.hex-dump .hex-bytes').allInnerTexts()).join(' ');
    assert.match(hex, /2a 32 0d 0a/, 'the hex of *2\\r\\n');
    await workbench.screenshot('panel-detail');

    // Resend on a new connection: the proxy sees a new client send the same command.
    await frame.getByLabel('Resend on a new connection').click();
    const until = Date.now() + 15_000;
    let gets = 0;
    while (Date.now() < until) {
      gets = await frame.locator('.row .cell.name', { hasText: /^\s*GET\s*$/ }).count();
      if (gets >= 2) break;
      await workbench.page.waitForTimeout(250);
    }
    assert.ok(gets >= 2, 'the resent GET is a new frame');
    await filter.fill('');
  });

  it('pushes an edited message into a live connection, towards the client', async () => {
    const { workbench } = e2e();
    const frame = await panelFrame();
    const client = await connect(port);
    let back = '';
    client.on('data', (d: Buffer) => (back += d.toString('latin1')));
    client.write('*1\r\n$4\r\nPING\r\n');
    await waitFor(() => back === '+PONG\r\n', 'PONG');
    // The panel has caught up with this client once its PONG is listed.
    await waitForRow(frame, '+PONG');
    const newest = await connectionOf(frame, client);
    await frame.getByLabel(`Push a message into connection ${newest}…`).click();
    const editor = frame.locator('textarea').first();
    await editor.waitFor({ timeout: 10_000 });
    await editor.fill('+pushed by a person\\r\\n');
    await frame.getByLabel('to the client').check();
    await workbench.screenshot('panel-push-editor');
    await frame.getByRole('button', { name: 'Push', exact: true }).click();
    await waitFor(() => back.endsWith('+pushed by a person\r\n'), 'the pushed reply at the client');
    client.destroy();
  });

  it('edits a recorded command and pushes it towards the server', async () => {
    const { workbench } = e2e();
    const frame = await panelFrame();
    // A live client whose connection carries the push; the recorded SET's own client is gone.
    const client = await connect(port);
    let back = '';
    client.on('data', (d: Buffer) => (back += d.toString('latin1')));
    client.write('*1\r\n$4\r\nPING\r\n');
    await waitFor(() => back === '+PONG\r\n', 'PONG');
    await waitForRow(frame, '+PONG');
    const conn = await connectionOf(frame, client);
    await frame.locator('.row .cell.summary', { hasText: 'SET greeting' }).first().click();
    await frame.getByRole('button', { name: 'Edit & Push…' }).click();
    const editor = frame.getByLabel('Bytes to send, with escapes');
    await editor.waitFor({ timeout: 10_000 });
    // Prefilled with the recorded frame, escapes visible.
    assert.match(await editor.inputValue(), /SET\\r\\n\$8\\r\\ngreeting/);
    await editor.fill(
      (await editor.inputValue()).replace('$11\\r\\nhello world', '$6\\r\\nedited'),
    );
    await frame.getByLabel('Connection', { exact: true }).fill(String(conn));
    await frame.getByLabel('to the server').check();
    await workbench.screenshot('panel-edit-push-server');
    await frame.getByRole('button', { name: 'Push', exact: true }).click();
    // The server stored the edited value and its answer went back to this client.
    await waitFor(() => back === '+PONG\r\n+OK\r\n', 'the +OK of the pushed SET');
    const stored = await run('redis-cli', ['-p', String(redis.port), 'GET', 'greeting']);
    assert.equal(stored.stdout.trim(), 'edited');
    client.destroy();
  });

  it('holds frames at a breakpoint; edits, releases and drops them', async () => {
    const { workbench } = e2e();
    const frame = await panelFrame();
    await run('redis-cli', ['-p', String(redis.port), 'SET', 'other', 'from the breakpoint']);
    const breakpoint = frame.getByLabel('Breakpoint filter');
    await breakpoint.fill('name:GET');
    await breakpoint.press('Enter');
    // Set once the proxy says so: the status line shows the breakpoint in force.
    await frame.locator('.status-line', { hasText: 'breakpoint: name:GET' }).waitFor();
    const client = await connect(port);
    let back = '';
    client.on('data', (d: Buffer) => (back += d.toString('latin1')));
    const get = (key: string) => `*2\r\n$3\r\nGET\r\n$${key.length}\r\n${key}\r\n`;
    const held = frame.locator('.held-item');

    // Held, then edited to ask for another key on release.
    client.write(get('greeting'));
    await held.first().waitFor({ timeout: 15_000 });
    assert.equal(back, '', 'a held request has not reached the server');
    await workbench.screenshot('panel-breakpoint-held');
    await held
      .first()
      .getByLabel(/^Edit frame \d+ and release it/)
      .click();
    const editor = frame.getByLabel('Bytes to send, with escapes');
    await editor.waitFor({ timeout: 10_000 });
    await editor.fill('*2\\r\\n$3\\r\\nGET\\r\\n$5\\r\\nother\\r\\n');
    await frame.getByRole('button', { name: 'Release Edited' }).click();
    await waitFor(() => back === '$19\r\nfrom the breakpoint\r\n', 'the answer to the edit');
    await held.first().waitFor({ state: 'detached', timeout: 10_000 });

    // Held, then released as it was.
    back = '';
    client.write(get('greeting'));
    await held.first().waitFor({ timeout: 15_000 });
    await held
      .first()
      .getByLabel(/^Release frame \d+/)
      .click();
    await waitFor(() => back === '$6\r\nedited\r\n', 'the answer to the released GET');

    // Held, then dropped: the server never sees it, the connection goes on.
    back = '';
    client.write(get('greeting'));
    await held.first().waitFor({ timeout: 15_000 });
    await held
      .first()
      .getByLabel(/^Drop frame \d+/)
      .click();
    await held.first().waitFor({ state: 'detached', timeout: 10_000 });
    await frame.getByLabel('Clear the breakpoint (releases held frames)').click();
    client.write('*1\r\n$4\r\nPING\r\n');
    await waitFor(() => back === '+PONG\r\n', 'PONG after the dropped GET, and nothing before');
    client.destroy();
  });

  it('keeps hostile payloads as text: nothing runs, the layout holds', async () => {
    const { workbench } = e2e();
    await startProfile('lines e2e');
    await workbench.runCommand('Linetap: Open Traffic Panel');
    await pickItem('lines e2e');
    // The lines proxy's port is only known to the extension: read it from the panel's header.
    const frame = await workbench.webviewFrame('.source-title:text("lines e2e")', 30_000);
    const description = await frame.locator('.source-description').innerText();
    const listen = Number(/127\.0\.0\.1:(\d+) →/.exec(description)?.[1]);
    assert.ok(listen > 0, description);
    const hostile = [
      '<script>window.__pwned=1</script>',
      '<img src=x onerror="window.__pwned=2">',
      'javascript:window.__pwned=3',
      'bidi \u202Egnp.exe\u202C end',
      'NUL\u0000inside',
      'x'.repeat(200_000),
    ];
    const s = await connect(listen);
    s.write(hostile.join('\n') + '\n');
    s.write(Buffer.from([0xff, 0xfe, 0x80, 0x0a]));
    await waitForRow(frame, 'onerror');
    const pwned = await frame.evaluate(() => (window as unknown as { __pwned?: number }).__pwned);
    assert.equal(pwned, undefined, 'no payload ran');
    assert.equal(await frame.locator('img, [onerror], a[href^="javascript"]').count(), 0);
    const width = await frame.evaluate(() => document.documentElement.scrollWidth);
    const viewport = await frame.evaluate(() => window.innerWidth);
    assert.ok(width <= viewport + 1, `no horizontal overflow (${width} > ${viewport})`);
    await workbench.screenshot('panel-hostile');
    s.destroy();
  });

  it('saves the capture and reopens it in the capture viewer', async () => {
    const { workbench, server } = e2e();
    const target = path.join(server.workspace, 'saved.linetap');
    await workbench.runCommand('Linetap: Save Capture');
    await pickItem('redis e2e');
    await workbench.answerFileDialog(target);
    await waitFor(() => fs.existsSync(target), 'the saved capture');
    await workbench.runCommand('Linetap: Open Capture');
    await workbench.answerFileDialog(target);
    const viewer = await workbench.webviewFrame('.source-title:text("saved.linetap")', 30_000);
    await waitForRow(viewer, '"hello world"');
    await workbench.screenshot('capture-viewer');
  });

  it('restores the panel after a window reload', async function () {
    this.timeout(240_000);
    const { workbench } = e2e();
    await workbench.runCommand('Developer: Reload Window');
    await workbench.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    // Restored tabs create their webviews when shown.
    const tab = workbench.page.locator('.tabs-container .tab', { hasText: 'Linetap: redis e2e' });
    await tab.waitFor({ timeout: 90_000 });
    await tab.click();
    // The restored page is a new document: wait for its notice, not the old page's element.
    const frame = await workbench.webviewFrame(
      '.notice-text:has-text("stopped when the window reloaded")',
      90_000,
    );
    assert.match(await frame.locator('.source-title').innerText(), /redis e2e|lines e2e/);
    await workbench.screenshot('panel-restored');
  });
});

describe('the traffic panel on the demo chat', function () {
  after(async () => {
    await e2e()
      .workbench.runCommand('Linetap: Stop All Proxies')
      .catch(() => undefined);
  });

  it('streams the demo: chat lines both ways, then a person types into it', async () => {
    const { workbench } = e2e();
    await workbench.runCommand('Linetap: Run Demo Chat Server');
    await workbench.waitForStatusBarItem(/demo chat/, 20_000);
    // The only proxy running: the panel opens without asking which.
    await workbench.runCommand('Linetap: Open Traffic Panel');
    const frame = await workbench.webviewFrame('.source-title:text("demo chat")', 30_000);
    // The scripted clients' lines are listed (the filter reaches those scrolled away).
    const filter = frame.getByLabel('Filter', { exact: true });
    await filter.fill('"JOIN #lobby"');
    await waitForRow(frame, 'JOIN #lobby');
    await filter.fill('');
    // A person of their own, as the demo's notification suggests: their lines go to the server,
    // the room's answers come back.
    const description = await frame.locator('.source-description').innerText();
    const listen = Number(/127\.0\.0\.1:(\d+) →/.exec(description)?.[1]);
    assert.ok(listen > 0, description);
    const me = await connect(listen);
    me.write('NICK e2e-person\r\nJOIN #lobby\r\nMSG #lobby typed by a person\r\n');
    await waitForRow(frame, 'typed by a person');
    await waitForRow(frame, 'JOINED e2e-person');
    const side = (text: string) =>
      frame
        .locator('.row', { has: frame.locator('.cell.summary', { hasText: text }) })
        .first()
        .getAttribute('class');
    assert.match((await side('MSG #lobby typed by a person')) ?? '', /\bc2s\b/);
    assert.match((await side('JOINED e2e-person')) ?? '', /\bs2c\b/);
    await workbench.screenshot('panel-demo');
    me.destroy();
  });
});
