/**
 * Frames kept on disk, in order, for views of captures larger than memory. Each frame is a
 * binary record (frameRecord.ts); records go in blocks of BLOCK_FRAMES, each block compressed
 * (brotli at its fastest: records repeat their field names and shapes, so a block shrinks about
 * sixfold) and appended to a scratch file. Payloads too long to sit in their record go, raw, to
 * a second file. In memory there is only the offset of each block (8 bytes per 64 frames) and a
 * bounded cache of blocks read lately, so what a store takes in memory does not grow with the
 * frames' bytes, and what it takes on disk stays well under the capture's size.
 *
 * Frames are appended, then committed: the complete blocks are written, and finish() writes the
 * last one. Only written frames can be read, so a view can read while the store is filled. The
 * scratch files are removed as soon as they are open where the system allows it (POSIX), so a
 * crash leaves nothing behind.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { TrafficFrame } from '../../shared/traffic';
import { BlockCache, type CacheUse } from './blockCache';
import { type FrameRecord, isLongPayload, RecordReader, RecordWriter } from './frameRecord';

/** Frames per block: the unit of compression, reading and caching, and of the offsets. */
export const BLOCK_FRAMES = 64;
/** Compressed bytes read at a time when going through many blocks in order. */
const SCAN_GROUP = 256 * 1024;
/** Frames handed out at a time when going through all of them. */
const SCAN_FRAMES = 4096;
/** Bytes of the payload file read at a time while scanning. */
const PAYLOAD_WINDOW = 4 << 20;
/** Brotli's fastest setting: compressing must not slow indexing down much. */
const COMPRESS: zlib.BrotliOptions = {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1, [zlib.constants.BROTLI_PARAM_LGWIN]: 18 },
};

/** Store settings. */
export interface FrameStoreOptions {
  /** Folder to put the scratch files in (a fresh folder is made inside). Default: os.tmpdir(). */
  readonly dir?: string;
  /** About how many frames the block cache holds. Default 10,000. */
  readonly cacheFrames?: number;
  /** Most bytes the block cache holds. Default 16 MiB. */
  readonly cacheBytes?: number;
}

/** Records of consecutive frames in one block. */
interface RecordChunk {
  readonly records: RecordReader;
  /** Offset of each record, the first being frame `first`. */
  readonly starts: readonly number[];
  readonly first: number;
}

/** An append-only, disk-backed list of frames. */
export class FrameStore {
  /** Records of the block being filled. */
  private readonly _records = new RecordWriter();
  /** Blocks compressed but not yet written, oldest first, and their bytes. */
  private _sealed: Buffer[] = [];
  private _sealedBytes = 0;
  private _payloadParts: Buffer[] = [];
  /** Offset the next long payload gets (written or not). */
  private _payloadEnd = 0;
  private _appended = 0;
  /** Frames in written blocks: those that can be read. */
  private _count = 0;
  /** Blocks written, and where the record file ends. */
  private _written = 0;
  private _fileEnd = 0;
  /** Offset of each written block in the record file. */
  private _blocks = new Float64Array(1024);
  private readonly _cache: BlockCache;
  private _writing: Promise<void> = Promise.resolve();
  private _finished = false;
  private _closed: Promise<void> | undefined;

  private constructor(
    private readonly _rows: fsp.FileHandle,
    private readonly _payloads: fsp.FileHandle,
    /** The scratch folder, while it still has to be removed. */
    private _dir: string | undefined,
    options: FrameStoreOptions,
  ) {
    const frames = Math.max(0, options.cacheFrames ?? 10_000);
    this._cache = new BlockCache(
      Math.ceil(frames / BLOCK_FRAMES),
      Math.max(0, options.cacheBytes ?? 16 << 20),
    );
  }

