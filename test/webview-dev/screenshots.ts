/**
 * Drives the dev page in headless Chromium and saves screenshots of the panel in each theme,
 * with a frame selected, plus the hostile-payload and million-frame cases. It also fails if the
 * page ran injected script, hit a CSP violation or logged an error.
 *
 *   npm run build && npx tsx test/webview-dev/screenshots.ts   # → test-artifacts/webview-dev/
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../setup/browser';
import { serveDevPage } from './serve';

const out = path.resolve(__dirname, '../../test-artifacts/webview-dev');

async function open(page: Page, url: string): Promise<string[]> {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('.row:not(.loading)');
  return errors;
}

async function check(page: Page, errors: string[], name: string): Promise<void> {
  const { pwned, csp } = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: number }).__pwned,
    csp: (window as unknown as { __cspViolations: string[] }).__cspViolations,
  }));
  if (pwned !== undefined) throw new Error(`${name}: injected script ran (${pwned})`);
  if (csp.length > 0) throw new Error(`${name}: CSP violations: ${csp.join(', ')}`);
  if (errors.length > 0) throw new Error(`${name}: page errors: ${errors.join(' | ')}`);
}

async function main(): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  const server = await serveDevPage();
  const browser = await launchBrowser({ width: 1200, height: 760 });
  try {
    for (const theme of ['dark', 'light', 'hc']) {
      const page = await browser.context.newPage();
      const errors = await open(page, `${server.url}?theme=${theme}&live=1&ring=3000`);
      await page.focus('.list-viewport');
      await page.keyboard.press('Home'); // selecting an older row pauses follow-tail
      await page.locator('.row[data-pos="20"]').click();
      await page.waitForSelector('.detail .payload-text');
      await page.locator('.section summary', { hasText: 'Hex' }).click();
      await page.locator('.row[data-pos="21"]').hover();
      await page.screenshot({ path: path.join(out, `panel-${theme}.png`) });
      await check(page, errors, theme);
      await page.close();
    }

    // Hostile payloads, a filter error, and the push editor.
    const page = await browser.context.newPage();
    const errors = await open(page, `${server.url}?theme=dark&live=1`);
    await page.focus('.list-viewport');
    await page.keyboard.press('Home');
    await page.locator('.row[data-pos="23"]').click();
    await page.waitForSelector('.detail .payload-text');
    await page.screenshot({ path: path.join(out, 'hostile-bidi.png') });
    await page.locator('.row[data-pos="24"]').click();
    await page.waitForSelector('.detail .payload-text .esc');
    await page.screenshot({ path: path.join(out, 'hostile-invalid-utf8.png') });
    await page.locator('.row[data-pos="25"]').click();
    await page.waitForSelector('.detail .show-more');
    await page.screenshot({ path: path.join(out, 'hostile-1mb.png') });
    await page.fill('.filter-input', 'c2s size > 10');
    await page.waitForSelector('.filter-error:not([hidden])');
    await page.screenshot({ path: path.join(out, 'filter-error.png') });
    await page.fill('.filter-input', 'name:GET');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.row:not(.loading) .cell.name:text-is("GET")');
    await page.locator('.row:not(.loading)').nth(3).click();
    await page.click('[aria-label="Edit & Push…"]');
    await page.fill('.editor-text', 'GET bad\\q');
    await page.screenshot({ path: path.join(out, 'editor-error.png') });
    await page.click('.editor .button.secondary'); // Cancel

    // Breakpoint with held frames, the copy menu, and a notice after a push.
    await page.fill('.breakpoint-input', 'name:SET');
    await page.press('.breakpoint-input', 'Enter');
    await page.waitForSelector('.held-item');
    await page.click('[aria-label="Copy…"]');
    await page.screenshot({ path: path.join(out, 'held-copy.png') });
    await page.keyboard.press('Escape');
    await page.click('.chip [aria-label^="Push a message into connection 2"]');
    await page.fill('.editor-text', 'PING\\r\\n');
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector('.notice:not([hidden])');
    await page.screenshot({ path: path.join(out, 'push-notice.png') });
    await check(page, errors, 'hostile');
    await page.close();

    // A replay: outcome badges, a differing frame's recorded and received side by side, and
    // the differences toggle.
    for (const theme of ['dark', 'light']) {
      const rp = await browser.context.newPage();
      const rpErrors = await open(rp, `${server.url}?theme=${theme}&replay=1`);
      await rp.locator('.row:has(.codicon.outcome.differs)').first().click();
      await rp.waitForSelector('.detail .replay-sides');
      await rp.screenshot({ path: path.join(out, `replay-${theme}.png`) });
      await rp.click('.toggle.differences');
      await rp.waitForSelector(
        '.filter-input[value="replay!=matched"], .toggle.differences.checked',
      );
      await rp.waitForFunction(() =>
        [...document.querySelectorAll('.row:not(.loading) .cell.badges')].every((c) =>
          c.querySelector('.outcome:not(.matched)'),
        ),
      );
      await rp.screenshot({ path: path.join(out, `replay-differences-${theme}.png`) });
      await check(rp, rpErrors, `replay ${theme}`);
      await rp.close();
    }

    // A million frames: jump to the end with the keyboard, then scroll up by wheel.
    const big = await browser.context.newPage();
    const bigErrors = await open(big, `${server.url}?theme=light&frames=1000000`);
    await big.focus('.list-viewport');
    await big.keyboard.press('End');
    await big.waitForSelector('.row[data-pos="999999"]:not(.loading)');
    await big.mouse.move(600, 400);
    await big.mouse.wheel(0, -2200);
    await big.waitForTimeout(300);
    await big.screenshot({ path: path.join(out, 'million-light.png') });
    const rows = await big.locator('.row').count();
    if (rows > 80) throw new Error(`million: ${rows} row elements in the DOM`);
    await check(big, bigErrors, 'million');
    console.log(`screenshots in ${out}; ${rows} row elements for 1,000,000 frames`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
