/**
 * Drives the real VS Code workbench in Chromium the way a person does: the command palette, the
 * status bar, webviews, notifications; and keeps screenshots as test artefacts. Selectors are
 * VS Code 1.139's (code-server 4.139.1 is pinned); keep them all in this file.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { artifactsDir } from '../setup/toolchain';

/** Where e2e screenshots go. */
export const e2eArtifactsDir = path.join(artifactsDir, 'e2e');

const workbenchLoadMs = 90_000; // the first load on 2 busy cores has taken 60 s

/** One workbench page. */
export class Workbench {
  constructor(readonly page: Page) {}

  /** Loads `url` and waits until the workbench and its extension host are up. */
  async open(url: string): Promise<void> {
    await this.page.goto(url, { timeout: workbenchLoadMs });
    await this.page.locator('.monaco-workbench').waitFor({ timeout: workbenchLoadMs });
    await this.page.locator('.part.statusbar').waitFor({ timeout: workbenchLoadMs });
    // Contributed commands show once the remote extension host has scanned the extensions.
    await this.page
      .locator('.part.statusbar .statusbar-item')
      .first()
      .waitFor({ timeout: workbenchLoadMs });
  }

  /** The quick input (command palette, quick picks, input boxes). */
  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Opens the command palette with F1; returns its input box. */
  async openCommandPalette(): Promise<Locator> {
    const input = this.quickInput.locator('input.input, .monaco-inputbox input').first();
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.page
        .locator('.monaco-workbench')
        .focus()
        .catch(() => undefined);
      await this.page.keyboard.press('F1');
      try {
        await input.waitFor({ state: 'visible', timeout: 5_000 });
        return input;
      } catch {
        // Keystrokes are dropped while the workbench is still restoring; try again.
      }
    }
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    return input;
  }

  /**
   * Runs a command by its palette title, e.g. `Linetap: Start Proxy` or `View: Toggle Output`:
   * types it into F1, waits for the row whose label is exactly that title, and picks it. A
   * command whose `when` clause is not true yet (an extension still starting, a language not yet
   * known) is looked for again until `timeout`.
   */
  async runCommand(title: string, timeout = 30_000): Promise<void> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const row = this.quickInput
        .locator('.monaco-list-row')
        .filter({ has: this.page.locator('.label-name', { hasText: exactly(title) }) })
        .first();
      try {
        const input = await this.openCommandPalette();
        // A quick pick that is still closing (the previous step's) can take the palette down
        // with it, or leave it inert for a moment: give up quickly and open it again.
        await input.fill(`>${title}`, { timeout: 5_000 });
        await row.waitFor({ state: 'visible', timeout: 5_000 });
        await row.click();
        // The palette hides, or VS Code reuses it for the command's first step: either way the
        // step (if any) is settled by the time this wait ends.
        await this.quickInput.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
        return;
      } catch (error) {
        const offered = await this.quickInput
          .locator('.monaco-list-row .label-name')
          .allInnerTexts();
        await this.page.keyboard.press('Escape');
        if (Date.now() > deadline) {
          throw new Error(
            `no command "${title}" in the palette; it offered: ${offered.join(' | ')}`,
            {
              cause: error,
            },
          );
        }
        await this.page.waitForTimeout(1_000);
      }
    }
  }

  /**
   * Opens a workspace file in its editor through Quick Open (the palette without `>`), as a
   * person would: a text file in a text editor, a capture in the capture viewer.
   */
  async openFile(relativePath: string): Promise<void> {
    const name = path.basename(relativePath);
    const input = await this.openCommandPalette();
    await input.fill(relativePath);
    // File search answers slowly while the machine is busy (a fresh file is searched for anew).
    await this.quickInput
      .locator('.monaco-list-row')
      .filter({ hasText: name })
      .first()
      .waitFor({ state: 'visible', timeout: 45_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({
      timeout: 15_000,
    });
    if (relativePath.endsWith('.linetap')) return; // the capture viewer, a webview
    // Quick Open hands focus back to where it was (say the Output panel); commands that act on
    // the active text editor need it in this one.
    await this.page.locator('.editor-group-container.active .monaco-editor .view-lines').click();
  }

  /** Answers VS Code's simple file dialog (Open, Save As) with a path. */
  async answerFileDialog(file: string): Promise<void> {
    const input = this.quickInput.locator('.quick-input-header input.input').first();
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    // The dialog fills in its folder first; typing before that gets overwritten.
    const deadline = Date.now() + 10_000;
    while ((await input.inputValue()) === '' && Date.now() < deadline)
      await this.page.waitForTimeout(100);
    await this.page.waitForTimeout(300);
    await input.fill(file);
    await this.page.keyboard.press('Enter');
  }

  /** Closes whatever quick input is open (a palette, a picker, a prompt). */
  async dismissQuickInput(): Promise<void> {
    for (let i = 0; i < 3 && (await this.quickInput.isVisible()); i++) {
      await this.page.keyboard.press('Escape');
      await this.page.waitForTimeout(200);
    }
  }

  /** The title of the open quick input, e.g. `Start Proxy (2/3): server`. */
  async quickInputTitle(): Promise<string> {
    return (await this.quickInput.locator('.quick-input-title').innerText()).trim();
  }

  /** The message under the quick input box: its prompt, or why the typed value is refused. */
  async quickInputMessage(): Promise<string> {
    return (await this.quickInput.locator('.quick-input-message').innerText()).trim();
  }

  /**
   * Answers the open quick pick or input box: types `text`, waits for a quick pick's list to
   * filter down to it, and presses Enter. `step`, when given, must match the title first (e.g.
   * `/2\/3/`). Returns once the step is gone (the widget hid or shows the next step) or was
   * refused (`quickInputMessage()` says why); throws if nothing happened within 10 s. VS Code
   * reuses one widget for every step, so without this wait the next answer lands in this one.
   */
  async answerQuickInput(text: string, step?: string | RegExp): Promise<void> {
    const input = this.quickInput.locator('.quick-input-header input.input').first();
    try {
      await input.waitFor({ state: 'visible', timeout: 15_000 });
    } catch (error) {
      // Say what closed it: a quick pick hides when focus leaves it.
      const focused = await this.page.evaluate(() => {
        const el = document.activeElement;
        return el
          ? `${el.tagName}.${el.className} "${el.getAttribute('aria-label') ?? ''}"`
          : 'none';
      });
      throw new Error(
        `no quick input is open to answer "${text}" (the last one was "${await input.getAttribute('aria-label').catch(() => '')}"); focus is on ${focused}`,
        { cause: error },
      );
    }
    if (step !== undefined) {
      await this.quickInput
        .locator('.quick-input-title', { hasText: step })
        .waitFor({ state: 'visible', timeout: 15_000 });
    }
    const before = await input.getAttribute('aria-label');
    await input.fill(text);
    // A quick pick filters its list after each keystroke: Enter before that picks a stale row.
    await this.page
      .waitForFunction(
        (typed) => {
          const list = document.querySelector<HTMLElement>('.quick-input-widget .quick-input-list');
          if (!list?.offsetParent || !list.querySelector('.monaco-list-row')) return true;
          const focused = list.querySelector('.monaco-list-row.focused');
          return (focused?.textContent ?? '').toLowerCase().includes(typed.toLowerCase());
        },
        text,
        { timeout: 5_000 },
      )
      .catch(() => undefined); // no row holds the text: Enter takes what the extension offers
    await input.press('Enter');
    try {
      await this.page.waitForFunction(
        (label) => {
          const widget = document.querySelector<HTMLElement>('.quick-input-widget');
          const box = widget?.querySelector('.quick-input-header input.input');
          if (!widget || !box || widget.style.display === 'none' || !widget.offsetParent) {
            return true; // closed: that was the last step
          }
          if (box.getAttribute('aria-label') !== label) return true; // the next step
          return widget.querySelector('.monaco-inputbox.error') !== null; // refused, with a reason
        },
        before,
        { timeout: 10_000 },
      );
    } catch {
      const rows = await this.quickInput.locator('.monaco-list-row').allInnerTexts();
      throw new Error(
        `the quick input "${before}" did not take "${text}" within 10 s; ` +
          `it says "${await this.quickInputMessage().catch(() => '')}", rows: ${JSON.stringify(rows)}`,
      );
    }
  }

  /** The texts of the status bar items, left to right. */
  async statusBarTexts(): Promise<string[]> {
    const texts = await this.page.locator('.part.statusbar .statusbar-item').allInnerTexts();
    return texts.map((t) => t.trim()).filter((t) => t.length > 0);
  }

  /**
   * A status bar item by its DOM id, `<extension id>.<item id>`: Linetap's is
   * `linetap.linetap.linetap.status`.
   */
  statusBarItem(id: string): Locator {
    return this.page.locator(`.part.statusbar .statusbar-item[id="${id}"]`);
  }

  /** The text of a status bar item (icons dropped), once it is visible. */
  async statusBarItemText(id: string, timeout = 15_000): Promise<string> {
    const item = this.statusBarItem(id);
    await item.waitFor({ state: 'visible', timeout });
    return (await item.innerText()).trim();
  }

  /** Waits for a status bar item whose text matches, and returns its text. */
  async waitForStatusBarItem(match: RegExp, timeout = 15_000): Promise<string> {
    const item = this.page
      .locator('.part.statusbar .statusbar-item')
      .filter({ hasText: match })
      .first();
    await item.waitFor({ state: 'visible', timeout });
    return (await item.innerText()).trim();
  }

  /** The messages of visible notification toasts. */
  async notifications(): Promise<string[]> {
    const toasts = this.page.locator('.notifications-toasts .notification-list-item-message');
    return (await toasts.allInnerTexts()).map((t) => t.trim());
  }

  /** Clears every notification, so the next check sees only new ones. */
  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /**
   * The frame of a webview's content (the document the extension's HTML runs in), found by a
   * selector that exists in it; VS Code nests it as `iframe.webview` > `#active-frame`.
   */
  async webviewFrame(selector: string, timeout = 30_000): Promise<Frame> {
    const deadline = Date.now() + timeout;
    for (;;) {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame() || frame.parentFrame() === this.page.mainFrame()) {
          continue; // the outer webview host frame holds only the inner one
        }
        const found = await frame
          .locator(selector)
          .count()
          .catch(() => 0);
        if (found > 0) return frame;
      }
      if (Date.now() > deadline) {
        const urls = this.page.frames().map((f) => f.url());
        throw new Error(`no webview shows ${selector} within ${timeout} ms; frames: ${urls}`);
      }
      await this.page.waitForTimeout(250);
    }
  }

  /** The text of the active editor tab. */
  async activeTabTitle(): Promise<string> {
    return (await this.page.locator('.tabs-container .tab.active').first().innerText()).trim();
  }

  /** Saves a full-window PNG as `test-artifacts/e2e/<name>.png` and returns its path. */
  async screenshot(name: string): Promise<string> {
    return saveScreenshot(this.page, name);
  }
}

/** Saves a PNG of the page under `test-artifacts/e2e/`, checking it is not empty. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const suffix = process.env.LINETAP_E2E_SCREENSHOT_SUFFIX ?? '';
  const file = path.join(e2eArtifactsDir, `${name.replace(/[^\w.-]+/g, '-')}${suffix}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
  assert.ok(fs.statSync(file).size > 1000, `screenshot ${file} is empty`);
  return file;
}

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}
