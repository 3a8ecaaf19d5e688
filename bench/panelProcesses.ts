/**
 * The processes of one panel-bench session, found by an environment variable that the bench
 * sets before starting code-server and Chromium, and their CPU time and memory from /proc.
 * code-server passes its environment to every child; Chromium's zygote gets an environment of
 * its own, so its renderers are found as descendants of the tagged browser process. Other
 * engineers' VS Codes and browsers on the same machine carry another tag, or none.
 */
import * as fs from 'node:fs';

/** The variable that marks a session's processes. */
export const TAG_VARIABLE = 'LINETAP_PANEL_BENCH';

/** What a process is, as far as the bench cares. */
export type ProcessKind = 'extensionHost' | 'codeServer' | 'renderer' | 'browser';

/** A process of the session. */
export interface TaggedProcess {
  readonly pid: number;
  readonly kind: ProcessKind;
}

/** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux everywhere). */
const TICKS = 100;

/** Processes whose environment holds `TAG_VARIABLE=tag`, and their descendants. */
export function taggedProcesses(tag: string): TaggedProcess[] {
  const needle = `\0${TAG_VARIABLE}=${tag}\0`;
  const parent = new Map<number, number>();
  const tagged = new Set<number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      if (`\0${fs.readFileSync(`/proc/${name}/environ`, 'latin1')}`.includes(needle)) {
        tagged.add(Number(name));
      }
    } catch {
      // gone, or not ours to read
    }
  }
  const ours = (pid: number): boolean => {
    for (let p = pid, depth = 0; p > 1 && depth < 64; p = parent.get(p) ?? 0, depth++) {
      if (tagged.has(p)) return true;
    }
    return false;
  };
  const out: TaggedProcess[] = [];
  for (const pid of parent.keys()) {
    if (!ours(pid)) continue;
    try {
      const kind = classify(fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
      if (kind) out.push({ pid, kind });
    } catch {
      // gone
    }
  }
  return out;
}

function classify(cmd: string): ProcessKind | undefined {
  if (cmd.includes('--type=extensionHost')) return 'extensionHost';
  if (cmd.includes('chromium')) return cmd.includes('--type=renderer') ? 'renderer' : 'browser';
  if (cmd.includes('code-server')) return 'codeServer';
  return undefined; // shells and tools the extension host runs for a moment
}

/** CPU seconds (user + system) a process has used, or NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may hold spaces; fields after it are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime (fields 14, 15)
  } catch {
    return NaN;
  }
}

/** Resident set size in bytes (VmRSS), or NaN once the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU use of groups of processes between two calls of `take()`, in cores (1 = one core busy). */
export class CpuMeter {
  private _at = 0;
  private _cpu = new Map<number, number>();

  constructor(private readonly _processes: () => readonly TaggedProcess[]) {}

  /** Starts a window. */
  start(): void {
    this._at = performance.now();
    this._cpu = new Map(this._processes().map((p) => [p.pid, cpuSeconds(p.pid)]));
  }

  /** Cores used by each kind since `start()`; processes that started since count from 0. */
  take(): Record<ProcessKind, number> {
    const seconds = (performance.now() - this._at) / 1000;
    const used: Record<ProcessKind, number> = {
      extensionHost: 0,
      codeServer: 0,
      renderer: 0,
      browser: 0,
    };
    for (const p of this._processes()) {
      const now = cpuSeconds(p.pid);
      if (!Number.isFinite(now)) continue;
      used[p.kind] += (now - (this._cpu.get(p.pid) ?? 0)) / seconds;
    }
    return used;
  }
}
