/**
 * One VS Code for the panel bench: code-server with the built extension, Debian's Chromium on
 * the workbench (the test tiers' helpers in test/setup), the processes of both found by a tag,
 * and the few workbench gestures the bench needs. test/e2e/workbench.ts has richer ones, but it
 * is type-checked with DOM types and the bench is a Node program; the palette steps here are the
 * same (F1, type, Enter on the row).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../test/setup/browser';
import { installBuiltExtension, startCodeServer, type CodeServer } from '../test/setup/codeServer';
import { artifactsDir } from '../test/setup/toolchain';
import { sleep } from './benchChildren';
import { probe } from './panelProbe';
import { TAG_VARIABLE, taggedProcesses, type TaggedProcess } from './panelProcesses';

const WORKBENCH_LOAD_MS = 120_000; // the first load on 2 busy cores has taken 60 s

/** A running code-server, browser and workbench page. */
export interface PanelSession {
  readonly server: CodeServer;
  readonly page: Page;
  readonly tag: string;
  /** The extension host's pid now (VS Code may restart it while the window loads). */
  extensionHost(): number;
  /** The processes of this session now. */
  processes(): TaggedProcess[];
  /** Runs a command by its palette title. */
  runCommand(title: string): Promise<void>;
  /**
   * The traffic panel of profile `name`, which `linetap.startOnOpen` starts with the window. Now
   * and then (on a busy machine) it has not by the time the window is up: then the profile is
   * started and its panel opened from the palette, as a person would.
   */
  openProfilePanel(name: string, log: (line: string) => void): Promise<Frame>;
  /**
   * Opens a workspace file through Quick Open (a `.linetap` file opens in the viewer); resolves
   * with Date.now() at the moment Enter was pressed.
   */
  quickOpen(name: string): Promise<number>;
  /** The Linetap webview's document, with the probe installed; waits up to `timeout`. */
  panelFrame(timeout?: number): Promise<Frame>;
  stop(): Promise<void>;
}

/**
 * Starts code-server (user settings over the quiet defaults; `workspace`, or a copy of the test
 * fixture), Chromium and the workbench.
 */
export async function startPanelSession(
  settings: Record<string, unknown>,
  log: (line: string) => void,
  workspace?: string,
): Promise<PanelSession> {
  const tag = randomBytes(6).toString('hex');
  // Both code-server and Chromium copy this process's environment into every child.
  process.env[TAG_VARIABLE] = tag;
  const server = await startCodeServer({
    workspace,
    smokeTestDriver: false,
    settings: {
      // VS Code's port forwarding scans /proc every few seconds from the extension host; it has
      // nothing to do with the panel and would add its own load to the figures.
      'remote.autoForwardPorts': false,
      // The helpers' quiet defaults say `false`, which VS Code 1.139 migrates to "off" by
      // rewriting settings.json while the window starts; the extension host can then read the
      // settings while the file is half written and see no profiles at all (seen: 2 runs in 3).
      'extensions.autoUpdate': 'off',
      ...settings,
    },
  });
  let browser: TestBrowser | undefined;
  try {
    installBuiltExtension(server.extensionsDir);
    browser = await launchBrowser();
    await probe.prepare(browser.context);
    const page = await browser.context.newPage();
    const started = Date.now();
    await page.goto(server.url(), { timeout: WORKBENCH_LOAD_MS });
    // Linetap's status bar item: its extension host is up and the extension active.
    await page
      .locator('.part.statusbar .statusbar-item[id="linetap.linetap.linetap.status"]')
      .waitFor({ timeout: WORKBENCH_LOAD_MS });
    await findExtensionHost(tag);
    log(`workbench up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return session(server, browser, page, tag);
  } catch (error) {
    await browser?.close();
    await server.stop();
    throw error;
  }
}

async function findExtensionHost(tag: string): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const host = taggedProcesses(tag).find((p) => p.kind === 'extensionHost');
    if (host) return host.pid;
    await sleep(200);
  }
  throw new Error('no extension host process appeared within 60 s');
}

function session(server: CodeServer, browser: TestBrowser, page: Page, tag: string): PanelSession {
  let host = 0;
  const quickInput = page.locator('.quick-input-widget');
  const palette = async (text: string, row: string, closes = true): Promise<number> => {
    const input = quickInput.locator('.quick-input-header input.input').first();
    for (let attempt = 0; ; attempt++) {
      try {
        await page.locator('.monaco-workbench').focus();
        await page.keyboard.press(text.startsWith('>') ? 'F1' : 'Control+P');
        await input.waitFor({ state: 'visible', timeout: 5_000 });
        await input.fill(text, { timeout: 5_000 });
        await quickInput
          .locator('.monaco-list-row', { hasText: row })
          .first()
          .waitFor({ timeout: 10_000 });
        await page.waitForTimeout(300); // the list filters after each keystroke
        const at = Date.now();
        await page.keyboard.press('Enter');
        if (closes) await quickInput.waitFor({ state: 'hidden', timeout: 10_000 });
        return at;
      } catch (error) {
        await page.keyboard.press('Escape');
        if (attempt >= 4) throw new Error(`the palette did not take "${text}"`, { cause: error });
        await sleep(1_000); // keystrokes are dropped while the workbench restores
      }
    }
  };
  const s: PanelSession = {
    server,
    page,
    tag,
    extensionHost() {
      if (host === 0 || !fs.existsSync(`/proc/${host}`)) {
        host = taggedProcesses(tag).find((p) => p.kind === 'extensionHost')?.pid ?? 0;
      }
      return host;
    },
    processes: () => taggedProcesses(tag),
    runCommand: async (title) => void (await palette(`>${title}`, title)),
    quickOpen: (name) => palette(name, name),
    async openProfilePanel(name, log) {
      try {
        return await s.panelFrame(20_000);
      } catch {
        log(`  the profile did not start with the window: starting "${name}" from the palette`);
      }
      // Start Proxy answers with its list of profiles in the same widget; until the settings
      // have reached the extension host, it asks for a new proxy instead (as in test/e2e).
      for (let attempt = 0; ; attempt++) {
        await palette('>Linetap: Start Proxy', 'Linetap: Start Proxy', false);
        const row = quickInput.locator('.monaco-list-row', { hasText: name }).first();
        const step = quickInput.locator('.quick-input-title', { hasText: 'listen' });
        await row.or(step).first().waitFor({ timeout: 15_000 });
        if ((await row.count()) > 0) break;
        await page.keyboard.press('Escape');
        if (attempt >= 30) throw new Error(`no profile "${name}" reached the extension`);
        await sleep(2_000);
      }
      await page.keyboard.type(name);
      await page.waitForTimeout(300);
      await page.keyboard.press('Enter');
      await quickInput.waitFor({ state: 'hidden', timeout: 10_000 });
      await s.runCommand('Linetap: Open Traffic Panel');
      return s.panelFrame(60_000);
    },
    async panelFrame(timeout = 30_000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        for (const frame of page.frames()) {
          if (frame.parentFrame() === null || !frame.url().includes('/fake.html')) continue;
          const found = await frame
            .locator('.list-viewport')
            .count()
            .catch(() => 0);
          if (found > 0) {
            await probe.install(frame);
            return frame;
          }
        }
        if (Date.now() > deadline) {
          const shot = path.join(artifactsDir, 'bench', 'panel-no-webview.png');
          await page.screenshot({ path: shot }).catch(() => undefined);
          throw new Error(`no Linetap webview within ${timeout} ms (screenshot: ${shot})`);
        }
        await sleep(20);
      }
    },
    async stop() {
      await browser.close();
      await server.stop();
    },
  };
  return s;
}
