/**
 * Replay Capture: plays the client side of a capture against a server with a cancellable
 * progress notification, and shows its traffic in a panel as it goes, each answer marked with
 * how it compares with the recording; a differing one opens in the diff editor from there. The
 * summary goes to the panel and a notification. The target is confirmed first when it comes
 * from the capture file, and always in an untrusted workspace.
 */
import * as vscode from 'vscode';
import { formatHostPort, parseHostPort } from '../core/proxy/address';
import { checkUpstream } from '../core/proxy/proxyProfile';
import { type ReplayOptions, replayScript } from '../core/replay/clientReplay';
import { parseMasks } from '../core/replay/masks';
import { exchangeLabel, type ReplayReport } from '../core/replay/replayReport';
import type { ReplayScript } from '../core/replay/replayScript';
import { type CaptureRef, chooseCapture, displayName, loadCaptureScript } from './captureScript';
import { readSettings } from './config';
import { type AddressOrigin, confirmContact } from './contactConsent';
import { pickMasks } from './maskPicker';
import type { ReplayDiffProvider } from './replayDiff';
import type { ReplayPanels } from './replayPanel';
import { replayClean, replaySummary, showReplaySummary } from './replayResults';
import { ReplaySource } from './replaySource';

/** Arguments, for keybindings, other extensions and tests. */
export interface ReplayArgs {
  /** A path, URI string or Uri; default the active capture viewer's file, else asked. */
  readonly capture?: CaptureRef;
  /** `HOST:PORT`; default asked, prefilled with the recorded upstream. */
  readonly target?: string;
  /** Mask names or regexes; default none (asked only when the command has no arguments). */
  readonly masks?: readonly string[];
  /** Longest wait for an answer, in ms (default 5000). */
  readonly timeoutMs?: number;
}

/** What the command needs from the extension. */
export interface ReplayContext {
  readonly log: vscode.LogOutputChannel;
  readonly diffs: ReplayDiffProvider;
  readonly panels: ReplayPanels;
  /** Remembers the last masks. */
  readonly state: vscode.Memento;
}

/**
 * Runs the command. `arg` is ReplayArgs, or a capture path/Uri (the viewer's title button).
 * Resolves with the report, or undefined when cancelled before it ran or when it could not run
 * (the error was shown).
 */
export async function replayCaptureCommand(
  ctx: ReplayContext,
  arg?: unknown,
): Promise<ReplayReport | undefined> {
  const args = toArgs(arg);
  const uri = await chooseCapture(args?.capture ?? captureArg(arg), 'Replay which capture?');
  if (!uri) return undefined;
  const name = displayName(uri);
  try {
    const { limits } = readSettings(vscode.workspace);
    const script = await loadCaptureScript(uri, { maxFrameBytes: limits.maxFrameBytes });
    const chosen = await chooseTarget(script, args?.target, name);
    if (!chosen) return undefined;
    const specs = args ? (args.masks ?? []) : await pickMasks(ctx.state, `Replay ${name}: masks`);
    if (!specs) return undefined;
    const masks = parseMasks(specs);
    const requests = script.connections.reduce(
      (n, c) => n + c.exchanges.filter((x) => x.request).length,
      0,
    );
    const conns = script.connections.length;
    const consent = await confirmContact({
      address: chosen.target,
      origin: chosen.origin,
      action: 'Replay',
      what: `Linetap will open ${conns} connection${conns === 1 ? '' : 's'} to ${chosen.target} and send the ${requests} recorded client request${requests === 1 ? '' : 's'} of ${name}, writes included.`,
    });
    if (!consent) return undefined;
    const masksNote = specs.length ? ` with masks ${specs.join(', ')}` : '';
    ctx.log.info(`replay.run: ${uri.fsPath} against ${chosen.target}${masksNote}`);
    const run = ctx.diffs.start(name, chosen.target, masks);
    const source = new ReplaySource(run, uri, ctx.diffs, {
      framing: script.header?.framing ?? { c2s: '', s2c: '' },
      frames: limits.ringFrames,
    });
    let shown = false;
    let report: ReplayReport;
    try {
      report = await runWithProgress(
        script,
        name,
        {
          target: chosen.target,
          masks,
          timeoutMs: args?.timeoutMs,
          maxFrameBytes: limits.maxFrameBytes,
        },
        {
          onFrame: source.frame,
          onProgress: (e) => {
            // The panel opens once the replay runs, not for a capture it refuses at once.
            if (!shown && e.type === 'connection-start') {
              shown = true;
              ctx.panels.show(source);
            }
            source.progress(e);
          },
        },
      );
    } catch (e) {
      if (shown)
        source.finish({ level: 'error', message: `The replay failed: ${(e as Error).message}` });
      else source.dispose();
      throw e;
    }
    run.finish(report);
    for (const c of report.connections)
      if (c.error) ctx.log.warn(`replay.run: connection ${c.conn}: ${c.error}`);
    const { counts } = report;
    ctx.log.info(
      `replay.run: ${counts.matched}/${counts.exchanges} matched, ${counts.differs} differ, ${counts.missing} missing, ${counts.extra} extra, ${report.errors} errors${report.cancelled ? ', cancelled' : ''}`,
    );
    const summary = replaySummary(report, name).replace(/^Linetap: r/, 'R');
    source.finish({ level: replayClean(report) ? 'info' : 'error', message: summary });
    showReplaySummary(run, report, ctx.diffs, () => ctx.panels.show(source));
    return report;
  } catch (e) {
    const message = (e as Error).message;
    ctx.log.error(`replay.run: ${uri.fsPath}: ${message}`);
    void vscode.window.showErrorMessage(`Linetap: cannot replay ${name}: ${message}`);
    return undefined;
  }
}

