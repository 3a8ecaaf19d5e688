/**
 * Save Capture and Export pcapng. A running proxy always records (see ProxyManager), so saving
 * copies its capture as it stands; the export streams a capture file into pcapng for Wireshark.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CaptureStream } from '../core/capture/captureReader';
import { exportPcapng } from '../core/capture/pcapng';
import { pickProxy } from './pickers';
import type { ProxyManager } from './proxyManager';

/** Optional arguments, for the tree, the API and tests. */
export interface CaptureArgs {
  readonly proxyId?: string;
  /** Source capture file (export), as a path or file URI string. */
  readonly source?: string;
  /** Destination file, as a path or file URI string; asked for when missing. */
  readonly target?: string;
}

function defaultFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

function toUri(file: string): vscode.Uri {
  return file.includes('://') ? vscode.Uri.parse(file) : vscode.Uri.file(file);
}

/** Copies a running proxy's capture to a file; resolves to its path, or undefined. */
export async function saveCaptureCommand(
  manager: ProxyManager,
  args: CaptureArgs = {},
): Promise<string | undefined> {
  const proxy = args.proxyId
    ? manager.get(args.proxyId)
    : await pickProxy(manager, 'Save the capture of which proxy?');
  if (!proxy) return undefined;
  const target =
    args.target !== undefined
      ? toUri(args.target)
      : await vscode.window.showSaveDialog({
          title: `Save the capture of "${proxy.label}"`,
          defaultUri:
            defaultFolder() &&
            vscode.Uri.joinPath(defaultFolder()!, `${safeName(proxy.label)}.linetap`),
          filters: { 'Linetap capture': ['linetap'] },
        });
  if (!target) return undefined;
  try {
    const source = await manager.flushCapture(proxy.id);
    await vscode.workspace.fs.copy(vscode.Uri.file(source), target, { overwrite: true });
  } catch (e) {
    void vscode.window.showErrorMessage(
      `Linetap: cannot save the capture to ${target.fsPath}: ${(e as Error).message}`,
    );
    return undefined;
  }
  vscode.window.setStatusBarMessage(`Linetap: capture saved to ${target.fsPath}`, 5000);
  return target.fsPath;
}

/** Exports a capture (a running proxy's, or a file) to pcapng; resolves to the output path. */
export async function exportPcapngCommand(
  manager: ProxyManager,
  args: CaptureArgs = {},
): Promise<string | undefined> {
  const source = args.source
    ? toUri(args.source)
    : args.proxyId
      ? vscode.Uri.file(await manager.flushCapture(args.proxyId))
      : await pickSource(manager);
  if (!source) return undefined;
  const target =
    args.target !== undefined
      ? toUri(args.target)
      : await vscode.window.showSaveDialog({
          title: 'Export to pcapng',
          defaultUri: vscode.Uri.joinPath(
            defaultFolder() ?? vscode.Uri.file(path.dirname(source.fsPath)),
            `${path.basename(source.fsPath, '.linetap')}.pcapng`,
          ),
          filters: { pcapng: ['pcapng'] },
        });
  if (!target) return undefined;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Linetap: exporting to pcapng…' },
    async () => {
      try {
        const stream = await CaptureStream.open(await readable(source));
        const stats = await exportPcapng(stream, fs.createWriteStream(target.fsPath));
        const skipped = stream.errorCount
          ? ` ${stream.errorCount} malformed line${stream.errorCount === 1 ? ' was' : 's were'} skipped (first: line ${stream.errors[0]?.line}).`
          : '';
        void vscode.window.showInformationMessage(
          `Linetap: wrote ${path.basename(target.fsPath)}: ${stats.packets} packets, ${stats.connections} connection(s). Wireshark's Follow TCP Stream shows each session.${skipped}`,
        );
        return target.fsPath;
      } catch (e) {
        void vscode.window.showErrorMessage(
          `Linetap: cannot export ${source.fsPath}: ${(e as Error).message}`,
        );
        return undefined;
      }
    },
  );
}

/** A path for local files; the bytes through workspace.fs for anything else (virtual files). */
async function readable(uri: vscode.Uri): Promise<string | AsyncIterable<Uint8Array>> {
  if (uri.scheme === 'file') return uri.fsPath;
  const bytes = await vscode.workspace.fs.readFile(uri);
  return (async function* () {
    yield bytes;
  })();
}

async function pickSource(manager: ProxyManager): Promise<vscode.Uri | undefined> {
  const fromFile = { label: '$(folder-opened) A capture file…', proxyId: undefined };
  const running = manager
    .list()
    .map((p) => ({ label: `$(radio-tower) ${p.label}`, proxyId: p.id }));
  const picked =
    running.length === 0
      ? fromFile
      : await vscode.window.showQuickPick([...running, fromFile], {
          placeHolder: 'Export which capture?',
        });
  if (!picked) return undefined;
  if (picked.proxyId) return vscode.Uri.file(await manager.flushCapture(picked.proxyId));
  const files = await vscode.window.showOpenDialog({
    title: 'Export which capture?',
    defaultUri: defaultFolder(),
    filters: { 'Linetap capture': ['linetap'] },
  });
  return files?.[0];
}

function safeName(label: string): string {
  return label.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-|-$/g, '') || 'capture';
}
