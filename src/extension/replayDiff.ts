/**
 * The recorded and live sides of a replayed exchange as read-only virtual documents on the
 * `linetap-replay:` scheme, for VS Code's diff editor. Bytes are shown with escapes visible
 * (`\r\n`), one line per line of the protocol, through the replay's masks or exactly.
 */
import * as vscode from 'vscode';
import { escapeBytes, isValidUtf8 } from '../core/bytes';
import { type Mask, maskText } from '../core/replay/masks';
import {
  type ExchangeReport,
  exchangeLabel,
  type FrameResult,
  type ReplayReport,
} from '../core/replay/replayReport';

/** The URI scheme of the documents. */
export const REPLAY_SCHEME = 'linetap-replay';

/** Replays whose exchanges stay available to diff; older ones are dropped. */
const KEPT_RUNS = 5;

/** One replay's exchanges, kept for their diffs: recorded as they are compared. */
export class ReplayRun {
  private readonly _exchanges = new Map<string, ExchangeReport>();
  private _report: ReplayReport | undefined;

  constructor(
    readonly id: number,
    /** The capture's file name. */
    readonly capture: string,
    /** `HOST:PORT` replayed against. */
    readonly target: string,
    readonly masks: readonly Mask[],
  ) {}

  /** The whole report, once the replay has ended. */
  get report(): ReplayReport | undefined {
    return this._report;
  }

  /** Keeps an exchange as soon as it is compared, so its diff opens while the replay runs. */
  record(x: ExchangeReport): void {
    this._exchanges.set(key(x.conn, x.index), x);
  }

  /** The replay ended. */
  finish(report: ReplayReport): void {
    this._report = report;
    for (const c of report.connections) for (const x of c.exchanges) this.record(x);
  }

  exchange(conn: number, index: number): ExchangeReport | undefined {
    return this._exchanges.get(key(conn, index));
  }
}

const key = (conn: number, index: number) => `${conn}-${index}`;

type Side = 'recorded' | 'live';

/** Where and how a diff opens. */
export interface DiffPlacement {
  /** Keep focus where it is (a list the user walks through). */
  readonly preserveFocus?: boolean;
  readonly viewColumn?: vscode.ViewColumn;
}

/** Serves the documents and opens the diffs. */
export class ReplayDiffProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly _runs = new Map<number, ReplayRun>();
  private _nextId = 1;
  private readonly _registration: vscode.Disposable;

  constructor() {
    this._registration = vscode.workspace.registerTextDocumentContentProvider(REPLAY_SCHEME, this);
  }

  /** A replay starts: its exchanges can be diffed as they come. */
  start(capture: string, target: string, masks: readonly Mask[]): ReplayRun {
    const run = new ReplayRun(this._nextId++, capture, target, masks);
    this._runs.set(run.id, run);
    for (const id of this._runs.keys()) {
      if (this._runs.size <= KEPT_RUNS) break;
      this._runs.delete(id);
    }
    return run;
  }

  /** Opens the diff editor: recorded on the left, live on the right. */
  async open(run: ReplayRun, x: ExchangeReport, masked: boolean, placement: DiffPlacement = {}) {
    const applied = masked && run.masks.length > 0;
    const uri = (side: Side) =>
      vscode.Uri.from({
        scheme: REPLAY_SCHEME,
        path: `/${run.id}/c${x.conn}-${x.index}/${side}.txt`,
        query: applied ? 'masked' : 'exact',
      });
    const how = applied
      ? `masks applied: ${run.masks.map((m) => m.name).join(', ')}`
      : run.masks.length > 0
        ? 'exact bytes, masks not applied'
        : 'exact bytes';
    const title = `${exchangeLabel(x)}: recorded ↔ ${run.target} (${how})`;
    await vscode.commands.executeCommand('vscode.diff', uri('recorded'), uri('live'), title, {
      preview: true,
      preserveFocus: placement.preserveFocus ?? false,
      ...(placement.viewColumn !== undefined && { viewColumn: placement.viewColumn }),
    });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, id, name, file] = uri.path.split('/');
    const run = this._runs.get(Number(id));
    const m = /^c(\d+)-(\d+)$/.exec(name ?? '');
    const x = m && run?.exchange(Number(m[1]), Number(m[2]));
    if (!run || !x) return '(this replay result is no longer kept: run the replay again)\n';
    const side: Side = file === 'live.txt' ? 'live' : 'recorded';
    return exchangeText(x, side, uri.query === 'masked' ? run.masks : []);
  }

  dispose(): void {
    this._registration.dispose();
    this._runs.clear();
  }
}

/** One side of an exchange as text: the request, then each frame of that side. */
export function exchangeText(x: ExchangeReport, side: Side, masks: readonly Mask[]): string {
  const lines: string[] = [];
  lines.push(x.request ? `→ ${escapeBytes(x.request)}` : '(the server spoke first)');
  let frames = 0;
  for (const f of x.frames) {
    const bytes = side === 'recorded' ? f.expected : f.actual;
    if (!bytes) continue;
    frames++;
    const shown = masks.length > 0 ? masked(bytes, f, masks) : bytes;
    splitLines(shown).forEach((l, i) => lines.push(`${i === 0 ? '←' : ' '} ${escapeBytes(l)}`));
    if (side === 'live' && f.partial) lines.push('  (ended without its terminator)');
  }
  if (frames === 0) lines.push('(no answer)');
  if (side === 'live') {
    if (x.notSent) lines.push('(not sent: the connection had ended)');
    if (x.note) lines.push(`(${x.note})`);
  }
  return lines.join('\n') + '\n';
}

/** The bytes with masks applied, in the encoding the comparison used. */
function masked(bytes: Buffer, f: FrameResult, masks: readonly Mask[]): Buffer {
  const both = [f.expected, f.actual].filter((b): b is Buffer => b !== undefined);
  const encoding = both.every(isValidUtf8) ? 'utf8' : 'latin1';
  return Buffer.from(maskText(bytes, masks, encoding), encoding);
}

/** Splits after each `\n`, so a protocol line is a line of the document. */
function splitLines(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10, start)) {
    out.push(bytes.subarray(start, nl + 1));
    start = nl + 1;
  }
  if (start < bytes.length || out.length === 0) out.push(bytes.subarray(start));
  return out;
}
