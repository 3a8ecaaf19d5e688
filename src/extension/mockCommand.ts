/**
 * Start Mock and Stop Mock: serve the recorded server side of a capture on a local port, so a
 * client can be tested with no server; requests the capture has no answer for are closed,
 * answered with a fixed message, or forwarded to a real server (confirmed first when that
 * address comes from the capture, and always in an untrusted workspace). Masks let requests
 * whose volatile fields changed still find their recorded answers.
 */
import * as vscode from 'vscode';
import { formatHostPort, parseHostPort } from '../core/proxy/address';
import { checkListen, checkUpstream } from '../core/proxy/proxyProfile';
import type { ReplayScript } from '../core/replay/replayScript';
import { parseUnmatched } from '../core/replay/serverMock';
import { type CaptureRef, chooseCapture, displayName, loadCaptureScript } from './captureScript';
import { readSettings } from './config';
import { type AddressOrigin, confirmContact } from './contactConsent';
import { pickMasks } from './maskPicker';
import type { MockManager, RunningMock } from './mockManager';

/** Arguments, for keybindings, other extensions and tests. */
export interface MockArgs {
  /** A path, URI string or Uri; default the active capture viewer's file, else asked. */
  readonly capture?: CaptureRef;
  /** `[HOST:]PORT` to listen on (0 picks a port); default asked. */
  readonly listen?: string;
  /** `close`, `reply:TEXT` or `upstream:HOST:PORT`; default asked. */
  readonly unmatched?: string;
  /**
   * Mask names or regexes for volatile fields of requests; default none, asked only when the
   * command has no arguments.
   */
  readonly masks?: readonly string[];
}

/** Steps of the interactive command, for its titles. */
const STEPS = 3;

/**
 * Runs Start Mock. `arg` is MockArgs, or a capture path/Uri (the viewer's title button).
 * Resolves with the address the mock listens on, or undefined when cancelled or failed.
 * `state` remembers the last masks.
 */
export async function startMockCommand(
  mocks: MockManager,
  state: vscode.Memento,
  arg?: unknown,
): Promise<string | undefined> {
  const args = toArgs(arg);
  // Without an arguments object (the palette, the viewer's button) every step is asked.
  const interactive = arg === undefined || typeof arg === 'string' || arg instanceof vscode.Uri;
  const given = typeof arg === 'string' || arg instanceof vscode.Uri ? arg : args.capture;
  const uri = await chooseCapture(given, 'Serve which capture as a mock?');
  if (!uri) return undefined;
  const name = displayName(uri);
  try {
    const { bindAddress, limits } = readSettings(vscode.workspace);
    const script = await loadCaptureScript(uri, {
      keepInjectedReplies: true,
      maxFrameBytes: limits.maxFrameBytes,
    });
    const listen = args.listen ?? (await askListen(script, name, bindAddress));
    if (listen === undefined) return undefined;
    const address = parseHostPort(listen, bindAddress);
    const policy = await choosePolicy(script, name, args.unmatched);
    if (!policy) return undefined;
    const unmatched = parseUnmatched(policy.text);
    const masks =
      args.masks ??
      (interactive
        ? await pickMasks(state, `Start Mock of ${name} (3/${STEPS}): masks`, 'mock')
        : []);
    if (!masks) return undefined;
    if (unmatched.kind === 'upstream') {
      const target = formatHostPort(unmatched.target);
      const ok = await confirmContact({
        address: target,
        origin: policy.origin,
        action: 'Forward',
        what: `The mock of ${name} will forward the requests it has no recorded answer for to ${target}.`,
      });
      if (!ok) return undefined;
    }
    const running = await mocks.start(uri, name, script, {
      listen: address,
      unmatched: policy.text,
      masks,
      maxFrameBytes: limits.maxFrameBytes,
    });
    void announce(mocks, running, script, masks);
    return running.listen;
  } catch (e) {
    void vscode.window.showErrorMessage(
      `Linetap: cannot start a mock of ${name}: ${(e as Error).message}`,
    );
    return undefined;
  }
}

/**
 * Runs Stop Mock: `arg` is a mock id or its listen address; without one, asks (nothing asked
 * when one mock runs). Resolves with the address of the mock stopped.
 */
export async function stopMockCommand(
  mocks: MockManager,
  arg?: unknown,
): Promise<string | undefined> {
  const running = mocks.list();
  let mock: RunningMock | undefined;
  if (typeof arg === 'string') mock = mocks.find(arg);
  else if (running.length === 1) mock = running[0];
  else if (running.length === 0) {
    void vscode.window.showInformationMessage('Linetap: no mock is running.');
  } else {
    mock = (
      await vscode.window.showQuickPick(
        running.map((m) => ({
          label: `$(server-process) ${m.listen}`,
          description: `${m.label} · ${m.clients} clients · unmatched: ${m.unmatched}`,
          m,
        })),
        { placeHolder: 'Stop which mock?' },
      )
    )?.m;
  }
  if (!mock) return undefined;
  await mocks.stop(mock.id);
  vscode.window.setStatusBarMessage(`Linetap: mock on ${mock.listen} stopped`, 5000);
  return mock.listen;
}

