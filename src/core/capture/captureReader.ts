/**
 * Reading `.linetap` captures: streaming, line by line, keeping every valid line and reporting
 * each malformed one with its line number. A torn last line (the writer was cut off) is
 * reported as such and everything before it is kept.
 */
import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import type { CaptureEvent, CaptureHeader } from './captureFormat';
import { type CaptureError, type CaptureErrorKind, decodeLine } from './captureDecode';

/** A file path, a Readable, or any async source of chunks. */
export type CaptureSource = string | AsyncIterable<Uint8Array | string>;

/** Reader settings. */
export interface CaptureReadOptions {
  /**
   * Longest line accepted, in bytes; longer ones are skipped and reported, so a damaged file
   * cannot make the reader hold gigabytes. Default 64 MiB (a 1 MiB frame of control bytes is
   * 6 MiB of JSON).
   */
  readonly maxLineBytes?: number;
}

/** One line's worth of a capture, in file order. */
export type CaptureRecord =
  | { readonly kind: 'header'; readonly line: number; readonly header: CaptureHeader }
  | { readonly kind: 'event'; readonly line: number; readonly event: CaptureEvent }
  | { readonly kind: 'error'; readonly error: CaptureError };

/** A whole capture in memory: what could be read, and what could not. */
export interface Capture {
  readonly header: CaptureHeader | undefined;
  readonly events: CaptureEvent[];
  readonly errors: CaptureError[];
}

const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/** Streams the records of a capture; memory is bounded by the longest line. */
export async function* readCaptureRecords(
  source: CaptureSource,
  options: CaptureReadOptions = {},
): AsyncGenerator<CaptureRecord> {
  for await (const batch of recordBatches(source, options)) yield* batch;
}

/** The records of each chunk read, together: one await per chunk rather than per line. */
async function* recordBatches(
  source: CaptureSource,
  options: CaptureReadOptions,
): AsyncGenerator<CaptureRecord[]> {
  const lines = new CaptureLines(options);
  const input =
    typeof source === 'string' ? fs.createReadStream(source, { highWaterMark: 1 << 20 }) : source;
  for await (const chunk of input) {
    const records = lines.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    if (records.length > 0) yield records;
  }
  yield lines.end();
}

/** Reads a whole capture into memory. */
export async function readCapture(
  source: CaptureSource,
  options?: CaptureReadOptions,
): Promise<Capture> {
  const capture: Capture = { header: undefined, events: [], errors: [] };
  for await (const batch of recordBatches(source, options ?? {})) {
    for (const r of batch) collect(capture, r);
  }
  return capture;
}

/** Decodes a capture already in memory (the VS Code editor reads bytes through its own fs). */
export function decodeCapture(data: Uint8Array | string, options?: CaptureReadOptions): Capture {
  const capture: Capture = { header: undefined, events: [], errors: [] };
  const lines = new CaptureLines(options ?? {});
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (const r of [...lines.push(bytes), ...lines.end()]) collect(capture, r);
  return capture;
}

function collect(capture: Capture, r: CaptureRecord): void {
  if (r.kind === 'event') capture.events.push(r.event);
  else if (r.kind === 'error') capture.errors.push(r.error);
  else (capture as { header: CaptureHeader | undefined }).header = r.header;
}

/**
 * A capture opened for streaming: the header is read, the events come as they are iterated,
 * and errors gather as they are met. Iterate once.
 */
export class CaptureStream implements AsyncIterable<CaptureEvent> {
  /** The first `maxErrors` errors met so far. */
  readonly errors: CaptureError[] = [];
  private _errorCount = 0;

  private readonly _pending: CaptureEvent[] = [];

  private constructor(
    readonly header: CaptureHeader | undefined,
    private readonly _batches: AsyncGenerator<CaptureRecord[]>,
    first: readonly CaptureRecord[],
    private readonly _maxErrors: number,
  ) {
    for (const r of first) {
      const event = this._take(r);
      if (event) this._pending.push(event);
    }
  }

  /**
   * Opens a capture and reads up to its header (or up to what stands in its place); errors met
   * on the way are in `errors` at once.
   */
  static async open(
    source: CaptureSource,
    options: CaptureReadOptions & { readonly maxErrors?: number } = {},
  ): Promise<CaptureStream> {
    const batches = recordBatches(source, options);
    const first: CaptureRecord[] = [];
    let header: CaptureHeader | undefined;
    let sawEvent = false;
    while (header === undefined && !sawEvent) {
      const next = await batches.next();
      if (next.done) break;
      for (const r of next.value) {
        if (r.kind === 'header') header = r.header;
        else first.push(r);
        sawEvent ||= r.kind === 'event';
      }
    }
    return new CaptureStream(header, batches, first, options.maxErrors ?? 1000);
  }

