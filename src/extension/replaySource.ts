/**
 * A replay as a panel source: the requests it sends and the answers it receives, each answer
 * with its outcome, fed by the replay's onFrame and onProgress calls while it runs. Its
 * compared frames open their exchange in the diff editor. It outlives its panel, so a closed
 * panel can be opened again on the same results.
 */
import * as vscode from 'vscode';
import type { ReplayFrame, ReplayProgress } from '../core/replay/clientReplay';
import type { ReplayTable } from '../core/replay/replayTable';
import { ReplayTraffic } from '../core/replay/replayTraffic';
import type { SourceInfo, ViewStatus } from '../shared/protocol';
import type { TrafficFrame } from '../shared/traffic';
import type { PanelSource, ReplayActions } from './panelController';
import type { ReplayDiffProvider, ReplayRun } from './replayDiff';

/** How the replay ended, as the panel's notice says it. */
export interface ReplayOutcomeNotice {
  readonly level: 'info' | 'error';
  readonly message: string;
}

/** The traffic of one replay. */
export class ReplaySource implements PanelSource {
  readonly info: SourceInfo;
  readonly replay: ReplayActions;
  private readonly _traffic: ReplayTraffic;
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidFinish = new vscode.EventEmitter<ReplayOutcomeNotice>();
  /** The replay ended; its summary is the event. */
  readonly onDidFinish = this._onDidFinish.event;
  private _finished: ReplayOutcomeNotice | undefined;

  constructor(
    readonly run: ReplayRun,
    /** The capture replayed, so a later replay of it against the same target reuses the panel. */
    readonly capture: vscode.Uri,
    diffs: ReplayDiffProvider,
    options: { readonly framing: { c2s: string; s2c: string }; readonly frames?: number },
  ) {
    const masks = run.masks.map((m) => m.name);
    this._traffic = new ReplayTraffic({ masks, limits: { frames: options.frames } });
    this.info = {
      kind: 'replay',
      title: `Replay of ${run.capture} against ${run.target}`,
      description: `${run.capture} → ${run.target}${masks.length ? ` · masks: ${masks.join(', ')}` : ''}`,
      framing: options.framing,
      interactive: false,
    };
    this.replay = {
      openDiff: async (frame: TrafficFrame, exact: boolean) => {
        const compared = this.table.comparison(frame.id);
        if (!compared) {
          throw new Error(
            'only a frame from the server was compared with the recording: select an answer',
          );
        }
        // Beside the panel, focus kept in the list, so the user can walk from one to the next.
        await diffs.open(run, compared.exchange, !exact, {
          preserveFocus: true,
          viewColumn: vscode.ViewColumn.Beside,
        });
      },
    };
  }

  get table(): ReplayTable {
    return this._traffic.table;
  }

  /** For ReplayOptions.onFrame. */
  readonly frame = (e: ReplayFrame): void => {
    this._traffic.frame(e);
    this._onDidChange.fire();
  };

  /** For ReplayOptions.onProgress: exchanges also go to the run, so their diffs open at once. */
  readonly progress = (e: ReplayProgress): void => {
    if (e.type === 'exchange') this.run.record(e.exchange);
    this._traffic.progress(e);
    this._onDidChange.fire();
  };

  /** The summary once the replay has ended, else undefined. */
  get finished(): ReplayOutcomeNotice | undefined {
    return this._finished;
  }

  /** The replay ended: the panel shows the summary. */
  finish(notice: ReplayOutcomeNotice): void {
    this._finished = notice;
    this._onDidChange.fire();
    this._onDidFinish.fire(notice);
  }

  status(): Omit<ViewStatus, 'total' | 'matched' | 'dropped'> {
    return {
      growing: this._finished === undefined,
      connections: this._traffic.connections(),
      held: [],
      breakpoint: '',
    };
  }

  dispose(): void {
    this._onDidChange.dispose();
    this._onDidFinish.dispose();
  }
}
