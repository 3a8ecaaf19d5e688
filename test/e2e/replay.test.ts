import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, startRedis, type Peer } from '../unit/helpers/peers';
import { e2e } from './session';

const CAPTURE = 'replay-e2e.linetap';

/** A capture of one `GET greeting` answered `hello`, recorded against `upstream`. */
function writeCapture(file: string, upstream: string): void {
  const frame = (d: '>' | '<', t: number, text: string) =>
    JSON.stringify({ e: 'frame', c: 1, d, t, text });
  const header = {
    linetap: 1,
    created: '2026-01-01T00:00:00.000Z',
    listen: '127.0.0.1:7000',
    upstream,
    framing: { c2s: 'redis', s2c: 'redis' },
  };
  const lines = [
    JSON.stringify(header),
    '{"e":"open","c":1,"t":0,"peer":"127.0.0.1:50000"}',
    frame('>', 10, '*2\r\n$3\r\nGET\r\n$8\r\ngreeting\r\n'),
    frame('<', 20, '$5\r\nhello\r\n'),
    '{"e":"close","c":1,"t":30}',
  ];
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

describe('a person replays a capture from its viewer and reads the difference', function () {
  let redis: Peer;
  before(async () => {
    redis = await startRedis();
    await run('redis-cli', ['-p', String(redis.port), 'SET', 'greeting', 'bonjour']);
    writeCapture(path.join(e2e().server.workspace, CAPTURE), `127.0.0.1:${redis.port}`);
  });
  after(async () => {
    await redis?.stop();
  });

  it('clicks Replay in the viewer title, confirms the recorded server, reads the difference in the panel and opens its diff', async function () {
    this.timeout(180_000);
    const { workbench } = e2e();
    const { page } = workbench;
    await workbench.openFile(CAPTURE);
    // The title's buttons act on the editor they were drawn for: wait until this viewer is up.
    await workbench.webviewFrame(`.source-title:text("${CAPTURE}")`, 30_000);
    await page.locator('.editor-actions .action-label[aria-label*="Replay Capture"]').click();
    // The server step is prefilled with the recorded upstream; keep it.
    await workbench.answerQuickInput(`127.0.0.1:${redis.port}`, /server/);
    // On a loaded machine VS Code now and then never draws the masks step after the server
    // step's Enter and goes on with no mask, which is also what this test chooses.
    const masks = workbench.quickInput.locator('.quick-input-title', { hasText: /masks/ });
    const dialog = page.locator('.monaco-dialog-box');
    await masks.or(dialog).first().waitFor({ timeout: 15_000 });
    if (await masks.isVisible()) await workbench.answerQuickInput('', /masks/);

    // Kept from the capture file: asked in a modal before anything is sent.
    await dialog.waitFor({ timeout: 15_000 });
    assert.match(await dialog.innerText(), /comes from the capture file/);
    await workbench.screenshot('replay-confirm');
    await dialog.locator('.monaco-button', { hasText: /^Replay$/ }).click();

    // The replay's panel: titled with the capture and the server, the answer marked as differing.
    const title = `Replay of ${CAPTURE} against 127.0.0.1:${redis.port}`;
    await page.locator('.tabs-container .tab', { hasText: title }).waitFor({ timeout: 30_000 });
    const panel = await workbench.webviewFrame('.row .codicon.outcome');
    const differing = panel.locator('.row', { has: panel.locator('.codicon.outcome.differs') });
    await differing.waitFor({ timeout: 15_000 });
    assert.match(await differing.locator('.cell.summary').innerText(), /bonjour/);
    assert.match(
      (await differing.locator('.cell.badges').getAttribute('title')) ?? '',
      /differs from the recording/,
    );
    assert.equal(
      await panel.locator('.row .cell.summary', { hasText: 'GET greeting' }).count(),
      1,
      'the request sent is listed too',
    );
    assert.equal(await panel.locator('.source-title').innerText(), title);
    // The summary, in the panel's notice once the replay ended.
    const notice = panel.locator('.notice:not([hidden]) .notice-text');
    await notice.waitFor({ timeout: 15_000 });
    assert.match(await notice.innerText(), /1 of 1 exchanges do not match \(1 differ\)/);

    // Selecting it shows what was recorded next to what came.
    await differing.click();
    const sides = panel.locator('.detail .replay-sides');
    await sides.waitFor({ timeout: 10_000 });
    const recorded = panel.locator('.replay-side', { hasText: 'Recorded' });
    const received = panel.locator('.replay-side', { hasText: 'Received' });
    assert.match(await recorded.locator('.payload-text').innerText(), /hello/);
    assert.match(await received.locator('.payload-text').innerText(), /bonjour/);
    assert.match(await panel.locator('.replay-head').innerText(), /Differs from the recording/);
    await workbench.screenshot('replay-panel');

    // Only the differences: the request goes, the differing answer stays.
    await panel.locator('.toggle.differences').click();
    await panel
      .locator('.row .cell.summary', { hasText: 'GET greeting' })
      .waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(await panel.locator('.filter-input').inputValue(), 'replay!=matched');
    await panel.locator('.status-line', { hasText: '1 match the filter' }).waitFor();
    await differing.waitFor();
    // The selection stays on the differing frame, its detail shown again.
    await panel.locator('.replay-head', { hasText: 'Differs from the recording' }).waitFor();
    await workbench.screenshot('replay-differences');

    // Open Diff: VS Code's diff editor beside the panel, recorded against received.
    await panel.locator('.replay-buttons .button', { hasText: 'Open Diff' }).click();
    await page.locator('.tabs-container .tab', { hasText: 'recorded ↔' }).waitFor();
    const diff = page.locator('.monaco-diff-editor');
    await diff.locator('.view-lines', { hasText: 'bonjour' }).waitFor({ timeout: 15_000 });
    await diff.locator('.view-lines', { hasText: 'hello' }).first().waitFor();
    assert.match(
      await page.locator('.tabs-container .tab', { hasText: 'recorded ↔' }).innerText(),
      /GET greeting/,
    );
    await workbench.screenshot('replay-diff');
  });

  it('Start Mock asks for masks, as Replay does', async () => {
    const { workbench } = e2e();
    const { page } = workbench;
    await workbench.runCommand('View: Close All Editors');
    await workbench.openFile(CAPTURE);
    // The title's buttons act on the editor they were drawn for: wait until this viewer is up.
    await workbench.webviewFrame(`.source-title:text("${CAPTURE}")`, 30_000);
    await page.locator('.editor-actions .action-label[aria-label*="Start Mock"]').click();
    await workbench.answerQuickInput('0', /1\/3\): listen/);
    await workbench.answerQuickInput('Close the connection', /2\/3\)/);
    await workbench.quickInput
      .locator('.quick-input-title', { hasText: /3\/3\): masks/ })
      .waitFor({ timeout: 15_000 });
    const box = workbench.quickInput.locator('.quick-input-header input.input').first();
    assert.match((await box.getAttribute('placeholder')) ?? '', /of requests/);
    await workbench.screenshot('mock-masks');
    await workbench.answerQuickInput('', /masks/);
    await page
      .locator('.notifications-toasts .notification-list-item-message', {
        hasText: /mock of .* listening on 127\.0\.0\.1:\d+/,
      })
      .waitFor({ timeout: 15_000 });
    await workbench.runCommand('Linetap: Stop Mock');
  });
});
