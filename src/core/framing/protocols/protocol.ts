/** What a protocol framer module provides, and small helpers they share. */
import { escapeBytes, isValidUtf8 } from '../../bytes';
import type { Framer, FramerOptions } from '../framer';
import type { Annotation, FrameWarning, WarningCode } from '../frame';

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

/**
 * The start of `escapeBytes(data)`: all of it, or at least its first `max + 1` characters. Only
 * the bytes those characters need are escaped, so a summary of binary data costs a few dozen
 * bytes of escaping, not every byte it might show.
 */
export function escapeHead(data: Uint8Array, max: number): string {
  let text = '';
  let at = 0;
  let step = Math.ceil((max + 1) / 4);
  while (at < data.length && text.length <= max) {
    let end = Math.min(data.length, at + step);
    // A piece must not end inside a UTF-8 character, which escapeBytes would show as \x escapes
    // when cut: it ends after any character that starts in its last three bytes.
    for (;;) {
      let lead = end - 1;
      while (lead >= Math.max(at, end - 3) && utf8Width(data[lead]) === 0) lead--;
      const width = lead >= at ? utf8Width(data[lead]) : 0;
      if (width === 0 || lead + width <= end || end === data.length) break;
      end = Math.min(data.length, lead + width);
    }
    text += escapeBytes(data.subarray(at, end));
    at = end;
    step *= 2;
  }
  return text;
}

/** The length of the UTF-8 character a byte leads, as escapeBytes reads it; 0 for no lead. */
function utf8Width(c: number): number {
  return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
}

const PRINTABLE = /^[\x20-\x5b\x5d-\x7e]*$/;

/**
 * Escaped text cut to `max` characters, with `…` when anything was left out; `data` may be the
 * first bytes of a value `fullLength` long. Plain ASCII costs `max + 1` bytes of work whatever
 * the value's size.
 */
export function shortText(data: Buffer, fullLength: number, max: number): string {
  return shortened(data.toString('latin1', 0, max + 1), data, fullLength, max);
}

/**
 * shortText() of bytes held one per character in a string (latin1 text, as the RESP reader
 * keeps them), without turning plain ASCII into a Buffer and back.
 */
export function shortLatin1(text: string, fullLength: number, max: number): string {
  return shortened(text.length > max + 1 ? text.slice(0, max + 1) : text, text, fullLength, max);
}

/** The rule of shortText: `head` is the first `max + 1` bytes of `source` as latin1 text. */
function shortened(head: string, source: Buffer | string, fullLength: number, max: number): string {
  let text = head;
  let seen = head.length;
  if (!PRINTABLE.test(text)) {
    // Escapes and UTF-8: a character may take up to 4 bytes.
    const wide =
      typeof source === 'string'
        ? Buffer.from(source.slice(0, max * 4), 'latin1')
        : source.subarray(0, max * 4);
    text = escapeHead(wide, max);
    seen = wide.length;
  }
  if (text.length > max) return text.slice(0, max) + '…';
  return seen < fullLength ? text + '…' : text;
}

/** shortText in double quotes: `"hello world"`, `"line1\r\nline2"`, `"aaaa…"`. */
export function quoteText(data: Buffer, fullLength: number, max: number): string {
  return `"${shortText(data, fullLength, max)}"`;
}

/** quoteText() of latin1 text, as shortLatin1. */
export function quoteLatin1(text: string, fullLength: number, max: number): string {
  return `"${shortLatin1(text, fullLength, max)}"`;
}

