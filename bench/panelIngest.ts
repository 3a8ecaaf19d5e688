/**
 * The ingest case: a proxy started by the extension (a profile in the user settings, started
 * with the window along with its traffic panel), flooded from this process at stepped rates.
 * At each rate the same flood runs twice, once with the panel open and once with it closed (the
 * proxy alone: the baseline), and the figures are taken where a person would see them: the
 * counts the panel shows and the frame times of its document.
 */
import type { Frame } from 'playwright-core';
import * as path from 'node:path';
import { sleep } from './benchChildren';
import { CaptureCounter, freePort, sendAtRate, startSink } from './panelLoad';
import { probe, type ProbeReading } from './panelProbe';
import { CpuMeter } from './panelProcesses';
import { saveProfile, summarize, type CpuProfile, type ProfileSummary } from './panelProfile';
import { Inspector } from './panelInspector';
import { startPanelSession, type PanelSession } from './panelSession';

/** Within this long after the last frame was sent, the count must reach what was sent. */
export const KEEP_UP_MS = 1_000;
/** Longest wait for a count to settle after a step, before the next one. */
const SETTLE_MS = 20_000;

/** Options of the ingest case. */
export interface IngestOptions {
  readonly rates: readonly number[];
  readonly seconds: number;
  /** Offered rate at which to take CPU profiles (panel open), or none. */
  readonly profileRate?: number;
  readonly artifacts: string;
  readonly progress: (line: string) => void;
}

/** Frame times of a step, ms. */
export interface FrameStats {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  readonly longTasks: number;
  readonly longTaskMs: number;
}

/** One flood at one rate, with or without the panel. */
export interface IngestStep {
  readonly rate: number;
  readonly panel: boolean;
  readonly offered: number;
  readonly sent: number;
  readonly seconds: number;
  /** Frames the panel's counts (panel open) or the capture (closed) grew by during the flood. */
  readonly shown: number;
  /** Frames the proxy recorded in its capture during the flood (both modes). */
  readonly recorded: number;
  /** ms after the last write until the count reached `sent` (NaN: not within SETTLE_MS). */
  readonly caughtUpMs: number;
  /** Frame times in the panel's document (open) or the workbench's (closed). */
  readonly frames: FrameStats;
  /**
   * How old the newest frame on screen was, in ms, over the animation frames of the flood
   * (panel open; NaN when closed, or when no frame of the flood was ever on screen).
   */
  readonly age: { readonly p50: number; readonly p95: number; readonly max: number };
  /**
   * What the host sent the panel during the flood, per second: status messages, `rows` answers
   * and the rows in them (panel open; zeros when closed).
   */
  readonly messages: { readonly statuses: number; readonly answers: number; readonly rows: number };
  /**
   * Rendering work in the renderer (workbench and webviews, one process) during the flood, per
   * second, from CDP's Performance metrics: layouts (forced ones included) and style
   * recalculations, and the ms of layout per second.
   */
  readonly rendering: {
    readonly layouts: number;
    readonly styles: number;
    readonly layoutMs: number;
  };
  /** Rows of the flood seen on screen and those shown at a wrong position (see FrameTimes). */
  readonly placed: { readonly checked: number; readonly misplaced: number };
  /** Cores used during the flood. */
  readonly cpu: { readonly extensionHost: number; readonly renderer: number };
}

/** What the case returns. */
export interface IngestResult {
  readonly steps: IngestStep[];
  readonly ringFrames: number;
  readonly profiles?: { readonly rate: number; host?: ProfileSummary; renderer?: ProfileSummary };
}

/** Quantile of a sorted list, nearest rank. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function frameStats(t: { deltas: number[]; longTasks: number[] }): FrameStats {
  const s = [...t.deltas].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: quantile(s, 0.5),
    p95: quantile(s, 0.95),
    max: s.length ? s[s.length - 1] : NaN,
    longTasks: t.longTasks.length,
    longTaskMs: t.longTasks.reduce((a, b) => a + b, 0),
  };
}

/**
 * Age of the newest frame on screen at each animation frame: frame `seq` was sent at
 * `start + seq / rate` (the sender keeps to its rate), so it is `at` minus that.
 */
