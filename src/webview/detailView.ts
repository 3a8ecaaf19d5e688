/**
 * The detail pane: the selected frame's header, its actions (resend, edit & push, copy, note)
 * and its sections. Actions that need a live proxy are hidden for a capture file.
 */
import type { CopyFormat, FrameDetail, FrameRow } from '../shared/protocol';
import { clip, el, icon, iconButton, show, textButton } from './dom';
import {
  hexSection,
  pairSection,
  protocolSection,
  textSection,
  timingSection,
  warningsSection,
} from './detailSections';
import { visibleText } from './escapeSegments';
import { formatCount } from './format';
import { replaySection } from './replaySection';
import { FrameFlag } from '../shared/protocol';

/** What the pane's buttons do. */
export interface DetailActions {
  resend(index: number, newConnection: boolean): void;
  editAndPush(detail: FrameDetail): void;
  copy(index: number, format: CopyFormat): void;
  note(index: number, text: string): void;
  selectPair(pair: FrameRow): void;
  /** Opens a replayed frame's exchange in the diff editor. */
  openDiff(index: number, exact: boolean): void;
  close(): void;
}

const COPY_FORMATS: ReadonlyArray<[CopyFormat, string]> = [
  ['text', 'Copy as Text'],
  ['escaped', 'Copy as Escaped Text'],
  ['hex', 'Copy as Hex'],
  ['base64', 'Copy as Base64'],
];

/** The pane below the list. */
export class DetailView {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly body: HTMLElement;
  private readonly noteForm: HTMLFormElement;
  private readonly noteInput: HTMLInputElement;
  private readonly liveOnly: HTMLElement[] = [];
  /** Only a client's frame can open a new connection (the host refuses the others). */
  private readonly newConnection = iconButton('add', 'Resend on a new connection', () => {
    if (this.detail) this.act.resend(this.detail.row.index, true);
  });
  private detail: FrameDetail | undefined;
  private interactive = false;

