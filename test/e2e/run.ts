/**
 * Runs the e2e tests (`test/e2e/**\/*.test.ts`, mocha BDD, in plain node) against one shared
 * code-server + Chromium session, with an overall timeout, a screenshot of every failing test,
 * and code-server's process group always killed at the end.
 *
 * Usage: `npm run test:e2e [-- --grep TEXT] [--untrusted] [--timeout SECONDS] [--theme dark]`
 *
 * `--theme dark` starts VS Code in Dark Modern and names screenshots `*-dark.png`, kept beside
 * those of the default (light) run: `npm run test:e2e` runs the panel's tests in both.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import Mocha from 'mocha';
import { e2e, startSession, stopSession } from './session';
import { e2eArtifactsDir, saveScreenshot } from './workbench';

const { values: flags } = parseArgs({
  options: {
    grep: { type: 'string' },
    untrusted: { type: 'boolean', default: false },
    timeout: { type: 'string', default: process.env.LINETAP_TEST_TIMEOUT ?? '900' },
    theme: { type: 'string' },
  },
});

/** Themes a run can start in: the id VS Code's settings take, and the workbench's class. */
const THEMES: Record<string, { id: string; kind: string }> = {
  dark: { id: 'Dark Modern', kind: 'vs-dark' },
};
const theme = flags.theme === undefined ? undefined : THEMES[flags.theme];
if (flags.theme !== undefined && !theme) {
  throw new Error(`--theme ${flags.theme}: known themes are ${Object.keys(THEMES).join(', ')}`);
}
if (flags.theme) process.env.LINETAP_E2E_SCREENSHOT_SUFFIX = `-${flags.theme}`;

const started = Date.now();

function note(message: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`[e2e ${seconds}s] ${message}`);
}

async function main(): Promise<number> {
  // A themed run adds its screenshots to the default run's.
  if (!theme) fs.rmSync(e2eArtifactsDir, { recursive: true, force: true });
  fs.mkdirSync(e2eArtifactsDir, { recursive: true });

  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  if (!color) plainSymbols();
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color,
    timeout: 60_000,
    slow: 10_000,
  });
  if (flags.grep) mocha.grep(flags.grep);
  const files = fs
    .readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .sort();
  if (files.length === 0) throw new Error(`no *.test.ts under ${__dirname}`);
  for (const file of files) mocha.addFile(path.join(__dirname, file));

  mocha.rootHooks({
    async beforeAll(this: Mocha.Context) {
      this.timeout(180_000);
      note('starting code-server and Chromium');
      await startSession(note, {
        trustWorkspace: !flags.untrusted,
        settings: theme ? { 'workbench.colorTheme': theme.id } : undefined,
      });
      if (theme) {
        await e2e()
          .workbench.page.locator(`.monaco-workbench.${theme.kind}`)
          .waitFor({ timeout: 15_000 });
        note(`workbench in ${theme.id}`);
      }
    },
    async afterEach(this: Mocha.Context) {
      const test = this.currentTest;
      const { workbench } = e2e();
      if (test?.state === 'failed') {
        const name = `failed-${test.fullTitle()}`;
        const file = await saveScreenshot(workbench.page, name).catch(() => null);
        if (file) console.log(`      screenshot of the failure: ${path.relative('.', file)}`);
      }
      // A prompt left open by one test would swallow the next test's keystrokes.
      await workbench.dismissQuickInput().catch(() => undefined);
    },
    async afterAll(this: Mocha.Context) {
      this.timeout(30_000);
      await stopSession();
    },
  });

  const timeoutMs = Number(flags.timeout) * 1000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const finished = new Promise<{ passed: number; failed: number }>((resolve) => {
    const runner = mocha.run(() =>
      resolve({ passed: runner.stats?.passes ?? 0, failed: runner.stats?.failures ?? 0 }),
    );
  });
  try {
    const result = await Promise.race([finished, timedOut]);
    if (result === 'timeout') {
      console.error(`[e2e] not finished within ${flags.timeout} s`);
      return 1;
    }
    // The plain closing line that CI reads.
    console.log(`e2e: ${result.passed} passed, ${result.failed} failed`);
    return result.failed === 0 && result.passed > 0 ? 0 : 1;
  } finally {
    clearTimeout(timer);
    await stopSession();
  }
}

const stop = (signal: NodeJS.Signals): void => {
  console.error(`[e2e] ${signal}: stopping`);
  process.exit(130); // the 'exit' hook in codeServer.ts kills code-server's process group
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

main().then(
  (code) => {
    process.exitCode = code;
    // Playwright or a test may hold handles open; the result is known, so leave.
    setTimeout(() => process.exit(code), 1_000).unref();
  },
  (error: unknown) => {
    console.error('[e2e] harness failed:', error);
    process.exitCode = 1;
  },
);

/** Mocha 12 colours its ✔ and ✖ (log-symbols) even with `color: false`, as under `CI=true`. */
function plainSymbols(): void {
  Mocha.reporters.Base.symbols.ok = '✔';
  Mocha.reporters.Base.symbols.err = '✖';
}
