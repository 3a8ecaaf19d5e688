import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { e2e } from './session';

describe('workbench (smoke)', () => {
  it('shows the Linetap status bar item once the extension has started', async () => {
    const { workbench } = e2e();
    // Activated on startup finished; until then the item does not exist.
    const text = await workbench.statusBarItemText('linetap.linetap.linetap.status', 30_000);
    assert.match(text, /Linetap/); // no proxy yet: this file runs first
    assert.ok((await workbench.statusBarTexts()).includes(text));
  });

  it('runs "Linetap: Show Log" from the command palette and shows the Linetap output', async () => {
    const { workbench } = e2e();
    const { page } = workbench;
    await workbench.runCommand('Linetap: Show Log');
    const output = page.locator('.part.panel .output-view .view-lines');
    await output.filter({ hasText: 'Linetap' }).waitFor({ timeout: 20_000 });
    const file = await workbench.screenshot('show-log');
    assert.ok(fs.statSync(file).size > 10_000, 'the screenshot has content');
  });

  it('reads the text of a webview (the built-in Markdown preview)', async () => {
    const { workbench } = e2e();
    await workbench.openFile('README.md');
    await workbench.runCommand('Markdown: Open Preview');
    const frame = await workbench.webviewFrame('h1');
    assert.equal((await frame.locator('h1').innerText()).trim(), 'Linetap test workspace');
    await workbench.screenshot('markdown-preview');
  });
});