  constructor(private readonly act: DetailActions) {
    this.title = el('div', { className: 'detail-title', attrs: { 'aria-live': 'polite' } });
    this.actions = el('div', {
      className: 'detail-actions',
      attrs: { role: 'toolbar', 'aria-label': 'Frame actions' },
    });
    this.body = el('div', { className: 'detail-body' });
    this.noteInput = el('input', {
      attrs: {
        type: 'text',
        placeholder: 'A note about this frame, saved in the capture',
        'aria-label': 'Note',
      },
    });
    this.noteForm = el('form', { className: 'note-form' }, this.noteInput);
    this.noteForm.append(textButton('Add Note', () => this.noteForm.requestSubmit()));
    this.noteForm.addEventListener('submit', (e) => this.submitNote(e));
    this.noteInput.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') show(this.noteForm, false);
    });
    show(this.noteForm, false);
    this.buildActions();
    this.element = el(
      'section',
      { className: 'detail', attrs: { 'aria-label': 'Frame detail' } },
      el('div', { className: 'detail-header' }, this.title, this.actions),
      this.noteForm,
      this.body,
    );
    this.showEmpty();
  }

  /** Shows or hides what needs a live proxy. */
  setInteractive(interactive: boolean): void {
    this.interactive = interactive;
    for (const b of this.liveOnly) show(b, interactive);
    show(this.newConnection, interactive && this.detail?.row.dir === 'c2s');
    if (!interactive) show(this.noteForm, false);
  }

  /** The frame shown now, if any. */
  get shown(): FrameDetail | undefined {
    return this.detail;
  }

  showEmpty(): void {
    this.setFrame(undefined);
    this.title.textContent = 'No frame selected';
    this.body.replaceChildren(
      el('p', {
        className: 'muted',
        text: 'Select a frame in the list to see its bytes. Enter moves here, Escape goes back.',
      }),
    );
  }

  showLoading(row: FrameRow | undefined): void {
    // No frame is shown while loading, so the frame's arrival is not taken as already shown.
    this.setFrame(undefined);
    this.title.textContent = row ? `Frame ${row.id}` : 'Frame';
    this.body.replaceChildren(el('p', { className: 'muted', text: 'Loading…' }));
  }

  /** The frame is no longer available (dropped from memory, or the source went away). */
  showGone(message: string): void {
    this.setFrame(undefined);
    this.title.textContent = 'Frame not available';
    this.body.replaceChildren(el('p', { className: 'muted', text: message }));
  }

  show(d: FrameDetail): void {
    this.setFrame(d);
    const r = d.row;
    this.title.replaceChildren(
      icon(r.dir === 'c2s' ? 'arrow-right' : 'arrow-left', r.dir),
      el('span', { className: 'strong', text: ` Frame ${r.id}` }),
      el('span', { className: 'muted', text: this.facts(d) }),
    );
    const sections = [
      replaySection(d, (index, exact) => this.act.openDiff(index, exact)),
      textSection(d),
      hexSection(d),
      protocolSection(d),
      warningsSection(d),
      timingSection(d),
      pairSection(d, (p) => this.act.selectPair(p)),
    ];
    this.body.replaceChildren(...sections.filter((s): s is HTMLElement => s !== undefined));
    this.body.scrollTop = 0;
  }

  /** Moves keyboard focus into the pane (Enter in the list). */
  focus(): void {
    (this.body.querySelector<HTMLElement>('.payload-text') ?? this.element).focus();
  }

  private facts(d: FrameDetail): string {
    const r = d.row;
    const flags = Object.entries(FrameFlag)
      .filter(([, bit]) => r.flags & bit)
      .map(([name]) => name);
    const parts = [
      `conn ${r.conn}`,
      r.dir === 'c2s' ? 'client → server' : 'server → client',
      `seq ${r.seq}`,
      `${formatCount(r.size)} bytes`,
      d.term ? `ended by ${visibleText(clip(d.term, 100))}` : '',
      ...flags,
      r.outcome ?? '',
    ];
    return ' · ' + parts.filter(Boolean).join(' · ');
  }

  private setFrame(d: FrameDetail | undefined): void {
    this.detail = d;
    show(this.newConnection, this.interactive && d?.row.dir === 'c2s');
    show(this.actions, d !== undefined);
    if (!d) show(this.noteForm, false);
  }

  private buildActions(): void {
    const withFrame = (f: (d: FrameDetail) => void) => () => this.detail && f(this.detail);
    const live = (b: HTMLElement) => {
      this.liveOnly.push(b);
      return b;
    };
    const copyMenu = el('div', { className: 'menu', attrs: { role: 'menu' } });
    for (const [format, label] of COPY_FORMATS) {
      const item = el('button', {
        className: 'menu-item',
        text: label,
        attrs: { type: 'button', role: 'menuitem' },
      });
      item.addEventListener('click', () => {
        show(copyMenu, false);
        if (this.detail) this.act.copy(this.detail.row.index, format);
      });
      copyMenu.append(item);
    }
    show(copyMenu, false);
    const copy = iconButton('copy', 'Copy…', () => {
      show(copyMenu, copyMenu.hidden);
      copyMenu.querySelector<HTMLElement>('button')?.focus();
    });
    copy.setAttribute('aria-haspopup', 'menu');
    copyMenu.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        show(copyMenu, false);
        copy.focus();
      }
    });
    copyMenu.addEventListener('focusout', (e) => {
      if (!copyMenu.contains(e.relatedTarget as Node | null)) show(copyMenu, false);
    });
    this.actions.append(
      live(
        iconButton(
          'debug-restart',
          'Resend on its connection',
          withFrame((d) => this.act.resend(d.row.index, false)),
        ),
      ),
      this.newConnection,
      live(
        iconButton(
          'edit',
          'Edit & Push…',
          withFrame((d) => this.act.editAndPush(d)),
        ),
      ),
      el('span', { className: 'menu-anchor' }, copy, copyMenu),
      live(
        iconButton('note', 'Add a note…', () => {
          show(this.noteForm, this.interactive);
          this.noteInput.focus();
        }),
      ),
      iconButton('close', 'Close detail (Escape)', () => this.act.close()),
    );
  }

  private submitNote(e: SubmitEvent): void {
    e.preventDefault();
    const text = this.noteInput.value.trim();
    if (!text || !this.detail) return;
    this.act.note(this.detail.row.index, text.slice(0, 10_000));
    this.noteInput.value = '';
    show(this.noteForm, false);
  }
}
