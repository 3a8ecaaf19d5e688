/**
 * `npm run bench`: our Framer and AsyncChat against CPython's asynchat on the same bytes and the
 * same reads, printed to stdout as Markdown (progress goes to stderr). Options:
 *   --quick            quarter-size inputs and fewer runs (a smoke test, not for BENCHMARKS.md)
 *   --only=<id,...>    some cases only (ids in cases.ts), e.g. for `node --cpu-prof`
 *   --no-asynchat      skip the Python side
 *   --wall             time runs on the wall clock instead of process CPU time
 *   --suite=core|proxy one suite only (default: core, then proxy; proxy cases in proxyBench.ts)
 *   --suite=panel      the traffic panel in a real VS Code and Chromium (bench/panelBench.ts has
 *                      its options); never part of the default run: it needs `npm run provision`
 *                      and takes about 20 minutes
 */
import { cpus, loadavg } from 'node:os';
import { AsynchatProcess, findBaseline, type Baseline } from './asynchatBaseline';
import { childRole } from './benchChildren';
import { runChild } from './childRoles';
import { CASES, type Case } from './cases';
import { type Clock, median, size } from './report';
import { SubjectProcess, runWorker, workerArgs } from './subjectWorker';
import { PROXY_CASES, runProxySuite } from './proxyBench';
import { runPanelSuite } from './panelLauncher';
import { ourSubjects, verify } from './subjects';
import { ASYNCHAT, readsLabel, throughputTable, targetsTable, type Row } from './tables';
import { repeat, type Workload } from './workloads';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const CLOCK: Clock = args.includes('--wall') ? 'wall' : 'cpu';
const WARMUP = quick ? 1 : 2;
const REPS = quick ? 3 : 9;

function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

/**
 * Times every subject (and asynchat) on each input. Runs alternate, one of each per round and
 * input, so a change in machine load hits every side and size alike. Every run is checked
 * against its workload. Returns the times by name, then by input.
 */
async function timeAll(
  c: Case,
  inputs: readonly { w: Workload; bytes: number; times: number }[],
  workers: readonly SubjectProcess[],
  py: AsynchatProcess | undefined,
): Promise<Map<string, number[][]>> {
  const names = [ASYNCHAT, ...workers.map((p) => p.subject.name)];
  const times = new Map(names.map((n) => [n, inputs.map((): number[] => [])]));
  for (const [i, { w, bytes, times: n }] of inputs.entries()) {
    for (const p of workers) await p.load(`input${i}`, bytes, n, w.data.length);
    await py?.load(`input${i}`, w.data, c.read, c.parser);
  }
  for (let round = -WARMUP; round < REPS; round++) {
    for (const [i, { w }] of inputs.entries()) {
      const what = `${c.id} (${size(w.data.length)})`;
      for (const p of workers) {
        const run = await p.run(`input${i}`, CLOCK);
        verify(p.subject.name, run, p.subject.expected(w), what);
        if (round >= 0) times.get(p.subject.name)?.[i].push(run.ms);
      }
      // One asynchat warm-up run is enough: CPython has no JIT to warm.
      if (py && round >= -1) {
        const run = await py.run(`input${i}`, CLOCK);
        verify(ASYNCHAT, run, w, what);
        if (round >= 0) times.get(ASYNCHAT)?.[i].push(run.ms);
      }
    }
  }
  return times;
}

async function runCase(c: Case, py: AsynchatProcess | undefined, pyReason: string): Promise<Row[]> {
  const n = quick ? c.size / 4 : c.size;
  const w = c.make(n);
  progress(`${c.id}: ${size(w.data.length)} and 4x that, reads of ${readsLabel(c.read)}`);
  const all = ourSubjects(c.parser);
  const workers = all.flatMap((s) => ('reason' in s ? [] : [new SubjectProcess(c, s)]));
  const withPy = c.read === Infinity ? undefined : py;
  let times: Map<string, number[][]>;
  try {
    const inputs = [
      { w, bytes: n, times: 1 },
      { w: repeat(w, 4), bytes: n, times: 4 },
    ];
    times = await timeAll(c, inputs, workers, withPy);
  } finally {
    for (const p of workers) p.dispose();
  }
  const row = (name: string, note?: string): Row => {
    const [t1 = [], t4 = []] = times.get(name) ?? [];
    const ms = median(t1);
    return {
      case: c,
      bytes: w.data.length,
      name,
      mbps: w.data.length / 1e6 / (ms / 1000),
      msgsPerSec: w.messages / (ms / 1000),
      linearity: median(t4) / ms,
      note,
    };
  };
  const ours = all.map((s) => ('reason' in s ? row(s.name, s.reason) : row(s.name)));
  if (c.read === Infinity) return ours;
  return [withPy ? row(ASYNCHAT) : row(ASYNCHAT, pyReason), ...ours];
}

