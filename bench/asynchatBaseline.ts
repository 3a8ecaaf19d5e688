/**
 * CPython's asynchat as a child process (asynchat_baseline.py) that runs on request, so its runs
 * alternate with ours and every side sees the same machine load.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Tally } from './chatConsumers';
import { JsonChild } from './jsonChild';
import type { Clock } from './report';
import type { Parser } from './subjects';

/** A python3 that has asynchat, or the reason there is none. */
export type Baseline =
  | {
      readonly ok: true;
      readonly python: string;
      readonly version: string;
      readonly script: string;
    }
  | { readonly ok: false; readonly reason: string };

/** One timed run: what it found and how long it took in ms. */
export interface TimedRun extends Tally {
  readonly ms: number;
}

/** The script sits in bench/, next to this file or (bundled into dist/) one folder over. */
function findScript(): string | undefined {
  return [
    path.join(__dirname, 'asynchat_baseline.py'),
    path.join(__dirname, '..', 'bench', 'asynchat_baseline.py'),
  ].find((p) => existsSync(p));
}

/** Looks for python3 (or $LINETAP_BENCH_PYTHON) with asynchat importable. */
export function findBaseline(): Baseline {
  const script = findScript();
  if (!script) return { ok: false, reason: 'bench/asynchat_baseline.py not found' };
  const python = process.env.LINETAP_BENCH_PYTHON ?? 'python3';
  const probe = spawnSync(
    python,
    ['-W', 'ignore', '-c', 'import sys, asynchat; print(sys.version.split()[0])'],
    { encoding: 'utf8' },
  );
  if (probe.error) return { ok: false, reason: `${python} not found (${probe.error.message})` };
  if (probe.status !== 0) {
    const v = spawnSync(python, ['--version'], { encoding: 'utf8' });
    const version = `${v.stdout ?? ''}${v.stderr ?? ''}`.split('\n')[0].trim() || python;
    return { ok: false, reason: `${version} has no asynchat (removed in Python 3.12)` };
  }
  return { ok: true, python, version: probe.stdout.trim(), script };
}

/** The Python process, and the temp folder the workloads are written to for it. */
export class AsynchatProcess {
  private readonly _dir = mkdtempSync(path.join(tmpdir(), 'linetap-bench-'));
  private readonly _child: JsonChild;

  constructor(baseline: Baseline & { ok: true }) {
    this._child = new JsonChild('asynchat_baseline.py', baseline.python, [
      '-W',
      'ignore',
      baseline.script,
    ]);
  }

  /**
   * Writes `data` to a file and has Python read it into `slot`, split into reads of `chunk`
   * bytes (a slot loaded again is replaced).
   */
  async load(slot: string, data: Buffer, chunk: number, parser: Parser): Promise<void> {
    const file = path.join(this._dir, `${slot}.bin`);
    writeFileSync(file, data);
    try {
      const reply = await this._child.request({ cmd: 'load', slot, file, chunk, parser });
      if (reply.inputBytes !== data.length) {
        throw new Error(`asynchat read ${String(reply.inputBytes)} bytes of ${data.length}`);
      }
    } finally {
      rmSync(file, { force: true });
    }
  }

  /** One asynchat run over the input loaded in `slot`, timed on `clock`. */
  async run(slot: string, clock: Clock): Promise<TimedRun> {
    const reply = await this._child.request({ cmd: 'run', slot, clock });
    return {
      messages: Number(reply.messages),
      payloadBytes: Number(reply.payloadBytes),
      ms: Number(reply.seconds) * 1000,
    };
  }

  /** Ends the process and removes the temp folder. */
  dispose(): void {
    this._child.dispose();
    rmSync(this._dir, { recursive: true, force: true });
  }
}
