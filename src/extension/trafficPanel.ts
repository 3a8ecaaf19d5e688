/**
 * Traffic panels: one webview panel per running proxy, fed by a LiveSource. Panels survive a
 * window reload through the serializer; the proxies do not (they lived in the old extension
 * host), so a restored panel waits and attaches to the next proxy of the same name.
 */
import * as vscode from 'vscode';
import { FrameTable } from '../core/view/frameTable';
import type { SourceInfo, ViewStatus } from '../shared/protocol';
import { Commands, ViewTypes } from './constants';
import { LiveSource } from './liveSource';
import { PanelController, type PanelSource } from './panelController';
import { pickProxy } from './pickers';
import type { ProxyManager, RunningProxy } from './proxyManager';
import { webviewHtml, webviewOptions } from './webviewHtml';

/** What the webview keeps in its state that the host reads back on restore. */
interface RestoredState {
  readonly title?: unknown;
}

interface OpenPanel {
  readonly panel: vscode.WebviewPanel;
  controller: PanelController;
  source: PanelSource;
  /** The proxy it shows, or the name of the one it waits for. */
  proxyId?: string;
  waitingFor?: string;
}

/** Opens, restores and feeds traffic panels. */
export class TrafficPanels implements vscode.Disposable {
  static readonly viewType = ViewTypes.trafficPanel;
  private readonly _panels = new Set<OpenPanel>();
  private readonly _disposables: vscode.Disposable[] = [];

  constructor(
    private readonly _extensionUri: vscode.Uri,
    private readonly _manager: ProxyManager,
    private readonly _log: vscode.LogOutputChannel,
    private readonly _ringFrames: () => number | undefined,
  ) {
    this._disposables.push(
      vscode.window.registerWebviewPanelSerializer(TrafficPanels.viewType, {
        deserializeWebviewPanel: async (panel, state: RestoredState | undefined) =>
          this._restore(panel, typeof state?.title === 'string' ? state.title : undefined),
      }),
      _manager.onDidChange(() => this._attachWaiting()),
    );
  }

  /** Opens (or shows) the panel of a proxy; asks which when `proxyId` is not given. */
  async open(proxyId?: string): Promise<vscode.WebviewPanel | undefined> {
    const proxy = proxyId
      ? this._manager.get(proxyId)
      : await pickProxy(this._manager, 'Show the traffic of which proxy?');
    if (!proxy) return undefined;
    const existing = [...this._panels].find((p) => p.proxyId === proxy.id);
    if (existing) {
      existing.panel.reveal();
      return existing.panel;
    }
    const panel = vscode.window.createWebviewPanel(
      TrafficPanels.viewType,
      `Linetap: ${proxy.label}`,
      vscode.ViewColumn.Active,
      webviewOptions(this._extensionUri),
    );
    this._setUp(panel, proxy);
    return panel;
  }

  private _restore(panel: vscode.WebviewPanel, title: string | undefined): void {
    panel.webview.options = webviewOptions(this._extensionUri);
    const proxy = this._manager.list().find((p) => p.label === title);
    if (proxy) {
      this._setUp(panel, proxy);
      return;
    }
    const entry = this._setUp(panel, undefined, title);
    entry.controller.notice(
      'info',
      `The proxy${title ? ` "${title}"` : ''} stopped when the window reloaded. Start it again and this panel shows its traffic.`,
    );
  }

  private _setUp(
    panel: vscode.WebviewPanel,
    proxy: RunningProxy | undefined,
    waitingFor?: string,
  ): OpenPanel {
    const source = proxy ? this._liveSource(proxy) : new StoppedSource(waitingFor ?? 'Linetap');
    const entry: OpenPanel = {
      panel,
      source,
      controller: new PanelController(panel.webview, source, this._log),
      proxyId: proxy?.id,
      waitingFor: proxy ? undefined : waitingFor,
    };
    panel.iconPath = vscode.Uri.joinPath(this._extensionUri, 'media', 'linetap.svg');
    panel.webview.html = webviewHtml(panel.webview, this._extensionUri, panel.title);
    this._panels.add(entry);
    const subs = [
      panel.onDidChangeViewState(() => panel.visible && entry.controller.refresh()),
      panel.onDidDispose(() => {
        this._panels.delete(entry);
        entry.controller.dispose();
        entry.source.dispose();
        for (const s of subs) s.dispose();
      }),
    ];
    return entry;
  }

  private _liveSource(proxy: RunningProxy): LiveSource {
    return new LiveSource(this._manager, proxy, { frames: this._ringFrames() });
  }

  /** Empties every panel's list (the captures keep everything). */
  clear(): void {
    for (const entry of this._panels) {
      entry.source.table.clear();
      entry.controller.refresh();
    }
  }

  /** Restored panels find the proxy they showed once it runs again. */
  private _attachWaiting(): void {
    for (const entry of this._panels) {
      if (entry.proxyId && !this._manager.list().some((p) => p.id === entry.proxyId)) {
        entry.controller.notice('info', 'The proxy stopped. Its capture holds everything it saw.');
        entry.proxyId = undefined;
        entry.waitingFor = entry.source.info.title;
      }
      if (entry.waitingFor === undefined || entry.proxyId) continue;
      const proxy = this._manager.list().find((p) => p.label === entry.waitingFor);
      if (!proxy) continue;
      entry.controller.dispose();
      entry.source.dispose();
      entry.source = this._liveSource(proxy);
      entry.proxyId = proxy.id;
      entry.waitingFor = undefined;
      entry.panel.title = `Linetap: ${proxy.label}`;
      entry.controller = new PanelController(entry.panel.webview, entry.source, this._log);
      // A fresh page: the webview says `ready` again and gets the new source's init.
      entry.panel.webview.html = webviewHtml(
        entry.panel.webview,
        this._extensionUri,
        entry.panel.title,
      );
    }
  }

  dispose(): void {
    for (const d of this._disposables) d.dispose();
    for (const p of this._panels) p.panel.dispose();
  }
}

/** The source of a panel whose proxy is not running: no frames, Start Proxy still works. */
class StoppedSource implements PanelSource {
  readonly table = new FrameTable({ frames: 1 });
  readonly info: SourceInfo;
  readonly onDidChange: vscode.Event<void> = () => ({ dispose: () => undefined });
  readonly live = {
    send: () => {
      throw new Error('the proxy is not running: start it first');
    },
    sendOnNewConnection: () =>
      Promise.reject(new Error('the proxy is not running: start it first')),
    closeConnection: () => undefined,
    setBreakpoint: () => undefined,
    settleHeld: () => undefined,
    note: () => undefined,
    command: (command: string) =>
      command === 'startProxy'
        ? vscode.commands.executeCommand(Commands.startProxy)
        : Promise.resolve(),
  };

  constructor(title: string) {
    this.info = {
      kind: 'live',
      title,
      description: 'stopped',
      framing: { c2s: '', s2c: '' },
      interactive: false,
    };
  }

  status(): Omit<ViewStatus, 'total' | 'matched' | 'dropped'> {
    return { growing: false, connections: [], held: [], breakpoint: '' };
  }

  dispose(): void {}
}