function environment(baseline: Baseline, loadBefore: number): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const py = baseline.ok ? `CPython ${baseline.version} asynchat` : 'no asynchat';
  const load = `load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after`;
  return `Node ${process.version}, ${py}; ${cpus().length} cores, ${cpu}; ${load}.`;
}

async function coreMain(): Promise<void> {
  const loadBefore = loadavg()[0];
  const cases = CASES.filter((c) => !only || only.includes(c.id));
  if (cases.length === 0) {
    throw new Error(`--only matched no case; ids: ${CASES.map((c) => c.id).join(', ')}`);
  }
  const baseline: Baseline = args.includes('--no-asynchat')
    ? { ok: false, reason: 'skipped with --no-asynchat' }
    : findBaseline();
  const py = baseline.ok ? new AsynchatProcess(baseline) : undefined;
  const rows: Row[] = [];
  try {
    for (const c of cases) rows.push(...(await runCase(c, py, baseline.ok ? '' : baseline.reason)));
  } finally {
    py?.dispose();
  }
  const notes = [
    `MB/s is 10^6 input bytes per second of ${CLOCK === 'cpu' ? 'process CPU time (user + system; --wall for wall-clock time)' : 'wall-clock time'}; each figure is the median of ${REPS} timed runs after warm-up, ours and asynchat's taking turns.`,
    'All implementations get the same bytes in the same reads; every run is checked to find exactly the messages the generator wrote.',
    't(4N)/t(N): the same input four times over, read the same way; 4 means linear.',
  ];
  if (cases.some((c) => c.read === Infinity)) {
    notes.push(
      'One feed: the whole input in one call (AsyncChat.handleRead splits it into 64 KiB read events, as asynchat reads at most ac_in_buffer_size per event, so asynchat has no such row).',
    );
  }
  const skipped = new Set(rows.filter((r) => r.note).map((r) => `${r.name}: n/a, ${r.note}.`));
  notes.push(...skipped);
  process.stdout.write(
    [
      '## Throughput',
      '',
      environment(baseline, loadBefore),
      '',
      throughputTable(rows),
      '',
      ...notes.map((n) => `- ${n}`),
      '',
      '## Targets',
      '',
      targetsTable(rows),
      '',
    ].join('\n'),
  );
}

/** Runs the suites asked for; `--only` takes the ids of either, and skips a suite with none. */
async function main(): Promise<void> {
  const suite = args.find((a) => a.startsWith('--suite='))?.slice('--suite='.length) ?? 'all';
  if (suite === 'panel') return runPanelSuite(args.filter((a) => !a.startsWith('--suite=')));
  if (!['all', 'core', 'proxy'].includes(suite))
    throw new Error('--suite takes core, proxy or panel');
  const core = suite !== 'proxy' && (!only || only.some((id) => CASES.some((c) => c.id === id)));
  const proxy = suite !== 'core' && (!only || only.some((id) => PROXY_CASES.some((c) => c === id)));
  if (!core && !proxy) {
    const ids = [...CASES.map((c) => c.id), ...PROXY_CASES].join(', ');
    throw new Error(`--only matched no case; ids: ${ids}`);
  }
  if (core) await coreMain();
  if (proxy) process.stdout.write(`${core ? '\n' : ''}${await runProxySuite({ quick, only })}`);
}

const worker = workerArgs(args);
const role = childRole(args);
if (worker) {
  runWorker(...worker);
} else if (role) {
  runChild(role);
} else {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
