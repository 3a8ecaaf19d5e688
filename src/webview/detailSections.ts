/**
 * The parts of the detail pane, each built from one FrameDetail: the payload as text with
 * visible escapes, the hex dump, protocol fields, warnings, timing and the paired frame. Big
 * payloads are shown a slice at a time (a "Show more" button), because a megabyte of spans
 * would freeze the page.
 */
import type { FrameDetail, FrameRow } from '../shared/protocol';
import { appendSegments, clip, el, icon, textButton } from './dom';
import { bytesToLines, textSegments, visibleText } from './escapeSegments';
import { formatBytes, formatClock, formatDuration } from './format';
import { hexDumpLines } from './hexDump';

/** Bytes shown as text at first, and added per "Show more". */
export const TEXT_STEP = 64 * 1024;
/** Bytes shown in the hex dump at first, and added per "Show more". */
export const HEX_STEP = 4 * 1024;

/** A titled section (a native disclosure, so it is keyboard- and screen-reader-friendly). */
export function section(title: string, body: HTMLElement, open = true): HTMLElement {
  const details = el('details', { className: 'section' });
  details.open = open;
  details.append(el('summary', { text: title }), body);
  return details;
}

/** Appends `render(limit)` now and a button that re-renders with `step` more bytes. */
function stepped(
  total: number,
  step: number,
  render: (limit: number) => { node: HTMLElement; shown: number },
): HTMLElement {
  const box = el('div');
  const draw = (limit: number) => {
    const { node, shown } = render(limit);
    box.replaceChildren(node);
    if (shown < total) {
      const more = textButton(`Show more (${formatBytes(total - shown)} not shown)`, () =>
        draw(limit + step),
      );
      more.classList.add('show-more');
      box.append(more);
    }
  };
  draw(step);
  return box;
}

/** The payload as text: escapes as styled spans, one line per `\n`, invalid UTF-8 as \xHH. */
export function textSection(d: FrameDetail): HTMLElement {
  const body = stepped(d.bytes.length, TEXT_STEP, (limit) => {
    const { lines, consumed } = bytesToLines(d.bytes, limit);
    const pre = el('div', {
      className: 'payload-text',
      attrs: { dir: 'ltr', role: 'textbox', 'aria-readonly': 'true', 'aria-multiline': 'true' },
    });
    pre.tabIndex = 0;
    for (const line of lines) {
      const div = el('div', { className: 'payload-line' });
      appendSegments(div, line);
      pre.append(div);
    }
    if (d.bytes.length === 0) pre.append(el('span', { className: 'muted', text: '(no bytes)' }));
    return { node: pre, shown: consumed };
  });
  if (d.truncated) {
    body.prepend(
      el('div', {
        className: 'note',
        text: `Only the first ${formatBytes(d.bytes.length)} of ${formatBytes(d.row.size)} were sent to the panel.`,
      }),
    );
  }
  return section('Text', body);
}

/** Offsets, sixteen bytes in hex, and ASCII. */
export function hexSection(d: FrameDetail): HTMLElement {
  const body = stepped(d.bytes.length, HEX_STEP, (limit) => {
    const dump = el('div', { className: 'hex-dump', attrs: { dir: 'ltr' } });
    for (const line of hexDumpLines(d.bytes, 0, limit)) {
      dump.append(
        el(
          'div',
          { className: 'hex-line' },
          el('span', { className: 'hex-offset', text: line.offset }),
          el('span', { className: 'hex-bytes', text: line.hex }),
          el('span', { className: 'hex-ascii', text: line.ascii }),
        ),
      );
    }
    return { node: dump, shown: Math.min(limit, d.bytes.length) };
  });
  return section('Hex', body, looksBinary(d.bytes));
}

/** Control bytes other than tab and line endings: the hex dump says more than the text. */
function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, HEX_STEP);
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if ((b < 0x20 && b !== 9 && b !== 10 && b !== 13) || b === 0x7f) return true;
  }
  return false;
}

