/**
 * CPU profiles of the extension host and of the renderer during one ingest step: saved as
 * `.cpuprofile` files (DevTools opens them) and summed up by where the time went, for the
 * "where the time goes" notes in BENCHMARKS.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A V8 CPU profile as CDP's `Profiler.stop` returns it. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
  }[];
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

/** Self time of one function, or of one part of the program. */
export interface ProfileLine {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

/** Where a profile's time went: by part of the program, and the costliest functions. */
export interface ProfileSummary {
  readonly totalMs: number;
  readonly parts: ProfileLine[];
  readonly top: ProfileLine[];
}

/** Writes the profile where a person can open it; returns the path. */
export function saveProfile(dir: string, name: string, profile: CpuProfile): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.cpuprofile`);
  fs.writeFileSync(file, JSON.stringify(profile));
  return file;
}

/** Which part of the program a function belongs to, by its script. */
function partOf(url: string, name: string): string {
  if (name === '(idle)') return 'idle';
  if (name === '(garbage collector)') return 'garbage collector';
  if (name === '(program)' || name === '(root)') return 'V8 and native (program)';
  if (/\/dist\/extension\.js$/.test(url)) return 'Linetap extension (dist/extension.js)';
  if (/\/dist\/webview\.js$/.test(url)) return 'Linetap webview (dist/webview.js)';
  if (/webview\/browser\/pre\//.test(url)) return "VS Code's webview host frame";
  if (url.startsWith('node:') || url === '') return 'Node and V8 built-ins';
  return 'VS Code (workbench / extension host)';
}

/** Sums self time by part and by function (`name file:line`), `top` functions. */
export function summarize(profile: CpuProfile, top = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // Each sample's time is the delta to the next one (the last gets none).
  for (let i = 0; i < samples.length - 1; i++) {
    self.set(samples[i], (self.get(samples[i]) ?? 0) + deltas[i + 1] / 1000);
  }
  const parts = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  for (const [id, ms] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += ms;
    const part = partOf(frame.url, frame.functionName);
    parts.set(part, (parts.get(part) ?? 0) + ms);
    if (part === 'idle') continue;
    // Scripts by file name alone: a webview's host page carries a long query string.
    const script = frame.url.split('?')[0];
    const file = script
      ? `${script.slice(script.lastIndexOf('/') + 1)}:${frame.lineNumber + 1}`
      : '';
    const key = `${frame.functionName || '(anonymous)'} ${file}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + ms);
  }
  const lines = (m: Map<string, number>, n: number): ProfileLine[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms, share: ms / total }));
  return { totalMs: total, parts: lines(parts, 10), top: lines(fns, top) };
}
