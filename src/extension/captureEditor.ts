/**
 * The capture viewer: a read-only custom editor for `*.linetap` files with the traffic panel's
 * UI, for captures of any size. The document streams the file once into a CaptureIndex (frames
 * on disk, framed under the header's specs so the protocol annotations come back), with
 * progress; each editor lists every frame through its own CaptureTable, read back a window at a
 * time, the first rows while the rest is still being indexed, and filters over the whole file.
 * Malformed lines are reported with their numbers; everything else is shown.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { formatCaptureError } from '../core/capture/captureDecode';
import { CaptureIndex } from '../core/capture/captureIndex';
import { CaptureTable } from '../core/view/captureTable';
import { FrameTable } from '../core/view/frameTable';
import type { FrameView } from '../core/view/frameView';
import type { FrameDetail, FrameRow, SourceInfo, ViewStatus } from '../shared/protocol';
import { ViewTypes } from './constants';
import { PanelController, type PanelSource } from './panelController';
import { webviewHtml, webviewOptions } from './webviewHtml';

/** Bytes read from a capture file at a time. */
const READ_CHUNK = 256 * 1024;

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
}

/** What PROBE_COMMAND answers: the viewer's counts, and the rows or detail asked for. */
export interface ViewerProbeResult {
  readonly total: number;
  readonly matched: number;
  readonly growing: boolean;
  readonly problems: readonly string[];
  readonly rows?: readonly FrameRow[];
  readonly detail?: FrameDetail;
}

/** A capture file and its index, shared by the editors showing it. */
class CaptureDocument implements vscode.CustomDocument {
  info: SourceInfo;
  /** The frames on disk; none when the file could not be read. */
  index: CaptureIndex | undefined;
  /** Problems met while reading, for the notice. */
  readonly problems: string[] = [];
  /** Resolves once the whole file is indexed (or indexing failed). */
  loaded: Promise<void> = Promise.resolve();

  private constructor(
    readonly uri: vscode.Uri,
    /** The file's size, for the progress bar. */
    readonly size: number,
  ) {
    const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
    this.info = {
      kind: 'capture',
      title: name,
      description: name,
      framing: { c2s: '', s2c: '' },
      interactive: false,
    };
  }

  /** Reads the header (so the panel's init is right), then indexes in the background. */
  static async create(
    uri: vscode.Uri,
    options: { frames?: number; scratchDir?: string },
  ): Promise<CaptureDocument> {
    const stat = await vscode.workspace.fs.stat(uri);
    const doc = new CaptureDocument(uri, stat.size);
    try {
      if (options.scratchDir) await fs.promises.mkdir(options.scratchDir, { recursive: true });
      doc.index = await CaptureIndex.open(doc._chunks(), {
        // The ring setting bounds the frames a viewer keeps decoded in memory too.
        cacheFrames: options.frames,
        dir: options.scratchDir,
      });
    } catch (e) {
      doc.problems.push(`cannot open ${uri.fsPath}: ${(e as Error).message}`);
      return doc;
    }
    const header = doc.index.header;
    if (header) {
      doc.info = {
        ...doc.info,
        description: `${doc.info.title} · ${header.listen} → ${header.upstream} · recorded ${header.created}`,
        framing: { c2s: header.framing.c2s, s2c: header.framing.s2c },
      };
    } else {
      doc.problems.push(
        'the file has no Linetap header on its first line: is it a .linetap capture?',
      );
    }
    doc.loaded = doc.index.done.then(() => doc._collectProblems());
    return doc;
  }

  private _collectProblems(): void {
    const index = this.index;
    if (!index) return;
    if (index.failure) {
      this.problems.push(
        `${this.uri.fsPath} could be read up to frame ${index.count} only: ${index.failure.message}`,
      );
    }
    if (index.errorCount > 0) {
      const shown = index.errors.slice(0, 5).map(formatCaptureError).join('; ');
      this.problems.push(
        `${index.errorCount} line${index.errorCount === 1 ? '' : 's'} could not be read: ${shown}${index.errorCount > 5 ? '; …' : ''}`,
      );
    }
  }

  /** The file's bytes, streamed from disk for local files. */
  private async *_chunks(): AsyncGenerator<Uint8Array> {
    if (this.uri.scheme === 'file') {
      yield* fs.createReadStream(this.uri.fsPath, { highWaterMark: READ_CHUNK });
      return;
    }
    // Other file systems (remote, virtual) are read through VS Code, which reads them whole.
    yield await vscode.workspace.fs.readFile(this.uri);
  }

  dispose(): void {
    void this.index?.dispose();
  }
}

/** What one editor of a capture shows: the document's frames, under the editor's own filter. */
class CaptureView implements PanelSource<FrameView> {
  readonly table: CaptureTable | FrameTable;
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private readonly _sub: { dispose(): void } | undefined;

  constructor(readonly document: CaptureDocument) {
    const index = document.index;
    if (index) {
      const table = new CaptureTable(index);
      this._sub = table.onDidChange(() => this._onDidChange.fire());
      this.table = table;
    } else {
      // The file could not be read: an empty list, and the notice says why.
      this.table = new FrameTable({ frames: 1 });
    }
  }

  get info(): SourceInfo {
    return this.document.info;
  }

  status(): Omit<ViewStatus, 'total' | 'matched' | 'dropped'> {
    const index = this.document.index;
    const indexing = index?.indexing ?? false;
    const filtering = this.table instanceof CaptureTable && this.table.filtering;
    let progress: ViewStatus['progress'];
    if (indexing) progress = { done: index?.bytesRead ?? 0, total: this.document.size };
    else if (this.table instanceof CaptureTable && filtering) progress = this.table.filterProgress;
    return { growing: indexing || filtering, progress, connections: [], held: [], breakpoint: '' };
  }

  dispose(): void {
    this._sub?.dispose();
    if (this.table instanceof CaptureTable) this.table.dispose();
    this._onDidChange.dispose();
  }
}

/** Registers the viewer for `*.linetap`. */
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
        const f = view.table instanceof CaptureTable ? view.table.filterFailure : undefined;
        if (f && f !== failure) controller.notice('error', `the filter stopped: ${f.message}`);
        failure = f;
      }),
      panel.onDidDispose(() => {
        this._views.delete(view);
        controller.dispose();
        view.dispose();
        for (const s of subs) s.dispose();
      }),
    ];
    // Problems found before the index was read (no header) show at once, the rest at the end.
    const early = document.problems.length;
    for (const problem of document.problems) controller.notice('error', problem);
    void document.loaded.then(() => {
      const late = document.problems.slice(early);
      for (const problem of late) controller.notice('error', problem);
      if (document.problems.length)
        this._log.warn(`capture.decode: ${document.uri.fsPath}: ${document.problems.join('; ')}`);
    });
  }

  private async _probe(uri: string, probe: ViewerProbe): Promise<ViewerProbeResult | undefined> {
    const view = [...this._views].find((v) => v.document.uri.toString() === uri);
    if (!view) return undefined;
    const { table } = view;
    const status = view.status();
    return {
      total: table.total,
      matched: table.matched,
      growing: status.growing,
      problems: [...view.document.problems],
      rows: probe.rows && (await table.rows(probe.rows[0], probe.rows[1])),
      detail: probe.detail === undefined ? undefined : await table.detail(probe.detail),
    };
  }
}
