// One build script for every bundle: the CLI and benchmarks (node), later the extension host
// (node, `vscode` external) and the webview (browser). Type-checking is `npm run check-types`.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const nodeEntries = [
  ['src/cli/main.ts', 'dist/cli.js'],
  ['bench/main.ts', 'dist/bench.js'],
  ['src/extension/extension.ts', 'dist/extension.js'],
].filter(([src]) => existsSync(src));

/** Prints errors in the `file:line:col: error:` form VS Code's problem matcher reads. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
    });
  },
};

const contexts = await Promise.all(
  nodeEntries.map(([entry, outfile]) =>
    esbuild.context({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['vscode'],
      minify: production,
      sourcemap: !production,
      sourcesContent: false,
      banner: entry.startsWith('src/cli') ? { js: '#!/usr/bin/env node' } : undefined,
      logLevel: 'silent',
      plugins: [problemMatcher],
    }),
  ),
);

// The webview: browser-only code and its stylesheet. The CSS pulls in the codicon stylesheet,
// and the `file` loader copies its font next to it, because the webview may load only from dist/.
if (existsSync('src/webview/main.ts')) {
  const browser = {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    logLevel: 'silent',
    plugins: [problemMatcher],
  };
  contexts.push(
    await esbuild.context({
      ...browser,
      entryPoints: ['src/webview/main.ts'],
      outfile: 'dist/webview.js',
      format: 'iife',
    }),
    await esbuild.context({
      ...browser,
      entryPoints: ['src/webview/panel.css'],
      outfile: 'dist/webview.css',
      loader: { '.ttf': 'file' },
      assetNames: '[name]',
    }),
  );
}

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  try {
    await Promise.all(contexts.map((c) => c.rebuild()));
  } finally {
    await Promise.all(contexts.map((c) => c.dispose()));
  }
}
