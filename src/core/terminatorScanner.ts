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
 * - an optional `maxMessageBytes` bounds a message, calling `sink.limit` (pitfall 4);
 * - `discard()` also drops the held prefix, for protocol upgrades (pitfall 5).
 *
 * As in CPython, a sink call that throws leaves the input it had not reached yet for the next
 * feed (CPython keeps it in `ac_in_buffer`): nothing is reported twice, nothing is dropped.
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
  /**
   * Input received but not yet scanned: a possible terminator prefix (at most length - 1
   * bytes), or the rest of a chunk whose callback threw.
   */
  private _held: Buffer = EMPTY;
  /** Bumped by discard(); a running loop sees it and stops. */
  private _generation = 0;
  /** A message was just cut at the limit; `sink.limit` runs at the top of the next pass. */
  private _limitDue = false;

  constructor(
    private readonly _sink: ScanSink,
    /** Message bytes after which `sink.limit` is called; Infinity for no bound. */
    public maxMessageBytes = Infinity,
  ) {}

  /** Bytes received and not yet reported: a held terminator prefix, or input left by a throw. */
  get heldBytes(): number {
    return this._held.length;
  }

  /**
   * Scans one chunk of input, calling the sink for everything it finds. If a sink call throws,
   * the error propagates and the input after what was already reported is kept for the next
   * feed (or end), as CPython keeps it in `ac_in_buffer`: nothing is reported twice or lost.
   */
  feed(chunk: Buffer): void {
    if (chunk.length === 0 && this._held.length === 0) return;
    if (this.terminator === undefined) {
      throw new Error('no terminator set: call setTerminator() before data arrives');
    }
    let buf = chunk;
    if (this._held.length > 0) {
      // Usually a short terminator prefix; the copy of the chunk is the price of not losing it.
      buf = Buffer.concat([this._held, chunk]);
      this._held = EMPTY;
    }
    this._scan(buf, false);
  }

  /**
   * End of input: scans what is held one last time and delivers a held-back terminator prefix
   * as message bytes. CPython leaves the prefix in its buffer and loses it (pitfall 1); a
   * debugger must not.
   */
  end(): void {
    const held = this._held;
    this._held = EMPTY;
    if (held.length > 0) this._scan(held, true);
  }

  /** Drops the held input and stops the running scan (asynchat's discard_buffers). */
  discard(): void {
    this._held = EMPTY;
    this._messageBytes = 0;
    this._limitDue = false;
    this._generation++;
  }

  /** The dispatch loop of `handle_read`; `final` collects a trailing prefix instead of holding it. */
  private _scan(buf: Buffer, final: boolean): void {
    const generation = this._generation;
    const end = buf.length;
    const sink = this._sink;
    let pos = 0;
    try {
      while (pos < end && generation === this._generation) {
        if (this._limitDue) {
          // Run after `pos` moved past the cut, so a throwing hook loses and repeats nothing.
          this._limitDue = false;
          sink.limit?.();
          continue;
        }
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
          // The hot path: message after message under one delimiter, without the dispatch above.
          let i: number;
          do {
            i = indexOfTerminator(buf, t, pos);
            if (i < 0) break;
            if (i > pos) {
              const next = this._collect(buf, pos, i);
              pos = next;
              if (next < i) break;
            }
            pos = i + t.length;
            this._messageBytes = 0;
            sink.found(buf, i, pos);
          } while (pos < end && this.terminator === t && generation === this._generation);
          // Stopped by a cut at the limit, a new terminator, discard() or the end of the chunk.
          if (i >= 0) continue;
          const k = t.length > 1 && !final ? prefixAtEnd(buf, t, pos) : 0;
          if (k > 0) {
            if (k !== end - pos) {
              const next = this._collect(buf, pos, end - k);
              pos = next;
              if (next < end - k) continue;
            }
            if (generation === this._generation) this._held = Buffer.from(buf.subarray(end - k));
            break;
          }
          pos = this._collect(buf, pos, end);
        }
      }
    } catch (err) {
      if (generation === this._generation && pos < end) {
        this._held = Buffer.from(buf.subarray(pos));
      }
      throw err;
    }
  }

  /**
   * Collects `buf[start, end)`, cut at the message limit. Returns how far it got: `end`, or
   * less when the limit was reached (then `sink.limit` is due, and the loop re-reads the
   * terminator after it, since the hook may change it).
   */
  private _collect(buf: Buffer, start: number, end: number): number {
    const room = Math.floor(this.maxMessageBytes - this._messageBytes);
    if (end - start <= room) {
      this._sink.collect(buf, start, end);
      this._messageBytes += end - start;
      return end;
    }
    const cut = start + Math.max(0, room);
    if (cut > start) this._sink.collect(buf, start, cut);
    this._messageBytes = 0;
    this._limitDue = true;
    return cut;
  }
}

/**
 * `buf.indexOf(t, pos)`, faster for short messages: indexOf with a number needle is a memchr
 * behind a much cheaper call than with a Buffer needle (about 30 ns against 150 ns on Node 20),
 * so look for the first byte and compare the rest here. When the first byte keeps turning up
 * without the rest (`\r\n.\r\n` over CRLF lines), hand over to the native substring search.
 */
function indexOfTerminator(buf: Buffer, t: Buffer, pos: number): number {
  const first = t[0];
  const n = t.length;
  if (n === 1) return buf.indexOf(first, pos);
  const last = buf.length - n;
  for (let misses = 0; misses < 8; misses++) {
    const i = buf.indexOf(first, pos);
    if (i < 0 || i > last) return -1;
    let k = 1;
    while (k < n && buf[i + k] === t[k]) k++;
    if (k === n) return i;
    pos = i + 1;
  }
  return buf.indexOf(t, pos);
}

/**
 * findPrefixAtEnd for the scanner's own Buffers: it runs at the end of every read, so with
 * one-byte reads on every byte, and most reads end where no prefix can start.
 */
function prefixAtEnd(buf: Buffer, t: Buffer, pos: number): number {
  const end = buf.length;
  if (end === pos) return 0;
  // A prefix can only end with a byte that occurs in t before its last byte.
  const lastByte = buf[end - 1];
  let j = 0;
  while (j < t.length - 1 && t[j] !== lastByte) j++;
  return j === t.length - 1 ? 0 : findPrefixAtEnd(buf, t, pos);
}
