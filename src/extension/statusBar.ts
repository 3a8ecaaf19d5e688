/**
 * One status bar item for the state of Linetap's proxies: stopped, listening (how many, frame
 * count), or the last error until the next start. Frame counts are redrawn at most twice a
 * second, however fast frames arrive.
 */
import * as vscode from 'vscode';
import { Commands, ContextKeys, Views } from './constants';
import { describeProxy } from './pickers';
import type { ProxyManager } from './proxyManager';

const REDRAW_MS = 500;

/** The status bar item and the `linetap.running` context key. */
export class ProxyStatusBar implements vscode.Disposable {
  private readonly _item = vscode.window.createStatusBarItem(
    'linetap.status',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private readonly _disposables: vscode.Disposable[] = [this._item];
  private _error: string | undefined;
  private _timer: NodeJS.Timeout | undefined;
  private _running = false;

  constructor(private readonly _manager: ProxyManager) {
    this._item.name = 'Linetap';
    this._item.command = `${Views.proxies}.focus`;
    this._disposables.push(
      _manager.onDidChange(() => this._redraw()),
      _manager.onDidFrame(() => this._schedule()),
    );
    this._redraw();
    this._item.show();
  }

  /** Shows an error state until the next proxy starts. */
  showError(message: string): void {
    this._error = message;
    this._redraw();
  }

  /** The text shown now (for tests and the e2e screenshots' checks). */
  get text(): string {
    return this._item.text;
  }

  private _schedule(): void {
    this._timer ??= setTimeout(() => {
      this._timer = undefined;
      this._redraw();
    }, REDRAW_MS);
  }

  private _redraw(): void {
    const proxies = this._manager.list();
    const running = proxies.length > 0;
    if (running !== this._running) {
      this._running = running;
      void vscode.commands.executeCommand('setContext', ContextKeys.running, running);
    }
    if (running) this._error = undefined;
    if (this._error) {
      this._item.text = '$(error) Linetap';
      this._item.tooltip = `Linetap: ${this._error}`;
      this._item.command = Commands.showLog;
      this._item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      return;
    }
    this._item.backgroundColor = undefined;
    this._item.command = `${Views.proxies}.focus`;
    if (!running) {
      this._item.text = '$(debug-disconnect) Linetap';
      this._item.tooltip = 'Linetap: no proxy running. Click to see proxies.';
      return;
    }
    const frames = proxies.reduce((n, p) => n + p.frameCount, 0);
    const conns = proxies.reduce((n, p) => n + p.session.proxy.connections().length, 0);
    const what = proxies.length === 1 ? proxies[0].label : `${proxies.length} proxies`;
    this._item.text = `$(radio-tower) ${what} · ${conns} conn · ${frames.toLocaleString('en-US')} frames`;
    this._item.tooltip = new vscode.MarkdownString(
      proxies
        .map((p) => `**${p.label}**: ${describeProxy(p)}, ${p.frameCount} frames`)
        .join('\n\n'),
    );
  }

  dispose(): void {
    clearTimeout(this._timer);
    for (const d of this._disposables) d.dispose();
  }
}
