/**
 * Values kept by a sequence number that only grows (a frame's seq in its direction): the newest
 * `max` of them, for pairing a reply with its request.
 *
 * The oldest entry goes by counting up from the oldest seq, in constant time. Finding it with
 * `map.keys().next()` instead walks past every entry deleted before it, which V8 keeps until the
 * table is rebuilt: with a window of 65,536 that made `linetap show` spend 20 µs a frame.
 */
export class SeqWindow<T> {
  private readonly _map = new Map<number, T>();
  /** No seq below this is kept. */
  private _oldest = 0;

  constructor(private readonly _max: number) {}

  /** Keeps `value` for `seq`; a seq older than the window is not kept. */
  set(seq: number, value: T): void {
    if (seq < this._oldest) return;
    this._map.set(seq, value);
    while (this._map.size > this._max) this._map.delete(this._oldest++);
  }

  get(seq: number): T | undefined {
    return this._map.get(seq);
  }
}
