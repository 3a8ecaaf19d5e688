/**
 * The detail pane's replay section, for a frame the server sent in a replay: its outcome, why
 * answers are missing, the word diff, the recorded and received bytes side by side, and the
 * buttons that open the exchange in VS Code's diff editor.
 */
import type { FrameDetail, ReplayComparison } from '../shared/protocol';
import { appendSegments, clip, el, icon, textButton } from './dom';
import { section, TEXT_STEP } from './detailSections';
import { bytesToLines, visibleText } from './escapeSegments';
import { formatBytes } from './format';
import { OUTCOME_BADGES } from './rowView';

/** Opens the diff editor on the frame at `index`: through the masks, or byte for byte. */
export type OpenDiff = (index: number, exact: boolean) => void;

const HEADLINES: Readonly<Record<ReplayComparison['outcome'], string>> = {
  matched: 'Matches the recording',
  differs: 'Differs from the recording',
  missing: 'Missing: recorded, but the server did not send it',
  extra: 'Extra: the server sent it, but it was not recorded',
};

/** The section, or undefined for a frame that was not compared (a request, a capture). */
export function replaySection(d: FrameDetail, openDiff: OpenDiff): HTMLElement | undefined {
  const c = d.replay;
  if (!c) return undefined;
  const body = el('div', { className: 'replay' });
  const head = el(
    'div',
    { className: 'replay-head' },
    icon(OUTCOME_BADGES[c.outcome][0], `outcome ${c.outcome}`),
    el('span', { className: 'strong', text: ` ${headline(c)}` }),
    el('span', { className: 'muted', text: ` · ${visibleText(clip(c.exchange, 300))}` }),
  );
  const buttons = el('div', { className: 'replay-buttons' });
  const masked = c.masks.length > 0;
  buttons.append(
    textButton(masked ? 'Open Diff (masks applied)' : 'Open Diff', () =>
      openDiff(d.row.index, false),
    ),
  );
  if (masked) buttons.append(textButton('Exact Bytes', () => openDiff(d.row.index, true), true));
  body.append(head, buttons);
  if (c.note) body.append(el('div', { className: 'note', text: visibleText(clip(c.note, 2000)) }));
  if (c.diff && c.diff.length > 0) body.append(diffLine(c));
  const received = c.outcome === 'missing' ? undefined : d.bytes;
  body.append(
    el(
      'div',
      { className: 'replay-sides' },
      side('Recorded', c.recorded, c.recordedSize, 'not recorded'),
      side('Received', received, d.row.size, 'not received'),
    ),
  );
  return section('Replay', body);
}

function headline(c: ReplayComparison): string {
  if (c.outcome === 'matched' && c.masked) return 'Matches the recording through masks';
  return HEADLINES[c.outcome];
}

/** The differences in one line: removed runs struck through, added runs marked. */
function diffLine(c: ReplayComparison): HTMLElement {
  const line = el('div', {
    className: 'replay-diff',
    attrs: { dir: 'ltr', 'aria-label': 'Differences, recorded to received' },
  });
  for (const run of (c.diff ?? []).slice(0, 200)) {
    const text = visibleText(clip(run.text, 2000));
    if (run.op === 'same') line.append(document.createTextNode(text));
    else {
      const tag = run.op === 'removed' ? 'del' : 'ins';
      const title = run.op === 'removed' ? 'only in the recording' : 'only in what was received';
      line.append(el(tag, { className: `diff-${run.op}`, text, attrs: { title } }));
    }
  }
  return line;
}

/** One side: a title and the bytes with escapes visible (the first TEXT_STEP of them). */
function side(
  title: string,
  bytes: Uint8Array | undefined,
  size: number | undefined,
  absent: string,
): HTMLElement {
  const box = el('div', { className: 'replay-side' });
  const heading = el('div', { className: 'replay-side-title', text: title });
  box.append(heading);
  const text = el('div', {
    className: 'payload-text',
    attrs: { dir: 'ltr', role: 'textbox', 'aria-readonly': 'true', 'aria-label': title },
  });
  text.tabIndex = 0;
  if (!bytes) {
    text.append(el('span', { className: 'muted', text: `(${absent})` }));
  } else {
    const { lines, consumed } = bytesToLines(bytes, TEXT_STEP);
    for (const line of lines) {
      const div = el('div', { className: 'payload-line' });
      appendSegments(div, line);
      text.append(div);
    }
    if (bytes.length === 0) text.append(el('span', { className: 'muted', text: '(no bytes)' }));
    const whole = size ?? bytes.length;
    if (consumed < whole)
      heading.textContent = `${title} (first ${formatBytes(consumed)} of ${formatBytes(whole)})`;
  }
  box.append(text);
  return box;
}
