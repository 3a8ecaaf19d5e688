/**
 * Starts the provisioned code-server (a real VS Code server) for one test run: a free loopback
 * port, its own process group, fresh user-data and extensions folders, and (by default) the
 * smoke-test driver that lets the web client honour `extensionDevelopmentPath`/`extensionTestsPath`.
 * See `shared/testing-in-vscode.md`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { codeServerEntry, fixtureWorkspace, nodeBin, repoRoot, stampFile } from './toolchain';

/** How to start code-server. */
export interface CodeServerOptions {
  /** Folder opened as the workspace; default: a fresh copy of `test/fixtures/workspace`. */
  readonly workspace?: string;
  /**
   * `true` (default) passes `--disable-workspace-trust`; `false` leaves workspace trust on, so
   * the folder opens in restricted mode and the untrusted-workspace code paths run.
   */
  readonly trustWorkspace?: boolean;
  /** User settings written to `User/settings.json`, over the quiet defaults below. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /**
   * `true` (default) passes `--vscode-option=enable-smoke-test-driver`, without which the web
   * client ignores `extensionTestsPath`. It also hides notification toasts, so the e2e tier,
   * which reads toasts, turns it off.
   */
  readonly smokeTestDriver?: boolean;
  /** Extra environment for the server; the extension host inherits it. */
  readonly env?: Readonly<Record<string, string>>;
  /** Called with each line code-server prints (always also kept in `logFile`). */
  readonly onLog?: (line: string) => void;
  /** Keep the temporary folder after `stop()` (also `LINETAP_TEST_KEEP=1`). */
  readonly keep?: boolean;
}

/** A running code-server. */
export interface CodeServer {
  /** `127.0.0.1:PORT`: exactly the page's `location.host`, as payload URIs need. */
  readonly host: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** The open folder (absolute path on this machine). */
  readonly workspace: string;
  /** Fresh `--extensions-dir`: install an extension by putting `<publisher>.<name>-<version>/` here. */
  readonly extensionsDir: string;
  /** Fresh `--user-data-dir`. */
  readonly userDataDir: string;
  /** Everything code-server printed. */
  readonly logFile: string;
  /** The workbench URL for the open folder, with extra query parameters. */
  url(query?: Readonly<Record<string, string>>): string;
  /** `vscode-remote://HOST:PORT/abs/path`: how the web client names a file on this machine. */
  remoteUri(absolutePath: string): string;
  /** Kills the whole process group (TERM, then KILL after 5 s) and removes the temporary folder. */
  stop(): Promise<void>;
}

/** Settings that keep the UI still and offline: no tips, no welcome page, no update checks. */
const quietSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  // 'off', not false: VS Code migrates false by rewriting settings.json while the window starts,
  // and an extension reading its settings then can miss them.
  'extensions.autoUpdate': 'off',
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'window.commandCenter': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

const startTimeoutMs = 60_000;

