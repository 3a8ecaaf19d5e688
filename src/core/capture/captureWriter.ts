/**
 * Streams a session into a `.linetap` file: events are turned into lines at once and appended
 * in batches (on a timer or when a batch is full), so a crash loses at most the last batch and
 * recording costs no system call per frame.
 */
import * as fsp from 'node:fs/promises';
import {
  type CaptureEvent,
  type CaptureHeader,
  encodeEvent,
  encodeHeader,
  type FrameInput,
} from './captureFormat';
import { FrameLineBuffer } from './frameLineBuffer';

/** Writer settings. */
export interface CaptureWriterOptions {
  /** Longest time a recorded event waits before it is written. Default 100 ms. */
  readonly flushIntervalMs?: number;
  /** A batch is written as soon as it holds this many characters. Default 256 KiB. */
  readonly batchBytes?: number;
  /**
   * Buffered bytes above which the record methods return false: the caller should stop reading
   * its sockets until `drained()` resolves. Default 16 MiB.
   */
  readonly highWaterMark?: number;
  /** Fail if the file exists instead of replacing it. */
  readonly exclusive?: boolean;
  /** Called once if a write fails; the record methods throw from then on. */
  readonly onError?: (error: Error) => void;
}

/**
 * Appends events to a capture file. The record methods never drop an event: they return false
 * when the buffer is over its high-water mark, and memory stays bounded only if the caller
 * then waits for `drained()` (the proxy pauses its sockets), as with a Node Writable.
 */
export class CaptureWriter {
  private readonly _interval: number;
  private readonly _batchBytes: number;
  private readonly _highWaterMark: number;
  private readonly _onError: ((error: Error) => void) | undefined;
  private readonly _batch: FrameLineBuffer;
  private _timer: NodeJS.Timeout | undefined;
  private _queue: Buffer[] = [];
  private _queuedBytes = 0;
  private _writing = false;
  private _idleWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private _drainWaiters: (() => void)[] = [];
  private _error: Error | undefined;
  private _closing: Promise<void> | undefined;

  private constructor(
    private readonly _file: fsp.FileHandle,
    /** Where the capture is written. */
    readonly path: string,
    /** The header on line 1. */
    readonly header: CaptureHeader,
    options: CaptureWriterOptions,
  ) {
    this._interval = options.flushIntervalMs ?? 100;
    this._batchBytes = options.batchBytes ?? 256 * 1024;
    this._highWaterMark = options.highWaterMark ?? 16 * 1024 * 1024;
    this._onError = options.onError;
    this._batch = new FrameLineBuffer(this._batchBytes + 4096);
  }

  /** Creates (or replaces) the file and writes the header line before resolving. */
  static async open(
    path: string,
    header: CaptureHeader,
    options: CaptureWriterOptions = {},
  ): Promise<CaptureWriter> {
    const file = await fsp.open(path, options.exclusive ? 'wx' : 'w');
    try {
      await file.writeFile(encodeHeader(header) + '\n', 'utf8');
    } catch (e) {
      await file.close();
      throw e;
    }
    return new CaptureWriter(file, path, header, options);
  }

  /** A connection was accepted. Returns false when the caller should wait for `drained()`. */
  recordOpen(conn: number, t: number, peer?: string): boolean {
    return this._append(
      encodeEvent(peer === undefined ? { e: 'open', conn, t } : { e: 'open', conn, t, peer }),
    );
  }

  /** A frame; a TrafficFrame can be passed as it is. Returns false when over the mark. */
  recordFrame(frame: FrameInput): boolean {
    this._check();
    this._batch.appendFrame(frame);
    return this._appended();
  }

  /** A connection ended. Returns false when the caller should wait for `drained()`. */
  recordClose(conn: number, t: number, reason?: string): boolean {
    return this._append(
      encodeEvent(reason === undefined ? { e: 'close', conn, t } : { e: 'close', conn, t, reason }),
    );
  }

