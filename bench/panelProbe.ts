/**
 * What the bench runs inside the browser. Two parts, because of how VS Code builds a webview: a
 * host frame (`…/webview/browser/pre/index.html`) that lives as long as the webview and relays
 * the extension's messages, and inside it the panel's own document, written with
 * document.open()/write() once the HTML arrives (Playwright's init scripts do not run in it).
 *  - The host-frame part is an init script, so it is in place before the panel says `ready`:
 *    it records the `status` messages the extension host sends (counts, growing or not), and
 *    watches the panel's document (same origin) for the first row with text on screen.
 *  - The page part is installed into the panel's document once it exists (and into the
 *    workbench's, for frame times with the panel closed): animation-frame times, long tasks,
 *    the number of elements.
 * The functions run in the page, so they use nothing from this module's scope; the bench
 * tsconfig has no DOM types (it is a Node program), hence the few page types declared here.
 */
import type { BrowserContext, Frame } from 'playwright-core';

/** The `status` counts the host last sent the panel (src/shared/protocol.ts ViewStatus). */
export interface ProbeStatus {
  /** Date.now() in the page when it reached the webview. */
  readonly at: number;
  readonly total: number;
  readonly dropped: number;
  readonly growing: boolean;
}

/** What `probe.read` returns. */
export interface ProbeReading {
  /** The page part is in this document (a webview whose page was replaced has lost it). */
  readonly installed: boolean;
  readonly status: ProbeStatus | undefined;
  /** Status messages the webview has received. */
  readonly statuses: number;
  /** `rows` answers it has received, and the rows in them. */
  readonly rowsAnswers: number;
  readonly rowsSent: number;
  /** Date.now() of the first animation frame that showed a row with text; 0 until then. */
  readonly firstRowAt: number;
  /** Date.now() of the first status that said the source no longer grows; 0 until then. */
  readonly loadedAt: number;
  /** Date.now() when the webview came to be, and when its first messages came (0: not yet). */
  readonly stamps: Stamps;
  /** Elements in the document. */
  readonly elements: number;
}

/** What `probe.stop` returns: times between animation frames and long tasks, in ms. */
export interface FrameTimes {
  readonly deltas: number[];
  readonly longTasks: number[];
  /**
   * For each animation frame, Date.now() and the highest sequence number of the flood shown in
   * the list (payloads read `<tag><10 digits>`; none while no such row is on screen).
   */
  readonly newest: [number, number][];
  /**
   * Rows of the flood on screen checked for their place, and those out of it: a row whose
   * sequence number minus its list position (`data-pos`) differs from that of most rows on
   * screen in the same animation frame shows a frame that is not the one at its position.
   */
  readonly placed: { readonly checked: number; readonly misplaced: number };
}

/** When a webview's host frame was made, got its HTML, its `init` and its first `rows`. */
export interface Stamps {
  readonly created: number;
  readonly content: number;
  readonly init: number;
  readonly rows: number;
}

interface HostState {
  status: ProbeStatus | undefined;
  statuses: number;
  rowsAnswers: number;
  rowsSent: number;
  loadedAt: number;
  firstRowAt: number;
  stamps: { created: number; content: number; init: number; rows: number };
}

interface PageState {
  recording: boolean;
  last: number;
  deltas: number[];
  longTasks: number[];
  tag: RegExp | undefined;
  newest: [number, number][];
  checked: number;
  misplaced: number;
  loop(): void;
}

interface PageElement {
  readonly textContent: string | null;
  /** `data-*` attributes. */
  readonly dataset?: Record<string, string | undefined>;
  querySelector(selector: string): PageElement | null;
  /** An iframe's document (same origin). */
  readonly contentDocument?: PageDocument | null;
}

interface PageDocument {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
  getElementsByTagName(tag: string): { readonly length: number };
}
interface MessageLike {
  readonly data: unknown;
}

interface PageGlobals {
  __linetapHost?: HostState;
  __linetapProbe?: PageState;
  readonly location: { readonly pathname: string };
  readonly MessagePort: { readonly prototype: object };
  readonly document: PageDocument;
  requestAnimationFrame(callback: (t: number) => void): number;
  readonly PerformanceObserver?: new (
    callback: (list: { getEntries(): { readonly duration: number }[] }) => void,
  ) => { observe(options: { type: string; buffered?: boolean }): void };
}