/** Starts code-server and resolves once it listens. */
export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  if (!fs.existsSync(stampFile) || !fs.existsSync(codeServerEntry)) {
    throw new Error('code-server is not provisioned: run `npm run provision` first');
  }
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-vscode-'));
  const userDataDir = path.join(runDir, 'user-data');
  const extensionsDir = path.join(runDir, 'extensions');
  const logFile = path.join(runDir, 'code-server.log');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir);
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...quietSettings, ...options.settings }, null, 2),
  );
  let workspace = options.workspace;
  if (workspace === undefined) {
    workspace = path.join(runDir, 'workspace');
    fs.cpSync(fixtureWorkspace, workspace, { recursive: true });
  }
  // An empty config file, or code-server writes a default one with a password into ~/.config.
  const configFile = path.join(runDir, 'config.yaml');
  fs.writeFileSync(configFile, '');

  const args = [
    codeServerEntry,
    '--auth',
    'none',
    '--bind-addr',
    '127.0.0.1:0',
    '--config',
    configFile,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--extensions-dir',
    extensionsDir,
    '--user-data-dir',
    userDataDir,
  ];
  if (options.smokeTestDriver ?? true) args.push('--vscode-option=enable-smoke-test-driver');
  if (options.trustWorkspace ?? true) args.push('--disable-workspace-trust');
  args.push(workspace);

  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  for (const key of Object.keys(env)) if (/^npm_/i.test(key)) delete env[key];
  env.EXTENSIONS_GALLERY = '{}'; // no marketplace: the machine is offline
  // code-server's own data (heartbeat, logs) goes to $XDG_DATA_HOME/code-server: keep it here.
  env.XDG_DATA_HOME = path.join(runDir, 'data');
  env.PATH = `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`;

  const child = spawn(nodeBin, args, {
    cwd: runDir,
    env,
    detached: true, // its own process group, killed as a whole in stop()
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = options.keep ?? process.env.LINETAP_TEST_KEEP === '1';
  // If the test process dies without stop(), take code-server and its folder with it.
  const killOnExit = (): void => {
    killGroup(child, 'SIGKILL');
    if (!keep) fs.rmSync(runDir, { recursive: true, force: true });
  };
  process.on('exit', killOnExit);

  const logStream = fs.createWriteStream(logFile);
  let pending = '';
  let listening: ((host: string) => void) | undefined;
  const onData = (chunk: Buffer): void => {
    logStream.write(chunk);
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      options.onLog?.(line);
      const match = /HTTP server listening on http:\/\/([\d.]+:\d+)/.exec(line);
      if (match) listening?.(match[1]);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  void exit.then(() => (exited = true));

  let host: string;
  try {
    host = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`code-server did not listen within ${startTimeoutMs} ms`)),
        startTimeoutMs,
      );
      listening = (address) => {
        clearTimeout(timer);
        resolve(address);
      };
      child.on('error', reject);
      void exit.then(() => {
        clearTimeout(timer);
        reject(new Error(`code-server exited before listening; log:\n${readTail(logFile)}`));
      });
    });
  } catch (error) {
    killGroup(child, 'SIGKILL');
    process.off('exit', killOnExit);
    if (!keep) fs.rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
    throw error;
  }

  const origin = `http://${host}`;
  const folder = workspace;
  return {
    host,
    origin,
    workspace: folder,
    extensionsDir,
    userDataDir,
    logFile,
    url(query = {}) {
      const params = new URLSearchParams({ folder, ...query });
      return `${origin}/?${params.toString()}`;
    },
    remoteUri(absolutePath) {
      return `vscode-remote://${host}${absolutePath.split(path.sep).join('/')}`;
    },
    async stop() {
      if (!exited) {
        killGroup(child, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
        await exit;
        clearTimeout(timer);
      }
      // Children that ignored TERM outlive the leader: finish the group off.
      killGroup(child, 'SIGKILL');
      process.off('exit', killOnExit);
      await new Promise<void>((resolve) => logStream.end(resolve));
      if (!keep) fs.rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** The last lines of a file, for error messages. */
export function readTail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Installs the built extension the way a VSIX would land: `<publisher>.<name>-<version>/`. */
export function installBuiltExtension(extensionsDir: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    publisher: string;
    name: string;
    version: string;
    main: string;
  };
  if (!fs.existsSync(path.join(repoRoot, manifest.main))) {
    throw new Error(`${manifest.main} is missing: run \`npm run build\` first`);
  }
  const target = path.join(
    extensionsDir,
    `${manifest.publisher}.${manifest.name}-${manifest.version}`,
  );
  fs.mkdirSync(target, { recursive: true });
  for (const entry of ['package.json', 'dist', 'media', 'README.md', 'LICENSE']) {
    const source = path.join(repoRoot, entry);
    if (fs.existsSync(source)) fs.cpSync(source, path.join(target, entry), { recursive: true });
  }
  return target;
}
