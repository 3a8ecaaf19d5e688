/**
 * The capture viewer: a read-only custom editor for `*.linetap` files with the traffic panel's
 * UI. The file is streamed (reader in src/core/capture), framed under its header's specs so
 * the protocol annotations come back, and fed to the panel's table as it is read, with
 * progress. Malformed lines are reported with their numbers; everything else is shown.
 */
import * as vscode from 'vscode';
import { CaptureStream } from '../core/capture/captureReader';
import { formatCaptureError } from '../core/capture/captureDecode';
import { headerSpecs, streamCaptureFrames } from '../core/capture/reframe';
import { FrameTable } from '../core/view/frameTable';
import type { SourceInfo, ViewStatus } from '../shared/protocol';
import { ViewTypes } from './constants';
import { PanelController, type PanelSource } from './panelController';
import { webviewHtml, webviewOptions } from './webviewHtml';

/** Frames of one capture file, loaded in the background. */
class CaptureDocument implements vscode.CustomDocument, PanelSource {
  readonly table: FrameTable;
  info: SourceInfo;
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private _progress = { done: 0, total: 0 };
  private _loading = true;
  private _disposed = false;
  /** Problems met while reading, for the notice. */
  problems: string[] = [];
  readonly loaded: Promise<void>;

  private constructor(
    readonly uri: vscode.Uri,
    limits: { frames?: number },
    size: number,
  ) {
    this.table = new FrameTable({ frames: limits.frames });
    const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
    this.info = {
      kind: 'capture',
      title: name,
      description: name,
      framing: { c2s: '', s2c: '' },
      interactive: false,
    };
    this._progress = { done: 0, total: size };
    this.loaded = Promise.resolve();
  }

  /** Reads the header (so the panel's init is right), then loads the frames in the background. */
  static async create(uri: vscode.Uri, limits: { frames?: number }): Promise<CaptureDocument> {
    const stat = await vscode.workspace.fs.stat(uri);
    const doc = new CaptureDocument(uri, limits, stat.size);
    let stream: CaptureStream | undefined;
    try {
      stream = await CaptureStream.open(doc._chunks());
    } catch (e) {
      doc.problems.push(`cannot read ${uri.fsPath}: ${(e as Error).message}`);
    }
    const header = stream?.header;
    if (header) {
      doc.info = {
        ...doc.info,
        description: `${doc.info.title} · ${header.listen} → ${header.upstream} · recorded ${header.created}`,
        framing: { c2s: header.framing.c2s, s2c: header.framing.s2c },
      };
    } else if (stream) {
      doc.problems.push(
        'the file has no Linetap header on its first line: is it a .linetap capture?',
      );
    }
    (doc as { loaded: Promise<void> }).loaded = doc._load(stream);
    return doc;
  }

  private async _load(stream: CaptureStream | undefined): Promise<void> {
    try {
      if (stream?.header) {
        let n = 0;
        for await (const frame of streamCaptureFrames(stream, headerSpecs(stream.header))) {
          if (this._disposed) return;
          this.table.push(frame);
          if (++n % 2048 === 0) {
            this._onDidChange.fire();
            // Let the panel's messages through while a big file loads.
            await new Promise((r) => setImmediate(r));
          }
        }
      }
      if (stream && stream.errorCount > 0) {
        const shown = stream.errors.slice(0, 5).map(formatCaptureError).join('; ');
        this.problems.push(
          `${stream.errorCount} line${stream.errorCount === 1 ? '' : 's'} could not be read: ${shown}${stream.errorCount > 5 ? '; …' : ''}`,
        );
      }
    } catch (e) {
      this.problems.push(`cannot read ${this.uri.fsPath}: ${(e as Error).message}`);
    } finally {
      this._loading = false;
      if (!this._disposed) this._onDidChange.fire();
    }
  }

  /** The file's bytes, streamed from disk for local files, counted for the progress bar. */
  private async *_chunks(): AsyncGenerator<Uint8Array> {
    if (this.uri.scheme === 'file') {
      const fs = await import('node:fs');
      for await (const chunk of fs.createReadStream(this.uri.fsPath, { highWaterMark: 1 << 20 })) {
        this._progress = {
          ...this._progress,
          done: this._progress.done + (chunk as Buffer).length,
        };
        yield chunk as Buffer;
      }
      return;
    }
    const bytes = await vscode.workspace.fs.readFile(this.uri);
    this._progress = { done: bytes.length, total: bytes.length };
    yield bytes;
  }

  status(): Omit<ViewStatus, 'total' | 'matched' | 'dropped'> {
    return {
      growing: this._loading,
      progress: this._progress,
      connections: [],
      held: [],
      breakpoint: '',
    };
  }

  dispose(): void {
    this._disposed = true;
    this._onDidChange.dispose();
  }
}

/** Registers the viewer for `*.linetap`. */
export class CaptureEditorProvider implements vscode.CustomReadonlyEditorProvider<CaptureDocument> {
  static readonly viewType = ViewTypes.captureViewer;

  static register(
    extensionUri: vscode.Uri,
    log: vscode.LogOutputChannel,
    limits: () => { frames?: number },
  ): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(
      CaptureEditorProvider.viewType,
      new CaptureEditorProvider(extensionUri, log, limits),
      { supportsMultipleEditorsPerDocument: true },
    );
  }

  private constructor(
    private readonly _extensionUri: vscode.Uri,
    private readonly _log: vscode.LogOutputChannel,
    private readonly _limits: () => { frames?: number },
  ) {}

  openCustomDocument(uri: vscode.Uri): Promise<CaptureDocument> {
    return CaptureDocument.create(uri, this._limits());
  }

  resolveCustomEditor(document: CaptureDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = webviewOptions(this._extensionUri);
    const controller = new PanelController(panel.webview, document, this._log);
    panel.webview.html = webviewHtml(panel.webview, this._extensionUri, document.info.title);
    const subs = [
      panel.onDidChangeViewState(() => panel.visible && controller.refresh()),
      panel.onDidDispose(() => {
        controller.dispose();
        for (const s of subs) s.dispose();
      }),
    ];
    void document.loaded.then(() => {
      for (const problem of document.problems) controller.notice('error', problem);
      if (document.problems.length)
        this._log.warn(`capture.decode: ${document.uri.fsPath}: ${document.problems.join('; ')}`);
    });
  }
}
