/**
 * The blocks of a capture index read lately, least recently used first out, bounded both by a
 * count and by bytes: the count keeps the number of frames in memory near a setting, the bytes
 * keep a run of frames with big annotations from growing it.
 */

/** How much a cache holds now. */
export interface CacheUse {
  readonly blocks: number;
  readonly bytes: number;
}

/** A bounded LRU of buffers by block number. */
export class BlockCache {
  // A Map iterates in insertion order: re-inserting on each hit keeps the oldest first.
  private readonly _blocks = new Map<number, Buffer>();
  private _bytes = 0;

  constructor(
    private readonly _maxBlocks: number,
    private readonly _maxBytes: number,
  ) {}

  /** The block, marked as just used; undefined when it is not held. */
  get(block: number): Buffer | undefined {
    const buf = this._blocks.get(block);
    if (buf) {
      this._blocks.delete(block);
      this._blocks.set(block, buf);
    }
    return buf;
  }

  /** Keeps a block, dropping the least recently used past the limits. */
  put(block: number, buf: Buffer): void {
    // One block over the whole budget is not kept: it would push out everything else.
    if (buf.length > this._maxBytes || this._maxBlocks < 1) return;
    const old = this._blocks.get(block);
    if (old) {
      this._bytes -= old.length;
      this._blocks.delete(block);
    }
    this._blocks.set(block, buf);
    this._bytes += buf.length;
    for (const [oldest, b] of this._blocks) {
      if (this._blocks.size <= this._maxBlocks && this._bytes <= this._maxBytes) break;
      this._blocks.delete(oldest);
      this._bytes -= b.length;
    }
  }

  /** What is held. */
  get use(): CacheUse {
    return { blocks: this._blocks.size, bytes: this._bytes };
  }

  clear(): void {
    this._blocks.clear();
    this._bytes = 0;
  }
}
