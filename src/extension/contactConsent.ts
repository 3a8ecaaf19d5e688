/**
 * The modal question asked before Linetap sends anything to an address it did not get from the
 * user: one recorded in a capture file, or any address at all in an untrusted workspace
 * (DESIGN.md §9). No argument skips it; a workspace could otherwise aim a replay of recorded
 * writes at a server of its choosing.
 */
import * as vscode from 'vscode';

/** Where an address came from. */
export type AddressOrigin = 'capture' | 'user' | 'argument';

/** Whether contacting an address from `origin` needs the user's yes first. */
export function needsConsent(origin: AddressOrigin, trusted = vscode.workspace.isTrusted): boolean {
  return !trusted || origin === 'capture';
}

/**
 * Asks with a modal dialog whether to contact `address`; resolves true only on the confirming
 * button. `action` is the button and the verb (`Replay`), `what` what will be sent.
 */
export async function confirmContact(options: {
  readonly address: string;
  readonly origin: AddressOrigin;
  readonly action: string;
  readonly what: string;
}): Promise<boolean> {
  const { address, origin, action, what } = options;
  if (!needsConsent(origin)) return true;
  const why = [
    origin === 'capture' ? `The address ${address} comes from the capture file.` : '',
    vscode.workspace.isTrusted
      ? ''
      : 'This workspace is not trusted, so Linetap asks before it contacts any server.',
  ]
    .filter(Boolean)
    .join(' ');
  const answer = await vscode.window.showWarningMessage(
    `${action} against ${address}?`,
    { modal: true, detail: `${what}\n\n${why}` },
    action,
  );
  return answer === action;
}
