/**
 * Debian's Chromium under playwright-core: no browser download, and none of the background
 * connections that a closed network refuses.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { chromiumPath } from './toolchain';

/** A browser context with its own profile; `close()` also removes the profile. */
export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
];

/** Launches Chromium headless (`LINETAP_HEADED=1` shows it, given a display). */
export async function launchBrowser(viewport = { width: 1440, height: 900 }): Promise<TestBrowser> {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`no Chromium at ${chromiumPath}: run \`npm run provision\` as root`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: process.env.LINETAP_HEADED !== '1',
    args: chromiumArgs,
    viewport,
    // Clipboard commands in the workbench need these.
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  // tsx and esbuild keep function names by wrapping functions in `__name(...)`; callbacks handed
  // to `page.evaluate` carry that call into the page, where it must exist.
  await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  // Playwright kills the browser when this process exits; the profile goes with it.
  const removeProfile = (): void => {
    try {
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Chromium still writing into it as it dies: leave it to the temp folder's cleaner.
    }
  };
  process.on('exit', removeProfile);
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      process.off('exit', removeProfile);
      removeProfile();
    },
  };
}
