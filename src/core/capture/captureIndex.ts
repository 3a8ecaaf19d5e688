/**
 * A capture file indexed for viewing, whatever its size: the file is streamed once, its events
 * framed under the header's specs (or others, re-framed) by CaptureFramer, and every frame
 * goes to a FrameStore on disk as it comes. Views read frames back by position, from the
 * first ones on, while the rest is still being indexed. Memory stays bounded: the reader holds
 * a chunk of the file, the store a few offsets per block of frames and its cache.
 *
 * Frame ids are positions plus one: CaptureFramer numbers frames in the order it hands them
 * out, and they are stored in that order.
 */
import * as fs from 'node:fs';
import { Emitter, type Event } from '../events';
import type { ConnectionSpecs, FramingSpec } from '../framing/framingSpec';
import type { CaptureError } from './captureDecode';
import type { CaptureHeader } from './captureFormat';
import { type CaptureReadOptions, type CaptureSource, CaptureStream } from './captureReader';
import { FrameStore, type FrameStoreOptions } from './frameStore';
import { CaptureFramer, type FrameMode, headerSpecs } from './reframe';

/** How to index a capture. */
export interface CaptureIndexOptions extends FrameStoreOptions, CaptureReadOptions {
  /** Framing to annotate (or re-frame) with. Default: the header's specs. */
  readonly specs?: string | FramingSpec | ConnectionSpecs;
  /** `recorded` (default) keeps the recorded frames; `reframe` frames the bytes anew. */
  readonly mode?: FrameMode;
  /** Passed to the framers. */
  readonly maxFrameBytes?: number;
  /** Malformed lines kept in `errors` (all are counted). Default 1000. */
  readonly maxErrors?: number;
}

/** Frames made readable by the first commit: small, so the first rows show at once. */
const FIRST_COMMIT = 256;
/** Commits then grow to this many frames, or this many bytes of compressed records. */
const MAX_COMMIT = 16_384;
const MAX_COMMIT_BYTES = 1 << 20;
/** Events framed between two turns given to the rest of the process (the extension host). */
const YIELD_EVENTS = 2048;
/** Bytes read from a capture file at a time. */
const READ_CHUNK = 256 * 1024;

/** A capture being indexed, or indexed, into a frame store. */
export class CaptureIndex {
  private readonly _onDidIndex = new Emitter<void>();
  /** More frames can be read, or indexing ended. */
  readonly onDidIndex: Event<void> = this._onDidIndex.event;
  /** Resolves when indexing ends: the whole file was read, it failed, or it was disposed. */
  readonly done: Promise<void>;
  private _indexing = true;
  private _disposed = false;
  private _failure: Error | undefined;
  private _waiters: (() => void)[] = [];
  private _closed: Promise<void> | undefined;

  private constructor(
    private readonly _stream: CaptureStream,
    /** The frames, for reading. */
    readonly store: FrameStore,
    private readonly _read: { readonly bytes: number },
    options: CaptureIndexOptions,
  ) {
    this.done = this._run(options);
  }

  /**
   * Opens a capture (a path or chunks of bytes), reads up to its header and starts indexing
   * in the background. Rejects when the file cannot be read or the scratch files made.
   */
  static async open(
    source: CaptureSource,
    options: CaptureIndexOptions = {},
  ): Promise<CaptureIndex> {
    const input =
      typeof source === 'string'
        ? fs.createReadStream(source, { highWaterMark: READ_CHUNK })
        : source;
    const read = { bytes: 0 };
    // Counts the bytes as the reader takes them, for the progress of a big file.
    const counted = async function* (): AsyncGenerator<Uint8Array | string> {
      for await (const chunk of input) {
        read.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
        yield chunk;
      }
    };
    const store = await FrameStore.create(options);
    try {
      const stream = await CaptureStream.open(counted(), options);
      return new CaptureIndex(stream, store, read, options);
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  /** Line 1 of the capture, when it has one. Without it there are no frames. */
  get header(): CaptureHeader | undefined {
    return this._stream.header;
  }

  /** Frames that can be read now. */
  get count(): number {
    return this.store.count;
  }

  /** The file is still being read. */
  get indexing(): boolean {
    return this._indexing;
  }

  /** Bytes of the file read so far. */
  get bytesRead(): number {
    return this._read.bytes;
  }

  /** The first malformed lines met so far, with their numbers. */
  get errors(): readonly CaptureError[] {
    return this._stream.errors;
  }

  /** All malformed lines met so far. */
  get errorCount(): number {
    return this._stream.errorCount;
  }

  /** Why indexing stopped early (a read or write failed), if it did. */
  get failure(): Error | undefined {
    return this._failure;
  }

  /** Resolves at the next commit, or at once when indexing has ended. */
  changed(): Promise<void> {
    if (!this._indexing) return Promise.resolve();
    return new Promise((resolve) => this._waiters.push(resolve));
  }

  /** Stops indexing and removes the scratch files. */
  dispose(): Promise<void> {
    this._disposed = true;
    this._closed ??= this.done.then(() => this.store.close());
    return this._closed;
  }

  private async _run(options: CaptureIndexOptions): Promise<void> {
    const header = this._stream.header;
    try {
      if (!header) return;
      const framer = new CaptureFramer(options.specs ?? headerSpecs(header), {
        mode: options.mode,
        maxFrameBytes: options.maxFrameBytes,
      });
      const store = this.store;
      let batch = FIRST_COMMIT;
      let events = 0;
      for await (const event of this._stream) {
        if (this._disposed) return;
        for (const f of framer.push(event)) store.append(f);
        // The reader may find its next chunk already read: let other work in now and then.
        if (++events % YIELD_EVENTS === 0) await new Promise((r) => setImmediate(r));
        if (store.appended - store.count >= batch || store.pendingBytes >= MAX_COMMIT_BYTES) {
          await this._commit();
          batch = Math.min(MAX_COMMIT, batch * 2);
        }
      }
      for (const f of framer.end()) store.append(f);
      await store.finish();
    } catch (e) {
      this._failure = e instanceof Error ? e : new Error(String(e));
    } finally {
      this._indexing = false;
      this._wake();
    }
  }

  private async _commit(): Promise<void> {
    await this.store.commit();
    this._wake();
  }

  private _wake(): void {
    const waiters = this._waiters;
    this._waiters = [];
    for (const w of waiters) w();
    if (!this._disposed) this._onDidIndex.fire();
  }
}
