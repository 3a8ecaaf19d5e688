/**
 * Starts the panel suite from `node dist/bench.js --suite=panel`. The suite drives Chromium with
 * playwright-core, which reads its own package files at run time and so cannot live in the
 * esbuild bundle; it runs from the TypeScript sources under tsx instead, as the e2e tests do.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

/** Runs bench/panelMain.ts with `args`; resolves once it exits (rejects if it failed). */
export function runPanelSuite(args: readonly string[]): Promise<void> {
  // dist/bench.js and bench/*.ts both sit one folder below the repository root.
  const root = path.resolve(__dirname, '..');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'bench', 'panelMain.ts'), ...args],
    { cwd: root, stdio: 'inherit' },
  );
  const stop = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (code === 0) resolve();
      else reject(new Error(`the panel suite exited with ${signal ?? code}`));
    });
  });
}
