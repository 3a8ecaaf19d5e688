/**
 * The input half of asynchat, without a socket: a byte stream is split on a terminator and
 * reported as `collect` ranges and `found` boundaries, exactly as CPython's
 * `async_chat.handle_read` does (see shared/asynchat-contract.md §1.3). AsyncChat and Framer
 * both drive it, so the two can never disagree about where a message ends.
 *
 * Differences from CPython, on purpose (contract §3):
 * - scanning moves an offset through the buffer instead of re-slicing the rest after every
 *   message, so time is linear in the input however it is chunked (pitfall 2);
 * - `end()` delivers the bytes held back as a possible terminator prefix (pitfall 1);
 * - an optional `maxMessageBytes` bounds a message, calling `onLimit` (pitfall 4);
 * - `discard()` also drops the held prefix, for protocol upgrades (pitfall 5).
 */
import { EMPTY, findPrefixAtEnd } from './bytes';

/**
 * A terminator: a delimiter (bytes), a count of bytes, or null for "everything until close".
 * A count of 0 and an empty delimiter behave like null, as asynchat's falsy terminators do.
 */
export type Terminator = Buffer | number | null;

/** Receives what the scanner finds. Ranges index into `buf`, which is only valid during the call. */
export interface ScanSink {
  /** Message bytes `buf[start, end)`; never an empty range. */
  collect(buf: Buffer, start: number, end: number): void;
  /** A terminator was found at `buf[start, end)` (an empty range for a count). */
  found(buf: Buffer, start: number, end: number): void;
  /** The message reached the scanner's `maxMessageBytes` with no terminator. */
  limit?(): void;
}

/** The asynchat dispatch loop as a reusable state machine. */
export class TerminatorScanner {
  /** The current terminator; a running count goes down as bytes arrive, as in asynchat. */
  terminator: Terminator | undefined = undefined;
  /** Bytes of the current message collected since the last terminator (for the limit). */
  private _messageBytes = 0;
  /** A possible terminator prefix kept from the last feed (at most length - 1 bytes). */
  private _held: Buffer = EMPTY;
  /** Bumped by discard(); a running loop sees it and stops. */
  private _generation = 0;

  constructor(
    private readonly _sink: ScanSink,
    /** Message bytes after which `sink.limit` is called; Infinity for no bound. */
    public maxMessageBytes = Infinity,
  ) {}

  /** Bytes held back as a possible start of the terminator. */
  get heldBytes(): number {
    return this._held.length;
  }

  /** Scans one chunk of input, calling the sink for everything it finds. */
  feed(chunk: Buffer): void {
    if (this.terminator === undefined) {
      throw new Error('no terminator set: call setTerminator() before data arrives');
    }
    let buf = chunk;
    if (this._held.length > 0) {
      // Only a short terminator prefix is ever held, so this copy is small... but it copies the
      // chunk. Held prefixes are rare (a chunk must end inside a terminator).
      buf = Buffer.concat([this._held, chunk]);
      this._held = EMPTY;
    }
    const generation = this._generation;
    const end = buf.length;
    let pos = 0;
    const sink = this._sink;
    while (pos < end && generation === this._generation) {
      const t: Terminator | undefined = this.terminator;
      const avail = end - pos;
      if (t === null || t === undefined || t === 0 || (typeof t !== 'number' && t.length === 0)) {
        pos = this._collect(buf, pos, end);
      } else if (typeof t === 'number') {
        if (avail < t) {
          const next = this._collect(buf, pos, end);
          if (this.terminator === t) this.terminator = t - (next - pos);
          pos = next;
        } else {
          const next = this._collect(buf, pos, pos + t);
          if (next < pos + t) {
            // Cut by the limit: the count runs down by what was delivered; loop again.
            if (this.terminator === t) this.terminator = t - (next - pos);
            pos = next;
            continue;
          }
          pos = next;
          this.terminator = 0;
          this._messageBytes = 0;
          sink.found(buf, pos, pos);
        }
      } else {
        const i = buf.indexOf(t, pos);
        if (i >= 0) {
          if (i > pos) {
            const next = this._collect(buf, pos, i);
            if (next < i) {
              pos = next;
              continue;
            }
          }
          pos = i + t.length;
          this._messageBytes = 0;
          sink.found(buf, i, pos);
        } else {
          const k = t.length > 1 ? findPrefixAtEnd(buf, t, pos) : 0;
          if (k > 0) {
            if (k !== avail) {
              const next = this._collect(buf, pos, end - k);
              if (next < end - k) {
                pos = next;
                continue;
              }
            }
            if (generation === this._generation) this._held = Buffer.from(buf.subarray(end - k));
            break;
          }
          pos = this._collect(buf, pos, end);
        }
      }
    }
  }

  /**
   * End of input: delivers any held-back terminator prefix as message bytes. CPython leaves
   * them in its buffer and loses them (pitfall 1); a debugger must not.
   */
  end(): void {
    const held = this._held;
    this._held = EMPTY;
    let pos = 0;
    const generation = this._generation;
    while (pos < held.length && generation === this._generation) {
      pos = this._collect(held, pos, held.length);
    }
  }

  /** Drops the held prefix and stops the running scan (asynchat's discard_buffers). */
  discard(): void {
    this._held = EMPTY;
    this._messageBytes = 0;
    this._generation++;
  }

  /**
   * Collects `buf[start, end)`, cut at the message limit. Returns how far it got: `end`, or
   * less when the limit was reached (the sink's `limit` has then run, and the caller re-reads
   * the terminator, which the hook may have changed).
   */
  private _collect(buf: Buffer, start: number, end: number): number {
    const room = this.maxMessageBytes - this._messageBytes;
    if (end - start <= room) {
      this._messageBytes += end - start;
      this._sink.collect(buf, start, end);
      return end;
    }
    const cut = start + Math.max(0, room);
    if (cut > start) this._sink.collect(buf, start, cut);
    this._messageBytes = 0;
    this._sink.limit?.();
    return cut;
  }
}
