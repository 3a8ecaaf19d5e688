/**
 * Helpers for tests that run inside the extension host: get the activated extension's API, wait
 * for something the UI or the host does asynchronously, reset the window between tests.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LinetapApi } from '../../src/extension/extension';

/** `<publisher>.<name>` from package.json. */
export const extensionId = 'linetap.linetap';

/** The Linetap extension, activated; its `exports` is the public API. */
export async function activateLinetap(): Promise<vscode.Extension<LinetapApi>> {
  const extension = vscode.extensions.getExtension<LinetapApi>(extensionId);
  assert.ok(extension, `${extensionId} is not installed in this extension host`);
  await extension.activate();
  return extension;
}

/** The one workspace folder the test window opens (a fresh copy of test/fixtures/workspace). */
export function workspaceFolder(): vscode.WorkspaceFolder {
  const folders = vscode.workspace.workspaceFolders ?? [];
  assert.equal(folders.length, 1, 'the test window opens exactly one folder');
  return folders[0];
}

/** Polls `probe` until it returns something other than `undefined`/`false`, or times out. */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeout = 10_000, interval = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** Closes every editor and panel the previous test opened. */
export async function resetWindow(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('workbench.action.closePanel');
}
