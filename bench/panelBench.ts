/**
 * The panel suite (`npm run bench -- --suite=panel`): the traffic panel and the capture viewer
 * in a real VS Code (code-server) and Chromium. Cases, each in a VS Code of its own:
 *   ingest   stepped floods through a proxy the extension runs, panel open and closed
 *   capture  a 1,000,000-frame capture opened in the viewer, beside a 1,000-frame one
 *   flood    extension host memory during a long flood with the panel open
 * Options:
 *   --only=ingest,capture,flood     some cases
 *   --rates=5000,10000,...          offered rates of the ingest steps (frames/s; default
 *                                   5k to 160k, doubling)
 *   --step-seconds=10               length of each ingest step
 *   --minutes=10                    length of the flood
 *   --flood-rate=20000              rate of the flood (frames/s)
 *   --capture-frames=1000000        frames of the big capture
 *   --profile[=20000]               one more ingest step at that rate (default 20,000), panel
 *                                   open, with CPU profiles of the extension host and renderer
 *   --quick                         short steps, a 1-minute flood, 100,000 frames: a smoke test
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import { chromiumPath, artifactsDir, pins } from '../test/setup/toolchain';
import { runCaptureOpen, type CaptureOpen } from './panelCapture';
import { runFlood, type FloodResult } from './panelFlood';
import { KEEP_UP_MS, runIngest, type IngestResult } from './panelIngest';
import {
  captureTable,
  firstRowsTable,
  floodTable,
  ingestTable,
  messagesTable,
  profileTable,
  TARGETS,
  targetsTable,
} from './panelTables';

/** Case ids, for `--only`. */
export const PANEL_CASES = ['ingest', 'capture', 'flood'] as const;

function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

