/**
 * The only way the webview builds DOM: createElement, textContent and fixed attribute names.
 * Nothing here parses HTML, so bytes from the network can never become markup (DESIGN.md §9).
 */
import type { Segment } from './escapeSegments';
export { clip } from './format';

/** Options of el(): classes, text, attributes (names are constants in our code, values any). */
export interface ElOptions {
  readonly className?: string;
  readonly text?: string;
  readonly attrs?: Readonly<Record<string, string>>;
}

/** Creates an element with text and attributes, and appends the children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  opts: ElOptions = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (opts.className) node.className = opts.className;
  if (opts.text !== undefined) node.textContent = opts.text;
  for (const [name, value] of Object.entries(opts.attrs ?? {})) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** A codicon glyph; decorative, so hidden from screen readers. */
export function icon(name: string, extra = ''): HTMLElement {
  return el('span', {
    className: `codicon codicon-${name}${extra ? ' ' + extra : ''}`,
    attrs: { 'aria-hidden': 'true' },
  });
}

/** An icon-only toolbar button with an accessible label and a tooltip. */
export function iconButton(name: string, label: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { className: 'icon-button', attrs: { type: 'button', title: label } });
  b.setAttribute('aria-label', label);
  b.append(icon(name));
  b.addEventListener('click', onClick);
  return b;
}

/** A toggle button (aria-pressed) with an icon or short text, like the find widget's options. */
export function toggleButton(
  content: string,
  label: string,
  onClick: () => void,
  isIcon = true,
): HTMLButtonElement {
  const b = el('button', {
    className: 'toggle',
    attrs: { type: 'button', title: label, 'aria-label': label, 'aria-pressed': 'false' },
  });
  b.append(isIcon ? icon(content) : document.createTextNode(content));
  b.addEventListener('click', onClick);
  return b;
}

/** Sets a toggle's pressed state. */
export function setPressed(b: HTMLElement, pressed: boolean): void {
  b.setAttribute('aria-pressed', String(pressed));
  b.classList.toggle('checked', pressed);
}

/** A text button; `secondary` for the less important of a pair. */
export function textButton(label: string, onClick: () => void, secondary = false) {
  const b = el('button', {
    className: secondary ? 'button secondary' : 'button',
    text: label,
    attrs: { type: 'button' },
  });
  b.addEventListener('click', onClick);
  return b;
}

/**
 * Appends segments: text as text nodes, escapes as styled spans. Every span isolates its
 * direction, so even a control we did not catch cannot reorder what follows.
 */
export function appendSegments(parent: HTMLElement, segments: readonly Segment[]): void {
  for (const s of segments) {
    if (s.kind === 'text') parent.append(document.createTextNode(s.text));
    else parent.append(el('span', { className: 'esc', text: s.text }));
  }
}

/** Shows or hides an element (the `hidden` attribute; CSS must not override it). */
export function show(node: HTMLElement, visible: boolean): void {
  node.hidden = !visible;
}
