/**
 * The connections strip: one chip per connection (newest first) that toggles `conn:N` in the
 * filter, with Push and Close buttons on a live proxy. A proxy may have thousands of
 * connections, so only the newest are drawn; the filter reaches the others.
 */
import type { ConnectionSummary } from '../shared/protocol';
import { clip, el, icon, iconButton, setPressed, show } from './dom';
import { visibleText } from './escapeSegments';
import { formatBytes } from './format';

/** Chips drawn at most. */
const SHOWN = 100;

/** What the chips do. */
export interface ConnectionActions {
  toggleFilter(conn: number): void;
  push(conn: number): void;
  close(conn: number): void;
}

/** A horizontal strip of connection chips. */
export class ConnectionsView {
  readonly element = el('div', {
    className: 'connections',
    attrs: { role: 'toolbar', 'aria-label': 'Connections' },
  });
  private signature = '';

  constructor(private readonly act: ConnectionActions) {
    show(this.element, false);
  }

  /** Redraws when the connections, the filter's picks or interactivity changed. */
  update(
    connections: readonly ConnectionSummary[],
    picked: readonly number[],
    interactive: boolean,
  ): void {
    const newest = [...connections].sort((a, b) => b.conn - a.conn).slice(0, SHOWN);
    const sig = JSON.stringify([newest, picked, interactive]);
    if (sig === this.signature) return;
    this.signature = sig;
    show(this.element, connections.length > 0);
    const chips = newest.map((c) => this.chip(c, picked.includes(c.conn), interactive));
    if (connections.length > SHOWN) {
      chips.push(
        el('span', {
          className: 'muted',
          text: `+${connections.length - SHOWN} older (filter with conn:N)`,
        }),
      );
    }
    this.element.replaceChildren(
      el('span', { className: 'strip-label', text: 'Connections' }),
      ...chips,
    );
  }

  private chip(c: ConnectionSummary, picked: boolean, interactive: boolean): HTMLElement {
    const peer = visibleText(clip(c.peer, 100));
    const label = `Connection ${c.conn} from ${peer}, ${c.open ? 'open' : 'closed'}: ${formatBytes(c.bytes.c2s)} sent, ${formatBytes(c.bytes.s2c)} received. Click to filter.`;
    const toggle = el('button', {
      className: 'chip-toggle',
      attrs: { type: 'button', title: label, 'aria-label': label },
    });
    toggle.append(
      icon(c.open ? 'circle-filled' : 'circle-outline', c.open ? 'open' : 'closed'),
      el('span', { className: 'chip-conn', text: String(c.conn) }),
      el('span', { className: 'chip-peer', text: peer, attrs: { dir: 'ltr' } }),
    );
    setPressed(toggle, picked);
    toggle.addEventListener('click', () => this.act.toggleFilter(c.conn));
    const chip = el('span', { className: `chip${picked ? ' checked' : ''}` }, toggle);
    if (interactive && c.open) {
      chip.append(
        iconButton('send', `Push a message into connection ${c.conn}…`, () =>
          this.act.push(c.conn),
        ),
        iconButton('close', `Close connection ${c.conn}`, () => this.act.close(c.conn)),
      );
    }
    return chip;
  }
}
