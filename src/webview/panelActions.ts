/**
 * What the panel does for the person: selection and the detail pane, search, edit & push,
 * held-frame editing, copy and notes. Kept apart from message dispatch (panel.ts) so each file
 * reads on its own.
 */
import type { FrameDetail, FrameRow } from '../shared/protocol';
import { BottomPane } from './bottomPane';
import { DetailView } from './detailView';
import { show } from './dom';
import { escapeBytes } from './escapeSegments';
import type { TimeMode } from './format';
import type { TrafficPanel } from './panel';
import { PushEditor } from './pushEditor';
import { findPosOfId, findRow, type IdSource } from './rowSearch';
import { patchViewState, postToHost, type WebviewState } from './vscodeApi';

/** The panel's behaviour behind its buttons and keys. */
export class PanelActions {
  readonly detail: DetailView;
  readonly editor: PushEditor;
  readonly pane: BottomPane;
  timeMode: TimeMode = 'start';
  /** The frame whose detail is wanted: its id (what counts) and the index it was last seen at. */
  private wanted: { id: number; index: number } | undefined;
  private ticket = 0;
  private searchTicket = 0;
  private selectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly panel: TrafficPanel,
    state: WebviewState,
  ) {
    this.detail = new DetailView({
      resend: (index, newConnection) => postToHost({ type: 'resend', index, newConnection }),
      editAndPush: (d) => this.editAndPush(d),
      copy: (index, format) => postToHost({ type: 'copy', index, format }),
      note: (index, text) => postToHost({ type: 'note', index, text }),
      selectPair: (pair) => void this.selectPair(pair),
      openDiff: (index, exact) => postToHost({ type: 'openDiff', index, exact }),
      close: () => this.closeDetail(),
    });
    this.editor = new PushEditor({
      push: (conn, dir, bytes) => postToHost({ type: 'push', conn, dir, bytes }),
      settleHeld: (id, bytes) => postToHost({ type: 'settleHeld', id, action: 'edit', bytes }),
      closed: () => this.pane.update(),
    });
    show(this.detail.element, false);
    this.pane = new BottomPane(this.detail.element, this.editor.element, state.detailHeight, (h) =>
      patchViewState({ detailHeight: h }),
    );
  }

  setInteractive(interactive: boolean): void {
    this.detail.setInteractive(interactive);
    if (!interactive) this.editor.close();
  }

  setTimeMode(mode: TimeMode): void {
    this.timeMode = mode;
    this.panel.list.setTimeMode(mode);
    this.panel.setTimeHeader(mode);
    patchViewState({ timeMode: mode });
  }

  /** The list selected `pos`; its detail loads once the row is known (debounced for key repeat). */
  selected(_pos: number, row: FrameRow | undefined): void {
    show(this.detail.element, true);
    this.pane.update();
    if (!row) return this.detail.showLoading(undefined);
    if (this.wanted?.id === row.id && this.detail.shown?.row.id === row.id) return;
    this.wanted = { id: row.id, index: row.index };
    patchViewState({ selected: { ...this.wanted } });
    clearTimeout(this.selectTimer);
    this.selectTimer = setTimeout(() => void this.loadDetail(), 50);
  }

  /** Enter in the list: show the detail and move focus into it. */
  openDetail(): void {
    if (!this.panel.list.selected) return;
    show(this.detail.element, true);
    this.pane.update();
    this.detail.focus();
  }

  /** Escape in the list, or the pane's close button. */
  closeDetail(): void {
    this.wanted = undefined;
    this.ticket++;
    patchViewState({ selected: undefined });
    this.panel.list.clearSelection();
    this.detail.showEmpty();
    show(this.detail.element, false);
    this.pane.update();
    this.panel.list.viewport.focus();
  }

  /** The filter changed: find the selected frame in the new list and keep it in view. */
  filterChanged(): void {
    this.searchTicket++;
    const id = this.wanted?.id;
    if (id === undefined) return this.panel.list.clearSelection();
    void this.locate(id).then((pos) => {
      if (pos !== undefined && this.wanted?.id === id)
        this.panel.list.select(pos, !this.panel.list.follow, id);
      else if (pos === undefined) this.panel.list.clearSelection();
    });
  }

  /** Restores a selection saved in view state, if that frame is still there. */
  async restoreSelection(saved: { index: number; id: number }): Promise<void> {
    const pos = await this.locate(saved.id);
    if (pos !== undefined) this.panel.list.select(pos, true, saved.id);
  }

  /** Find next/previous (F3, Enter in the search box). */
  async search(text: string, backwards: boolean): Promise<void> {
    const ticket = ++this.searchTicket;
    const bar = this.panel.filterBar;
    patchViewState({ search: text });
    if (!text || !this.panel.status) return bar.setSearchStatus('');
    const count = this.panel.status.matched;
    bar.setSearchStatus('Searching…');
    const pos = await findRow(
      {
        ...this.rowSource(),
        cancelled: () => ticket !== this.searchTicket,
        progress: (n) => bar.setSearchStatus(`Searching… ${Math.floor((100 * n) / count)}%`),
      },
      text,
      this.panel.list.selected?.pos ?? -1,
      backwards,
    ).catch(() => undefined);
    if (ticket !== this.searchTicket) return;
    bar.setSearchStatus(pos === undefined ? 'No match' : '');
    if (pos !== undefined) this.panel.list.select(pos, true);
  }

  /** Opens the editor on a connection with nothing in it. */
  pushTo(conn: number): void {
    this.editor.open({ kind: 'push', conn, dir: 'c2s', text: '' }, `Push into connection ${conn}`);
    this.pane.update();
  }

  /** Edit of a held frame: its bytes come from the host, checked to be that frame. */
  async editHeld(row: FrameRow): Promise<void> {
    // A held frame may not be in the table yet (index -1): then it is typed from scratch.
    const d = row.index >= 0 ? await this.fetchFrame(row.id, row.index) : undefined;
    const ok = d !== undefined && !d.truncated;
    this.editor.open(
      { kind: 'held', id: row.id, text: ok ? escapeBytes(d.bytes) : '' },
      ok
        ? `Edit held frame ${row.id}`
        : `Replace held frame ${row.id} (its bytes could not be loaded)`,
    );
    this.pane.update();
  }

  private editAndPush(d: FrameDetail): void {
    const cut = d.truncated ? ' (only the first part was loaded)' : '';
    this.editor.open(
      { kind: 'push', conn: d.row.conn, dir: d.row.dir, text: escapeBytes(d.bytes) },
      `Edit & Push frame ${d.row.id}${cut}`,
    );
    this.pane.update();
  }

  /** Selects the paired request/reply in the list, or shows it alone if the filter hides it. */
  private async selectPair(pair: FrameRow): Promise<void> {
    const pos = await this.locate(pair.id);
    if (pos !== undefined) return this.panel.list.select(pos, true, pair.id);
    this.wanted = { id: pair.id, index: pair.index };
    this.panel.list.clearSelection();
    await this.loadDetail();
  }

  private async loadDetail(): Promise<void> {
    const want = this.wanted;
    if (!want) return;
    const ticket = ++this.ticket;
    const slow = setTimeout(() => this.detail.showLoading(undefined), 150);
    const d = await this.fetchFrame(want.id, want.index);
    clearTimeout(slow);
    if (ticket !== this.ticket) return;
    if (!d) {
      this.detail.showGone(
        `Frame ${want.id} is no longer in memory. Older frames stay in the capture file.`,
      );
    } else {
      this.wanted = { id: want.id, index: d.row.index };
      this.detail.show(d);
    }
  }

  /**
   * The detail of frame `id`, expected at source index `index`. Indexes can move as old
   * frames leave the ring, so the answer's id is checked, and on a mismatch the frame's
   * current index is looked up by id (in the cache, else by binary search over the list).
   */
  private async fetchFrame(id: number, index: number): Promise<FrameDetail | undefined> {
    const link = this.panel.link;
    const get = (i: number) => (i >= 0 ? link.fetchDetail(i).catch(() => undefined) : undefined);
    const d = await get(index);
    if (d?.row.id === id) return d;
    const pos = await this.locate(id);
    const row = pos === undefined ? undefined : this.panel.list.cache.get(pos);
    const again = row?.id === id ? await get(row.index) : undefined;
    return again?.row.id === id ? again : undefined;
  }

  private locate(id: number): Promise<number | undefined> {
    return findPosOfId(this.rowSource(), id).catch(() => undefined);
  }

  private rowSource(): IdSource {
    const list = this.panel.list;
    return {
      count: this.panel.status?.matched ?? 0,
      cached: (pos) => list.cache.get(pos),
      fetch: (pos, count) =>
        this.panel.link.fetchRows(pos, count).then((a) => (a.pos === pos ? a.rows : [])),
    };
  }
}