function ageStats(
  newest: readonly [number, number][],
  start: number,
  rate: number,
): IngestStep['age'] {
  const ages = newest.map(([at, seq]) => at - (start + (seq / rate) * 1000)).sort((a, b) => a - b);
  return {
    p50: quantile(ages, 0.5),
    p95: quantile(ages, 0.95),
    max: ages.length ? ages[ages.length - 1] : NaN,
  };
}

/** Frames the panel has been told of: those it holds plus those it let go. */
function panelCount(r: ProbeReading): number {
  return r.status ? r.status.total + r.status.dropped : 0;
}

/** Runs the ingest case in a session of its own. */
export async function runIngest(options: IngestOptions): Promise<IngestResult> {
  const { progress } = options;
  const sink = await startSink();
  const port = await freePort();
  const captureName = 'bench-ingest.linetap';
  const ringFrames = 10_000; // linetap.limits.ringFrames' default, written out to be sure
  const session = await startPanelSession(
    {
      'linetap.profiles': [
        {
          name: 'bench',
          listen: `127.0.0.1:${port}`,
          upstream: `127.0.0.1:${sink.port}`,
          framing: 'crlf',
          capture: captureName,
        },
      ],
      'linetap.startOnOpen': ['bench'],
      'linetap.limits.ringFrames': ringFrames,
    },
    progress,
  );
  let inspector: Inspector | undefined;
  try {
    const counter = new CaptureCounter(path.join(session.server.workspace, captureName));
    let frame: Frame | undefined = await session.openProfilePanel('bench', progress);
    await probe.install(session.page.mainFrame());
    const cpu = new CpuMeter(() => session.processes());
    const steps: IngestStep[] = [];
    let profiles: IngestResult['profiles'];
    if (options.profileRate !== undefined) {
      const attached = await Inspector.attach(session.extensionHost());
      if (typeof attached === 'string') progress(`no extension host profile: ${attached}`);
      else inspector = attached;
    }
    const context = { session, port, counter, cpu };
    for (const rate of options.rates) {
      for (const panel of [true, false]) {
        if (panel && !frame) frame = await reopen(session);
        else if (!panel) {
          await session.runCommand('View: Close All Editors');
          frame = undefined;
        }
        await sleep(2_000); // the panel's first rows and the workbench settle
        const tag = `S${String(steps.length).padStart(2, '0')}:`;
        const { result: r } = await floodStep(
          { ...context, frame },
          { rate, seconds: options.seconds, tag },
          undefined,
        );
        steps.push(r);
        progress(
          `  ${rate} frames/s, panel ${panel ? 'open' : 'closed'}: ${Math.round(r.shown / r.seconds)} frames/s shown, ` +
            `caught up ${Number.isFinite(r.caughtUpMs) ? `${Math.round(r.caughtUpMs)} ms` : 'never'} after, ` +
            `frame p95 ${r.frames.p95.toFixed(1)} ms`,
        );
      }
    }
    if (options.profileRate !== undefined) {
      // One more step, profiled: the profilers' own cost stays out of the table's figures.
      const rate = options.profileRate;
      frame ??= await reopen(session);
      await sleep(2_000);
      progress(`  ${rate} frames/s, panel open, profiled (not in the table)`);
      const step = await floodStep(
        { ...context, frame },
        { rate, seconds: options.seconds, tag: 'PROFILE:' },
        { inspector },
      );
      if (step.profiles) {
        const dir = options.artifacts;
        profiles = { rate };
        if (step.profiles.host) {
          saveProfile(dir, `panel-ingest-${rate}-extension-host`, step.profiles.host);
          profiles.host = summarize(step.profiles.host);
        }
        saveProfile(dir, `panel-ingest-${rate}-renderer`, step.profiles.renderer);
        profiles.renderer = summarize(step.profiles.renderer);
        progress(`  profiles saved in ${dir}`);
      }
    }
    return { steps, ringFrames, profiles };
  } finally {
    inspector?.close();
    await session.stop();
    sink.close();
  }
}

/** What a step runs against. */
interface StepContext {
  readonly session: PanelSession;
  /** The proxy's port. */
  readonly port: number;
  /** The panel's document, when it is open. */
  readonly frame: Frame | undefined;
  readonly counter: CaptureCounter;
  readonly cpu: CpuMeter;
}

