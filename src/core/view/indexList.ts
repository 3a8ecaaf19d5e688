/**
 * A growing list of frame positions in 4 bytes each: the frames a filter let through, for a
 * list of millions of frames that the panel reads a window at a time.
 */
export class IndexList {
  private _items = new Uint32Array(1024);
  private _length = 0;

  get length(): number {
    return this._length;
  }

  /** Bytes of memory the list takes. */
  get byteLength(): number {
    return this._items.byteLength;
  }

  push(index: number): void {
    if (this._length === this._items.length) {
      const bigger = new Uint32Array(this._items.length * 2);
      bigger.set(this._items);
      this._items = bigger;
    }
    this._items[this._length++] = index;
  }

  /** Items `from` to `to` (clipped to the list), as a copy. */
  slice(from: number, to: number): Uint32Array {
    return this._items.slice(Math.max(0, from), Math.min(this._length, to));
  }
}