/** A two-column table of names and values; values get visible escapes. */
function table(rows: ReadonlyArray<readonly [string, string | HTMLElement]>): HTMLElement {
  const t = el('table', { className: 'fields' });
  const tbody = el('tbody');
  for (const [name, value] of rows) {
    const td = el('td');
    if (typeof value === 'string') appendSegments(td, textSegments(clip(value, 10_000)));
    else td.append(value);
    tbody.append(
      el('tr', {}, el('th', { text: visibleText(clip(name, 200)), attrs: { scope: 'row' } }), td),
    );
  }
  t.append(tbody);
  return t;
}

/** What the protocol framer said: role, name, arguments, fields. Undefined without one. */
export function protocolSection(d: FrameDetail): HTMLElement | undefined {
  const a = d.ann;
  if (!a) return undefined;
  const rows: Array<[string, string | HTMLElement]> = [];
  if (a.kind) rows.push(['kind', a.kind]);
  if (a.name !== undefined) rows.push(['name', a.name]);
  if (a.summary !== undefined) rows.push(['summary', a.summary]);
  if (a.args && a.args.length > 0) {
    const list = el('ol', { className: 'args' });
    for (const arg of a.args.slice(0, 1000)) {
      const li = el('li');
      appendSegments(li, textSegments(clip(arg, 10_000)));
      list.append(li);
    }
    rows.push([`args (${a.args.length})`, list]);
  }
  for (const [k, v] of Object.entries(a.fields ?? {})) rows.push([k, String(v)]);
  if (a.re !== undefined) rows.push(['answers seq', String(a.re)]);
  return rows.length > 0 ? section('Protocol', table(rows)) : undefined;
}

/** The frame's warnings, worded by the framer. Undefined when there are none. */
export function warningsSection(d: FrameDetail): HTMLElement | undefined {
  const worded = d.ann?.warnings ?? [];
  const codes = (d.row.warnings ?? []).filter((c) => !worded.some((w) => w.code === c));
  if (worded.length + codes.length === 0) return undefined;
  const list = el('ul', { className: 'warnings' });
  for (const w of [...worded, ...codes.map((code) => ({ code, message: '' }))]) {
    const li = el('li', {}, icon('warning', 'warning'));
    li.append(el('span', { className: 'code', text: visibleText(clip(w.code, 100)) }));
    if (w.message) li.append(document.createTextNode(' ' + visibleText(clip(w.message, 2000))));
    list.append(li);
  }
  return section('Warnings', list);
}

/** When the frame was seen, and how long its reply took (or answered after). */
export function timingSection(d: FrameDetail): HTMLElement {
  const rows: Array<[string, string]> = [
    ['time', `${formatClock(d.row.t)} s since the session started`],
  ];
  if (d.row.latency !== undefined) rows.push(['latency', formatDuration(d.row.latency)]);
  if (d.row.re !== undefined) rows.push(['reply to', `frame ${d.row.re}`]);
  return section('Timing', table(rows));
}

/** The request this reply answers, or the reply to this request, as a link to select it. */
export function pairSection(
  d: FrameDetail,
  onPair: (pair: FrameRow) => void,
): HTMLElement | undefined {
  const pair = d.pair;
  if (!pair) return undefined;
  const label = pair.id < d.row.id ? 'Request' : 'Reply';
  const link = el('button', {
    className: 'link-button',
    attrs: { type: 'button', title: `Select frame ${pair.id}` },
  });
  link.append(
    icon(pair.dir === 'c2s' ? 'arrow-right' : 'arrow-left', pair.dir),
    el('span', { text: ` #${pair.id} ` }),
    el('span', { className: 'pair-summary', text: visibleText(clip(pair.summary, 300)) }),
  );
  link.addEventListener('click', () => onPair(pair));
  const body = el('div', { className: 'pair' }, link);
  if (pair.latency !== undefined) {
    body.append(el('span', { className: 'muted', text: ` after ${formatDuration(pair.latency)}` }));
  }
  return section(label, body);
}
