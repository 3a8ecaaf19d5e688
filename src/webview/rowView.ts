/**
 * One line of the frame list, and the header above it. Rows are recycled by the virtual list,
 * so a row element is created once and refilled; every cell is written with textContent.
 */
import { FrameFlag, type FrameRow, type ReplayOutcome } from '../shared/protocol';
import { clip, el, icon } from './dom';
import { visibleText } from './escapeSegments';
import { formatClock, formatCount, formatDelta, formatDuration, type TimeMode } from './format';

/** Fixed row height in px (VS Code's lists use 22); the virtual list's math depends on it. */
export const ROW_HEIGHT = 22;

const COLUMNS = ['id', 'time', 'conn', 'dir', 'size', 'latency', 'name', 'summary', 'badges'];
const TITLES: Readonly<Record<string, string>> = {
  id: 'No.',
  time: 'Time',
  conn: 'Conn',
  dir: 'Dir',
  size: 'Size',
  latency: 'Latency',
  name: 'Name',
  summary: 'Summary',
  badges: 'Flags',
};

const FLAG_BADGES: ReadonlyArray<[number, string, string]> = [
  [FrameFlag.partial, 'ellipsis', 'partial: ended without its terminator'],
  [FrameFlag.oversize, 'fold', 'oversize: cut at the size limit'],
  [FrameFlag.injected, 'zap', 'injected: pushed from the panel'],
  [FrameFlag.held, 'debug-breakpoint', 'held at a breakpoint'],
];

/** A replayed frame's outcome as a badge: its codicon and what it means. */
export const OUTCOME_BADGES: Readonly<Record<ReplayOutcome, [string, string]>> = {
  matched: ['pass', 'matches the recording'],
  differs: ['diff-modified', 'differs from the recording'],
  missing: ['diff-removed', 'missing: recorded, but the server did not send it'],
  extra: ['diff-added', 'extra: the server sent it, but it was not recorded'],
};

/** What a row needs besides its data. */
export interface RowContext {
  readonly timeMode: TimeMode;
  /** The time of the row above, for delta mode. */
  readonly prevT: number | undefined;
  readonly selected: boolean;
}

/** The column header row; `onTime` toggles the time mode. */
export function createHeader(onTime: () => void): HTMLElement {
  const header = el('div', {
    className: 'list-header',
    attrs: { role: 'row', 'aria-rowindex': '1' },
  });
  for (const col of COLUMNS) {
    const cell = el('div', {
      className: `cell ${col}`,
      text: TITLES[col],
      attrs: { role: 'columnheader' },
    });
    if (col === 'time') {
      const toggle = el('button', {
        className: 'header-button',
        attrs: { type: 'button', title: 'Time since the session started; click for deltas' },
      });
      toggle.append(icon('clock'), el('span', { className: 'label', text: 'Time' }));
      toggle.addEventListener('click', onTime);
      cell.textContent = '';
      cell.append(toggle);
    }
    header.append(cell);
  }
  return header;
}

/** Updates the time header's label and tooltip for the mode. */
export function setTimeHeader(header: HTMLElement, mode: TimeMode): void {
  const button = header.querySelector<HTMLElement>('.time .header-button');
  if (!button) return;
  const label = button.querySelector('.label');
  if (label) label.textContent = mode === 'delta' ? 'Δ Time' : 'Time';
  button.title =
    mode === 'delta'
      ? 'Time since the row above; click for time since the session started'
      : 'Time since the session started; click for the time since the row above';
}

/** An empty row element with its cells. */
export function createRow(): HTMLElement {
  const row = el('div', { className: 'row', attrs: { role: 'row' } });
  for (const col of COLUMNS)
    row.append(el('div', { className: `cell ${col}`, attrs: { role: 'gridcell' } }));
  return row;
}

const signatures = new WeakMap<HTMLElement, string>();

/** Fills a row element for list position `pos` (a placeholder while its row is loading). */
export function fillRow(
  node: HTMLElement,
  pos: number,
  row: FrameRow | undefined,
  ctx: RowContext,
) {
  node.setAttribute('aria-rowindex', String(pos + 2));
  node.setAttribute('aria-selected', String(ctx.selected));
  node.id = `row-${pos}`;
  node.classList.toggle('selected', ctx.selected);
  node.classList.toggle('loading', !row);
  const time = row ? timeText(row, ctx) : '';
  // Recycled rows are rewritten only when what they show changed: scrolling stays cheap.
  const sig = row ? `${row.id}|${time}` : `-${pos}`;
  if (signatures.get(node) === sig) return;
  signatures.set(node, sig);
  const cells = node.children as HTMLCollectionOf<HTMLElement>;
  const [id, t, conn, dir, size, latency, name, summary, badges] = Array.from(cells);
  if (!row) {
    for (const c of cells) c.textContent = '';
    summary.textContent = '…';
    node.classList.remove('c2s', 's2c', 'injected', 'missing');
    return;
  }
  id.textContent = String(row.id);
  t.textContent = time;
  conn.textContent = String(row.conn);
  dir.textContent = '';
  dir.append(icon(row.dir === 'c2s' ? 'arrow-right' : 'arrow-left'));
  dir.title = row.dir === 'c2s' ? 'client → server' : 'server → client';
  dir.setAttribute('aria-label', dir.title);
  node.classList.toggle('c2s', row.dir === 'c2s');
  node.classList.toggle('s2c', row.dir === 's2c');
  node.classList.toggle('injected', (row.flags & FrameFlag.injected) !== 0);
  // A missing frame's row stands in for bytes that never came.
  node.classList.toggle('missing', row.outcome === 'missing');
  size.textContent = formatCount(row.size);
  latency.textContent = row.latency === undefined ? '' : formatDuration(row.latency);
  latency.title = row.re === undefined ? '' : `reply to frame ${row.re}`;
  name.textContent = row.name === undefined ? '' : visibleText(clip(row.name, 200));
  const text = visibleText(clip(row.summary));
  summary.textContent = text;
  summary.title = clip(text, 500);
  fillBadges(badges, row);
}

function timeText(row: FrameRow, ctx: RowContext): string {
  if (ctx.timeMode === 'start') return formatClock(row.t);
  return ctx.prevT === undefined ? '' : formatDelta(row.t - ctx.prevT);
}

function fillBadges(cell: HTMLElement, row: FrameRow): void {
  cell.textContent = '';
  const titles: string[] = [];
  if (row.outcome) {
    const [name, title] = OUTCOME_BADGES[row.outcome];
    cell.append(icon(name, `badge outcome ${row.outcome}`));
    titles.push(title);
  }
  for (const [bit, name, title] of FLAG_BADGES) {
    if (row.flags & bit) {
      cell.append(icon(name, 'badge'));
      titles.push(title);
    }
  }
  const warnings = row.warnings ?? [];
  if (warnings.length > 0) {
    cell.append(icon('warning', 'badge warning'));
    titles.push(`warnings: ${warnings.map((w) => visibleText(clip(w, 100))).join(', ')}`);
  }
  cell.title = titles.join('\n');
  cell.setAttribute('aria-label', titles.join('; '));
}
