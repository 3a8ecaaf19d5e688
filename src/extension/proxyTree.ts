/**
 * The Proxies view: each running proxy, and under it its open connections with peer, age and
 * bytes each way. Items carry the ids their inline actions (stop, close, send) need.
 */
import * as vscode from 'vscode';
import type { ConnectionInfo } from '../core/proxy/proxyConnection';
import { describeConnection, describeProxy } from './pickers';
import type { ProxyManager, RunningProxy } from './proxyManager';

/** A proxy in the tree. */
export interface ProxyNode {
  readonly kind: 'proxy';
  readonly proxyId: string;
}

/** A connection in the tree. */
export interface ConnectionNode {
  readonly kind: 'connection';
  readonly proxyId: string;
  readonly conn: number;
}

export type ProxyTreeNode = ProxyNode | ConnectionNode;

/** Byte counts move with every frame: redraw at most this often. */
const REFRESH_MS = 1000;

/** Data of the Proxies view. */
export class ProxyTreeProvider
  implements vscode.TreeDataProvider<ProxyTreeNode>, vscode.Disposable
{
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly _disposables: vscode.Disposable[] = [this._onDidChangeTreeData];
  private _timer: NodeJS.Timeout | undefined;

  constructor(private readonly _manager: ProxyManager) {
    this._disposables.push(
      _manager.onDidChange(() => this._onDidChangeTreeData.fire()),
      _manager.onDidFrame(() => {
        this._timer ??= setTimeout(() => {
          this._timer = undefined;
          this._onDidChangeTreeData.fire();
        }, REFRESH_MS);
      }),
    );
  }

  getChildren(node?: ProxyTreeNode): ProxyTreeNode[] {
    if (!node) return this._manager.list().map((p) => ({ kind: 'proxy', proxyId: p.id }));
    if (node.kind === 'connection') return [];
    return (
      this._find(node.proxyId)
        ?.session.proxy.connections()
        .map((c) => ({ kind: 'connection' as const, proxyId: node.proxyId, conn: c.id })) ?? []
    );
  }

  getTreeItem(node: ProxyTreeNode): vscode.TreeItem {
    const p = this._find(node.proxyId);
    if (!p) return new vscode.TreeItem('(stopped)');
    if (node.kind === 'proxy') return proxyItem(p);
    const c = p.session.proxy.connections().find((x) => x.id === node.conn);
    return c
      ? connectionItem(c, p.session.proxy.now())
      : new vscode.TreeItem(`Connection ${node.conn} (closed)`);
  }

  private _find(id: string): RunningProxy | undefined {
    return this._manager.list().find((p) => p.id === id);
  }

  dispose(): void {
    clearTimeout(this._timer);
    for (const d of this._disposables) d.dispose();
  }
}

function proxyItem(p: RunningProxy): vscode.TreeItem {
  const open = p.session.proxy.connections().length;
  const item = new vscode.TreeItem(
    p.label,
    open > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
  );
  item.id = p.id;
  item.description = `${describeProxy(p)} · ${open} open · ${p.frameCount} frames`;
  item.tooltip = `${describeProxy(p)}\nRecording to ${p.captureFile}`;
  item.iconPath = new vscode.ThemeIcon('radio-tower');
  item.contextValue = 'linetap.proxy';
  return item;
}

function connectionItem(c: ConnectionInfo, nowUs: number): vscode.TreeItem {
  const item = new vscode.TreeItem(`Connection ${c.id}`);
  item.id = `${c.upstream}#${c.id}`;
  const age = formatAge(nowUs - c.openedAt);
  item.description = `${describeConnection(c)} · ${age}`;
  item.tooltip = `${c.peer} → ${c.upstream}, ${c.state}, open for ${age}\n${c.frames.c2s} frames to the server, ${c.frames.s2c} to the client`;
  item.iconPath = new vscode.ThemeIcon(c.state === 'open' ? 'plug' : 'loading~spin');
  item.contextValue = 'linetap.connection';
  return item;
}

/** `42 s`, `3 min`, `2 h` from microseconds. */
function formatAge(us: number): string {
  const s = Math.max(0, Math.floor(us / 1e6));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}
