/**
 * Replay panels: the traffic panel's UI on a replay's traffic. A replay of the same capture
 * against the same target shows in the panel of the last one, so running it again does not pile
 * up tabs. Replays are kept (the last few) after their panel closes, so the summary's "Show in
 * Panel" opens one again. No serializer: the traffic lived in the old extension host, so a
 * window reload closes replay panels instead of restoring them empty.
 */
import * as vscode from 'vscode';
import type { FrameDetail, FrameRow } from '../shared/protocol';
import { PanelController } from './panelController';
import { ViewTypes } from './constants';
import type { ReplaySource } from './replaySource';
import { webviewHtml, webviewOptions } from './webviewHtml';

/** Replays kept for "Show in Panel" once their panel is closed. */
const KEPT_REPLAYS = 5;

/** A replay as the API shows it: what its panel's webview is sent. */
export interface ReplayPanelInfo {
  /** `Replay of FILE against HOST:PORT`. */
  readonly title: string;
  /** Its panel is open. */
  readonly open: boolean;
  /** The summary in the panel's notice once the replay ended; undefined while it runs. */
  readonly summary: string | undefined;
  /** Rows of the panel's list from `pos` (under its filter), as the webview gets them. */
  rows(pos?: number, count?: number): FrameRow[];
  /** The frame at source index `index`, with the recorded frame it was compared with. */
  detail(index: number): FrameDetail | undefined;
  /** Opens the diff editor for the frame's exchange, as the panel's Open Diff button does. */
  openDiff(index: number, exact?: boolean): Promise<void>;
}

interface Shown {
  readonly panel: vscode.WebviewPanel;
  source: ReplaySource;
  controller: PanelController;
  finished: vscode.Disposable;
}

/** Opens and feeds replay panels. */
export class ReplayPanels implements vscode.Disposable {
  private readonly _shown = new Set<Shown>();
  private _kept: ReplaySource[] = [];

  constructor(
    private readonly _extensionUri: vscode.Uri,
    private readonly _log: vscode.LogOutputChannel,
  ) {}

  /** Shows a replay: in its panel, else in the panel of the same capture and target, else new. */
  show(source: ReplaySource): void {
    this._keep(source);
    const own = this._find((s) => s.source === source);
    if (own) return own.panel.reveal(undefined, true);
    const same = this._find(
      (s) =>
        s.source.capture.toString() === source.capture.toString() &&
        s.source.run.target === source.run.target,
    );
    if (same) return this._attach(same, source);
    const panel = vscode.window.createWebviewPanel(
      ViewTypes.replayPanel,
      source.info.title,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      webviewOptions(this._extensionUri),
    );
    panel.iconPath = vscode.Uri.joinPath(this._extensionUri, 'media', 'linetap.svg');
    const shown: Shown = {
      panel,
      source,
      controller: this._controller(panel, source),
      finished: this._onFinish(panel, source),
    };
    panel.webview.html = webviewHtml(panel.webview, this._extensionUri, source.info.title);
    this._shown.add(shown);
    const subs = [
      panel.onDidChangeViewState(() => panel.visible && shown.controller.refresh()),
      panel.onDidDispose(() => {
        this._shown.delete(shown);
        shown.controller.dispose();
        shown.finished.dispose();
        this._release(shown.source);
        for (const s of subs) s.dispose();
      }),
    ];
  }

  /** The replays kept, oldest first, for the API. */
  infos(): ReplayPanelInfo[] {
    return this._kept.map((source) => ({
      title: source.info.title,
      open: this._find((s) => s.source === source) !== undefined,
      summary: source.finished?.message,
      rows: (pos = 0, count = source.table.matched) => source.table.rows(pos, count),
      detail: (index) => source.table.detail(index),
      openDiff: async (index, exact = false) => {
        const frame = source.table.get(index);
        if (!frame) throw new Error(`frame ${index} is not held`);
        await source.replay.openDiff(frame, exact);
      },
    }));
  }

  /** Moves a panel onto another replay (a new page: the webview says `ready` again). */
  private _attach(shown: Shown, source: ReplaySource): void {
    shown.controller.dispose();
    shown.finished.dispose();
    const old = shown.source;
    shown.source = source;
    this._release(old);
    shown.controller = this._controller(shown.panel, source);
    shown.finished = this._onFinish(shown.panel, source);
    shown.panel.title = source.info.title;
    shown.panel.webview.html = webviewHtml(
      shown.panel.webview,
      this._extensionUri,
      source.info.title,
    );
    shown.panel.reveal(undefined, true);
  }

  private _controller(panel: vscode.WebviewPanel, source: ReplaySource): PanelController {
    const controller = new PanelController(panel.webview, source, this._log);
    // Opened again after the replay ended: the summary is there at once.
    if (source.finished) controller.notice(source.finished.level, source.finished.message);
    return controller;
  }

  private _onFinish(panel: vscode.WebviewPanel, source: ReplaySource): vscode.Disposable {
    return source.onDidFinish((notice) => {
      const shown = this._find((s) => s.panel === panel && s.source === source);
      shown?.controller.notice(notice.level, notice.message);
    });
  }

  private _keep(source: ReplaySource): void {
    if (this._kept.includes(source)) return;
    this._kept.push(source);
    if (this._kept.length <= KEPT_REPLAYS) return;
    // The oldest goes from the list; if a panel still shows it, it goes with that panel.
    const drop = this._kept.shift()!;
    this._release(drop);
  }

  /** Disposes a replay that is neither kept nor shown. */
  private _release(source: ReplaySource): void {
    if (!this._kept.includes(source) && !this._find((s) => s.source === source)) source.dispose();
  }

  private _find(test: (s: Shown) => boolean): Shown | undefined {
    for (const s of this._shown) if (test(s)) return s;
    return undefined;
  }

  dispose(): void {
    for (const s of [...this._shown]) s.panel.dispose();
    for (const s of this._kept) s.dispose();
    this._kept = [];
  }
}
