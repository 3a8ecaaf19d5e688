/**
 * The traffic panel / capture viewer page: checks every message from the host, dispatches it
 * with an exhaustive switch, and keeps the views in step (house style rules 4, 6, 8). The host
 * owns the frames; the panel owns the view state.
 */
import { assertNever, isHostToWebview } from '../shared/guards';
import type { HostToWebview, SourceInfo, ViewStatus } from '../shared/protocol';
import { el, show } from './dom';
import { filterConnections, toggleConnection } from './filterTerms';
import { FilterBar } from './filterBar';
import { FrameList } from './frameList';
import { HeldBar } from './heldBar';
import { HostLink } from './hostLink';
import { ConnectionsView } from './connectionsView';
import { checkedSource, checkedStatus } from './messageChecks';
import { PanelActions } from './panelActions';
import { createHeader, setTimeHeader } from './rowView';
import { NoticeBanner, StatusLine, Toolbar } from './toolbar';
import { getViewState, patchViewState, postToHost, type WebviewState } from './vscodeApi';

/** The whole page. */
export class TrafficPanel {
  readonly link = new HostLink();
  readonly list: FrameList;
  readonly filterBar: FilterBar;
  readonly actions: PanelActions;
  private readonly toolbar: Toolbar;
  private readonly notice = new NoticeBanner();
  private readonly heldBar: HeldBar;
  private readonly connections: ConnectionsView;
  private readonly statusLine = new StatusLine();
  private readonly header: HTMLElement;
  source: SourceInfo | undefined;
  status: ViewStatus | undefined;
  /** The filter the host last applied (positions in the list are positions under it). */
  private applied = '';
  private unseen = 0;
  private restore: WebviewState | undefined;
  /** A remembered filter was sent at init and its answer is awaited before restoring. */
  private awaitingFilter = false;
  /**
   * A new filter was applied: the selected frame is looked for in the new list once the status
   * that follows says how long it is (before that, positions and the count are the old ones).
   */
  private relocate = false;
  private restoreTimer: ReturnType<typeof setTimeout> | undefined;
  private scrollSave: ReturnType<typeof setTimeout> | undefined;

  constructor(root: HTMLElement) {
    const state = getViewState();
    this.actions = new PanelActions(this, state);
    const a = this.actions;
    this.toolbar = new Toolbar((command) => postToHost({ type: 'command', command }));
    this.header = createHeader(() => a.setTimeMode(a.timeMode === 'start' ? 'delta' : 'start'));
    this.list = new FrameList(
      {
        fetchRows: (pos, count) => this.link.fetchRows(pos, count),
        onSelect: (pos, row) => a.selected(pos, row),
        onOpen: () => a.openDetail(),
        onEscape: () => a.closeDetail(),
        onFollowChange: (follow) => this.followChanged(follow),
        onScroll: (first) => this.saveScroll(first),
      },
      this.header,
    );
    this.filterBar = new FilterBar({
      setFilter: (text) => this.sendFilter(text),
      search: (text, backwards) => void a.search(text, backwards),
      toggleTime: () => a.setTimeMode(a.timeMode === 'start' ? 'delta' : 'start'),
      toggleFollow: () => this.list.setFollow(!this.list.follow),
      leave: () => this.list.viewport.focus(),
    });
    this.heldBar = new HeldBar({
      setBreakpoint: (filter) => postToHost({ type: 'setBreakpoint', filter }),
      release: (row) => postToHost({ type: 'settleHeld', id: row.id, action: 'release' }),
      drop: (row) => postToHost({ type: 'settleHeld', id: row.id, action: 'drop' }),
      edit: (row) => void a.editHeld(row),
    });
    this.connections = new ConnectionsView({
      toggleFilter: (conn) =>
        this.filterBar.edit(toggleConnection(this.filterBar.filterInput.value, conn)),
      push: (conn) => a.pushTo(conn),
      close: (conn) => postToHost({ type: 'closeConnection', conn }),
    });
    const grid = el('div', { className: 'list' }, this.list.viewport);
    show(this.heldBar.element, false);
    root.replaceChildren(
      this.toolbar.element,
      this.notice.element,
      this.filterBar.element,
      this.filterBar.errorElement,
      this.heldBar.element,
      this.connections.element,
      grid,
      a.pane.sash,
      a.pane.element,
      this.statusLine.element,
    );
    a.pane.update();
    this.list.setFollow(state.follow ?? true);
    this.followChanged(this.list.follow);
    a.setTimeMode(state.timeMode ?? 'start');
    this.filterBar.searchInput.value = state.search ?? '';
    document.addEventListener('keydown', (e) => this.globalKey(e));
  }

  /** Entry point for every message from the host. */
  handle(message: unknown): void {
    if (!isHostToWebview(message)) {
      console.warn('linetap: dropped a malformed message from the host');
      return;
    }
    const m: HostToWebview = message;
    switch (m.type) {
      case 'init':
        return this.onInit(checkedSource(m.source), m.filter);
      case 'status':
        return this.onStatus(m.status);
      case 'rows':
        return this.link.onRows(m);
      case 'detail':
        return this.link.onDetail(m);
      case 'filter':
        return this.onFilter(m.filter, m.error);
      case 'notice':
        return this.notice.showNotice(m.level, m.message);
      default:
        assertNever(m);
    }
  }

