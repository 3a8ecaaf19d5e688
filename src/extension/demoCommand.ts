/**
 * Run Demo: the AsyncChat chat server, a Linetap proxy in front of it (CRLF framing), and three
 * scripted clients talking through the proxy, so there is traffic to look at with nothing else
 * installed. The chat server stays up while its proxy runs; connect to the proxy and type.
 */
import * as vscode from 'vscode';
import { formatHostPort } from '../core/proxy/address';
import { ChatServer } from '../demo/chatServer';
import { runDemoScripts } from '../demo/runDemo';
import type { ProxyManager } from './proxyManager';

/** Starts the demo; resolves to the proxy id once the scripted clients are done. */
export async function runDemoCommand(
  manager: ProxyManager,
  log: vscode.LogOutputChannel,
): Promise<string | undefined> {
  const server = await ChatServer.listen(0);
  let proxyId: string | undefined;
  try {
    const proxy = await manager.start(
      { name: 'demo chat', listen: '0', upstream: `127.0.0.1:${server.port}`, framing: 'crlf' },
      { bindAddress: '127.0.0.1', limits: {} },
    );
    proxyId = proxy.id;
    const address = formatHostPort(proxy.session.proxy.listen);
    log.info(`demo: chat server on 127.0.0.1:${server.port}, proxy on ${address}`);
    // The chat server lives as long as its proxy.
    const watch = manager.onDidChange(() => {
      if (manager.list().some((p) => p.id === proxyId)) return;
      watch.dispose();
      void server.close();
    });
    await runDemoScripts(proxy.session.proxy.listen.port);
    void vscode.window.showInformationMessage(
      `Linetap demo: three clients chatted through the proxy on ${address}. Connect your own (e.g. nc -C ${address.replace(':', ' ')}) and type NICK you, JOIN #lobby.`,
    );
    return proxyId;
  } catch (e) {
    // Stopping the proxy closes the server through the watch above.
    if (proxyId) await manager.stop(proxyId);
    else await server.close();
    void vscode.window.showErrorMessage(`Linetap demo failed: ${(e as Error).message}`);
    return undefined;
  }
}