  /** Errors met so far, including those beyond `maxErrors` that were not kept. */
  get errorCount(): number {
    return this._errorCount;
  }

  /** The events, read as they are asked for. */
  async *[Symbol.asyncIterator](): AsyncIterator<CaptureEvent> {
    yield* this._pending.splice(0);
    for await (const batch of this._batches) {
      for (const r of batch) {
        const event = this._take(r);
        if (event) yield event;
      }
    }
  }

  private _take(r: CaptureRecord): CaptureEvent | undefined {
    if (r.kind === 'event') return r.event;
    if (r.kind === 'error') {
      this._errorCount++;
      if (this.errors.length < this._maxErrors) this.errors.push(r.error);
    }
    return undefined;
  }
}

/**
 * Splits bytes into lines and decodes them, knowing what a file-level reader must: the header
 * comes first, there is one of it, and only the last line may be torn.
 */
class CaptureLines {
  private readonly _maxLineBytes: number;
  private _parts: Buffer[] = [];
  private _partBytes = 0;
  private _line = 0;
  private _tooLong = false;
  private _headerSeen = false;
  private _eventSeen = false;

  constructor(options: CaptureReadOptions) {
    this._maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  push(chunk: Uint8Array): CaptureRecord[] {
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: CaptureRecord[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      this._line++;
      if (this._tooLong) {
        this._tooLong = false;
      } else if (this._parts.length === 0) {
        if (nl - start > this._maxLineBytes) this._reportTooLong(out);
        else this._decode(buf.subarray(start, nl), true, out);
      } else {
        this._parts.push(buf.subarray(start, nl));
        const line = Buffer.concat(this._parts, this._partBytes + nl - start);
        if (line.length > this._maxLineBytes) this._reportTooLong(out);
        else this._decode(line, true, out);
      }
      this._parts = [];
      this._partBytes = 0;
      start = nl + 1;
    }
    if (start < buf.length && !this._tooLong) {
      // Copy: the caller may reuse its chunk, and a small tail must not pin a large one.
      this._parts.push(Buffer.from(buf.subarray(start)));
      this._partBytes += buf.length - start;
      if (this._partBytes > this._maxLineBytes) {
        this._parts = [];
        this._partBytes = 0;
        this._tooLong = true;
        this._reportTooLong(out, this._line + 1);
      }
    }
    return out;
  }

  end(): CaptureRecord[] {
    const out: CaptureRecord[] = [];
    if (this._partBytes > 0) {
      this._line++;
      this._decode(Buffer.concat(this._parts, this._partBytes), false, out);
    }
    if (!this._headerSeen && !this._eventSeen) {
      out.push(error(1, 'no-header', 'the file has no header line'));
    }
    this._parts = [];
    this._partBytes = 0;
    return out;
  }

  private _reportTooLong(out: CaptureRecord[], line = this._line): void {
    const message = `line is longer than ${this._maxLineBytes} bytes; skipped`;
    out.push(error(line, 'too-long', message));
  }

  private _decode(bytes: Buffer, complete: boolean, out: CaptureRecord[]): void {
    const line = this._line;
    // A file that went through a CRLF conversion (git on Windows) still reads.
    const end =
      bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length;
    const body = bytes.subarray(0, end);
    if (isBlank(body)) return;
    if (!isUtf8(body)) {
      out.push(error(line, complete ? 'not-utf8' : 'torn', 'line is not valid UTF-8'));
      return;
    }
    const decoded = decodeLine(body.toString('utf8'), line);
    if (decoded.kind === 'error') {
      if (decoded.error.kind === 'unknown-version') this._headerSeen = true;
      out.push(
        complete
          ? { kind: 'error', error: decoded.error }
          : error(line, 'torn', `the last line is cut off (${decoded.error.message})`),
      );
    } else if (decoded.kind === 'header') {
      if (!this._headerSeen && !this._eventSeen) {
        out.push({ kind: 'header', line, header: decoded.header });
      } else {
        out.push(error(line, 'not-record', 'a second header; a capture has one, on line 1'));
      }
      this._headerSeen = true;
    } else {
      if (!this._headerSeen && !this._eventSeen) {
        out.push(error(line, 'no-header', 'no header line before the first event'));
      }
      this._eventSeen = true;
      out.push({ kind: 'event', line, event: decoded.event });
    }
  }
}

function isBlank(line: Buffer): boolean {
  for (const c of line) if (c !== 32 && c !== 9) return false;
  return true;
}

function error(line: number, kind: CaptureErrorKind, message: string): CaptureRecord {
  return { kind: 'error', error: { line, kind, message } };
}
