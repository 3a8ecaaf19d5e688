/**
 * The capture case: a 1,000,000-frame capture written with the real capture writer, opened in
 * the capture viewer as a person opens it (Quick Open, the `.linetap` editor), beside a
 * 1,000-frame capture opened the same way as the baseline. Measured: when the first rows are on
 * screen and when loading ends (from the Enter that opened it), the frames the viewer can reach,
 * the document's size, and the memory of the renderer and the extension host.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sleep } from './benchChildren';
import { Inspector } from './panelInspector';
import { writeCapture } from './panelLoad';
import { probe, type ProbeReading } from './panelProbe';
import { rssBytes } from './panelProcesses';
import { startPanelSession } from './panelSession';
import { artifactsDir } from '../test/setup/toolchain';
import { size } from './report';

/** Longest a capture may take to load before the case gives up on it. */
const LOAD_TIMEOUT_MS = 15 * 60_000;
/** The host answers the viewer's `ready` at once: no status at all this long is a failure. */
const NO_STATUS_MS = 120_000;

/** One capture opened. */
export interface CaptureOpen {
  readonly frames: number;
  /** The first capture viewer opened in this window. */
  readonly first: boolean;
  readonly fileBytes: number;
  /** From Enter to the first animation frame that showed a row with text. */
  readonly firstRowsMs: number;
  /** From Enter to the status that said loading had ended (NaN: not within the timeout). */
  readonly loadedMs: number;
  /** Frames the viewer holds (`status.total`): the ones a person can scroll to. */
  readonly reachable: number;
  /** Frames it let go while loading (`status.dropped`). */
  readonly dropped: number;
  /** Where the first-rows time went: ms from Enter to each step (NaN: not seen). */
  readonly steps: {
    /** VS Code made the webview (its host frame). */
    readonly webview: number;
    /** The extension's HTML reached it. */
    readonly html: number;
    /** The page said `ready` and the host's `init` came back. */
    readonly init: number;
    /** The first rows came from the host. */
    readonly rows: number;
  };
  /** Elements in the viewer's document once loaded. */
  readonly elements: number;
  /** Renderer (workbench and webviews: one process) JS heap after GC, before and after. */
  readonly rendererHeap: { readonly before: number; readonly after: number };
  /** Extension host V8 heap after GC (NaN without an inspector), before and after. */
  readonly hostHeap: { readonly before: number; readonly after: number };
  /** Extension host RSS before, highest while loading, and after. */
  readonly hostRss: { readonly before: number; readonly peak: number; readonly after: number };
}

/** Runs the capture case in a session of its own; `frames` for the big file (1,000,000). */
export async function runCaptureOpen(
  frames: number,
  progress: (line: string) => void,
): Promise<{ opens: CaptureOpen[]; inspector: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-panel-bench-'));
  try {
    const small = { name: 'bench-small.linetap', frames: 1_000 };
    const big = { name: 'bench-big.linetap', frames };
    for (const f of [small, big]) {
      const bytes = await writeCapture(path.join(dir, f.name), f.frames, (n) =>
        progress(`  writing ${f.name}: ${n.toLocaleString('en-US')} frames`),
      );
      progress(`  ${f.name}: ${f.frames.toLocaleString('en-US')} frames, ${size(bytes)}`);
    }
    const session = await startPanelSession({}, progress, dir);
    const attached = await Inspector.attach(session.extensionHost());
    const inspector = typeof attached === 'string' ? undefined : attached;
    const cdp = await session.page.context().newCDPSession(session.page);
    const rendererHeap = async (): Promise<number> => {
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };
    const hostHeap = async (): Promise<number> =>
      inspector ? (await inspector.heap(true)).used : NaN;
    try {
      const opens: CaptureOpen[] = [];
      // The window's first webview of the kind also pays for loading the viewer's script and
      // styles: the small capture is opened twice, so that cost has a row of its own.
      for (const [i, f] of [small, small, big].entries()) {
        await session.runCommand('View: Close All Editors');
        await sleep(3_000); // the closed viewer's memory is released before the figures
        const before = {
          renderer: await rendererHeap(),
          host: await hostHeap(),
          rss: rssBytes(session.extensionHost()),
        };
        progress(`  opening ${f.name}`);
        const enter = await session.quickOpen(f.name);
        let frame = await session.panelFrame(120_000);
        let peak = before.rss;
        let reading: ProbeReading;
        let said = Date.now();
        for (;;) {
          reading = await probe.read(frame).catch(() => ({ installed: false }) as ProbeReading);
          if (!reading.installed) {
            // VS Code replaced the webview's page (or its frame): find it again.
            progress('    the viewer was reloaded; watching the new page');
            frame = await session.panelFrame(120_000);
            continue;
          }
          peak = Math.max(peak, rssBytes(session.extensionHost()));
          const done = reading.loadedAt > 0 && reading.firstRowAt > 0;
          if (done || Date.now() - enter > LOAD_TIMEOUT_MS) break;
          if (reading.statuses === 0 && Date.now() - enter > NO_STATUS_MS) {
            const shot = path.join(artifactsDir, 'bench', 'panel-capture-no-status.png');
            await session.page.screenshot({ path: shot }).catch(() => undefined);
            throw new Error(
              `${f.name}: the viewer got no status from the host (screenshot: ${shot})`,
            );
          }
          if (Date.now() - said > 5_000) {
            said = Date.now();
            const held = reading.status ? reading.status.total + reading.status.dropped : 0;
            progress(
              `    ${Math.round((said - enter) / 1000)} s: ${held.toLocaleString('en-US')} frames read`,
            );
          }
          await sleep(100);
        }
        await sleep(1_000);
        const after = await probe.read(frame);
        const open: CaptureOpen = {
          frames: f.frames,
          first: i === 0,
          fileBytes: fs.statSync(path.join(dir, f.name)).size,
          firstRowsMs: reading.firstRowAt > 0 ? reading.firstRowAt - enter : NaN,
          loadedMs: reading.loadedAt > 0 ? reading.loadedAt - enter : NaN,
          reachable: after.status?.total ?? 0,
          dropped: after.status?.dropped ?? 0,
          elements: after.elements,
          steps: {
            webview: since(enter, reading.stamps.created),
            html: since(enter, reading.stamps.content),
            init: since(enter, reading.stamps.init),
            rows: since(enter, reading.stamps.rows),
          },
          rendererHeap: { before: before.renderer, after: await rendererHeap() },
          hostHeap: { before: before.host, after: await hostHeap() },
          hostRss: { before: before.rss, peak, after: rssBytes(session.extensionHost()) },
        };
        opens.push(open);
        progress(
          `  ${f.name}: first rows ${open.firstRowsMs} ms, loaded ${open.loadedMs} ms, ` +
            `${open.reachable.toLocaleString('en-US')} frames reachable, ${open.elements} elements`,
        );
      }
      return { opens, inspector: typeof attached === 'string' ? attached : '' };
    } finally {
      inspector?.close();
      await cdp.detach().catch(() => undefined);
      await session.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function since(start: number, at: number): number {
  return at > 0 ? at - start : NaN;
}