  /** Time-mode header label (called by the actions). */
  setTimeHeader(mode: 'start' | 'delta'): void {
    setTimeHeader(this.header, mode);
    this.filterBar.setTimeMode(mode);
  }

  private onInit(source: SourceInfo, hostFilter: string): void {
    const state = getViewState();
    this.source = source;
    if (source.kind === 'live' && source.title !== state.title)
      patchViewState({ title: source.title });
    this.status = undefined;
    this.list.invalidate();
    this.toolbar.setSource(source);
    this.actions.setInteractive(source.interactive);
    show(this.heldBar.element, source.interactive);
    document.body.classList.toggle('capture', source.kind === 'capture');
    this.filterBar.setReplay(source.kind === 'replay');
    // The webview's remembered filter wins: after a reload the host may have forgotten it.
    const filter = state.filter ?? hostFilter;
    this.applied = hostFilter;
    this.filterBar.setText(filter);
    this.awaitingFilter = filter !== hostFilter;
    if (this.awaitingFilter) this.sendFilter(filter);
    this.restore = state;
  }

  private onStatus(raw: unknown): void {
    const s = checkedStatus(raw);
    if (!s) return;
    const prev = this.status;
    this.status = s;
    if (prev) {
      const dropped = s.dropped - prev.dropped;
      if (dropped > 0 && this.applied.trim() === '' && s.matched === s.total) {
        this.list.invalidate({ shift: Math.min(dropped, prev.matched) });
      } else if (dropped > 0) {
        this.list.invalidate({ dropped });
      } else if (dropped < 0 || s.matched < prev.matched) {
        this.list.invalidate(); // a clear, or a restart of the source
      }
      // New frames while follow is paused, for the badge (whether or not they pass the filter:
      // once the ring is full, the filtered count no longer says how many arrived).
      const arrived = s.total + s.dropped - (prev.total + prev.dropped);
      if (!this.list.follow && arrived > 0) this.unseen += arrived;
    }
    // Unfiltered, position p is the frame with index dropped + p: rows are placed by index.
    const dense = this.applied.trim() === '' && s.matched === s.total;
    this.list.setCount(s.matched, dense ? s.dropped : undefined);
    if (this.relocate) {
      this.relocate = false;
      this.actions.filterChanged();
    }
    if (!this.awaitingFilter) this.applyRestore();
    this.toolbar.setStatus(s);
    const interactive = this.source?.interactive === true;
    if (interactive) this.heldBar.update(s.breakpoint, s.held);
    this.connections.update(s.connections, filterConnections(this.applied), interactive);
    this.statusLine.set(s, this.applied.trim() !== '', this.source?.kind);
    this.filterBar.setFollow(this.list.follow, this.unseen);
  }

  private onFilter(filter: string, error: { message: string; column?: number } | undefined): void {
    if (this.awaitingFilter) {
      // Restore under the remembered filter: at the status that follows this answer, or now if
      // the host sent that status first.
      this.awaitingFilter = false;
      clearTimeout(this.restoreTimer);
      this.restoreTimer = setTimeout(() => this.applyRestore(), 100);
    }
    if (error) {
      // An answer to text the person has typed past is no longer worth showing.
      if (filter !== this.filterBar.filterInput.value) return;
      const message = typeof error.message === 'string' ? error.message : 'invalid filter';
      const column = Number.isSafeInteger(error.column) ? error.column : undefined;
      this.filterBar.showError(filter, message, column);
      return;
    }
    this.filterBar.clearError();
    if (filter === this.applied) return;
    this.applied = filter;
    this.list.invalidate();
    this.relocate = true;
    if (this.status)
      this.connections.update(
        this.status.connections,
        filterConnections(filter),
        this.source?.interactive === true,
      );
  }

  /** Restores the scroll position and selection once the list has a length. */
  private applyRestore(): void {
    clearTimeout(this.restoreTimer);
    const r = this.restore;
    if (!r || !this.status) return;
    this.restore = undefined;
    if (!this.list.follow && r.first !== undefined) this.list.scrollToRow(r.first);
    if (r.selected) void this.actions.restoreSelection(r.selected);
  }

  private sendFilter(text: string): void {
    patchViewState({ filter: text });
    postToHost({ type: 'setFilter', filter: text });
  }

  private followChanged(follow: boolean): void {
    if (follow) this.unseen = 0;
    this.filterBar.setFollow(follow, this.unseen);
    patchViewState({ follow });
  }

  private saveScroll(first: number): void {
    clearTimeout(this.scrollSave);
    this.scrollSave = setTimeout(() => patchViewState({ first }), 200);
  }

  private globalKey(e: KeyboardEvent): void {
    const target = e.target as HTMLElement;
    const typing = target.closest('input, textarea, [contenteditable]') !== null;
    if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      this.filterBar.filterInput.focus();
      this.filterBar.filterInput.select();
    } else if (e.key === 'Escape' && !typing && target.closest('.detail')) {
      this.list.viewport.focus();
    } else if (e.key === 'F3') {
      e.preventDefault();
      void this.actions.search(this.filterBar.searchInput.value, e.shiftKey);
    }
  }
}
