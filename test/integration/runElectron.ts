/**
 * Runs the same integration suite (the same bundled `run()` index) under `@vscode/test-electron`,
 * the desktop VS Code that Microsoft's update server hands out. Where that server is out of reach,
 * as on this project's machines, it stops within a minute with a message saying so; the
 * code-server launcher (`npm run test:integration`) is the one `npm test` runs.
 *
 * Usage: `npm run test:electron [-- --grep TEXT]`. On Linux without a display, run it under
 * `xvfb-run -a`.
 */
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fixtureWorkspace, pins, repoRoot } from '../setup/toolchain';
import { buildSuite, suiteIndex } from './buildSuite';

/** The desktop build matching code-server's VS Code. */
const vscodeVersion = process.env.LINETAP_VSCODE_VERSION ?? '1.139.1';
const downloadTimeoutMs = 60_000;

const { values: flags } = parseArgs({ options: { grep: { type: 'string' } } });

async function download(): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${downloadTimeoutMs / 1000} s`)),
      downloadTimeoutMs,
    );
  });
  try {
    return await Promise.race([
      downloadAndUnzipVSCode({
        version: vscodeVersion,
        cachePath: path.join(repoRoot, '.vscode-test'),
        timeout: 15_000,
      }),
      timedOut,
    ]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `could not download VS Code ${vscodeVersion} for @vscode/test-electron (${reason}). ` +
        "This machine cannot reach Microsoft's update server; run the same suite in " +
        `code-server ${pins.codeServer} with \`npm run test:integration\` instead.`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<number> {
  await buildSuite();
  console.log(`[electron] downloading VS Code ${vscodeVersion} (cached in .vscode-test/)`);
  const vscodeExecutablePath = await download();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-electron-'));
  try {
    const workspace = path.join(runDir, 'workspace');
    fs.cpSync(fixtureWorkspace, workspace, { recursive: true });
    const env: Record<string, string> = {};
    if (flags.grep) env.LINETAP_TEST_GREP = flags.grep;
    return await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: suiteIndex,
      extensionTestsEnv: env,
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir',
        path.join(runDir, 'user-data'),
        '--extensions-dir',
        path.join(runDir, 'extensions'),
      ],
    });
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

main().then(
  (code) => {
    process.exitCode = code === 0 ? 0 : 1;
  },
  (error: unknown) => {
    console.error(`[electron] ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
