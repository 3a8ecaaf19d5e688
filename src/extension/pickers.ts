/**
 * Quick picks shared by commands: which proxy, which connection, which direction. They are
 * steps of a longer command (Send Message asks all three, then the message), so they stay open
 * when focus moves, as the input boxes after them do: a glance at the traffic panel, or a panel
 * taking focus as frames arrive, must not cancel the command half way.
 */
import * as vscode from 'vscode';
import type { ConnectionInfo } from '../core/proxy/proxyConnection';
import { formatHostPort } from '../core/proxy/address';
import type { Direction } from '../shared/traffic';
import type { ProxyManager, RunningProxy } from './proxyManager';

/** Asks for a running proxy (none asked when only one runs). Undefined when cancelled or none. */
export async function pickProxy(
  manager: ProxyManager,
  placeHolder: string,
): Promise<RunningProxy | undefined> {
  const proxies = manager.list();
  if (proxies.length === 0) {
    void vscode.window.showInformationMessage('Linetap: no proxy is running. Start one first.');
    return undefined;
  }
  if (proxies.length === 1) return proxies[0];
  const picked = await vscode.window.showQuickPick(
    proxies.map((p) => ({ label: p.label, description: describeProxy(p), proxy: p })),
    { placeHolder, ignoreFocusOut: true },
  );
  return picked?.proxy;
}

/** `127.0.0.1:7000 → localhost:6379 · redis`. */
export function describeProxy(p: RunningProxy): string {
  const { proxy } = p.session;
  const { c2s, s2c } = proxy.framing;
  const framing = c2s.spec === s2c.spec ? c2s.spec : `${c2s.spec}/${s2c.spec}`;
  return `${formatHostPort(proxy.listen)} → ${formatHostPort(proxy.upstream)} · ${framing}`;
}

/** `#3 127.0.0.1:51234 · 12 B ↑ 40 B ↓`. */
export function describeConnection(c: ConnectionInfo): string {
  return `${c.peer} · ${formatBytes(c.bytes.c2s)} → server, ${formatBytes(c.bytes.s2c)} → client`;
}

/** Asks for an open connection of a proxy (none asked when there is one). */
export async function pickConnection(p: RunningProxy): Promise<ConnectionInfo | undefined> {
  const open = p.session.proxy.connections().filter((c) => c.state !== 'closed');
  if (open.length === 0) {
    void vscode.window.showInformationMessage(
      `Linetap: "${p.label}" has no open connection. Connect a client to ${formatHostPort(p.session.proxy.listen)} first.`,
    );
    return undefined;
  }
  if (open.length === 1) return open[0];
  const picked = await vscode.window.showQuickPick(
    open.map((c) => ({ label: `Connection ${c.id}`, description: describeConnection(c), c })),
    { placeHolder: 'Which connection?', ignoreFocusOut: true },
  );
  return picked?.c;
}

/** Asks which way to send. */
export async function pickDirection(): Promise<Direction | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      {
        label: '$(arrow-right) To the server',
        description: 'as if the client sent it',
        dir: 'c2s' as const,
      },
      {
        label: '$(arrow-left) To the client',
        description: 'as if the server sent it',
        dir: 's2c' as const,
      },
    ],
    { placeHolder: 'Send which way?', ignoreFocusOut: true },
  );
  return picked?.dir;
}

/** `1.2 KiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
