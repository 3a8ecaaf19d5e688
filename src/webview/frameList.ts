/**
 * The virtual frame list. Only the rows in view plus OVERSCAN exist in the DOM, recycled as
 * the list scrolls; rows come from the host through the RowCache, a window at a time. The list
 * keeps its own fractional `first` row as the truth and derives scrollTop from it (see
 * virtualRange.ts), which keeps wheel steps whole rows past the browser's height cap.
 *
 * Follow-tail: while `follow` is on, each new length scrolls to the end. Scrolling up (wheel,
 * keys, scrollbar, a click on an older row) pauses it; the bottom or the toggle resumes it.
 *
 * Rendering: every change (a status, rows landing, a key) only updates the model and asks for
 * an animation frame; the frame writes the DOM once, whatever happened since the last one. The
 * DOM is never read while drawing: the viewport's height comes from the ResizeObserver (called
 * after layout) and scrollTop from the scroll event or from what the list wrote itself, so a
 * frame costs the browser no forced layout (writing scrollTop, last, is the one exception).
 */
import { MAX_ROWS, type FrameRow } from '../shared/protocol';
import { el } from './dom';
import type { TimeMode } from './format';
import type { RowsAnswer } from './hostLink';
import { listKeyAction } from './listKeys';
import { RowCache } from './rowCache';
import { RowPool } from './rowPool';
import { ROW_HEIGHT, fillRow } from './rowView';
import * as vr from './virtualRange';

/** Extra rows rendered above and below the viewport, so fast scrolling shows no gaps. */
const OVERSCAN = 8;

/** What the list needs from the panel. */
export interface ListHost {
  fetchRows(pos: number, count: number): Promise<RowsAnswer>;
  /** The selection moved to `pos`; `row` once it is loaded. */
  onSelect(pos: number, row: FrameRow | undefined): void;
  onOpen(): void;
  onEscape(): void;
  onFollowChange(follow: boolean): void;
  /** The viewport moved (for view state). */
  onScroll(first: number): void;
}

/** A scrolling, virtualized, keyboard-navigable grid of frames. */
export class FrameList {
  readonly viewport: HTMLElement;
  readonly cache = new RowCache();
  private readonly spacer: HTMLElement;
  private readonly rows: RowPool;
  private _count = 0;
  private first = 0;
  private _follow = true;
  private timeMode: TimeMode = 'start';
  private expectedScrollTop = -1;
  /** The viewport's scrollTop as last read (scroll event) or written; never read to draw. */
  private scrollTop = 0;
  private viewportHeight = 0;
  private spacerHeight = '';
  /** The animation frame that will draw, when one is asked for. */
  private frame: number | undefined;
  private activeDescendant: string | undefined;
  /** The selected position, and the frame id there once known (the id is what sticks). */
  private selection: { pos: number; id?: number; announced: boolean } | undefined;
  private anchor: { id: number; offset: number; back: number } | undefined;

  /** `header` is the column header row; it sticks to the top inside the scrolling grid. */
  constructor(
    private readonly host: ListHost,
    header: HTMLElement,
  ) {
    this.spacer = el('div', { className: 'list-spacer' });
    this.rows = new RowPool(this.spacer);
    this.viewport = el('div', {
      className: 'list-viewport',
      attrs: { role: 'grid', tabindex: '0', 'aria-label': 'Frames', 'aria-rowcount': '1' },
    });
    // The header lives inside the grid (one ARIA grid, one scrollbar gutter for both).
    this.viewport.append(header, this.spacer);
    this.viewport.addEventListener('scroll', () => this.onScroll());
    this.viewport.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    this.spacer.addEventListener('mousedown', (e) => this.onClick(e));
    this.spacer.addEventListener('dblclick', () => this.host.onOpen());
    new ResizeObserver(() => {
      // Called after layout: these reads cost nothing, and drawing now avoids a frame of lag.
      this.viewportHeight = Math.max(0, this.viewport.clientHeight - header.offsetHeight);
      this.scrollTop = this.viewport.scrollTop;
      // The detail pane opening under a just-selected row must not hide that row.
      const s = this.selection;
      if (s && !this._follow) this.first = vr.revealFirst(this.geometry(), this.first, s.pos);
      this.draw();
    }).observe(this.viewport);
  }

  get follow(): boolean {
    return this._follow;
  }

  /** The selected position and row (the row may still be loading). */
  get selected(): { pos: number; row: FrameRow | undefined } | undefined {
    const s = this.selection;
    return s && { pos: s.pos, row: this.cache.shown(s.pos) };
  }

  /**
   * The list's length changed (status.matched). `base`, for an unfiltered list, is the source
   * index of its first row (status.dropped), which places rows by index (see RowCache).
   */
  setCount(count: number, base?: number): void {
    this.cache.setBase(base);
    if (count !== this._count) {
      this.cache.truncate(count);
      this.viewport.setAttribute('aria-rowcount', String(count + 1));
    }
    this._count = count;
    // A selection past the end (after a clear) would highlight placeholder rows.
    if (this.selection && this.selection.pos >= count) this.selection = undefined;
    this.sync();
  }

