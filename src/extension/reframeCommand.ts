/**
 * Re-frame Capture: shows the capture of the active viewer under another framing (its bytes
 * framed anew, as `linetap show --framing` does), one for both directions or one each, or as
 * recorded again. The framing is picked from the list Start Proxy offers, or typed and checked.
 */
import * as vscode from 'vscode';
import type { CaptureDocument } from './captureDocument';
import { activeCaptureUri, captureUri, type CaptureRef } from './captureScript';
import { ViewTypes } from './constants';
import { describeSpecs, type DirectionSpecs, type Reframing, toReframing } from './framingChoices';
import { pickFraming } from './framingPicker';

/** The open capture at a Uri, if a viewer shows it. */
export type OpenCaptures = (uri: vscode.Uri) => CaptureDocument | undefined;

/**
 * Runs the command. `arg` is a framing (a spec, `{ c2s, s2c }` or `"recorded"`) for keybindings
 * and tests, or `{ capture?: path or Uri, framing? }`, or the capture's Uri (the viewer's title
 * button); without a framing, the user picks one. Resolves true once the viewers show the
 * capture under the new framing (indexing goes on in the background).
 */
export async function reframeCaptureCommand(
  open: OpenCaptures,
  log: vscode.LogOutputChannel,
  arg?: unknown,
): Promise<boolean> {
  try {
    const { capture, framing } = toArgs(arg);
    const uri = capture === undefined ? activeCaptureUri() : captureUri(capture);
    if (!uri) {
      void vscode.window.showInformationMessage(
        'Linetap: open a capture in the capture viewer first, then re-frame it.',
      );
      return false;
    }
    if (!open(uri))
      await vscode.commands.executeCommand('vscode.openWith', uri, ViewTypes.captureViewer);
    const doc = open(uri);
    if (!doc) throw new Error(`${uri.fsPath} did not open in the capture viewer`);
    const recorded = doc.recorded;
    if (!recorded)
      throw new Error(`${doc.info.title} has no Linetap header, so it has no frames to re-frame`);
    const reframing = framing ?? (await pickReframing(doc, recorded));
    if (reframing === undefined) return false;
    await doc.reframe(reframing);
    const under = reframing === 'recorded' ? 'as recorded' : `under ${describeSpecs(reframing)}`;
    log.info(`capture.reframe: ${uri.fsPath} ${under}`);
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Linetap: re-framing ${doc.info.title}` },
      () => doc.loaded,
    );
    return true;
  } catch (e) {
    void vscode.window.showErrorMessage(`Linetap: cannot re-frame: ${(e as Error).message}`);
    return false;
  }
}

function toArgs(arg: unknown): { capture?: CaptureRef; framing?: Reframing } {
  if (arg === undefined) return {};
  if (arg instanceof vscode.Uri) return { capture: arg };
  if (typeof arg === 'object' && arg !== null && !('c2s' in arg)) {
    const { capture, framing } = arg as Record<string, unknown>;
    if (capture !== undefined && typeof capture !== 'string' && !(capture instanceof vscode.Uri))
      throw new TypeError('"capture" is a path or Uri of a .linetap file');
    return { capture, framing: framing === undefined ? undefined : toReframing(framing) };
  }
  return { framing: toReframing(arg) };
}

type Extra = { readonly pick: 'recorded' | 'directions' };

/** Asks for a framing; undefined when cancelled. */
async function pickReframing(
  doc: CaptureDocument,
  recorded: DirectionSpecs,
): Promise<Reframing | undefined> {
  const shown = doc.reframing;
  const choice = await pickFraming<Extra>({
    title: 'Re-frame Capture: framing',
    placeHolder: `Frame the bytes of ${doc.info.title} under… (recorded as ${describeSpecs(recorded)})`,
    current: shown !== 'recorded' && shown.c2s === shown.s2c ? shown.c2s : undefined,
    before: [
      {
        label: '$(history) As recorded',
        description: `${describeSpecs(recorded)}${shown === 'recorded' ? ' · shown now' : ''}`,
        detail: 'the frames as the proxy recorded them',
        value: { pick: 'recorded' },
      },
    ],
    after: [
      {
        label: '$(arrow-swap) Per direction…',
        description:
          shown !== 'recorded' && shown.c2s !== shown.s2c
            ? `${describeSpecs(shown)} · shown now`
            : undefined,
        detail: 'one framing for client → server, another for server → client',
        value: { pick: 'directions' },
      },
    ],
  });
  if (choice === undefined) return undefined;
  if (typeof choice === 'string') return { c2s: choice, s2c: choice };
  if (choice.pick === 'recorded') return 'recorded';
  const c2s = await pickFraming({
    title: 'Re-frame Capture (1/2): client → server framing',
    placeHolder: 'How to split what the client sent',
  });
  if (c2s === undefined) return undefined;
  const s2c = await pickFraming({
    title: 'Re-frame Capture (2/2): server → client framing',
    placeHolder: 'How to split what the server sent',
  });
  return s2c === undefined ? undefined : { c2s, s2c };
}