/** The target given, or the one typed (prefilled with the recorded upstream). */
async function chooseTarget(
  script: ReplayScript,
  given: string | undefined,
  name: string,
): Promise<{ target: string; origin: AddressOrigin } | undefined> {
  if (given !== undefined) {
    const problem = checkUpstream(given);
    if (problem) throw new Error(problem);
    return { target: normal(given)!, origin: 'argument' };
  }
  const recorded = script.header?.upstream;
  const typed = await vscode.window.showInputBox({
    title: `Replay ${name}: server`,
    prompt: recorded
      ? `The server to replay against, HOST:PORT (recorded against ${recorded})`
      : 'The server to replay against, HOST:PORT',
    value: recorded,
    placeHolder: 'localhost:6379',
    validateInput: checkUpstream,
    ignoreFocusOut: true,
  });
  if (typed === undefined) return undefined;
  const target = normal(typed)!;
  return { target, origin: recorded && normal(recorded) === target ? 'capture' : 'user' };
}

/** `HOST:PORT` as formatHostPort writes it, or undefined when it does not parse. */
function normal(text: string): string | undefined {
  try {
    return formatHostPort(parseHostPort(text));
  } catch {
    return undefined;
  }
}

/**
 * Replays in a cancellable notification that tells which connection and exchange it is at;
 * `watch` sees every frame and progress event too.
 */
function runWithProgress(
  script: ReplayScript,
  name: string,
  options: Pick<ReplayOptions, 'target' | 'masks' | 'timeoutMs' | 'maxFrameBytes'>,
  watch: Required<Pick<ReplayOptions, 'onFrame' | 'onProgress'>>,
): Thenable<ReplayReport> {
  const total = script.connections.reduce((n, c) => n + c.exchanges.length, 0);
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Linetap: replaying ${name} against ${String(options.target)}`,
      cancellable: true,
    },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      let where = '';
      let bad = 0;
      try {
        return await replayScript(script, {
          ...options,
          signal: abort.signal,
          onFrame: watch.onFrame,
          onProgress: (e) => {
            watch.onProgress(e);
            if (e.type === 'connection-start') {
              where = `connection ${e.index + 1} of ${e.total}`;
              progress.report({ message: where });
            } else if (e.type === 'exchange') {
              if (e.exchange.status !== 'matched') bad++;
              const sofar = bad ? ` (${bad} not matching so far)` : '';
              progress.report({
                increment: 100 / Math.max(total, 1),
                message: `${where}: ${exchangeLabel(e.exchange)} ${e.exchange.status}${sofar}`,
              });
            }
          },
        });
      } finally {
        sub.dispose();
      }
    },
  );
}

/** The arguments object, or undefined when the command was run without one. */
function toArgs(arg: unknown): ReplayArgs | undefined {
  if (arg === undefined || typeof arg === 'string' || arg instanceof vscode.Uri) return undefined;
  const a = (typeof arg === 'object' && arg !== null ? arg : {}) as Record<string, unknown>;
  const ok =
    (a.capture === undefined || typeof a.capture === 'string' || a.capture instanceof vscode.Uri) &&
    (a.target === undefined || typeof a.target === 'string') &&
    (a.masks === undefined ||
      (Array.isArray(a.masks) && a.masks.every((m) => typeof m === 'string'))) &&
    (a.timeoutMs === undefined || (typeof a.timeoutMs === 'number' && a.timeoutMs > 0));
  if (!ok) {
    throw new TypeError(
      'Replay takes { capture?: path or Uri, target?: "HOST:PORT", masks?: string[], timeoutMs?: number }',
    );
  }
  return a as ReplayArgs;
}

function captureArg(arg: unknown): CaptureRef | undefined {
  return typeof arg === 'string' || arg instanceof vscode.Uri ? arg : undefined;
}