/**
 * Init script of every frame; acts in webview host frames only. VS Code hands them the
 * extension's messages on a MessagePort whose `onmessage` it sets, so the setter is wrapped
 * to look at each message on its way (`{ channel: 'message', args: { message } }`).
 */
function hostProbe(): void {
  const g = globalThis as unknown as PageGlobals;
  if (!g.location.pathname.endsWith('/webview/browser/pre/index.html')) return;
  const state: HostState = {
    status: undefined,
    statuses: 0,
    rowsAnswers: 0,
    rowsSent: 0,
    loadedAt: 0,
    firstRowAt: 0,
    stamps: { created: Date.now(), content: 0, init: 0, rows: 0 },
  };
  g.__linetapHost = state;
  // Each animation frame until one shows a loaded row in the panel's document (a row whose data
  // is still on its way is `.loading`, with a placeholder summary).
  const watch = (): void => {
    for (const frame of g.document.querySelectorAll('iframe')) {
      const cell = frame.contentDocument?.querySelector('.row:not(.loading) .cell.summary');
      if ((cell?.textContent ?? '') !== '') {
        state.firstRowAt = Date.now();
        return;
      }
    }
    g.requestAnimationFrame(watch);
  };
  g.requestAnimationFrame(watch);
  const look = (e: MessageLike): void => {
    const d = e.data as { channel?: unknown; args?: { message?: unknown } } | null;
    const m = d?.channel === 'message' ? (d.args?.message as Record<string, unknown>) : undefined;
    const t = state.stamps;
    if (d?.channel === 'content' && t.content === 0) t.content = Date.now();
    if (m?.type === 'init' && t.init === 0) t.init = Date.now();
    if (m?.type === 'rows') {
      if (t.rows === 0) t.rows = Date.now();
      state.rowsAnswers++;
      state.rowsSent += Array.isArray(m.rows) ? m.rows.length : 0;
    }
    if (m?.type !== 'status' || typeof m.status !== 'object' || m.status === null) return;
    const s = m.status as Record<string, unknown>;
    state.statuses++;
    state.status = {
      at: Date.now(),
      total: Number(s.total),
      dropped: Number(s.dropped),
      growing: s.growing === true,
    };
    if (!state.status.growing && state.loadedAt === 0) state.loadedAt = state.status.at;
  };
  const proto = g.MessagePort.prototype;
  const original = Object.getOwnPropertyDescriptor(proto, 'onmessage');
  if (!original?.set || !original.get) return;
  const { get, set } = original;
  Object.defineProperty(proto, 'onmessage', {
    configurable: true,
    enumerable: original.enumerable,
    get() {
      return get.call(this);
    },
    set(handler: unknown) {
      if (typeof handler !== 'function') return set.call(this, handler);
      set.call(this, function (this: unknown, e: MessageLike) {
        look(e);
        return (handler as (e: MessageLike) => unknown).call(this, e);
      });
    },
  });
}

/** Installs the page part once per document (the panel's, or the workbench's). */
function installProbe(): void {
  const g = globalThis as unknown as PageGlobals;
  if (g.__linetapProbe) return;
  const p: PageState = {
    recording: false,
    last: 0,
    deltas: [],
    longTasks: [],
    tag: undefined,
    newest: [],
    checked: 0,
    misplaced: 0,
    // Draws only while recording, so an idle probe does not make the page draw.
    loop() {
      g.requestAnimationFrame((t) => {
        if (!p.recording) return;
        if (p.last > 0) p.deltas.push(t - p.last);
        p.last = t;
        if (p.tag) {
          let top = -1;
          // sequence number - position, per row of the flood; one value when all are in place
          const offsets = new Map<number, number>();
          for (const row of g.document.querySelectorAll('.row:not(.loading)')) {
            const cell = row.querySelector('.cell.summary');
            const m = p.tag.exec(cell?.textContent ?? '');
            if (!m) continue;
            const seq = Number(m[1]);
            top = Math.max(top, seq);
            const off = seq - Number(row.dataset?.pos);
            offsets.set(off, (offsets.get(off) ?? 0) + 1);
          }
          if (top >= 0) p.newest.push([Date.now(), top]);
          let rows = 0;
          let most = 0;
          for (const n of offsets.values()) {
            rows += n;
            most = Math.max(most, n);
          }
          p.checked += rows;
          p.misplaced += rows - most;
        }
        p.loop();
      });
    },
  };
  g.__linetapProbe = p;
  if (g.PerformanceObserver) {
    try {
      new g.PerformanceObserver((list) => {
        if (p.recording) for (const e of list.getEntries()) p.longTasks.push(e.duration);
      }).observe({ type: 'longtask' });
    } catch {
      // no long-task timing in this browser: the count stays 0
    }
  }
}

