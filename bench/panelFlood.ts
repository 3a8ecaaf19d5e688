/**
 * The flood case: the proxy and its open panel take a steady flood for many minutes, and the
 * extension host's memory is sampled all along. The panel and the proxy keep only the last
 * `linetap.limits.ringFrames` frames (the capture file gets the rest), so once the ring is full
 * the memory should stay flat: that is what this case checks.
 */
import { sleep } from './benchChildren';
import { Inspector } from './panelInspector';
import { freePort, sendAtRate, startSink, type SendResult } from './panelLoad';
import { probe } from './panelProbe';
import { rssBytes } from './panelProcesses';
import { startPanelSession } from './panelSession';

/** How often memory is sampled. */
const SAMPLE_MS = 5_000;

/** One look at the memory during the flood. */
export interface FloodSample {
  /** Seconds since the flood started. */
  readonly at: number;
  readonly sent: number;
  /** Frames the panel has been told of (held + let go). */
  readonly shown: number;
  /** Frames the panel holds (at most the ring size). */
  readonly held: number;
  readonly hostRss: number;
  /** Extension host V8 heap in use, without a forced GC (NaN without an inspector). */
  readonly hostHeap: number;
  /** Renderer (workbench and panel) JS heap in use, without a forced GC. */
  readonly rendererHeap: number;
}

/** What the case returns. */
export interface FloodResult {
  readonly rate: number;
  readonly ringFrames: number;
  readonly send: SendResult;
  readonly samples: FloodSample[];
  /** Extension host after a forced GC, before the flood and after it. */
  readonly idle: { readonly rss: number; readonly heap: number };
  readonly end: { readonly rss: number; readonly heap: number };
  /** Why there is no heap figure, when there is none. */
  readonly inspector: string;
}

/** Floods at `rate` frames/s for `minutes`, the panel open; samples memory every 5 s. */
export async function runFlood(
  rate: number,
  minutes: number,
  progress: (line: string) => void,
): Promise<FloodResult> {
  const sink = await startSink();
  const port = await freePort();
  const ringFrames = 10_000;
  const session = await startPanelSession(
    {
      'linetap.profiles': [
        {
          name: 'bench',
          listen: `127.0.0.1:${port}`,
          upstream: `127.0.0.1:${sink.port}`,
          framing: 'crlf',
          capture: 'bench-flood.linetap',
        },
      ],
      'linetap.startOnOpen': ['bench'],
      'linetap.limits.ringFrames': ringFrames,
    },
    progress,
  );
  const attached = await Inspector.attach(session.extensionHost());
  const inspector = typeof attached === 'string' ? undefined : attached;
  const cdp = await session.page.context().newCDPSession(session.page);
  try {
    const frame = await session.openProfilePanel('bench', progress);
    await sleep(3_000);
    const idleHeap = inspector ? (await inspector.heap(true)).used : NaN;
    const idle = { heap: idleHeap, rss: rssBytes(session.extensionHost()) };
    const before = await probe.read(frame);
    const base = before.status ? before.status.total + before.status.dropped : 0;
    const samples: FloodSample[] = [];
    let sent = 0;
    let done = false;
    const seconds = minutes * 60;
    const start = performance.now();
    const sampler = (async () => {
      let said = 0;
      while (!done) {
        const r = await probe.read(frame);
        const s: FloodSample = {
          at: (performance.now() - start) / 1000,
          sent,
          shown: (r.status ? r.status.total + r.status.dropped : 0) - base,
          held: r.status?.total ?? 0,
          hostRss: rssBytes(session.extensionHost()),
          hostHeap: inspector ? (await inspector.heap()).used : NaN,
          rendererHeap: (await cdp.send('Runtime.getHeapUsage')).usedSize,
        };
        samples.push(s);
        if (s.at - said >= 60 || samples.length === 1) {
          said = s.at;
          progress(
            `  ${(s.at / 60).toFixed(1)} min: ${s.shown.toLocaleString('en-US')} frames shown, ` +
              `extension host RSS ${(s.hostRss / 1e6).toFixed(0)} MB`,
          );
        }
        const next = start + samples.length * SAMPLE_MS;
        await sleep(Math.max(0, next - performance.now()));
      }
    })();
    let send: SendResult;
    try {
      send = await sendAtRate(port, rate, seconds, 'FLOOD:', (n) => (sent = n));
    } finally {
      done = true;
      await sampler;
    }
    await sleep(2_000);
    const endHeap = inspector ? (await inspector.heap(true)).used : NaN;
    const end = { heap: endHeap, rss: rssBytes(session.extensionHost()) };
    return {
      rate,
      ringFrames,
      send,
      samples,
      idle,
      end,
      inspector: typeof attached === 'string' ? attached : '',
    };
  } finally {
    inspector?.close();
    await cdp.detach().catch(() => undefined);
    await session.stop();
    sink.close();
  }
}
