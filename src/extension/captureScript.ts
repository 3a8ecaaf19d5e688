/**
 * Which capture Replay and Mock play, and its script: a path or URI given as an argument, else
 * the file of the active capture viewer, else one chosen in an open dialog. The file is read
 * through `workspace.fs`, so captures in remote and virtual workspaces work too.
 */
import * as vscode from 'vscode';
import { decodeCapture } from '../core/capture/captureReader';
import {
  buildScript,
  NO_HEADER,
  type ReplayScript,
  type ScriptOptions,
} from '../core/replay/replayScript';
import { LinetapError } from '../core/socketErrors';
import { ViewTypes } from './constants';

/** A capture named as a path or URI string, or a Uri. */
export type CaptureRef = string | vscode.Uri;

/** The Uri of a capture reference: a URI string (`file:///…`), else a file path. */
export function captureUri(ref: CaptureRef): vscode.Uri {
  if (typeof ref !== 'string') return ref;
  return /^[a-z][a-z0-9+.-]+:\/\//i.test(ref) ? vscode.Uri.parse(ref) : vscode.Uri.file(ref);
}

/** The file of the capture viewer in the active tab, if that is where the user is. */
export function activeCaptureUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom && input.viewType === ViewTypes.captureViewer
    ? input.uri
    : undefined;
}

/** The capture to use: the one given, the active viewer's, or one the user picks. */
export async function chooseCapture(
  given: CaptureRef | undefined,
  title: string,
): Promise<vscode.Uri | undefined> {
  if (given !== undefined) return captureUri(given);
  const active = activeCaptureUri();
  if (active) return active;
  const picked = await vscode.window.showOpenDialog({
    title,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { 'Linetap capture': ['linetap'] },
  });
  return picked?.[0];
}

/** Reads a capture and builds its script; errors say which file and what to do. */
export async function loadCaptureScript(
  uri: vscode.Uri,
  options: ScriptOptions = {},
): Promise<ReplayScript> {
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (e) {
    throw new LinetapError(`cannot read the capture ${displayName(uri)}: ${(e as Error).message}`);
  }
  try {
    return buildScript(decodeCapture(bytes), options);
  } catch (e) {
    if (e instanceof LinetapError && e.code === NO_HEADER) {
      throw new LinetapError(
        `${displayName(uri)} has no Linetap header on its first line, so its framing is unknown. ` +
          'Is it a .linetap capture? The CLI replays it with --framing.',
      );
    }
    throw e;
  }
}

/** The file name of a capture, for messages and titles. */
export function displayName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1) || uri.toString();
}