  /** A remark, about one connection or the session. Returns false when over the mark. */
  recordNote(t: number, text: string, conn?: number): boolean {
    return this._append(
      encodeEvent(conn === undefined ? { e: 'note', t, text } : { e: 'note', t, text, conn }),
    );
  }

  /** Any event, e.g. one read from another capture. Returns false when over the mark. */
  record(event: CaptureEvent): boolean {
    return this._append(encodeEvent(event));
  }

  /** Bytes recorded but not yet written. */
  get bufferedBytes(): number {
    return this._batch.length + this._queuedBytes;
  }

  /** Resolves once the buffer is under half the high-water mark. */
  drained(): Promise<void> {
    if (this.bufferedBytes <= this._highWaterMark / 2 || this._error) return Promise.resolve();
    return new Promise((resolve) => this._drainWaiters.push(resolve));
  }

  /** Writes everything recorded so far; rejects if a write failed. */
  flush(): Promise<void> {
    if (this._error) return Promise.reject(this._error);
    this._cutBatch();
    if (!this._writing) return Promise.resolve();
    return new Promise((resolve, reject) => this._idleWaiters.push({ resolve, reject }));
  }

  /** Writes everything and closes the file. Further records throw. Safe to call twice. */
  close(): Promise<void> {
    this._closing ??= (async () => {
      try {
        await this.flush();
      } finally {
        await this._file.close();
      }
    })();
    return this._closing;
  }

  private _append(line: string): boolean {
    this._check();
    this._batch.appendLine(line);
    return this._appended();
  }

  private _check(): void {
    if (this._closing) throw new Error(`capture ${this.path} is closed`);
    if (this._error) {
      throw new Error(`capture ${this.path} failed: ${this._error.message}`, {
        cause: this._error,
      });
    }
  }

  private _appended(): boolean {
    if (this._batch.length >= this._batchBytes) this._cutBatch();
    else this._timer ??= setTimeout(() => this._cutBatch(), this._interval);
    return this._batch.length + this._queuedBytes < this._highWaterMark;
  }

  private _cutBatch(): void {
    if (this._timer) {
      clearTimeout(this._timer);
      this._timer = undefined;
    }
    if (this._batch.length === 0) return;
    const buf = this._batch.take();
    this._queue.push(buf);
    this._queuedBytes += buf.length;
    if (!this._writing) {
      this._writing = true;
      void this._pump();
    }
  }

  private async _pump(): Promise<void> {
    try {
      while (this._queue.length > 0) {
        const bufs = this._queue;
        this._queue = [];
        let total = 0;
        for (const b of bufs) total += b.length;
        // One system call for everything queued while the last write ran.
        let done = (await this._file.writev(bufs)).bytesWritten;
        while (done < total) done += await this._writeRest(bufs, done);
        this._queuedBytes -= total;
        if (this.bufferedBytes <= this._highWaterMark / 2) this._wake();
      }
      this._writing = false;
      const waiters = this._idleWaiters;
      this._idleWaiters = [];
      for (const w of waiters) w.resolve();
    } catch (e) {
      this._fail(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** A short write (rare, on regular files): write what is left of the batch. */
  private async _writeRest(bufs: Buffer[], from: number): Promise<number> {
    const rest = Buffer.concat(bufs).subarray(from);
    return (await this._file.write(rest)).bytesWritten;
  }

  private _wake(): void {
    const waiters = this._drainWaiters;
    this._drainWaiters = [];
    for (const w of waiters) w();
  }

  private _fail(error: Error): void {
    this._error = error;
    this._writing = false;
    this._queue = [];
    this._queuedBytes = 0;
    if (this._timer) clearTimeout(this._timer);
    this._timer = undefined;
    const waiters = this._idleWaiters;
    this._idleWaiters = [];
    for (const w of waiters) w.reject(error);
    this._wake();
    this._onError?.(error);
  }
}
