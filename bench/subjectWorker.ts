/**
 * Each of our implementations runs in a process of its own (this script with `--worker`), so
 * one's garbage and type feedback never land in another's timings: a Framer that leaves a
 * million frames to collect would otherwise slow down the AsyncChat run after it.
 */
import type { TimedRun } from './asynchatBaseline';
import { CASES, type Case } from './cases';
import { JsonChild, type JsonMessage, serveJson } from './jsonChild';
import { type Clock, timeOnce } from './report';
import { ourSubjects, type Subject } from './subjects';
import { chunk, repeat } from './workloads';

const WORKER_FLAG = '--worker';

/** The worker's arguments when this process is one: the case id and the subject's name. */
export function workerArgs(argv: readonly string[]): [string, string] | undefined {
  const at = argv.indexOf(WORKER_FLAG);
  return at < 0 ? undefined : [argv[at + 1], argv[at + 2]];
}

function findSubject(c: Case, name: string): Subject {
  const s = ourSubjects(c.parser).find((x) => x.name === name);
  if (!s || 'reason' in s) throw new Error(`no runnable subject "${name}" for ${c.id}`);
  return s;
}

/**
 * The worker side. Requests: `load` {slot, bytes, times} makes the case's workload of `bytes`
 * repeated `times` times (the generators are deterministic, so it is the parent's input) and
 * splits it into the case's reads; `run` {slot, clock} runs the subject once over them, timed.
 */
export function runWorker(caseId: string, name: string): void {
  const c = CASES.find((x) => x.id === caseId);
  if (!c) throw new Error(`unknown case ${caseId}`);
  const subject = findSubject(c, name);
  const slots = new Map<string, Buffer[]>();
  serveJson((req): JsonMessage => {
    const slot = String(req.slot);
    if (req.cmd === 'load') {
      const w = repeat(c.make(Number(req.bytes)), Number(req.times));
      slots.set(slot, c.read === Infinity ? [w.data] : chunk(w.data, c.read));
      return { inputBytes: w.data.length };
    }
    if (req.cmd === 'run') {
      const reads = slots.get(slot);
      if (!reads) throw new Error(`slot ${slot} not loaded`);
      const { result, ms } = timeOnce(() => subject.run(reads), req.clock as Clock);
      return { messages: result.messages, payloadBytes: result.payloadBytes, ms };
    }
    throw new Error(`unknown command ${String(req.cmd)}`);
  });
}

/** The parent side: a worker running one subject of one case. */
export class SubjectProcess {
  private readonly _child: JsonChild;

  constructor(
    readonly case_: Case,
    readonly subject: Subject,
  ) {
    // execArgv passes flags such as --cpu-prof on, so each worker can be profiled.
    this._child = new JsonChild(`worker for ${subject.name}`, process.execPath, [
      ...process.execArgv,
      process.argv[1],
      WORKER_FLAG,
      case_.id,
      subject.name,
    ]);
  }

  /** Has the worker make the case's input of `bytes`, `times` over, into `slot`. */
  async load(slot: string, bytes: number, times: number, expectBytes: number): Promise<void> {
    const reply = await this._child.request({ cmd: 'load', slot, bytes, times });
    if (reply.inputBytes !== expectBytes) {
      throw new Error(
        `${this.subject.name} made ${String(reply.inputBytes)} bytes of ${expectBytes}`,
      );
    }
  }

  /** One run over the input in `slot`, timed in the worker on `clock`. */
  async run(slot: string, clock: Clock): Promise<TimedRun> {
    const reply = await this._child.request({ cmd: 'run', slot, clock });
    return {
      messages: Number(reply.messages),
      payloadBytes: Number(reply.payloadBytes),
      ms: Number(reply.ms),
    };
  }

  /** Ends the worker. */
  dispose(): void {
    this._child.dispose();
  }
}