/** Opens the panel of the running proxy again (after View: Close All Editors). */
async function reopen(session: PanelSession): Promise<Frame> {
  await session.runCommand('Linetap: Open Traffic Panel');
  return session.panelFrame(60_000);
}

/** Floods once; `profile` also takes CPU profiles (the extension host's when it has one). */
async function floodStep(
  { session, port, frame, counter, cpu }: StepContext,
  { rate, seconds, tag }: { rate: number; seconds: number; tag: string },
  profile: { inspector: Inspector | undefined } | undefined,
): Promise<{ result: IngestStep; profiles?: { host?: CpuProfile; renderer: CpuProfile } }> {
  const inspector = profile?.inspector;
  const main = session.page.mainFrame();
  const timed = frame ?? main;
  const count = async (): Promise<number> =>
    frame ? panelCount(await probe.read(frame)) : counter.count();
  const before = frame ? await probe.read(frame) : undefined;
  const shownBefore = await count();
  const recordedBefore = counter.count();
  const renderer = profile ? await session.page.context().newCDPSession(session.page) : undefined;
  const perf = await session.page.context().newCDPSession(session.page);
  await perf.send('Performance.enable');
  const metrics = async (): Promise<Map<string, number>> =>
    new Map((await perf.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const perfBefore = await metrics();
  if (inspector) {
    await inspector.send('Profiler.enable');
    await inspector.send('Profiler.start');
  }
  if (renderer) {
    await renderer.send('Profiler.enable');
    await renderer.send('Profiler.start');
  }
  await probe.start(timed, frame ? tag : undefined);
  cpu.start();
  const sent = await sendAtRate(port, rate, seconds, tag);
  const used = cpu.take();
  const times = await probe.stop(timed);
  const endedAt = Date.now();
  const perfAfter = await metrics();
  await perf.detach();
  const perSecond = (name: string, scale = 1): number =>
    (((perfAfter.get(name) ?? NaN) - (perfBefore.get(name) ?? NaN)) * scale) /
    ((sent.end - sent.start) / 1000);
  const after = frame ? await probe.read(frame) : undefined;
  const shownAtEnd = await count();
  const recordedAtEnd = counter.count();
  let profiles: { host?: CpuProfile; renderer: CpuProfile } | undefined;
  if (renderer) {
    const host = inspector
      ? (await inspector.send<{ profile: CpuProfile }>('Profiler.stop')).profile
      : undefined;
    profiles = { host, renderer: (await renderer.send('Profiler.stop')).profile as CpuProfile };
    await renderer.detach();
  }
  // Until the count reaches what was sent: when the panel said so (its status' arrival time).
  let caughtUpMs = NaN;
  for (const deadline = endedAt + SETTLE_MS; Date.now() < deadline; await sleep(20)) {
    if (frame) {
      const r = await probe.read(frame);
      if (r.status && panelCount(r) - shownBefore >= sent.sent) {
        caughtUpMs = Math.max(0, r.status.at - endedAt);
        break;
      }
    } else if (counter.count() - recordedBefore >= sent.sent) {
      caughtUpMs = Date.now() - endedAt;
      break;
    }
  }
  const duration = (sent.end - sent.start) / 1000;
  return {
    result: {
      rate,
      panel: frame !== undefined,
      offered: sent.offered,
      sent: sent.sent,
      seconds: duration,
      shown: shownAtEnd - shownBefore,
      recorded: recordedAtEnd - recordedBefore,
      caughtUpMs,
      frames: frameStats(times),
      age: ageStats(times.newest, performance.timeOrigin + sent.start, rate),
      messages: {
        statuses: ((after?.statuses ?? 0) - (before?.statuses ?? 0)) / duration,
        answers: ((after?.rowsAnswers ?? 0) - (before?.rowsAnswers ?? 0)) / duration,
        rows: ((after?.rowsSent ?? 0) - (before?.rowsSent ?? 0)) / duration,
      },
      cpu: { extensionHost: used.extensionHost, renderer: used.renderer },
      rendering: {
        layouts: perSecond('LayoutCount'),
        styles: perSecond('RecalcStyleCount'),
        layoutMs: perSecond('LayoutDuration', 1000),
      },
      placed: times.placed,
    },
    profiles,
  };
}
