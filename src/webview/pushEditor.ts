/**
 * The editor behind Edit & Push, Push to a connection and Edit of a held frame: escaped text
 * (`\r \n \t \0 \xHH \\`) parsed into bytes here, with any mistake shown inline and selected in
 * the text, so only well-formed bytes ever reach the host.
 */
import type { Direction } from '../shared/traffic';
import { el, show, textButton } from './dom';
import { formatCount } from './format';
import { lineColumn, parseEscapes } from './parseEscapes';

/** What the editor is open for. */
export type EditorTarget =
  | { readonly kind: 'push'; readonly conn: number; readonly dir: Direction; readonly text: string }
  | { readonly kind: 'held'; readonly id: number; readonly text: string };

/** What the editor's Push button does. */
export interface EditorActions {
  push(conn: number, dir: Direction, bytes: Uint8Array): void;
  settleHeld(id: number, bytes: Uint8Array): void;
  closed(): void;
}

let editorIds = 0;

/** A form shown over the detail pane. */
export class PushEditor {
  readonly element: HTMLElement;
  private readonly heading = el('div', {
    className: 'editor-title',
    attrs: { role: 'heading', 'aria-level': '2' },
  });
  private readonly textarea: HTMLTextAreaElement;
  private readonly feedback: HTMLElement;
  private readonly conn: HTMLInputElement;
  private readonly dirs: Record<Direction, HTMLInputElement>;
  private readonly routing: HTMLElement;
  private readonly submit: HTMLButtonElement;
  private target: EditorTarget | undefined;

  constructor(private readonly act: EditorActions) {
    const id = `editor-${++editorIds}`;
    this.textarea = el('textarea', {
      className: 'editor-text',
      attrs: {
        rows: '6',
        spellcheck: 'false',
        'aria-describedby': `${id}-feedback`,
        'aria-label': 'Bytes to send, with escapes',
      },
    });
    this.feedback = el('div', {
      className: 'editor-feedback',
      attrs: { id: `${id}-feedback`, 'aria-live': 'polite' },
    });
    this.conn = el('input', {
      className: 'conn-input',
      attrs: { type: 'number', min: '1', step: '1', 'aria-label': 'Connection' },
    });
    const radio = (dir: Direction, label: string) => {
      const input = el('input', { attrs: { type: 'radio', name: `${id}-dir`, value: dir } });
      return { input, label: el('label', {}, input, document.createTextNode(' ' + label)) };
    };
    const c2s = radio('c2s', 'to the server');
    const s2c = radio('s2c', 'to the client');
    this.dirs = { c2s: c2s.input, s2c: s2c.input };
    this.routing = el(
      'div',
      { className: 'editor-routing' },
      el('label', {}, document.createTextNode('Connection '), this.conn),
      el(
        'span',
        { attrs: { role: 'radiogroup', 'aria-label': 'Direction' } },
        c2s.label,
        s2c.label,
      ),
    );
    this.submit = textButton('Push', () => this.send());
    const buttons = el(
      'div',
      { className: 'editor-buttons' },
      this.submit,
      textButton('Cancel', () => this.close(), true),
    );
    this.element = el(
      'section',
      { className: 'editor', attrs: { 'aria-label': 'Edit and push' } },
      this.heading,
      this.textarea,
      el('div', {
        className: 'editor-hint',
        text: 'Escapes: \\r \\n \\t \\0 \\xHH \\\\ · Ctrl+Enter pushes · Escape cancels',
      }),
      this.feedback,
      this.routing,
      buttons,
    );
    this.textarea.addEventListener('input', () => this.check());
    this.element.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        this.close();
      } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.send();
      }
    });
    show(this.element, false);
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  /** Opens the editor for a target, prefilled with its escaped text. */
  open(target: EditorTarget, heading: string): void {
    this.target = target;
    this.heading.textContent = heading;
    this.textarea.value = target.text;
    show(this.routing, target.kind === 'push');
    if (target.kind === 'push') {
      this.conn.value = String(target.conn);
      this.dirs[target.dir].checked = true;
    }
    this.submit.textContent = target.kind === 'push' ? 'Push' : 'Release Edited';
    show(this.element, true);
    this.check();
    this.textarea.focus();
    this.textarea.setSelectionRange(this.textarea.value.length, this.textarea.value.length);
  }

  close(): void {
    if (!this.isOpen) return;
    this.target = undefined;
    show(this.element, false);
    this.act.closed();
  }

  /** Parses the text: a byte count when fine, the error and its place when not. */
  private check(): ReturnType<typeof parseEscapes> {
    const text = this.textarea.value;
    const parsed = parseEscapes(text);
    this.feedback.classList.toggle('error', !parsed.ok);
    this.textarea.setAttribute('aria-invalid', String(!parsed.ok));
    if (parsed.ok) {
      this.feedback.textContent = `${formatCount(parsed.bytes.length)} bytes`;
    } else {
      const { line, column } = lineColumn(text, parsed.offset);
      this.feedback.textContent = `Line ${line}, column ${column}: ${parsed.message}`;
    }
    return parsed;
  }

  private send(): void {
    const target = this.target;
    if (!target) return;
    const parsed = this.check();
    if (!parsed.ok) {
      this.textarea.focus();
      this.textarea.setSelectionRange(parsed.offset, parsed.offset + parsed.length);
      return;
    }
    if (target.kind === 'held') {
      this.act.settleHeld(target.id, parsed.bytes);
    } else {
      const conn = Number(this.conn.value);
      if (!Number.isSafeInteger(conn) || conn < 1) {
        this.feedback.classList.add('error');
        this.feedback.textContent = 'The connection must be a number, 1 or more.';
        this.conn.focus();
        return;
      }
      this.act.push(conn, this.dirs.s2c.checked ? 's2c' : 'c2s', parsed.bytes);
    }
    this.close();
  }
}
