/**
 * The integration suite's entry point, loaded by VS Code as `extensionTestsPath` inside the real
 * extension host (code-server or `@vscode/test-electron`, the same contract): `run()` runs mocha
 * on every bundled `suite/**\/*.test.js` and rejects when a test fails.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { suiteMarkers } from './markers';

/** Suites whose title holds this run in a workspace opened without trust. */
const UNTRUSTED = /in an untrusted workspace/;

/** Runs the suite; `LINETAP_TEST_GREP` (in the server's environment) selects tests by title. */
export async function run(): Promise<void> {
  const color = process.env.LINETAP_TEST_COLOR === '1';
  if (!color) plainSymbols();
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color,
    timeout: 30_000,
    slow: 2_000,
  });
  const grep = process.env.LINETAP_TEST_GREP;
  if (grep) mocha.grep(grep);
  // Suites about untrusted workspaces run in the untrusted run, and only there.
  else if (vscode.workspace.isTrusted) mocha.grep(UNTRUSTED).invert();
  else mocha.grep(UNTRUSTED);

  const suiteDir = path.join(__dirname, 'suite');
  const files = fs
    .readdirSync(suiteDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .sort();
  if (files.length === 0) throw new Error(`no *.test.js under ${suiteDir}`);
  for (const file of files) mocha.addFile(path.join(suiteDir, file));

  console.log(suiteMarkers.begin);
  try {
    const { passed, failed } = await runMocha(mocha).catch((error: unknown) => {
      console.error('the suite could not run:', error); // a test file that throws on load
      throw error;
    });
    // The plain closing line that CI reads.
    console.log(`integration: ${passed} passed, ${failed} failed`);
    if (failed > 0) throw new Error(`${failed} integration test(s) failed`);
    if (passed === 0) throw new Error('no integration test ran');
  } finally {
    console.log(suiteMarkers.end);
  }
}

/** Runs mocha and resolves with its counts once every test has run. */
function runMocha(mocha: Mocha): Promise<{ passed: number; failed: number }> {
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run(() =>
        resolve({ passed: runner.stats?.passes ?? 0, failed: runner.stats?.failures ?? 0 }),
      );
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** Mocha 12 colours its ✔ and ✖ (log-symbols) even with `color: false`, as under `CI=true`. */
function plainSymbols(): void {
  Mocha.reporters.Base.symbols.ok = '✔';
  Mocha.reporters.Base.symbols.err = '✖';
}