function flag(args: readonly string[], name: string): string | undefined {
  return args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`))?.split('=')[1];
}

function numbers(text: string | undefined, fallback: readonly number[]): number[] {
  if (text === undefined) return [...fallback];
  const out = text.split(',').map(Number);
  if (out.some((n) => !(n > 0))) throw new Error(`not a list of positive numbers: ${text}`);
  return out;
}

function environment(loadBefore: number): string {
  let chromium = 'Chromium';
  try {
    chromium = execFileSync(chromiumPath, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'], // Debian's wrapper script complains on stderr
    }).trim();
  } catch {
    // the version is only for the record
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return (
    `code-server ${pins.codeServer} on Node ${pins.node} (extension host), ${chromium} headless, ` +
    `bench on Node ${process.version}; ${cpus().length} cores, ${cpu}; ` +
    `load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (the machine is shared).`
  );
}

/** Runs the cases asked for and returns the Markdown. */
export async function runPanelSuite(args: readonly string[]): Promise<string> {
  const quick = args.includes('--quick');
  const only = flag(args, 'only')?.split(',');
  const unknown = only?.filter((id) => !(PANEL_CASES as readonly string[]).includes(id));
  if (unknown?.length)
    throw new Error(`--only: no panel case ${unknown.join(', ')}; ids: ${PANEL_CASES.join(', ')}`);
  const wants = (id: string): boolean => !only || only.includes(id);
  const rates = numbers(
    flag(args, 'rates'),
    quick ? [5_000, 20_000] : [5_000, 10_000, 20_000, 40_000, 80_000, 160_000],
  );
  const seconds = Number(flag(args, 'step-seconds') ?? (quick ? 4 : 10));
  const minutes = Number(flag(args, 'minutes') ?? (quick ? 1 : 10));
  const floodRate = Number(flag(args, 'flood-rate') ?? TARGETS.ingestRate);
  const bigFrames = Number(flag(args, 'capture-frames') ?? (quick ? 100_000 : TARGETS.bigCapture));
  const profileFlag = args.find((a) => a === '--profile' || a.startsWith('--profile='));
  const profileRate = profileFlag ? Number(flag(args, 'profile') ?? TARGETS.ingestRate) : undefined;
  const artifacts = path.join(artifactsDir, 'bench');
  const loadBefore = loadavg()[0];

  let ingest: IngestResult | undefined;
  let opens: CaptureOpen[] | undefined;
  let inspectorNote = '';
  let flood: FloodResult | undefined;
  if (wants('ingest')) {
    progress(
      `panel ingest: ${rates.join(', ')} frames/s, ${seconds} s each, panel open then closed`,
    );
    ingest = await runIngest({ rates, seconds, profileRate, artifacts, progress });
  }
  if (wants('capture')) {
    progress(`panel capture: opening ${bigFrames.toLocaleString('en-US')} frames and 1,000 frames`);
    const r = await runCaptureOpen(bigFrames, progress);
    opens = r.opens;
    inspectorNote = r.inspector;
  }
  if (wants('flood')) {
    progress(`panel flood: ${floodRate} frames/s for ${minutes} min, panel open`);
    flood = await runFlood(floodRate, minutes, progress);
    inspectorNote ||= flood.inspector;
  }

  // The raw figures too, for comparing runs or judging them another way later.
  fs.mkdirSync(artifacts, { recursive: true });
  const raw = path.join(artifacts, 'panel-results.json');
  fs.writeFileSync(raw, JSON.stringify({ ingest, opens, flood }, null, 1));
  progress(`raw results in ${raw}`);
  const out = ['## Panel', '', environment(loadBefore), ''];
  if (ingest) {
    out.push(
      '### Ingest',
      '',
      ingestTable(ingest),
      '',
      `- One connection per step sends 64-byte CRLF lines (framing \`crlf\`) at the offered rate for ${seconds} s to a proxy the extension started from a profile; the upstream drops them. The same flood runs with the traffic panel open, then closed (the proxy alone, the baseline).`,
      `- shown frames/s: how far the counts the host sent the panel grew during the flood (panel open), or the frames the proxy wrote to its capture (closed); vs panel closed compares the two at the same rate. count complete: when the count reached every frame sent, after the last one was sent (the capture is written every 100 ms, so closed rows are that coarse).`,
      `- newest row age: at each animation frame of the flood, how long ago the newest frame shown in the list was sent (every payload carries its sequence number, and the sender keeps to its rate): what a person watching the panel sees of the live traffic.`,
      `- frame ms: time between animation frames in the panel's document (panel open) or the workbench's (closed), during the flood; long tasks: tasks over 50 ms on the renderer's main thread (the workbench and its webviews share it). CPU: cores used by the extension host and by Chromium's renderers during the flood.`,
      `- kept up: every offered frame was taken (no push-back) and counted within ${KEEP_UP_MS / 1000} s of the end, and (panel open) frame p95 < ${TARGETS.frameP95Ms} ms. The ring and the panel keep ${ingest.ringFrames.toLocaleString('en-US')} frames (\`linetap.limits.ringFrames\`).`,
      '',
      'What the host sent the open panel (per second of flood):',
      '',
      messagesTable(ingest),
      '',
      "- layouts, style recalcs: Chromium's counts for the renderer (the workbench and its webviews) during the flood, from CDP `Performance.getMetrics`; forced layouts (a script reading geometry after a write) count as well as those of each animation frame. Panel closed: the workbench alone at the same rate. rows misplaced on screen: at each animation frame, rows of the flood whose sequence number does not fit their list position (sequence minus position differs from that of most rows on screen), summed over the frames.",
      '',
    );
  }
  if (opens) {
    out.push(
      '### Opening a capture',
      '',
      captureTable(opens),
      '',
      'Where the time to the first rows goes (ms, each step from the one before):',
      '',
      firstRowsTable(opens),
      '',
      '- Captures written with the real capture writer: ten connections, requests and replies alternating, 64-byte CRLF lines. Opened with Quick Open into the capture viewer; times run from the Enter that opened it to the first animation frame that showed a row, and to the status that said loading had ended. The 1,000-frame capture is opened twice: the first viewer in a window also loads its script and styles.',
      "- The steps come from VS Code's webview host frame, which relays the extension's messages: when it was made, when the HTML came, when the panel's `init` came back after its `ready`, when the first `rows` came.",
      "- frames reachable: the frames the viewer holds and can scroll to (`status.total`); let go: read and dropped (`status.dropped`). Heaps are after a forced GC; the renderer's holds the workbench and every webview (one process), so its change is what matters.",
      '',
    );
  }
  if (flood) {
    const f = flood;
    out.push(
      '### Memory during a flood',
      '',
      floodTable(f),
      '',
      `- ${f.rate.toLocaleString('en-US')} frames/s offered for ${num1((f.send.end - f.send.start) / 1000)} min on one connection, panel open and following the tail; ${f.send.sent.toLocaleString('en-US')} frames sent of ${f.send.offered.toLocaleString('en-US')} offered. Extension host heap is V8's heap in use (no forced GC) read through its inspector; RSS from /proc.`,
      `- Extension host after a forced GC: ${mb(f.idle.heap)} MB heap, ${mb(f.idle.rss)} MB RSS before the flood; ${mb(f.end.heap)} MB heap, ${mb(f.end.rss)} MB RSS after it.`,
      '',
    );
  }
  if (inspectorNote) out.push(`- No extension host heap: ${inspectorNote}.`, '');
  out.push('### Panel targets', '', targetsTable(ingest, opens, flood), '');
  if (ingest?.profiles) {
    const p = ingest.profiles;
    out.push(
      `### Profiles at ${p.rate.toLocaleString('en-US')} frames/s, panel open`,
      '',
      "From one more step after the table's, so the profilers' cost is not in its figures. Time is sampled on the wall clock of the thread: on a busy machine, time spent waiting for a core lands on whatever was running.",
      '',
    );
    if (p.host) out.push(profileTable('Extension host', p.host), '');
    if (p.renderer) out.push(profileTable('Renderer (workbench and webviews)', p.renderer), '');
    out.push(
      `Profiles saved as \`.cpuprofile\` files in \`${path.relative(process.cwd(), artifacts)}/\`.`,
      '',
    );
  }
  return out.join('\n');
}

function mb(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / 1e6).toFixed(0) : 'n/a';
}

function num1(seconds: number): string {
  return (seconds / 60).toFixed(1);
}
