/**
 * The capture viewer: a read-only custom editor for `*.linetap` files with the traffic panel's
 * UI, for captures of any size. The document (CaptureDocument) streams the file into an index
 * on disk, with progress; each editor lists every frame through its own CaptureTable, read
 * back a window at a time, the first rows while the rest is still being indexed, and filters
 * over the whole file. Re-framing the capture replaces the index under every editor of it.
 * Malformed lines are reported with their numbers; everything else is shown.
 */
import * as vscode from 'vscode';
import { CaptureTable } from '../core/view/captureTable';
import { FrameTable } from '../core/view/frameTable';
import type { Awaitable, FrameView } from '../core/view/frameView';
import type { Filter } from '../shared/filter';
import type { FrameDetail, FrameRow, SourceInfo, ViewStatus } from '../shared/protocol';
import type { TrafficFrame } from '../shared/traffic';
import { CaptureDocument } from './captureDocument';
import { Commands, ViewTypes } from './constants';
import { PanelController, type PanelSource } from './panelController';
import { reframeCaptureCommand } from './reframeCommand';
import { webviewHtml, webviewOptions } from './webviewHtml';

/**
 * Internal command, for tests and tooling (not in the palette): what the open viewer of a
 * capture shows, as its panel reads it.
 */
export const PROBE_COMMAND = '_linetap.captureViewer.probe';

/** What PROBE_COMMAND is asked. */
export interface ViewerProbe {
  /** Rows [pos, pos + count) of the viewer's list. */
  readonly rows?: readonly [pos: number, count: number];
  /** The detail of the frame at this index. */
  readonly detail?: number;
  /** Sets the viewer's filter first, as its filter bar does. */
  readonly filter?: string;
}

/** What PROBE_COMMAND answers: the viewer's counts, and the rows or detail asked for. */
export interface ViewerProbeResult {
  /** What the panel's header says (title, description, framing). */
  readonly source: SourceInfo;
  readonly total: number;
  readonly matched: number;
  readonly growing: boolean;
  readonly problems: readonly string[];
  readonly rows?: readonly FrameRow[];
  readonly detail?: FrameDetail;
}

/**
 * What a panel reads: the view's list at each read. A read that a re-frame overtook fails as
 * the old index closes; it answers nothing then, as the panel reads its rows anew anyway.
 */
class CurrentList implements FrameView {
  constructor(private readonly _list: () => FrameView) {}

  get total(): number {
    return this._list().total;
  }

  get matched(): number {
    return this._list().matched;
  }

  get dropped(): number {
    return this._list().dropped;
  }

  get filter(): Filter {
    return this._list().filter;
  }

  setFilter(filter: string): void {
    this._list().setFilter(filter);
  }

  rows(pos: number, count: number): Promise<FrameRow[]> {
    return this._read((l) => l.rows(pos, count), []);
  }

  detail(index: number): Promise<FrameDetail | undefined> {
    return this._read((l) => l.detail(index), undefined);
  }

  get(index: number): Promise<TrafficFrame | undefined> {
    return this._read((l) => l.get(index), undefined);
  }

  private async _read<R>(read: (list: FrameView) => Awaitable<R>, none: R): Promise<R> {
    const list = this._list();
    try {
      return await read(list);
    } catch (e) {
      if (list !== this._list()) return none;
      throw e;
    }
  }
}

/** What one editor of a capture shows: the document's frames, under the editor's own filter. */
class CaptureView implements PanelSource<FrameView> {
  /** What the panel reads: the same object while a re-frame replaces the list behind it. */
  readonly table: FrameView;
  /** The list of the current index (empty when the file could not be read). */
  list: CaptureTable | FrameTable;
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidReframe = new vscode.EventEmitter<void>();
  /** The list was replaced by a re-frame: the panel must be told what it shows anew. */
  readonly onDidReframe = this._onDidReframe.event;
  private _sub: { dispose(): void } | undefined;
  private readonly _reframeSub: vscode.Disposable;

  constructor(readonly document: CaptureDocument) {
    this.list = this._makeList();
    this.table = new CurrentList(() => this.list);
    this._reframeSub = document.onDidReframe(() => this._replaceList());
  }

  get info(): SourceInfo {
    return this.document.info;
  }

  status(): Omit<ViewStatus, 'total' | 'matched' | 'dropped'> {
    const index = this.document.index;
    const indexing = index?.indexing ?? false;
    const filtering = this.list instanceof CaptureTable && this.list.filtering;
    let progress: ViewStatus['progress'];
    if (indexing) progress = { done: index?.bytesRead ?? 0, total: this.document.size };
    else if (this.list instanceof CaptureTable && filtering) {
      progress = { ...this.list.filterProgress, what: 'filtering' };
    }
    return { growing: indexing || filtering, progress, connections: [], held: [], breakpoint: '' };
  }

  private _makeList(): CaptureTable | FrameTable {
    const index = this.document.index;
    // The file could not be read: an empty list, and the notice says why.
    if (!index) return new FrameTable({ frames: 1 });
    const list = new CaptureTable(index);
    this._sub = list.onDidChange(() => this._onDidChange.fire());
    return list;
  }

