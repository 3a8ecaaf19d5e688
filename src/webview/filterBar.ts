/**
 * The filter bar: the filter box (sent to the host, debounced; the host parses it and answers
 * with the error and its column, shown under the box), the c2s/s2c toggles that edit its text,
 * the search box with next/previous, and the time-mode and follow toggles.
 */
import type { Direction } from '../shared/traffic';
import { clip, el, icon, iconButton, setPressed, show, toggleButton } from './dom';
import {
  filterDifferences,
  filterDirection,
  toggleDifferences,
  toggleDirection,
} from './filterTerms';
import type { TimeMode } from './format';

/** How long typing must pause before the filter is sent (ms). */
export const FILTER_DEBOUNCE_MS = 150;

/** What the bar's controls do. */
export interface FilterBarActions {
  setFilter(text: string): void;
  search(text: string, backwards: boolean): void;
  toggleTime(): void;
  toggleFollow(): void;
  /** Escape in a box: back to the list. */
  leave(): void;
}

/** The row of controls above the list. */
export class FilterBar {
  readonly element: HTMLElement;
  readonly filterInput: HTMLInputElement;
  readonly searchInput: HTMLInputElement;
  private readonly error: HTMLElement;
  private readonly searchStatus: HTMLElement;
  private readonly dirToggles: Record<Direction, HTMLButtonElement>;
  /** Shown for a replay: lists only what did not match the recording. */
  private readonly differencesToggle: HTMLButtonElement;
  private readonly timeToggle: HTMLButtonElement;
  private readonly followToggle: HTMLButtonElement;
  private readonly followBadge: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly act: FilterBarActions) {
    this.filterInput = el('input', {
      className: 'filter-input',
      attrs: {
        type: 'text',
        spellcheck: 'false',
        placeholder: 'Filter (/ to focus): c2s name:SET, status>=400 or warning, "hello"',
        'aria-label': 'Filter',
        'aria-describedby': 'filter-error',
      },
    });
    this.error = el('div', {
      className: 'filter-error',
      attrs: { id: 'filter-error', role: 'alert' },
    });
    show(this.error, false);
    this.filterInput.addEventListener('input', () => this.schedule());
    this.filterInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.flush();
      if (e.key === 'Escape') this.act.leave();
    });
    const dirToggle = (dir: Direction, glyph: string, label: string) =>
      toggleButton(glyph, label, () => this.edit(toggleDirection(this.filterInput.value, dir)));
    this.dirToggles = {
      c2s: dirToggle('c2s', 'arrow-right', 'Only client → server (adds c2s to the filter)'),
      s2c: dirToggle('s2c', 'arrow-left', 'Only server → client (adds s2c to the filter)'),
    };
    this.dirToggles.c2s.classList.add('c2s');
    this.dirToggles.s2c.classList.add('s2c');
    this.differencesToggle = toggleButton(
      'diff',
      'Only differences: frames that differ, are missing or extra (adds replay!=matched)',
      () => this.edit(toggleDifferences(this.filterInput.value)),
    );
    this.differencesToggle.classList.add('differences');
    show(this.differencesToggle, false);

    this.searchInput = el('input', {
      className: 'search-input',
      attrs: {
        type: 'text',
        spellcheck: 'false',
        placeholder: 'Find in summaries',
        'aria-label': 'Find',
      },
    });
    this.searchStatus = el('span', {
      className: 'search-status',
      attrs: { 'aria-live': 'polite' },
    });
    this.searchInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.act.search(this.searchInput.value, e.shiftKey);
      if (e.key === 'Escape') this.act.leave();
    });
    const prev = iconButton('arrow-up', 'Previous match (Shift+Enter)', () =>
      this.act.search(this.searchInput.value, true),
    );
    const next = iconButton('arrow-down', 'Next match (Enter)', () =>
      this.act.search(this.searchInput.value, false),
    );

    this.timeToggle = toggleButton('clock', 'Show time since the row above (Δ)', () =>
      this.act.toggleTime(),
    );
    this.followBadge = el('span', { className: 'count-badge' });
    show(this.followBadge, false);
    this.followToggle = toggleButton('fold-down', 'Follow new frames', () =>
      this.act.toggleFollow(),
    );
    this.followToggle.append(this.followBadge);

    this.element = el(
      'div',
      { className: 'filter-bar' },
      el(
        'div',
        { className: 'input-box filter-box' },
        icon('filter'),
        this.filterInput,
        this.dirToggles.c2s,
        this.dirToggles.s2c,
        this.differencesToggle,
      ),
      el(
        'div',
        { className: 'input-box search-box' },
        icon('search'),
        this.searchInput,
        this.searchStatus,
      ),
      prev,
      next,
      el('span', { className: 'separator' }),
      this.timeToggle,
      this.followToggle,
    );
  }

  /** The error line, placed under the bar by the panel. */
  get errorElement(): HTMLElement {
    return this.error;
  }

  /** Sets the filter text without sending it (restore, host echo). */
  setText(text: string): void {
    if (this.filterInput.value !== text) this.filterInput.value = text;
    this.syncToggles();
  }

  /** Replaces the text and sends it at once (a toggle was clicked). */
  edit(text: string): void {
    this.filterInput.value = text;
    this.flush();
  }

  /** Shows the host's parse error: the message, and the filter with the bad column marked. */
  showError(filter: string, message: string, column: number | undefined): void {
    this.filterInput.setAttribute('aria-invalid', 'true');
    const shown = clip(filter, 500);
    const text = el('span', { className: 'filter-echo', attrs: { dir: 'ltr' } });
    if (column !== undefined && column >= 1 && column <= shown.length + 1) {
      const at = column - 1;
      text.append(
        document.createTextNode(shown.slice(0, at)),
        el('mark', { className: 'error-mark', text: shown.slice(at, at + 1) || ' ' }),
        document.createTextNode(shown.slice(at + 1)),
      );
    } else {
      text.textContent = shown;
    }
    this.error.replaceChildren(
      icon('error'),
      text,
      el('span', { className: 'message', text: clip(message, 500) }),
    );
    show(this.error, true);
  }

  clearError(): void {
    this.filterInput.removeAttribute('aria-invalid');
    show(this.error, false);
    this.error.replaceChildren();
  }

  /** Shows the differences toggle, for a replay's traffic. */
  setReplay(replay: boolean): void {
    show(this.differencesToggle, replay);
  }

  setTimeMode(mode: TimeMode): void {
    setPressed(this.timeToggle, mode === 'delta');
  }

  /** The follow toggle's state, and how many frames arrived while it was off. */
  setFollow(follow: boolean, unseen: number): void {
    setPressed(this.followToggle, follow);
    this.followToggle.title = follow
      ? 'Following new frames (click to pause)'
      : 'Follow new frames';
    show(this.followBadge, !follow && unseen > 0);
    this.followBadge.textContent = unseen > 999 ? '999+' : String(unseen);
  }

  setSearchStatus(text: string): void {
    this.searchStatus.textContent = text;
  }

  private syncToggles(): void {
    const dir = filterDirection(this.filterInput.value);
    setPressed(this.dirToggles.c2s, dir === 'c2s');
    setPressed(this.dirToggles.s2c, dir === 's2c');
    setPressed(this.differencesToggle, filterDifferences(this.filterInput.value));
  }

  private schedule(): void {
    this.syncToggles();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), FILTER_DEBOUNCE_MS);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.syncToggles();
    this.act.setFilter(this.filterInput.value);
  }
}