  /**
   * Positions changed meaning. `shift`: an unfiltered list lost its first rows, so what is
   * cached moves up exactly. `dropped`: a filtered list lost some of its first rows (at most
   * that many); the old rows stay drawn until fresh ones land, and the top row is found again
   * by its id. Neither (a new filter, a clear): everything is fetched again.
   */
  invalidate(change: { shift?: number; dropped?: number } = {}): void {
    const { shift = 0, dropped = 0 } = change;
    if (shift > 0) {
      this.cache.shift(shift);
      this.first = Math.max(0, this.first - shift);
      if (this.selection) this.selection.pos = Math.max(0, this.selection.pos - shift);
    } else {
      const top = this.cache.shown(Math.floor(this.first));
      this.anchor =
        dropped > 0 && top && !this._follow
          ? { id: top.id, offset: this.first % 1, back: dropped }
          : undefined;
      this.cache.invalidate(dropped > 0);
    }
    this.sync();
  }

  /** Turns follow-tail on (jumping to the end) or off. */
  setFollow(follow: boolean): void {
    if (follow === this._follow) return;
    this._follow = follow;
    this.host.onFollowChange(follow);
    this.sync();
  }

  setTimeMode(mode: TimeMode): void {
    this.timeMode = mode;
    this.sync();
  }

  /** Scrolls so that row `first` is at the top (restoring view state). */
  scrollToRow(first: number): void {
    this.first = first;
    this.sync();
  }

  /**
   * Selects position `pos`; `reveal` scrolls it into view. `id`, when known (a frame found by
   * id), is what the selection sticks to; the host hears of the row once it is loaded.
   */
  select(pos: number, reveal = true, id?: number): void {
    if (this._count === 0) return;
    const p = Math.min(Math.max(0, pos), this._count - 1);
    const fresh = this.cache.get(p);
    const row = fresh && (id === undefined || fresh.id === id) ? fresh : undefined;
    this.selection = { pos: p, id: id ?? row?.id, announced: row !== undefined };
    if (reveal) {
      if (p < this._count - 1) this.setFollow(false);
      this.first = vr.revealFirst(this.geometry(), this.first, p);
    }
    this.sync();
    this.host.onSelect(p, row);
  }

  /** Forgets the selection. */
  clearSelection(): void {
    this.selection = undefined;
    this.sync();
  }

  private geometry(): vr.ScrollGeometry {
    return { rowHeight: ROW_HEIGHT, count: this._count, viewportHeight: this.viewportHeight };
  }