  /** Makes the scratch files. */
  static async create(options: FrameStoreOptions = {}): Promise<FrameStore> {
    const dir = await fsp.mkdtemp(path.join(options.dir ?? os.tmpdir(), 'linetap-index-'));
    let rows: fsp.FileHandle | undefined;
    try {
      rows = await fsp.open(path.join(dir, 'records'), 'w+');
      const payloads = await fsp.open(path.join(dir, 'payloads'), 'w+');
      let left: string | undefined = dir;
      try {
        // Open files outlive their names on POSIX; Windows refuses, and close() removes them.
        await fsp.rm(dir, { recursive: true });
        left = undefined;
      } catch {
        // Kept for close().
      }
      return new FrameStore(rows, payloads, left, options);
    } catch (e) {
      await rows?.close();
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Frames that can be read: appended and written. */
  get count(): number {
    return this._count;
  }

  /** Frames appended, written or not. */
  get appended(): number {
    return this._appended;
  }

  /** Compressed bytes waiting for the next commit. */
  get pendingBytes(): number {
    return this._sealedBytes;
  }

  /** Bytes of memory the per-frame index takes (the block offsets). */
  get indexBytes(): number {
    return this._blocks.byteLength;
  }

  /** Bytes of the scratch files on disk. */
  get diskBytes(): number {
    return this._fileEnd + this._payloadEnd;
  }

  /** What the block cache holds now. */
  get cacheUse(): CacheUse {
    return this._cache.use;
  }

  /** Adds a frame after the others; readable once its block is written. Its bytes are copied. */
  append(frame: TrafficFrame): void {
    if (this._closed || this._finished) throw new Error('the frame store takes no more frames');
    let payloadAt = -1;
    const n = frame.bytes.byteLength;
    if (isLongPayload(n)) {
      payloadAt = this._payloadEnd;
      this._payloadParts.push(Buffer.from(frame.bytes));
      this._payloadEnd += n;
    }
    this._records.append(frame, payloadAt);
    if (++this._appended % BLOCK_FRAMES === 0) this._seal();
  }

  /** Writes the complete blocks; resolves once their frames can be read. */
  commit(): Promise<void> {
    return this._write();
  }

  /** Writes everything, the last block too; the store takes no more frames. */
  finish(): Promise<void> {
    if (!this._finished && this._records.length > 0) this._seal();
    this._finished = true;
    return this._write();
  }

  /** The records of frames at `indexes` (ascending, each below `count`), through the cache. */
  async records(indexes: ArrayLike<number>): Promise<FrameRecord[]> {
    const blocks = new Map<number, RecordReader>();
    const missing: number[] = [];
    for (let k = 0; k < indexes.length; k++) {
      const b = Math.floor(indexes[k] / BLOCK_FRAMES);
      if (blocks.has(b) || missing[missing.length - 1] === b) continue;
      const cached = this._cache.get(b);
      if (cached) blocks.set(b, new RecordReader(cached));
      else missing.push(b);
    }
    await Promise.all(runs(missing).map((run) => this._readBlocks(run.first, run.last, blocks)));
    const out: FrameRecord[] = [];
    for (let k = 0; k < indexes.length; k++) {
      const index = indexes[k];
      const b = Math.floor(index / BLOCK_FRAMES);
      const records = blocks.get(b) as RecordReader;
      let at = 0;
      for (let skip = index - b * BLOCK_FRAMES; skip > 0; skip--) at += records.length(at);
      out.push(records.decode(at));
    }
    return out;
  }

  /** The payload of a record (its first `limit` bytes at most), in a fresh Uint8Array. */
  async payload(record: FrameRecord, limit = Infinity): Promise<Uint8Array> {
    const n = Math.min(record.size, limit);
    // Not a Buffer: VS Code's postMessage sends a Buffer as JSON, a Uint8Array as bytes.
    const out = new Uint8Array(n);
    if (record.payloadAt < 0) out.set(record.head.bytes.subarray(0, n));
    else await readAll(this._payloads, out, record.payloadAt);
    return out;
  }

  /**
   * Frames `from` to `to` (readable ones) in order, whole, some thousands at a time: for a
   * filter to look at. Cheap to make, not to keep: some fields are getters (an annotation is
   * parsed only when read), so they do not spread, and their bytes are views.
   */
  async *frames(from: number, to: number): AsyncGenerator<TrafficFrame[]> {
    const payloads = new PayloadWindow(this._payloads);
    let out: TrafficFrame[] = [];
    for await (const chunk of this._chunks(from, to, SCAN_GROUP)) {
      const records = chunk.records;
      for (const at of chunk.starts) {
        const payloadAt = records.payloadAt(at);
        const bytes = payloadAt < 0 ? undefined : await payloads.read(payloadAt, records.size(at));
        out.push(records.scanned(at, bytes));
      }
      if (out.length >= SCAN_FRAMES) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  }

  /**
   * The first frame after `index`, within `limit` frames, that answers frame `id` of `conn`
   * (its `re` is `id`). Reads only the fixed fields of the records on the way.
   */
  async findReply(
    index: number,
    id: number,
    conn: number,
    limit: number,
  ): Promise<number | undefined> {
    const to = Math.min(this._count, index + 1 + limit);
    // Small groups: the reply is usually a few frames on.
    for await (const chunk of this._chunks(index + 1, to, 16 * 1024)) {
      for (let k = 0; k < chunk.starts.length; k++) {
        const at = chunk.starts[k];
        if (chunk.records.re(at) === id && chunk.records.conn(at) === conn) {
          return chunk.first + k;
        }
      }
    }
    return undefined;
  }

  /** Waits for writes in progress, closes and removes the scratch files. Safe to call twice. */
  close(): Promise<void> {
    this._closed ??= (async () => {
      await this._writing.catch(() => undefined);
      await Promise.allSettled([this._rows.close(), this._payloads.close()]);
      this._cache.clear();
      if (this._dir) await fsp.rm(this._dir, { recursive: true, force: true });
      this._dir = undefined;
    })();
    return this._closed;
  }

  private _seal(): void {
    const block = zlib.brotliCompressSync(this._records.take(), COMPRESS);
    this._sealed.push(block);
    this._sealedBytes += block.length;
  }

  /** Writes the long payloads and sealed blocks appended so far, after earlier writes. */
  private _write(): Promise<void> {
    const blocks = this._sealed;
    const parts = this._payloadParts;
    this._sealed = [];
    this._sealedBytes = 0;
    this._payloadParts = [];
    let payloadsAt = this._payloadEnd;
    for (const p of parts) payloadsAt -= p.length;
    const count = this._finished
      ? this._appended
      : this._appended - (this._appended % BLOCK_FRAMES);
    // One write at a time, in order: a frame is readable only once all before it are.
    this._writing = this._writing.then(async () => {
      // Payloads first: a record is read only once what it points to is there.
      for (const p of parts) {
        await writeAll(this._payloads, p, payloadsAt);
        payloadsAt += p.length;
      }
      if (blocks.length === 0) return;
      const at = this._fileEnd;
      await writeAll(this._rows, Buffer.concat(blocks), at);
      let end = at;
      for (const b of blocks) {
        this._startBlock(this._written++, end);
        end += b.length;
      }
      this._fileEnd = end;
      this._count = count;
    });
    return this._writing;
  }

  private _startBlock(block: number, offset: number): void {
    if (block >= this._blocks.length) {
      const bigger = new Float64Array(this._blocks.length * 2);
      bigger.set(this._blocks);
      this._blocks = bigger;
    }
    this._blocks[block] = offset;
  }

  /** Where block `b` ends in the record file. */
  private _blockEnd(b: number): number {
    return b + 1 < this._written ? this._blocks[b + 1] : this._fileEnd;
  }

  /** Reads blocks `first` to `last` in one piece into `into`, and caches them. */
  private async _readBlocks(
    first: number,
    last: number,
    into: Map<number, RecordReader>,
  ): Promise<void> {
    const start = this._blocks[first];
    const buf = Buffer.allocUnsafeSlow(this._blockEnd(last) - start);
    await readAll(this._rows, buf, start);
    for (let b = first; b <= last; b++) {
      const from = this._blocks[b] - start;
      const block = zlib.brotliDecompressSync(buf.subarray(from, this._blockEnd(b) - start));
      into.set(b, new RecordReader(block));
      this._cache.put(b, block);
    }
  }

  /**
   * The records of frames `from` to `to`, a block at a time, reading about `groupBytes` of
   * compressed blocks at once. Goes around the cache: a scan would push everything out of it.
   */
  private async *_chunks(
    from: number,
    to: number,
    groupBytes: number,
  ): AsyncGenerator<RecordChunk> {
    to = Math.min(to, this._count);
    if (from >= to) return;
    const last = Math.floor((to - 1) / BLOCK_FRAMES);
    for (let b = Math.floor(from / BLOCK_FRAMES); b <= last;) {
      let e = b;
      while (e < last && this._blockEnd(e + 1) - this._blocks[b] <= groupBytes) e++;
      const start = this._blocks[b];
      const group = Buffer.allocUnsafeSlow(this._blockEnd(e) - start);
      await readAll(this._rows, group, start);
      for (; b <= e; b++) {
        const offset = this._blocks[b] - start;
        const buf = zlib.brotliDecompressSync(group.subarray(offset, this._blockEnd(b) - start));
        const records = new RecordReader(buf);
        const starts: number[] = [];
        let index = b * BLOCK_FRAMES;
        let first = -1;
        for (let at = 0; at < buf.length && index < to; index++) {
          if (index >= from) {
            if (first < 0) first = index;
            starts.push(at);
          }
          at += records.length(at);
        }
        if (starts.length > 0) yield { records, starts, first };
      }
    }
  }
}

/** Consecutive numbers grouped: [1, 2, 3, 7] gives 1..3 and 7..7. */
function runs(sorted: readonly number[]): { first: number; last: number }[] {
  const out: { first: number; last: number }[] = [];
  for (const n of sorted) {
    const run = out[out.length - 1];
    if (run && run.last + 1 === n) run.last = n;
    else out.push({ first: n, last: n });
  }
  return out;
}

/** Reads long payloads in order through a window, a few MiB per read. */
class PayloadWindow {
  private _buf = Buffer.alloc(0);
  private _at = 0;

  constructor(private readonly _file: fsp.FileHandle) {}

  async read(at: number, size: number): Promise<Uint8Array> {
    const from = at - this._at;
    if (from >= 0 && from + size <= this._buf.length) return this._buf.subarray(from, from + size);
    // A new buffer each time: frames handed out earlier keep views of the old one.
    this._buf = Buffer.allocUnsafeSlow(Math.max(PAYLOAD_WINDOW, size));
    this._at = at;
    const n = await readSome(this._file, this._buf, at);
    if (n < size) throw new Error(`the index's payload file ends early (at ${at + n})`);
    return this._buf.subarray(0, size);
  }
}

async function writeAll(file: fsp.FileHandle, buf: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < buf.length;) {
    const { bytesWritten } = await file.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}

/** Fills `buf` from `position`; the file must hold that much. */
async function readAll(file: fsp.FileHandle, buf: Uint8Array, position: number): Promise<void> {
  const n = await readSome(file, buf, position);
  if (n < buf.length) throw new Error(`the index file ends early (at ${position + n})`);
}

/** Reads into `buf` from `position` up to its length or the end of the file. */
async function readSome(file: fsp.FileHandle, buf: Uint8Array, position: number): Promise<number> {
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await file.read(buf, done, buf.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}
