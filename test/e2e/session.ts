/**
 * The one code-server + Chromium session the e2e tests share (a workbench load costs 10-60 s):
 * the built extension installed into a fresh extensions folder, a fresh copy of the fixture
 * workspace open. `run.ts` starts it before the first test and stops it after the last.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchBrowser, type TestBrowser } from '../setup/browser';
import {
  installBuiltExtension,
  startCodeServer,
  type CodeServer,
  type CodeServerOptions,
} from '../setup/codeServer';
import { artifactsDir } from '../setup/toolchain';
import { Workbench } from './workbench';

/** What a test gets from `e2e()`. */
export interface E2ESession {
  readonly server: CodeServer;
  readonly browser: TestBrowser;
  readonly workbench: Workbench;
}

let current: E2ESession | undefined;

/** The running session; only valid inside tests (after `startSession`). */
export function e2e(): E2ESession {
  if (!current) throw new Error('the e2e session is not running (run tests via test/e2e/run.ts)');
  return current;
}

/** Starts code-server with the extension installed, Chromium, and loads the workbench. */
export async function startSession(
  log: (message: string) => void,
  options: CodeServerOptions = {},
): Promise<E2ESession> {
  // Without the smoke-test driver: it hides notification toasts, which e2e tests read.
  const server = await startCodeServer({ smokeTestDriver: false, ...options });
  let browser: TestBrowser | undefined;
  try {
    const installed = installBuiltExtension(server.extensionsDir);
    log(`code-server on ${server.origin}, extension in ${path.basename(installed)}`);
    // The extensions folder is scanned when the window connects, so install before loading.
    browser = await launchBrowser();
    const page = await browser.context.newPage();
    fs.mkdirSync(path.join(artifactsDir, 'e2e'), { recursive: true });
    const consoleLog = fs.createWriteStream(path.join(artifactsDir, 'e2e', 'browser-console.log'));
    page.on('console', (message) => consoleLog.write(`[${message.type()}] ${message.text()}\n`));
    page.on('pageerror', (error) => consoleLog.write(`[pageerror] ${error.stack ?? error}\n`));
    page.on('close', () => consoleLog.end());
    const workbench = new Workbench(page);
    const started = Date.now();
    await workbench.open(server.url());
    log(`workbench loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    current = { server, browser, workbench };
    return current;
  } catch (error) {
    await browser?.close();
    await stopServer(server);
    throw error;
  }
}

/** Closes the browser and kills code-server's process group; keeps its log as an artefact. */
export async function stopSession(): Promise<void> {
  const session = current;
  current = undefined;
  if (!session) return;
  await session.browser.close();
  await stopServer(session.server);
}

async function stopServer(server: CodeServer): Promise<void> {
  const target = path.join(artifactsDir, 'e2e', 'code-server.log');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(server.logFile, target);
  await server.stop();
}
