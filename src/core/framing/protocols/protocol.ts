/** What a protocol framer module provides, and small helpers they share. */
import { escapeBytes, isValidUtf8 } from '../../bytes';
import type { Framer, FramerOptions } from '../framer';
import type { FrameWarning } from '../frame';

/** The two framers of one connection. They share state: pairing, mode switches. */
export interface ProtocolFramers {
  readonly c2s: Framer;
  readonly s2c: Framer;
}

/** A protocol framer: its spec name and a factory for one connection's pair of framers. */
export interface Protocol {
  readonly name: string;
  /** One line for help texts. */
  readonly description: string;
  createFramers(options?: FramerOptions): ProtocolFramers;
}

/** A line split into its text and ending. */
export interface Line {
  /** The bytes before the line ending. */
  readonly content: Buffer;
  /** How the line ended: `\r\n`, a bare `\n`, or not at all (cut or flushed). */
  readonly ending: 'crlf' | 'lf' | 'none';
}

/** Splits a segment that should end with a line ending. */
export function splitLine(seg: Buffer): Line {
  const n = seg.length;
  if (n > 0 && seg[n - 1] === 10) {
    if (n > 1 && seg[n - 2] === 13) return { content: seg.subarray(0, n - 2), ending: 'crlf' };
    return { content: seg.subarray(0, n - 1), ending: 'lf' };
  }
  return { content: seg, ending: 'none' };
}

/** What checkLine looks for. */
export interface LineRules {
  /** The protocol wants `\r\n`; a bare `\n` gets a `bare-lf` warning. */
  readonly crlf: boolean;
  /** Longest line the protocol allows, ending included (IRC 512, SMTP 1000). */
  readonly maxLine?: number;
  /** The protocol carries UTF-8 text here; other bytes get an `invalid-utf8` warning. */
  readonly utf8?: boolean;
  /** Protocol name for the messages. */
  readonly protocol: string;
}

/** Warnings for one line under a protocol's rules; empty when the line is clean. */
export function checkLine(seg: Buffer, line: Line, rules: LineRules): FrameWarning[] {
  const warnings: FrameWarning[] = [];
  if (rules.crlf && line.ending === 'lf') {
    warnings.push({
      code: 'bare-lf',
      message: `line ends with a bare \\n; ${rules.protocol} wants \\r\\n`,
    });
  }
  if (rules.maxLine !== undefined && seg.length > rules.maxLine) {
    warnings.push({
      code: 'long-line',
      message: `line is ${seg.length} bytes; ${rules.protocol} allows ${rules.maxLine}`,
    });
  }
  if (rules.utf8 && !isValidUtf8(line.content)) {
    warnings.push({ code: 'invalid-utf8', message: 'line is not valid UTF-8' });
  }
  return warnings;
}

/** Bytes as a short, quoted, escaped string for summaries: `"hello\r\nworld"`, cut with `…`. */
export function quote(data: Uint8Array, max = 40): string {
  const cut = data.length > max * 4 ? data.subarray(0, max * 4) : data;
  let text = escapeBytes(cut);
  if (text.length > max) text = text.slice(0, max) + '…';
  else if (cut !== data) text += '…';
  return `"${text}"`;
}

/** Text of a line for parsing, with invalid bytes replaced (the warning reports them). */
export function lineText(content: Buffer): string {
  return content.toString('utf8');
}

/**
 * Requests waiting for their reply, oldest first, for protocols that answer in order. Bounded:
 * a client that pipelines without ever reading cannot grow it forever.
 */
export class PendingRequests<T> {
  private readonly _items: { seq: number; info: T }[] = [];
  private _head = 0;

  constructor(private readonly _max = 100_000) {}

  /** Records a request (its frame seq and whatever the reply needs to know). */
  push(seq: number, info: T): void {
    if (this.size >= this._max) this._head++;
    this._items.push({ seq, info });
  }

  /** The oldest waiting request, without removing it. */
  peek(): { seq: number; info: T } | undefined {
    return this._items[this._head];
  }

  /** Removes and returns the oldest waiting request. */
  shift(): { seq: number; info: T } | undefined {
    const item = this._items[this._head];
    if (item === undefined) return undefined;
    this._head++;
    if (this._head > 1024 && this._head * 2 > this._items.length) {
      this._items.splice(0, this._head);
      this._head = 0;
    }
    return item;
  }

  get size(): number {
    return this._items.length - this._head;
  }
}
