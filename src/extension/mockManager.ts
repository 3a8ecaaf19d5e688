/**
 * The server mocks running in this window: each plays the recorded server side of a capture.
 * They are listed in a status bar item (shown while any runs), logged, and all stopped when the
 * extension is disposed.
 */
import * as vscode from 'vscode';
import { escapeBytes } from '../core/bytes';
import { formatHostPort } from '../core/proxy/address';
import type { ReplayScript } from '../core/replay/replayScript';
import { type MockOptions, ServerMock } from '../core/replay/serverMock';
import { Commands, ContextKeys } from './constants';

/** A running mock as the commands show it. */
export interface RunningMock {
  readonly id: string;
  /** The capture's file name. */
  readonly label: string;
  readonly capture: vscode.Uri;
  /** The address it listens on, with the real port. */
  readonly listen: string;
  /** The unmatched policy, as written (`close`, `reply:…`, `upstream:…`). */
  readonly unmatched: string;
  clients: number;
  answered: number;
  unanswered: number;
}

const REDRAW_MS = 500;

/** Starts, lists and stops mocks. */
export class MockManager implements vscode.Disposable {
  private readonly _mocks = new Map<string, { info: RunningMock; mock: ServerMock }>();
  private readonly _item = vscode.window.createStatusBarItem(
    'linetap.mocks',
    vscode.StatusBarAlignment.Left,
    9,
  );
  private _nextId = 1;
  private _timer: NodeJS.Timeout | undefined;

  constructor(private readonly _log: vscode.LogOutputChannel) {
    this._item.name = 'Linetap Mocks';
    this._item.command = Commands.stopMock;
  }

  /** Starts a mock of `script`; rejects with a message that says what to change. */
  async start(
    capture: vscode.Uri,
    label: string,
    script: ReplayScript,
    options: MockOptions & { readonly unmatched: string },
  ): Promise<RunningMock> {
    const mock = await ServerMock.start(script, options);
    const info: RunningMock = {
      id: `mock-${this._nextId++}`,
      label,
      capture,
      listen: formatHostPort(mock.listen),
      unmatched: options.unmatched,
      clients: 0,
      answered: 0,
      unanswered: 0,
    };
    const tag = `mock.conn: ${label} on ${info.listen}`;
    mock.onDidOpen((e) => {
      info.clients++;
      this._log.info(
        `${tag}: client ${e.client} from ${e.peer} plays recorded connection ${e.recorded}`,
      );
      this._schedule();
    });
    mock.onDidExchange((x) => {
      if (x.outcome === 'matched') info.answered++;
      else {
        info.unanswered++;
        const what = x.summary ?? escapeBytes(x.request).slice(0, 120);
        const near = x.nearest
          ? `; nearest recorded: connection ${x.nearest.conn} #${x.nearest.index}, which differs in ${x.nearest.diff.slice(0, 200)} (a mask can hide it)`
          : '';
        this._log.warn(
          `${tag}: client ${x.client}: no recorded answer to ${what}: ${x.outcome}${near}`,
        );
      }
      this._schedule();
    });
    mock.onDidClose((e) => this._log.info(`${tag}: client ${e.client} closed: ${e.reason}`));
    mock.onDidError((e) => this._log.warn(`${tag}: ${e.message}`));
    this._mocks.set(info.id, { info, mock });
    this._log.info(`${tag}: started from ${capture.fsPath}; unmatched requests: ${info.unmatched}`);
    this._redraw();
    return info;
  }

  /** Mocks running now, oldest first. */
  list(): RunningMock[] {
    return [...this._mocks.values()].map((m) => m.info);
  }

  /** A mock by id or by listen address. */
  find(idOrListen: string): RunningMock | undefined {
    return this.list().find((m) => m.id === idOrListen || m.listen === idOrListen);
  }

  /** Stops a mock and closes its clients. */
  async stop(id: string): Promise<void> {
    const entry = this._mocks.get(id);
    if (!entry) return;
    this._mocks.delete(id);
    this._redraw();
    await entry.mock.stop();
    this._log.info(`mock.conn: ${entry.info.label} on ${entry.info.listen}: stopped`);
  }

  private _schedule(): void {
    this._timer ??= setTimeout(() => {
      this._timer = undefined;
      this._redraw();
    }, REDRAW_MS);
  }

  private _redraw(): void {
    const mocks = this.list();
    void vscode.commands.executeCommand('setContext', ContextKeys.mocking, mocks.length > 0);
    if (mocks.length === 0) {
      this._item.hide();
      return;
    }
    const what = mocks.length === 1 ? `mock ${mocks[0].listen}` : `${mocks.length} mocks`;
    this._item.text = `$(server-process) ${what}`;
    // File names and policies are text, not markdown.
    const tooltip = new vscode.MarkdownString('Linetap mocks\n\n');
    for (const m of mocks) {
      const clients = `${m.clients} client${m.clients === 1 ? '' : 's'}`;
      tooltip.appendText(`${m.label} on ${m.listen}: ${clients}, ${m.answered} answered, `);
      tooltip.appendText(`${m.unanswered} without a recorded answer (${m.unmatched})`);
      tooltip.appendMarkdown('\n\n');
    }
    tooltip.appendMarkdown('Click to stop one.');
    this._item.tooltip = tooltip;
    this._item.show();
  }

  dispose(): void {
    clearTimeout(this._timer);
    for (const { mock } of this._mocks.values()) void mock.stop();
    this._mocks.clear();
    this._item.dispose();
  }
}