  /** Draws at the next animation frame (once, however many changes come before it). */
  private sync(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.draw();
    });
  }

  /**
   * Applies `first` (or the end, when following), renders the rows, then the spacer and
   * scrollTop: all writes, no reads. scrollTop goes last, as setting it lays the page out.
   */
  private draw(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    const g = this.geometry();
    this.first = this._follow ? this.tailFirst(g) : vr.clampFirst(g, this.first);
    const top = vr.scrollTopFromFirst(g, this.first);
    const moved = Math.abs(this.scrollTop - top) >= 1;
    // Following short of the end (its rows are on their way): only the end's rows are wanted.
    const interim = this._follow && this.first < vr.maxFirst(g);
    this.render(g, moved ? top : this.scrollTop, !interim);
    const height = `${vr.contentHeight(g)}px`;
    if (height !== this.spacerHeight) {
      this.spacerHeight = height;
      this.spacer.style.height = height;
    }
    if (moved) {
      this.viewport.scrollTop = top;
      this.scrollTop = top;
      this.expectedScrollTop = top;
    }
  }

  /**
   * Where follow-tail puts the view: the end of the list once its rows are loaded. Until then
   * the view stays put (and the rows are asked for), so new frames scroll in whole instead of
   * showing empty placeholder rows at the bottom for a round trip on every batch.
   */
  private tailFirst(g: vr.ScrollGeometry): number {
    const target = vr.maxFirst(g);
    const { start, end } = vr.visibleRange(g, target, 0);
    let missing = -1;
    for (let pos = end - 1; pos >= start && missing < 0; pos--)
      if (!this.cache.get(pos)) missing = pos;
    if (missing < 0) return target;
    this.request(start, end);
    const now = Math.min(vr.clampFirst(g, this.first), target);
    // Meanwhile the newest screenful that is loaded, if it is newer than the one shown: under
    // a flood the rows just before the end often are (see RowCache).
    const rows = end - start;
    const floor = Math.max(Math.floor(now), missing - MAX_ROWS);
    let last = missing; // rows [pos + 1, last) are loaded
    for (let pos = missing - 1; pos >= floor; pos--) {
      if (!this.cache.get(pos)) last = pos;
      else if (last - pos >= rows) return Math.max(now, last - g.viewportHeight / g.rowHeight);
    }
    return now;
  }

  private onScroll(): void {
    const st = this.viewport.scrollTop;
    this.scrollTop = st;
    if (Math.abs(st - this.expectedScrollTop) < 1) {
      // The list's own scroll; above the height cap rows are placed from scrollTop.
      if (vr.scrollScale(this.geometry()) !== 1) this.sync();
      return;
    }
    // The person moved the scrollbar: follow pauses above the end and resumes at it.
    this.expectedScrollTop = -1;
    const g = this.geometry();
    this.first = vr.firstFromScrollTop(g, st);
    if (vr.atBottom(g, this.first) !== this._follow) this.setFollow(!this._follow);
    this.sync();
    this.host.onScroll(this.first);
  }

  private onWheel(e: WheelEvent): void {
    const g = this.geometry();
    const px = vr.wheelPixels(e.deltaY, e.deltaMode, g);
    if (px < 0 && this._follow && vr.maxFirst(g) > 0) this.setFollow(false);
    // Below the height cap the browser scrolls natively (and smoothly); above it, one wheel
    // step must still move the same number of rows, so the list scrolls itself.
    if (vr.scrollScale(g) === 1 || px === 0) return;
    e.preventDefault();
    this.first = vr.clampFirst(g, this.first + px / ROW_HEIGHT);
    if (vr.atBottom(g, this.first)) this.setFollow(true);
    this.sync();
    this.host.onScroll(this.first);
  }

  private onKey(e: KeyboardEvent): void {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const page = Math.max(1, Math.floor(this.viewportHeight / ROW_HEIGHT) - 1);
    const at = this.selection?.pos ?? Math.floor(this.first) - 1;
    const action = listKeyAction(e.key, at, page, this._count);
    if (!action) return;
    e.preventDefault();
    if (action.kind === 'open') return this.host.onOpen();
    if (action.kind === 'escape') return this.host.onEscape();
    this.select(action.pos);
    if (action.follow) this.setFollow(true);
  }

  private onClick(e: MouseEvent): void {
    const node = (e.target as HTMLElement).closest<HTMLElement>('.row');
    const pos = node ? Number(node.dataset.pos) : NaN;
    if (Number.isInteger(pos)) this.select(pos, true);
  }

  /** Delivers rows the host sent, re-finding the anchor row and the selection by id. */
  private received(): void {
    // The first answer after a drop covers where the anchor row can be; if it is not there,
    // it was dropped itself and the view stays where it is.
    const anchor = this.anchor;
    this.anchor = undefined;
    const p = anchor && this.cache.findId(anchor.id);
    if (anchor && p !== undefined) this.first = p + anchor.offset;
    const s = this.selection;
    if (s && s.id !== undefined && this.cache.get(s.pos)?.id !== s.id) {
      const found = this.cache.findId(s.id);
      if (found !== undefined) s.pos = found;
    }
    const row = s && this.cache.get(s.pos);
    if (s && row && !s.announced && (s.id === undefined || row.id === s.id)) {
      s.id = row.id;
      s.announced = true;
      this.host.onSelect(s.pos, row);
    }
    this.sync();
  }

  private request(start: number, end: number): void {
    const req = this.cache.plan(start, end);
    if (!req) return;
    this.host.fetchRows(req.start, req.count).then(
      (answer) => {
        if (this.cache.receive(req, answer.pos, answer.rows) !== 'stale') this.received();
      },
      () => this.cache.abandon(req),
    );
  }

  /** Fills the rows in view for `first` at `scrollTop`; `fetch` asks for the missing ones. */
  private render(g: vr.ScrollGeometry, scrollTop: number, fetch: boolean): void {
    const { start, end } = vr.visibleRange(g, this.first, OVERSCAN);
    // While re-anchoring, also fetch the rows above: the anchor row moved up by at most the
    // number of dropped frames. Otherwise one row above, for the delta time of the first.
    const back = this.anchor ? Math.min(this.anchor.back, MAX_ROWS - (end - start)) : 1;
    if (fetch) this.request(Math.max(0, start - back), end);
    this.cache.evict(Math.floor(this.first));
    this.rows.keep(start, end);
    const selectedId = this.selection?.id;
    for (let pos = start; pos < end; pos++) {
      const node = this.rows.at(pos);
      const transform = `translateY(${vr.rowOffset(g, this.first, scrollTop, pos)}px)`;
      if (node.style.transform !== transform) node.style.transform = transform;
      const row = this.cache.shown(pos);
      const selected = row ? row.id === selectedId : this.selection?.pos === pos;
      const prevT = pos > 0 ? this.cache.shown(pos - 1)?.t : undefined;
      fillRow(node, pos, row, { timeMode: this.timeMode, prevT, selected });
    }
    const s = this.selection;
    const active = s && this.rows.has(s.pos) ? `row-${s.pos}` : undefined;
    if (active !== this.activeDescendant) {
      this.activeDescendant = active;
      if (active) this.viewport.setAttribute('aria-activedescendant', active);
      else this.viewport.removeAttribute('aria-activedescendant');
    }
  }
}