async function announce(
  mocks: MockManager,
  m: RunningMock,
  script: ReplayScript,
  masks: readonly string[],
): Promise<void> {
  const conns = script.connections.length;
  const masked = masks.length > 0 ? `; masks: ${masks.join(', ')}` : '';
  const action = await vscode.window.showInformationMessage(
    `Linetap: mock of ${m.label} listening on ${m.listen} (${conns} recorded connection${conns === 1 ? '' : 's'}; unmatched requests: ${m.unmatched}${masked}). Point the client there.`,
    'Stop Mock',
  );
  if (action === 'Stop Mock') await mocks.stop(m.id);
}

/** The port to listen on, prefilled with the recorded listen port. */
async function askListen(
  script: ReplayScript,
  name: string,
  bindAddress: string,
): Promise<string | undefined> {
  let port = '7000';
  try {
    if (script.header?.listen) port = String(parseHostPort(script.header.listen, '_').port);
  } catch {
    // A header that does not parse keeps the default.
  }
  const typed = await vscode.window.showInputBox({
    title: `Start Mock of ${name} (1/${STEPS}): listen`,
    prompt: `Port to listen on, or HOST:PORT (a port alone listens on ${bindAddress}; 0 picks a free one)`,
    value: port,
    validateInput: (v) => checkListen(v, bindAddress),
    ignoreFocusOut: true,
  });
  return typed?.trim();
}

type Policy = { text: string; origin: AddressOrigin };

/** The unmatched policy given (checked), or chosen. */
async function choosePolicy(
  script: ReplayScript,
  name: string,
  given: string | undefined,
): Promise<Policy | undefined> {
  if (given !== undefined) {
    parseUnmatched(given);
    return { text: given, origin: 'argument' };
  }
  const title = `Start Mock of ${name} (2/${STEPS}): requests with no recorded answer`;
  const picked = await vscode.window.showQuickPick(
    [
      { label: '$(close) Close the connection', policy: 'close' as const },
      {
        label: '$(reply) Reply with a fixed message…',
        detail: 'e.g. -ERR not recorded\\r\\n',
        policy: 'reply' as const,
      },
      {
        label: '$(arrow-right) Forward to a real server…',
        detail: 'a hybrid mock: recorded answers first, the server for the rest',
        policy: 'upstream' as const,
      },
    ],
    {
      title,
      placeHolder: 'What to do with a request the capture has no answer for',
      ignoreFocusOut: true,
    },
  );
  if (!picked) return undefined;
  if (picked.policy === 'close') return { text: 'close', origin: 'user' };
  if (picked.policy === 'reply') {
    const reply = await vscode.window.showInputBox({
      title,
      prompt: 'The reply, with escapes \\r \\n \\t \\0 \\xHH \\\\; end the line yourself',
      value: isRedis(script) ? '-ERR not recorded\\r\\n' : 'not recorded\\r\\n',
      validateInput: (v) => check(() => parseUnmatched(`reply:${v}`)),
      ignoreFocusOut: true,
    });
    return reply === undefined ? undefined : { text: `reply:${reply}`, origin: 'user' };
  }
  const recorded = script.header?.upstream;
  const server = await vscode.window.showInputBox({
    title,
    prompt: 'The server to forward unanswered requests to, HOST:PORT',
    value: recorded,
    placeHolder: 'localhost:6379',
    validateInput: checkUpstream,
    ignoreFocusOut: true,
  });
  if (server === undefined) return undefined;
  const same = recorded !== undefined && sameAddress(recorded, server);
  return { text: `upstream:${server.trim()}`, origin: same ? 'capture' : 'user' };
}

function isRedis(script: ReplayScript): boolean {
  const s = script.specs;
  return (typeof s === 'string' ? s : s.c2s) === 'redis';
}

function sameAddress(a: string, b: string): boolean {
  try {
    return formatHostPort(parseHostPort(a)) === formatHostPort(parseHostPort(b));
  } catch {
    return false;
  }
}

/** The error message of `fn`, or undefined when it does not throw. */
function check(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function toArgs(arg: unknown): MockArgs {
  if (arg === undefined || typeof arg === 'string' || arg instanceof vscode.Uri) return {};
  const a = (typeof arg === 'object' && arg !== null ? arg : { bad: true }) as Record<
    string,
    unknown
  >;
  const str = (v: unknown) => v === undefined || typeof v === 'string';
  const ok =
    !('bad' in a) &&
    (str(a.capture) || a.capture instanceof vscode.Uri) &&
    str(a.listen) &&
    str(a.unmatched) &&
    (a.masks === undefined ||
      (Array.isArray(a.masks) && a.masks.every((m) => typeof m === 'string')));
  if (!ok) {
    throw new TypeError(
      'Start Mock takes { capture?: path or Uri, listen?: "[HOST:]PORT", unmatched?: "close" | "reply:TEXT" | "upstream:HOST:PORT", masks?: string[] }',
    );
  }
  return a as MockArgs;
}