/** `a` or `an`, as spoken before a word or a number: `an array`, `an 8-byte`, `a 5-byte`. */
export function article(next: string | number): string {
  const s = String(next);
  if (/^[0-9]/.test(s)) {
    // Numbers are said in groups of three digits: "eight…", "eleven thousand", "eighteen million".
    const lead = s.match(/^[0-9]+/)?.[0] ?? '';
    const group = lead.slice(0, lead.length % 3 === 0 ? 3 : lead.length % 3);
    return group[0] === '8' || group === '11' || group === '18' ? 'an' : 'a';
  }
  return /^[aeiou]/i.test(s) ? 'an' : 'a';
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

/** How a WarningBag bounds itself. */
export interface WarningBounds {
  /** Warnings kept per code; later ones of that code are counted in the last one kept. */
  readonly perCode?: number;
  /** Warnings kept in all; later ones are counted in a last `…and N more problems`. */
  readonly max?: number;
}

/**
 * Warnings of one frame, bounded whatever the input: by default the first of each code is kept
 * and repeats are counted, so a frame of a million bad lines costs one entry per code.
 */
export class WarningBag {
  // Most frames have no warnings: the list is made on the first.
  private _list: { code: WarningCode; message: string; more: number }[] | undefined;
  private _dropped = 0;
  private readonly _perCode: number;
  private readonly _max: number;

  constructor(bounds: WarningBounds = {}) {
    this._perCode = bounds.perCode ?? 1;
    this._max = bounds.max ?? Infinity;
  }

  /** Records a warning. */
  add(code: WarningCode, message: string): void {
    const list = (this._list ??= []);
    let kept = 0;
    let last = -1;
    for (let i = 0; i < list.length; i++) {
      if (list[i].code === code) {
        kept++;
        last = i;
      }
    }
    if (kept >= this._perCode) list[last].more++;
    else if (list.length >= this._max) this._dropped++;
    else list.push({ code, message, more: 0 });
  }

  /** Records a warning ahead of the others, so that the bound never hides it. */
  addFirst(code: WarningCode, message: string): void {
    const list = (this._list ??= []);
    list.unshift({ code, message, more: 0 });
    if (list.length > this._max) {
      list.pop();
      this._dropped++;
    }
  }

  /** Records warnings made elsewhere (e.g. by checkLine). */
  addAll(warnings: readonly FrameWarning[]): void {
    for (const w of warnings) this.add(w.code, w.message);
  }

  /** Distinct warnings recorded. */
  get size(): number {
    return this._list?.length ?? 0;
  }

  /** `ann` with these warnings added, or `ann` itself when there are none. */
  attach(ann: Annotation): Annotation {
    const warnings = this.toArray();
    return warnings === undefined ? ann : { ...ann, warnings };
  }

  /** The warnings for an annotation, or undefined when there are none. */
  toArray(): FrameWarning[] | undefined {
    if (this._list === undefined) return undefined;
    const out = this._list.map(({ code, message, more }) => ({
      code,
      message: more === 0 ? message : `${message} (and ${more} more ${code} in this frame)`,
    }));
    if (this._dropped > 0) {
      out.push({ code: 'violation', message: `…and ${this._dropped} more problems` });
    }
    return out.length > 0 ? out : undefined;
  }
}

/** How a frame relates to the other direction: its kind, the frame it answers, a warning. */
export interface Pairing {
  readonly kind: 'request' | 'reply' | 'push';
  readonly re?: number;
  /** Why it pairs with nothing, when it should (an `unpaired` warning). */
  readonly warning?: string;
}

/** A seq waiting under a key; `live` until taken. */
interface Wait {
  readonly key: string;
  readonly seq: number;
  live: boolean;
}

/**
 * Seqs waiting under a key (a PING token, a label, a receipt id), oldest first, bounded: when
 * full, the oldest wait goes. The waits are also kept in the order they came, so finding the
 * oldest costs nothing; looking it up as the Map's first key instead walked every key deleted
 * before it (1.2 to 1.8 µs an add with 4,096 unanswered PING tokens, 0.8 µs now).
 */
export class Waits {
  private readonly _map = new Map<string, Wait[]>();
  /** Every wait in the order it came from `_head` on; taken ones are skipped, then compacted. */
  private _order: Wait[] = [];
  private _head = 0;
  private _size = 0;

  constructor(private readonly _max = 4096) {}

  /** Records a seq under a key; the oldest wait makes room when full. */
  add(key: string, seq: number): void {
    if (this._size >= this._max) this._dropOldest();
    const wait: Wait = { key, seq, live: true };
    const q = this._map.get(key);
    if (q === undefined) this._map.set(key, [wait]);
    else q.push(wait);
    this._order.push(wait);
    this._size++;
    if (this._head > this._max || this._order.length - this._head > 2 * this._max) {
      this._order = this._order.slice(this._head).filter((w) => w.live);
      this._head = 0;
    }
  }

  /** Removes and returns the oldest seq waiting under a key. */
  take(key: string): number | undefined {
    const q = this._map.get(key);
    if (q === undefined) return undefined;
    const wait = q.shift()!;
    wait.live = false;
    this._size--;
    if (q.length === 0) this._map.delete(key);
    return wait.seq;
  }

  private _dropOldest(): void {
    while (this._head < this._order.length) {
      const wait = this._order[this._head++];
      // The oldest live wait is the first of its key's queue.
      if (wait.live) {
        this.take(wait.key);
        return;
      }
    }
  }
}
