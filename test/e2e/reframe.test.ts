import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { e2e } from './session';

const CAPTURE = 'reframe-e2e.linetap';

/** redis traffic recorded by a proxy that framed it as `line`: each RESP line is a frame. */
function writeCapture(file: string): void {
  const header = {
    linetap: 1,
    created: '2026-01-01T00:00:00.000Z',
    listen: '127.0.0.1:7000',
    upstream: 'localhost:6379',
    framing: { c2s: 'line', s2c: 'line' },
  };
  const lines = [JSON.stringify(header), '{"e":"open","c":1,"t":0,"peer":"127.0.0.1:50000"}'];
  let t = 0;
  const frames = (d: '>' | '<', resp: string) => {
    for (const text of resp.split(/(?<=\r\n)/))
      lines.push(JSON.stringify({ e: 'frame', c: 1, d, t: (t += 10), text }));
  };
  for (let k = 0; k < 20; k++) {
    frames('>', `*3\r\n$3\r\nSET\r\n$5\r\nkey:${k % 10}\r\n$7\r\nvalue-${k % 10}\r\n`);
    frames('<', '+OK\r\n');
  }
  lines.push(`{"e":"close","c":1,"t":${t + 10}}`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/**
 * Opens the capture with Open Capture and its file dialog (Quick Open's file list can be older
 * than a file a test just wrote).
 */
async function openCapture(file: string): Promise<Frame> {
  const { workbench } = e2e();
  await workbench.runCommand('Linetap: Open Capture');
  await workbench.answerFileDialog(file);
  return workbench.webviewFrame(`.source-title:text("${CAPTURE}")`, 30_000);
}

async function clickReframe(): Promise<void> {
  const { page } = e2e().workbench;
  await page.locator('.editor-actions .action-label[aria-label*="Re-frame Capture"]').click();
}

async function waitForRow(frame: Frame, text: string): Promise<void> {
  await frame.locator('.row .cell.summary', { hasText: text }).first().waitFor({ timeout: 20_000 });
}

describe('a person re-frames a capture in its viewer', function () {
  let file: string;
  before(() => writeCapture((file = path.join(e2e().server.workspace, CAPTURE))));

  it('clicks Re-frame in the viewer title, picks redis, reads commands, then goes back to the recorded lines', async function () {
    this.timeout(180_000);
    const { workbench } = e2e();
    const viewer = await openCapture(file);
    await waitForRow(viewer, '*3');
    const description = viewer.locator('.source-description');
    assert.match(await description.innerText(), /· line$/);

    await clickReframe();
    await workbench.answerQuickInput('redis', /Re-frame Capture/);
    await waitForRow(viewer, 'SET key:0 "value-0"');
    assert.equal(await viewer.locator('.row .cell.summary', { hasText: '*3' }).count(), 0);
    assert.match(await description.innerText(), /re-framed \(recorded as line\) · redis$/);
    await workbench.screenshot('capture-reframed');

    // A spec typed by hand is checked as it is typed, and the input says what to change.
    await clickReframe();
    await workbench.answerQuickInput('Other', /Re-frame Capture/);
    await workbench.answerQuickInput('rediss', /framing spec/);
    assert.match(await workbench.quickInputMessage(), /bad framing spec "rediss".*Accepted: lf/);
    await workbench.screenshot('capture-reframe-bad-spec');
    await workbench.dismissQuickInput();

    await clickReframe();
    await workbench.answerQuickInput('As recorded', /Re-frame Capture/);
    await waitForRow(viewer, '*3');
    assert.match(await description.innerText(), /recorded 2026-01-01T00:00:00.000Z · line$/);
  });
});
