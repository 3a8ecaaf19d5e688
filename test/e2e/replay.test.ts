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

  it('clicks Replay in the viewer title, confirms the recorded server, opens the diff', async () => {
    const { workbench } = e2e();
    const { page } = workbench;
    const input = await workbench.openCommandPalette();
    await input.fill(CAPTURE);
    await workbench.quickInput
      .locator('.monaco-list-row', { hasText: CAPTURE })
      .first()
      .waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: CAPTURE }).waitFor();

    await page.locator('.editor-actions .action-label[aria-label*="Replay Capture"]').click();
    // The server step is prefilled with the recorded upstream; keep it.
    await workbench.answerQuickInput(`127.0.0.1:${redis.port}`, /server/);
    await workbench.answerQuickInput('', /masks/);

    // Kept from the capture file: asked in a modal before anything is sent.
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    assert.match(await dialog.innerText(), /comes from the capture file/);
    await workbench.screenshot('replay-confirm');
    await dialog.locator('.monaco-button', { hasText: /^Replay$/ }).click();

    // The list of exchanges opens on the mismatch; Enter opens its diff.
    await workbench.quickInput
      .locator('.quick-input-title', { hasText: /do not match/ })
      .waitFor({ timeout: 30_000 });
    await workbench.screenshot('replay-results');
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'recorded ↔' }).waitFor();
    const diff = page.locator('.monaco-diff-editor');
    await diff.locator('.view-lines', { hasText: 'bonjour' }).waitFor({ timeout: 15_000 });
    await diff.locator('.view-lines', { hasText: 'hello' }).first().waitFor();
    assert.match(await workbench.activeTabTitle(), /GET greeting/);
    await workbench.dismissQuickInput();
    await workbench.screenshot('replay-diff');
  });
});
