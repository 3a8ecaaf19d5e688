/** Runs the built `linetap` CLI as a person would: a child process with arguments and stdio. */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
/** The bundled CLI, built once per test run. */
export const CLI = path.join(ROOT, 'dist', 'cli.js');
let built = false;
const live = new Set<ChildProcessWithoutNullStreams>();

/** Kills every CLI process a test left running (after a failure), so none outlives the run. */
export function killAll(): void {
  for (const p of live) p.kill('SIGKILL');
  live.clear();
}

/** Bundles the CLI with the project's esbuild script (once). */
export function buildCli(): void {
  if (built) return;
  execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' });
  built = true;
}

/** What a finished run printed and returned. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `linetap ...args` to its end, with `input` on stdin. */
export function runCli(
  args: string[],
  input = '',
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(input);
  });
}

/** A long-running CLI process (proxy), with its output so far. */
export interface CliProcess {
  readonly proc: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr (or stdout) matches; rejects after `ms`. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr', ms?: number): Promise<RegExpMatchArray>;
  /** Sends SIGINT and resolves with the exit code. */
  interrupt(): Promise<number | null>;
}

/** Starts `linetap ...args` and leaves it running. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const proc = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  live.add(proc);
  const exited = new Promise<number | null>((resolve) =>
    proc.on('close', (code) => {
      live.delete(proc);
      resolve(code);
    }),
  );
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    waitFor: async (pattern, stream = 'stderr', ms = 15_000) => {
      const until = Date.now() + ms;
      for (;;) {
        const m = (stream === 'stderr' ? err : out).match(pattern);
        if (m) return m;
        if (proc.exitCode !== null) throw new Error(`linetap exited ${proc.exitCode}: ${err}`);
        if (Date.now() > until)
          throw new Error(
            `no ${pattern} in ${stream} after ${ms} ms: ${stream === 'stderr' ? err : out}`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    interrupt: () => {
      proc.kill('SIGINT');
      return exited;
    },
  };
}
