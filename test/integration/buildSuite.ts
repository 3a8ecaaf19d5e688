/**
 * Bundles the in-host suite with esbuild into `out/test/integration/`: `index.js` (mocha inside)
 * and one `*.test.js` per test file, with `vscode` left to the extension host.
 */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../setup/toolchain';

const sourceDir = path.join(repoRoot, 'test', 'integration');

/** The compiled suite: pass `index` as `extensionTestsPath`. */
export const suiteOutDir = path.join(repoRoot, 'out', 'test', 'integration');

/** `extensionTestsPath`: the bundled `run()` index. */
export const suiteIndex = path.join(suiteOutDir, 'index.js');

/** Every `*.test.ts` under `test/integration/suite/`. */
function testEntries(): string[] {
  const suite = path.join(sourceDir, 'suite');
  return fs
    .readdirSync(suite, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => path.join(suite, file))
    .sort();
}

/** Builds the suite afresh; throws with esbuild's messages on errors. */
export async function buildSuite(): Promise<void> {
  fs.rmSync(suiteOutDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [path.join(sourceDir, 'index.ts'), ...testEntries()],
    outbase: sourceDir,
    outdir: suiteOutDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    sourcemap: 'linked',
    sourcesContent: false,
    // Mocha 12 is ESM; bundled to CJS its few `import.meta` uses need a CJS stand-in.
    define: { 'import.meta.url': '__linetapImportMetaUrl', 'import.meta.dirname': '__dirname' },
    banner: { js: "const __linetapImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
    // Mocha's parallel mode (unused here) resolves its worker files at run time.
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
}
