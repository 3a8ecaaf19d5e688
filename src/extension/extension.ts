/**
 * Linetap's VS Code entry point: wires the proxy manager to the commands, the Proxies view, the
 * status bar and the log, and returns the public API. Everything is disposed through
 * `context.subscriptions`.
 */
import * as vscode from 'vscode';
import { createLinetapApi, type LinetapApi } from './api';
import { exportPcapngCommand, saveCaptureCommand } from './captureCommands';
import { Commands, Views } from './constants';
import { runDemoCommand } from './demoCommand';
import { ProxyManager } from './proxyManager';
import { type ProxyTreeNode, ProxyTreeProvider } from './proxyTree';
import { sendMessageCommand, type SendArgs } from './sendMessageCommand';
import { startProxyCommand } from './startProxyCommand';
import { ProxyStatusBar } from './statusBar';
import { pickProxy } from './pickers';
import { CaptureEditorProvider } from './captureEditor';
import { readSettings } from './config';
import { TrafficPanels } from './trafficPanel';
import { replayCaptureCommand } from './replayCommand';
import { ReplayDiffProvider } from './replayDiff';
import { ReplayPanels } from './replayPanel';
import { MockManager } from './mockManager';
import { startMockCommand, stopMockCommand } from './mockCommand';

export type { LinetapApi } from './api';

/** Called by VS Code on the first Linetap command, view or `*.linetap` file. */
export function activate(context: vscode.ExtensionContext): LinetapApi {
  const log = vscode.window.createOutputChannel('Linetap', { log: true });
  const storage = context.storageUri ?? context.globalStorageUri;
  const manager = new ProxyManager({
    log,
    storageDir: vscode.Uri.joinPath(storage, 'captures').fsPath,
    baseDir: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
  });
  const statusBar = new ProxyStatusBar(manager);
  const tree = new ProxyTreeProvider(manager);
  context.subscriptions.push(
    log,
    manager,
    statusBar,
    tree,
    vscode.window.registerTreeDataProvider(Views.proxies, tree),
    manager.onDidWarn(({ proxy, message }) => {
      void vscode.window
        .showWarningMessage(`Linetap "${proxy.label}": ${message}`, 'Show Log')
        .then((a) => a && log.show());
    }),
  );

  const ringFrames = () => readSettings(vscode.workspace).limits.ringFrames;
  const panels = new TrafficPanels(context.extensionUri, manager, log, ringFrames);
  context.subscriptions.push(
    panels,
    CaptureEditorProvider.register(
      context.extensionUri,
      log,
      () => ({ frames: ringFrames() }),
      // The viewer's index of a big capture goes to disk: the extension's own storage, not a
      // temp folder that some systems keep in memory.
      () =>
        context.globalStorageUri.scheme === 'file'
          ? vscode.Uri.joinPath(context.globalStorageUri, 'index').fsPath
          : undefined,
    ),
  );

  const register = (id: string, run: (...args: never[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, run));

  register(Commands.startProxy, async (arg?: unknown) => {
    const id = await startProxyCommand(manager, arg);
    if (id === undefined && arg !== undefined) statusBar.showError('the last proxy did not start');
    return id;
  });
  register(Commands.stopProxy, async (arg?: string | ProxyTreeNode) => {
    const id =
      typeof arg === 'string'
        ? arg
        : (arg?.proxyId ?? (await pickProxy(manager, 'Stop which proxy?'))?.id);
    if (id) await manager.stop(id);
  });
  register(Commands.stopAllProxies, () => manager.stopAll());
  register(Commands.sendMessage, (arg?: SendArgs | ProxyTreeNode) =>
    sendMessageCommand(manager, context.globalState, toSendArgs(arg)),
  );
  register(Commands.closeConnection, (node?: ProxyTreeNode) => {
    if (node?.kind === 'connection') manager.closeConnection(node.proxyId, node.conn);
  });
  register(Commands.saveCapture, (arg?: { proxyId?: string; target?: string } | ProxyTreeNode) =>
    saveCaptureCommand(manager, arg && 'kind' in arg ? { proxyId: arg.proxyId } : arg),
  );
  register(
    Commands.exportPcapng,
    (arg?: { proxyId?: string; source?: string; target?: string } | ProxyTreeNode) =>
      exportPcapngCommand(manager, arg && 'kind' in arg ? { proxyId: arg.proxyId } : arg),
  );
  register(Commands.clear, () => {
    manager.clear();
    panels.clear();
  });
  register(Commands.openPanel, async (arg?: string | ProxyTreeNode) => {
    const panel = await panels.open(typeof arg === 'string' ? arg : arg?.proxyId);
    return panel !== undefined;
  });
  register(Commands.openCapture, async (arg?: string | vscode.Uri) => {
    const uri =
      typeof arg === 'string'
        ? vscode.Uri.file(arg)
        : (arg ??
          (
            await vscode.window.showOpenDialog({
              title: 'Open a Linetap capture',
              filters: { 'Linetap capture': ['linetap'] },
            })
          )?.[0]);
    if (uri)
      await vscode.commands.executeCommand('vscode.openWith', uri, CaptureEditorProvider.viewType);
    return uri !== undefined;
  });
  register(Commands.showLog, () => log.show());
  register(Commands.runDemo, () => runDemoCommand(manager, log));

  const diffs = new ReplayDiffProvider();
  const replayPanels = new ReplayPanels(context.extensionUri, log);
  const mocks = new MockManager(log);
  context.subscriptions.push(diffs, replayPanels, mocks);
  register(Commands.replayCapture, (arg?: unknown) =>
    replayCaptureCommand({ log, diffs, panels: replayPanels, state: context.workspaceState }, arg),
  );
  register(Commands.startMock, (arg?: unknown) =>
    startMockCommand(mocks, context.workspaceState, arg),
  );
  register(Commands.stopMock, (arg?: unknown) => stopMockCommand(mocks, arg));

  log.info(`Linetap ${String(context.extension.packageJSON.version)} activated`);
  void startOnOpen(manager, panels);
  return createLinetapApi(manager, replayPanels);
}

/** Starts the profiles named in `linetap.startOnOpen`, each with its traffic panel. */
async function startOnOpen(manager: ProxyManager, panels: TrafficPanels): Promise<void> {
  for (const name of readSettings(vscode.workspace).startOnOpen) {
    const id = await startProxyCommand(manager, name);
    if (id) await panels.open(id);
  }
}

/** Tree items carry a proxy and maybe a connection; other callers pass SendArgs. */
function toSendArgs(arg: SendArgs | ProxyTreeNode | undefined): SendArgs {
  if (!arg) return {};
  if ('kind' in arg)
    return { proxyId: arg.proxyId, conn: arg.kind === 'connection' ? arg.conn : undefined };
  return arg;
}

/** Nothing to do: everything is disposed through `context.subscriptions`. */
export function deactivate(): void {}
