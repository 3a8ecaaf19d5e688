/**
 * The row elements of the virtual list: one per position in view, recycled through a pool as
 * positions scroll out and in, so scrolling a million frames never creates more than a
 * screenful of elements.
 */
import { createRow } from './rowView';

/** Row elements by list position. */
export class RowPool {
  private readonly rendered = new Map<number, HTMLElement>();
  private readonly free: HTMLElement[] = [];

  constructor(private readonly parent: HTMLElement) {}

  /** Releases the elements outside [start, end) to the pool. */
  keep(start: number, end: number): void {
    for (const [pos, node] of this.rendered) {
      if (pos < start || pos >= end) {
        node.remove();
        this.rendered.delete(pos);
        this.free.push(node);
      }
    }
  }

  /** The element for `pos`, reused or created. */
  at(pos: number): HTMLElement {
    let node = this.rendered.get(pos);
    if (!node) {
      node = this.free.pop() ?? createRow();
      this.rendered.set(pos, node);
      this.parent.append(node);
    }
    node.dataset.pos = String(pos);
    return node;
  }

  has(pos: number): boolean {
    return this.rendered.has(pos);
  }
}
