/**
 * Runs the integration suite inside a real VS Code extension host, served by code-server and
 * driven by Chromium: the web client gets `extensionDevelopmentPath` (this repository) and
 * `extensionTestsPath` (the bundled `index.js`) in its `payload` URL parameter, runs `run()`, and
 * reports the result through `codeAutomationExit`. The extension host's console is relayed here.
 *
 * Usage: `npm run test:integration [-- --grep TEXT] [--untrusted] [--timeout SECONDS] [--verbose]`
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format, parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../setup/browser';
import { startCodeServer, readTail, type CodeServer } from '../setup/codeServer';
import { artifactsDir, repoRoot } from '../setup/toolchain';
import { buildSuite, suiteIndex } from './buildSuite';
import { suiteMarkers } from './markers';

const { values: flags } = parseArgs({
  options: {
    grep: { type: 'string' },
    untrusted: { type: 'boolean', default: false },
    timeout: { type: 'string', default: process.env.LINETAP_TEST_TIMEOUT ?? '600' },
    verbose: { type: 'boolean', default: process.env.LINETAP_TEST_VERBOSE === '1' },
  },
});

const outDir = path.join(artifactsDir, 'integration');
const workbenchLogFile = path.join(outDir, 'workbench-console.log');
const started = Date.now();

function note(message: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`[integration ${seconds}s] ${message}`);
}

/** Runs the suite once; resolves to the exit code the extension host reported. */
async function main(): Promise<number> {
  const deadline = Date.now() + Number(flags.timeout) * 1000;
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });

  note('bundling the suite');
  await buildSuite();
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) {
    throw new Error('dist/extension.js is missing: run `npm run build` first');
  }

  let server: CodeServer | undefined;
  let browser: TestBrowser | undefined;
  let page: Page | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const env: Record<string, string> = {
      LINETAP_TEST_COLOR: process.stdout.isTTY && !process.env.NO_COLOR ? '1' : '0',
    };
    if (flags.grep) env.LINETAP_TEST_GREP = flags.grep;
    server = await startCodeServer({
      trustWorkspace: !flags.untrusted,
      env,
      onLog: flags.verbose ? (line) => console.log(`[code-server] ${line}`) : undefined,
    });
    note(`code-server on ${server.origin}${flags.untrusted ? ' (workspace trust on)' : ''}`);

    browser = await launchBrowser();
    page = await browser.context.newPage();
    workbenchLog = fs.createWriteStream(workbenchLogFile);
    const browserLog = fs.createWriteStream(path.join(outDir, 'browser-console.log'));
    page.on('console', (message) => browserLog.write(`[${message.type()}] ${message.text()}\n`));
    page.on('pageerror', (error) => browserLog.write(`[pageerror] ${error.stack ?? error}\n`));

    // Both hooks must exist before the workbench loads, or nothing reports back.
    let reportExit: (code: number) => void = () => {};
    const exitCode = new Promise<number>((resolve) => (reportExit = resolve));
    await page.exposeFunction('codeAutomationExit', (code: number, logs?: unknown) => {
      saveWorkbenchLogs(logs);
      reportExit(code);
    });
    await page.exposeFunction('codeAutomationLog', (level: string, message: unknown) =>
      relay(level, message),
    );
    const payload = [
      ['extensionDevelopmentPath', server.remoteUri(repoRoot)],
      ['extensionTestsPath', server.remoteUri(suiteIndex)],
      ['skipWelcome', 'true'],
    ];
    note('opening the workbench');
    await page.goto(server.url({ payload: JSON.stringify(payload) }), { timeout: 120_000 });

    // Every step before this one has a bound of its own; this one is the suite itself.
    const timedOut = new Promise<number>((resolve) => {
      timer = setTimeout(() => resolve(-1), Math.max(0, deadline - Date.now()));
    });
    const code = await Promise.race([exitCode, timedOut]);
    if (code !== 0 && !suiteEnded) {
      console.error(`[integration] the workbench log ends (all of it: ${workbenchLogFile}):`);
      console.error(readTail(workbenchLogFile, 15));
    }
    if (code === -1) {
      await page.screenshot({ path: path.join(outDir, 'timeout.png') }).catch(() => undefined);
      console.error(`[integration] no result within ${flags.timeout} s; code-server's log ends:`);
      console.error(readTail(server.logFile));
      return 1;
    }
    note(`extension host exited with code ${code}`);
    return code;
  } catch (error) {
    if (page) await page.screenshot({ path: path.join(outDir, 'error.png') }).catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
    await browser?.close();
    workbenchLog?.end();
    if (server) {
      fs.copyFileSync(server.logFile, path.join(outDir, 'code-server.log'));
      await server.stop();
    }
  }
}

/** Workbench chatter that shows up in the log while the suite runs. */
const workbenchNoise = [
  /^Ignoring fetching additional builtin extensions/,
  /^Updating additional builtin extensions cache/,
  /^Creating a socket|^Resolv(ing|ed) connection token|^\[reconnection-grace-time\]/,
  /^\[AccountPolicyGate\]|^\[AgentHost:|^\[Service Worker\]/,
  /^Creation of workbench contribution/,
  /^Timed out waiting for authentication provider/,
];

let inSuite = false;
let suiteEnded = false;
let workbenchLog: fs.WriteStream | undefined;

/**
 * Takes one message of the workbench log, where the extension host's console lands in test
 * mode (as console arguments). All of it goes to `workbench-console.log`; what the suite prints
 * between its markers goes to stdout too.
 */
function relay(level: string, message: unknown): void {
  const text = Array.isArray(message) ? format(...(message as unknown[])) : String(message);
  workbenchLog?.write(`[${level}] ${text}\n`);
  if (text === suiteMarkers.begin || text === suiteMarkers.end) {
    inSuite = text === suiteMarkers.begin;
    suiteEnded ||= text === suiteMarkers.end;
    return;
  }
  if (!flags.verbose && (!inSuite || workbenchNoise.some((noise) => noise.test(text)))) return;
  if (level === 'error' || level === 'warn') console.error(text);
  else console.log(text);
}

/** Keeps the workbench's log files (handed over with the exit code) as artefacts. */
function saveWorkbenchLogs(logs: unknown): void {
  if (!Array.isArray(logs)) return;
  for (const entry of logs as Array<{ relativePath?: unknown; contents?: unknown }>) {
    if (typeof entry.relativePath !== 'string' || typeof entry.contents !== 'string') continue;
    const file = path.join(outDir, 'workbench-logs', path.normalize(entry.relativePath));
    if (!file.startsWith(outDir)) continue;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, entry.contents);
  }
}

const stop = (signal: NodeJS.Signals): void => {
  console.error(`[integration] ${signal}: stopping`);
  process.exit(130); // the 'exit' hook in codeServer.ts kills code-server's process group
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

main().then(
  (code) => {
    process.exitCode = code === 0 ? 0 : 1;
  },
  (error: unknown) => {
    console.error('[integration] harness failed:', error);
    process.exitCode = 1;
  },
);