  /** The new index's list, under the same filter. */
  private _replaceList(): void {
    const old = this.list;
    this._sub?.dispose();
    this.list = this._makeList();
    // It parsed before, so it parses again.
    this.list.setFilter(old.filter.toString());
    if (old instanceof CaptureTable) old.dispose();
    this._onDidReframe.fire();
    this._onDidChange.fire();
  }

  dispose(): void {
    this._reframeSub.dispose();
    this._sub?.dispose();
    if (this.list instanceof CaptureTable) this.list.dispose();
    this._onDidChange.dispose();
    this._onDidReframe.dispose();
  }
}

/** Registers the viewer for `*.linetap`, and its Re-frame Capture command. */
export class CaptureEditorProvider implements vscode.CustomReadonlyEditorProvider<CaptureDocument> {
  static readonly viewType = ViewTypes.captureViewer;
  private readonly _views = new Set<CaptureView>();

  /**
   * `scratchDir` is where indexes keep their frames while a capture is open (default: the
   * system's temporary folder; extension storage keeps them off a RAM-backed /tmp).
   */
  static register(
    extensionUri: vscode.Uri,
    log: vscode.LogOutputChannel,
    limits: () => { frames?: number },
    scratchDir?: () => string | undefined,
  ): vscode.Disposable {
    const provider = new CaptureEditorProvider(extensionUri, log, limits, scratchDir);
    return vscode.Disposable.from(
      vscode.window.registerCustomEditorProvider(CaptureEditorProvider.viewType, provider, {
        supportsMultipleEditorsPerDocument: true,
      }),
      vscode.commands.registerCommand(PROBE_COMMAND, (uri: string, probe?: ViewerProbe) =>
        provider._probe(uri, probe ?? {}),
      ),
      vscode.commands.registerCommand(Commands.reframeCapture, (arg?: unknown) =>
        reframeCaptureCommand((uri) => provider._document(uri), log, arg),
      ),
    );
  }

  private constructor(
    private readonly _extensionUri: vscode.Uri,
    private readonly _log: vscode.LogOutputChannel,
    private readonly _limits: () => { frames?: number },
    private readonly _scratchDir: (() => string | undefined) | undefined,
  ) {}

  openCustomDocument(uri: vscode.Uri): Promise<CaptureDocument> {
    return CaptureDocument.create(uri, { ...this._limits(), scratchDir: this._scratchDir?.() });
  }

  resolveCustomEditor(document: CaptureDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = webviewOptions(this._extensionUri);
    const view = new CaptureView(document);
    const controller = new PanelController(panel.webview, view, this._log);
    panel.webview.html = webviewHtml(panel.webview, this._extensionUri, document.info.title);
    this._views.add(view);
    let failure: Error | undefined;
    const subs = [
      panel.onDidChangeViewState(() => panel.visible && controller.refresh()),
      view.onDidChange(() => {
        // A filter run that could not read the index says so once, not at every change.
        const f = view.list instanceof CaptureTable ? view.list.filterFailure : undefined;
        if (f && f !== failure) controller.notice('error', `the filter stopped: ${f.message}`);
        failure = f;
      }),
      view.onDidReframe(() => {
        controller.restart();
        this._report(document, controller);
      }),
      panel.onDidDispose(() => {
        this._views.delete(view);
        controller.dispose();
        view.dispose();
        for (const s of subs) s.dispose();
      }),
    ];
    this._report(document, controller);
  }

  /** Problems of the current index: those known now at once, the rest once it is read. */
  private _report(document: CaptureDocument, controller: PanelController): void {
    const { problems, loaded } = document;
    const early = problems.length;
    for (const problem of problems) controller.notice('error', problem);
    void loaded.then(() => {
      // A re-frame replaced this index before it was read: its problems are not shown.
      if (document.loaded !== loaded) return;
      for (const problem of problems.slice(early)) controller.notice('error', problem);
      if (problems.length)
        this._log.warn(`capture.decode: ${document.uri.fsPath}: ${problems.join('; ')}`);
    });
  }

  /** The open capture at `uri`, if a viewer shows it. */
  private _document(uri: vscode.Uri): CaptureDocument | undefined {
    return [...this._views].find((v) => v.document.uri.toString() === uri.toString())?.document;
  }

  private async _probe(uri: string, probe: ViewerProbe): Promise<ViewerProbeResult | undefined> {
    const view = [...this._views].find((v) => v.document.uri.toString() === uri);
    if (!view) return undefined;
    const { table } = view;
    if (probe.filter !== undefined) table.setFilter(probe.filter);
    const status = view.status();
    return {
      source: view.info,
      total: table.total,
      matched: table.matched,
      growing: status.growing,
      problems: [...view.document.problems],
      rows: probe.rows && (await table.rows(probe.rows[0], probe.rows[1])),
      detail: probe.detail === undefined ? undefined : await table.detail(probe.detail),
    };
  }
}
