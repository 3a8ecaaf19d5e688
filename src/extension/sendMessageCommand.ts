/**
 * Send Message: push bytes into a live connection, towards the server or the client. Messages
 * take `\r \n \t \0 \xHH \\` escapes, or `hex:` and hex digits; recent ones are remembered.
 */
import * as vscode from 'vscode';
import { parseHexBytes, unescapeBytes } from '../core/bytes';
import type { Direction } from '../shared/traffic';
import { pickConnection, pickDirection, pickProxy } from './pickers';
import type { ProxyManager } from './proxyManager';

const HISTORY_KEY = 'linetap.sendHistory';
const HISTORY_SIZE = 20;

/** What a caller (tree item, keybinding, API, test) may fill in; the rest is asked. */
export interface SendArgs {
  readonly proxyId?: string;
  readonly conn?: number;
  readonly dir?: Direction;
  /** With escapes, or `hex:` followed by hex digits. */
  readonly message?: string;
}

/** The bytes of a message as typed; throws a RangeError that says what is wrong. */
export function messageBytes(message: string): Buffer {
  const hex = /^hex:/i.exec(message);
  return hex ? parseHexBytes(message.slice(4)) : unescapeBytes(message);
}

/** Why a typed message cannot be sent, or undefined. */
function checkMessage(message: string): string | undefined {
  if (message === '') return 'Type a message, e.g. PING\\r\\n';
  try {
    messageBytes(message);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Runs the command; resolves to the number of bytes sent, or undefined when cancelled. */
export async function sendMessageCommand(
  manager: ProxyManager,
  memento: vscode.Memento,
  args: SendArgs = {},
): Promise<number | undefined> {
  const proxy = args.proxyId
    ? manager.get(args.proxyId)
    : await pickProxy(manager, 'Send into which proxy?');
  if (!proxy) return undefined;
  const conn = args.conn ?? (await pickConnection(proxy))?.id;
  if (conn === undefined) return undefined;
  const dir = args.dir ?? (await pickDirection());
  if (!dir) return undefined;
  const history = memento.get<string[]>(HISTORY_KEY, []);
  const message = args.message ?? (await askMessage(history, dir));
  if (message === undefined) return undefined;
  let bytes: Buffer;
  try {
    bytes = messageBytes(message);
    manager.send(proxy.id, conn, dir, bytes);
  } catch (e) {
    void vscode.window.showErrorMessage(`Linetap: cannot send: ${(e as Error).message}`);
    return undefined;
  }
  await memento.update(
    HISTORY_KEY,
    [message, ...history.filter((m) => m !== message)].slice(0, HISTORY_SIZE),
  );
  vscode.window.setStatusBarMessage(
    `Linetap: sent ${bytes.length} B ${dir === 'c2s' ? 'to the server' : 'to the client'} on connection ${conn}`,
    4000,
  );
  return bytes.length;
}

async function askMessage(history: readonly string[], dir: Direction): Promise<string | undefined> {
  let value = '';
  if (history.length > 0) {
    const fresh = { label: '$(edit) New message…' };
    const picked = await vscode.window.showQuickPick(
      [fresh, ...history.map((m) => ({ label: m, description: previewBytes(m) }))],
      {
        placeHolder: 'Type a new message, or pick a recent one to edit and send',
        ignoreFocusOut: true,
      },
    );
    if (!picked) return undefined;
    if (picked !== fresh) value = picked.label;
  }
  return vscode.window.showInputBox({
    title: `Send ${dir === 'c2s' ? 'to the server' : 'to the client'}`,
    prompt:
      'Escapes: \\r \\n \\t \\0 \\xHH \\\\, or hex: 2a 31 0d 0a. Nothing is added: end lines yourself.',
    placeHolder: 'PING\\r\\n',
    value,
    validateInput: checkMessage,
    ignoreFocusOut: true,
  });
}

function previewBytes(message: string): string {
  try {
    return `${messageBytes(message).length} B`;
  } catch {
    return '';
  }
}