/** Starts recording; `tag`, when given, starts watching the list for the flood's rows. */
function startRecording(tag: string | null): void {
  const p = (globalThis as unknown as PageGlobals).__linetapProbe;
  if (!p) throw new Error('probe not installed');
  p.deltas = [];
  p.longTasks = [];
  p.newest = [];
  p.checked = 0;
  p.misplaced = 0;
  p.tag = tag === null ? undefined : new RegExp(`${tag}(\\d{10})`);
  p.last = 0;
  if (!p.recording) {
    p.recording = true;
    p.loop();
  }
}

function stopRecording(): FrameTimes {
  const p = (globalThis as unknown as PageGlobals).__linetapProbe;
  if (!p) throw new Error('probe not installed');
  p.recording = false;
  return {
    deltas: p.deltas,
    longTasks: p.longTasks,
    newest: p.newest,
    placed: { checked: p.checked, misplaced: p.misplaced },
  };
}

function readPage(): Pick<ProbeReading, 'installed' | 'elements'> {
  const g = globalThis as unknown as PageGlobals;
  return {
    installed: g.__linetapProbe !== undefined,
    elements: g.document.getElementsByTagName('*').length,
  };
}

function readHost(): HostState {
  const h = (globalThis as unknown as PageGlobals).__linetapHost;
  const stamps = { created: 0, content: 0, init: 0, rows: 0 };
  return (
    h ?? {
      status: undefined,
      statuses: 0,
      rowsAnswers: 0,
      rowsSent: 0,
      loadedAt: 0,
      firstRowAt: 0,
      stamps,
    }
  );
}

/** Page functions as source text, with a `__name` stub: tsx and esbuild wrap named functions
 * in `__name(...)`, which does not exist in a webview's document. */
function source<A>(fn: (arg: A) => unknown, arg: A): string {
  return `(() => { const __name = (f) => f; return (${fn.toString()})(${JSON.stringify(arg)}); })()`;
}

async function run<A, R>(frame: Frame, fn: (arg: A) => R, arg: A): Promise<R> {
  return (await frame.evaluate(source(fn, arg))) as R;
}

/** The probe, driven from the bench. */
export const probe = {
  /** Puts the status recorder into every webview host frame created from now on. */
  async prepare(context: BrowserContext): Promise<void> {
    await context.addInitScript({ content: source(hostProbe, undefined) });
  },
  install: (frame: Frame): Promise<void> => run(frame, installProbe, undefined),
  start: (frame: Frame, tag?: string): Promise<void> => run(frame, startRecording, tag ?? null),
  stop: (frame: Frame): Promise<FrameTimes> => run(frame, stopRecording, undefined),
  /** The panel's document and the counts its host frame saw. */
  async read(frame: Frame): Promise<ProbeReading> {
    const page = await run(frame, readPage, undefined);
    const host = frame.parentFrame();
    const seen = host ? await run(host, readHost, undefined) : readHostEmpty;
    return { ...page, ...seen };
  },
};

const readHostEmpty: HostState = {
  status: undefined,
  statuses: 0,
  rowsAnswers: 0,
  rowsSent: 0,
  loadedAt: 0,
  firstRowAt: 0,
  stamps: { created: 0, content: 0, init: 0, rows: 0 },
};
