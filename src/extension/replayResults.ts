/**
 * What a replay found, besides its panel: a summary notification, and a quick pick of every
 * exchange with its status, a keyboard path that stays open while the user opens diffs one
 * after another, and the one place that lists connections that could not run.
 */
import * as vscode from 'vscode';
import { escapeBytes } from '../core/bytes';
import { formatDiff } from '../core/replay/frameCompare';
import {
  type ExchangeReport,
  exchangeLabel,
  type FrameStatus,
  type ReplayReport,
} from '../core/replay/replayReport';
import type { ReplayDiffProvider, ReplayRun } from './replayDiff';

const ICONS: Record<FrameStatus, [string, string]> = {
  matched: ['pass', 'testing.iconPassed'],
  differs: ['diff-modified', 'testing.iconFailed'],
  missing: ['question', 'testing.iconFailed'],
  extra: ['diff-added', 'testing.iconQueued'],
};

/** The one-sentence outcome: all matched, how many differ, what could not run. */
export function replaySummary(report: ReplayReport, capture: string): string {
  const { counts } = report;
  const parts: string[] = [];
  const bad = counts.exchanges - counts.matched;
  if (report.cancelled) parts.push(`cancelled after ${counts.exchanges} exchanges`);
  if (bad > 0) {
    const kinds = (['differs', 'missing', 'extra'] as const)
      .filter((k) => counts[k] > 0)
      .map((k) => `${counts[k]} ${k === 'differs' ? 'differ' : k}`);
    parts.push(`${bad} of ${counts.exchanges} exchanges do not match (${kinds.join(', ')})`);
  } else if (!report.cancelled && counts.exchanges > 0) {
    const masked = maskedCount(report);
    parts.push(
      `all ${counts.exchanges} exchanges matched${masked ? ` (${masked} through masks)` : ''}`,
    );
  }
  if (report.errors > 0) {
    const first = report.connections.find((c) => c.status === 'error');
    parts.push(
      `${report.errors} connection${report.errors === 1 ? '' : 's'} could not run: ${first?.error ?? 'see the log'}`,
    );
  }
  const lines = report.captureErrors.length;
  if (lines > 0) parts.push(`${lines} capture line${lines === 1 ? '' : 's'} could not be read`);
  return `Linetap: replay of ${capture} against ${report.target}: ${parts.join('; ')}.`;
}

/** Whether the replay found nothing to look at: everything ran and matched. */
export function replayClean(report: ReplayReport): boolean {
  return (
    report.errors === 0 && !report.cancelled && report.counts.matched === report.counts.exchanges
  );
}

/** Shows the summary; its buttons show the panel, or the list of exchanges. */
export function showReplaySummary(
  run: ReplayRun,
  report: ReplayReport,
  diffs: ReplayDiffProvider,
  showPanel: () => void,
): void {
  const text = replaySummary(report, run.capture);
  const panel = 'Show in Panel';
  const list = 'Show Exchanges';
  const show =
    report.errors > 0
      ? vscode.window.showErrorMessage
      : replayClean(report)
        ? vscode.window.showInformationMessage
        : vscode.window.showWarningMessage;
  void show(text, panel, list).then((a) => {
    if (a === panel) showPanel();
    else if (a === list) showReplayResults(run, report, diffs);
  });
}

type Item = vscode.QuickPickItem & { readonly exchange?: ExchangeReport };

/** Lists the exchanges; choosing one opens its diff, the eye button its exact bytes. */
export function showReplayResults(
  run: ReplayRun,
  report: ReplayReport,
  diffs: ReplayDiffProvider,
): void {
  const exact: vscode.QuickInputButton = {
    iconPath: new vscode.ThemeIcon('eye'),
    tooltip: 'Compare the exact bytes (masks not applied)',
  };
  const items: Item[] = [];
  for (const c of report.connections) {
    items.push({
      label: `Connection ${c.conn} → ${c.target}: ${c.status}`,
      kind: vscode.QuickPickItemKind.Separator,
    });
    if (c.error) {
      items.push({
        label: `Connection ${c.conn} could not run`,
        iconPath: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconErrored')),
        detail: c.error,
      });
    }
    for (const x of c.exchanges) {
      const [icon, color] = ICONS[x.status];
      const masked = x.status === 'matched' && x.frames.some((f) => f.masked);
      items.push({
        label: exchangeLabel(x),
        iconPath: new vscode.ThemeIcon(icon, new vscode.ThemeColor(color)),
        description: `${x.status}${masked ? ' through masks' : ''}${x.note ? ` · ${x.note}` : ''}`,
        detail: exchangeDetail(x),
        buttons: run.masks.length > 0 ? [exact] : [],
        exchange: x,
      });
    }
  }
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = replaySummary(report, run.capture).replace(/^Linetap: /, '');
  pick.placeholder = 'Choose an exchange to compare the recorded answer with the live one';
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  pick.ignoreFocusOut = true;
  pick.items = items;
  const firstBad = items.find((i) => i.exchange && i.exchange.status !== 'matched');
  if (firstBad) pick.activeItems = [firstBad];
  const subs = [
    pick.onDidAccept(() => {
      const x = pick.selectedItems[0]?.exchange;
      if (x) void diffs.open(run, x, true, { preserveFocus: true });
    }),
    pick.onDidTriggerItemButton((e) => {
      if (e.item.exchange) void diffs.open(run, e.item.exchange, false, { preserveFocus: true });
    }),
    pick.onDidHide(() => {
      for (const s of subs) s.dispose();
      pick.dispose();
    }),
  ];
  pick.show();
}

/** The first difference in wdiff markers, else the request sent; cut to one screen line. */
function exchangeDetail(x: ExchangeReport): string | undefined {
  const short = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);
  const diff = x.frames.find((f) => f.diff)?.diff;
  if (diff) return short(formatDiff(diff));
  const missing = x.frames.find((f) => f.status === 'missing')?.expected;
  if (missing) return short(`missing: ${escapeBytes(missing.subarray(0, 400))}`);
  const extra = x.frames.find((f) => f.status === 'extra')?.actual;
  if (extra) return short(`extra: ${escapeBytes(extra.subarray(0, 400))}`);
  return x.request ? short(`→ ${escapeBytes(x.request.subarray(0, 400))}`) : undefined;
}

function maskedCount(report: ReplayReport): number {
  let n = 0;
  for (const c of report.connections)
    for (const x of c.exchanges) if (x.frames.some((f) => f.masked)) n++;
  return n;
}
