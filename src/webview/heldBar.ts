/**
 * The breakpoint: a filter whose matching frames the proxy holds, and the bar of frames held
 * now, each to release, edit or drop. Live proxies only. The breakpoint is applied on Enter,
 * not while typing: a half-typed filter would hold traffic the person did not mean to stop.
 */
import type { FrameRow } from '../shared/protocol';
import { clip, el, icon, iconButton, show, textButton } from './dom';
import { visibleText } from './escapeSegments';

/** Held frames listed at once; the rest are counted. */
const HELD_SHOWN = 50;

/** What the bar's buttons do. */
export interface HeldActions {
  setBreakpoint(filter: string): void;
  release(row: FrameRow): void;
  drop(row: FrameRow): void;
  edit(row: FrameRow): void;
}

/** The breakpoint input and the held frames. */
export class HeldBar {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly list: HTMLElement;
  private readonly heading = el('span', { className: 'held-heading' });
  private readonly heldBox: HTMLElement;
  private held: readonly FrameRow[] = [];
  private signature = '';

  constructor(private readonly act: HeldActions) {
    this.input = el('input', {
      className: 'breakpoint-input',
      attrs: {
        type: 'text',
        spellcheck: 'false',
        placeholder: 'Breakpoint: hold frames that match a filter (Enter to set)',
        'aria-label': 'Breakpoint filter',
      },
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.act.setBreakpoint(this.input.value.trim());
    });
    const clear = iconButton('close', 'Clear the breakpoint (releases held frames)', () => {
      this.input.value = '';
      this.act.setBreakpoint('');
    });
    this.list = el('ul', { className: 'held-list', attrs: { 'aria-label': 'Held frames' } });
    const releaseAll = textButton(
      'Release All',
      () => this.held.forEach((r) => this.act.release(r)),
      true,
    );
    this.heldBox = el(
      'div',
      { className: 'held' },
      el('div', { className: 'held-header' }, icon('debug-pause'), this.heading, releaseAll),
      this.list,
    );
    show(this.heldBox, false);
    this.element = el(
      'div',
      { className: 'breakpoint-bar' },
      el(
        'div',
        { className: 'input-box' },
        icon('debug-breakpoint', 'breakpoint-icon'),
        this.input,
        clear,
      ),
      this.heldBox,
    );
  }

  /** Shows the breakpoint in force (unless the person is editing it) and the held frames. */
  update(breakpoint: string, held: readonly FrameRow[]): void {
    if (document.activeElement !== this.input) this.input.value = breakpoint;
    this.element.classList.toggle('active', breakpoint !== '');
    this.held = held;
    // Statuses arrive every batch; rebuild only when the held frames changed.
    const sig = held.map((r) => r.id).join(',');
    if (sig === this.signature) return;
    this.signature = sig;
    show(this.heldBox, held.length > 0);
    this.heading.textContent = `${held.length} frame${held.length === 1 ? '' : 's'} held at the breakpoint`;
    const items = held.slice(0, HELD_SHOWN).map((row) => this.item(row));
    if (held.length > HELD_SHOWN) {
      items.push(el('li', { className: 'muted', text: `and ${held.length - HELD_SHOWN} more` }));
    }
    this.list.replaceChildren(...items);
  }

  private item(row: FrameRow): HTMLElement {
    return el(
      'li',
      { className: `held-item ${row.dir}` },
      icon(row.dir === 'c2s' ? 'arrow-right' : 'arrow-left', row.dir),
      el('span', { className: 'held-id', text: `#${row.id} conn ${row.conn}` }),
      el('span', {
        className: 'held-summary',
        text: visibleText(clip(row.summary)),
        attrs: { dir: 'ltr' },
      }),
      iconButton('debug-continue', `Release frame ${row.id}`, () => this.act.release(row)),
      iconButton('edit', `Edit frame ${row.id} and release it…`, () => this.act.edit(row)),
      iconButton('trash', `Drop frame ${row.id}`, () => this.act.drop(row)),
    );
  }
}
