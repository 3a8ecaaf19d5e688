/**
 * The connections strip: one chip per connection (newest first) that toggles `conn:N` in the
 * filter, with Push and Close buttons on a live proxy. A proxy may have thousands of
 * connections, so only the newest are drawn; the filter reaches the others.
 *
 * A status comes every batch and mostly only byte counts move: those change a chip's tooltip
 * in place. The strip is built again only when the connections drawn (or interactivity)
 * change, and a chip only when its connection opens, closes or changes peer.
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

/** A chip as drawn, with what it was drawn from. */
interface Chip {
  readonly element: HTMLElement;
  readonly toggle: HTMLElement;
  /** The peer as the host sent it, and as shown (control characters made visible). */
  readonly peer: string;
  readonly shownPeer: string;
  readonly open: boolean;
  label: string;
  picked: boolean;
}

/** A horizontal strip of connection chips. */
export class ConnectionsView {
  readonly element = el('div', {
    className: 'connections',
    attrs: { role: 'toolbar', 'aria-label': 'Connections' },
  });
  private readonly label = el('span', { className: 'strip-label', text: 'Connections' });
  private readonly older = el('span', { className: 'muted' });
  private chips = new Map<number, Chip>();
  /** The connections drawn, in order, the hidden count and interactivity. */
  private layout = '';

  constructor(private readonly act: ConnectionActions) {
    show(this.element, false);
  }

  /** Draws the connections: in place when the same ones are drawn, else anew. */
  update(
    connections: readonly ConnectionSummary[],
    picked: readonly number[],
    interactive: boolean,
  ): void {
    const newest = [...connections].sort((a, b) => b.conn - a.conn).slice(0, SHOWN);
    const hidden = connections.length - newest.length;
    const layout = `${interactive}|${hidden}|${newest.map((c) => c.conn).join(',')}`;
    if (layout !== this.layout) {
      this.layout = layout;
      show(this.element, connections.length > 0);
      this.chips = new Map(
        newest.map((c) => [c.conn, this.chip(c, picked.includes(c.conn), interactive)]),
      );
      const children: HTMLElement[] = [this.label];
      for (const chip of this.chips.values()) children.push(chip.element);
      if (hidden > 0) {
        this.older.textContent = `+${hidden} older (filter with conn:N)`;
        children.push(this.older);
      }
      this.element.replaceChildren(...children);
      return;
    }
    for (const c of newest) {
      const chip = this.chips.get(c.conn) as Chip;
      const isPicked = picked.includes(c.conn);
      if (chip.open !== c.open || chip.peer !== c.peer) {
        const fresh = this.chip(c, isPicked, interactive);
        chip.element.replaceWith(fresh.element);
        this.chips.set(c.conn, fresh);
        continue;
      }
      const label = chipLabel(c, chip.shownPeer);
      if (label !== chip.label) {
        chip.label = label;
        chip.toggle.title = label;
        chip.toggle.setAttribute('aria-label', label);
      }
      if (isPicked !== chip.picked) {
        chip.picked = isPicked;
        setPressed(chip.toggle, isPicked);
        chip.element.classList.toggle('checked', isPicked);
      }
    }
  }

  private chip(c: ConnectionSummary, picked: boolean, interactive: boolean): Chip {
    const peer = visibleText(clip(c.peer, 100));
    const label = chipLabel(c, peer);
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
    const element = el('span', { className: `chip${picked ? ' checked' : ''}` }, toggle);
    if (interactive && c.open) {
      element.append(
        iconButton('send', `Push a message into connection ${c.conn}…`, () =>
          this.act.push(c.conn),
        ),
        iconButton('close', `Close connection ${c.conn}`, () => this.act.close(c.conn)),
      );
    }
    return { element, toggle, peer: c.peer, shownPeer: peer, open: c.open, label, picked };
  }
}

/** A chip's tooltip and accessible name; `peer` is already made visible. */
function chipLabel(c: ConnectionSummary, peer: string): string {
  return `Connection ${c.conn} from ${peer}, ${c.open ? 'open' : 'closed'}: ${formatBytes(c.bytes.c2s)} sent, ${formatBytes(c.bytes.s2c)} received. Click to filter.`;
}
