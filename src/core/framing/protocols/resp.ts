/**
 * The RESP2/RESP3 value reader behind the redis framer: fed header lines and bulk payloads one
 * segment at a time, it says what to read next (a line, or a count of bytes) and hands back each
 * whole top-level value with what an annotation needs. It never looks at payload bytes beyond a
 * bounded head, and keeps at most a bounded stack and a few items, whatever the input.
 */
import { EMPTY } from '../../bytes';
import { article, checkLine, quote, WarningBag } from './protocol';
import type { RawSegment, SegmentLine } from './segmentFramer';

/** Deepest nesting accepted; deeper values get a violation and the reader starts afresh. */
export const RESP_MAX_DEPTH = 128;

/** Type bytes. */
export const enum Resp {
  Simple = 0x2b, // +
  Error = 0x2d, // -
  Integer = 0x3a, // :
  Bulk = 0x24, // $
  Array = 0x2a, // *
  Null = 0x5f, // _
  Double = 0x2c, // ,
  Boolean = 0x23, // #
  BlobError = 0x21, // !
  Verbatim = 0x3d, // =
  BigNumber = 0x28, // (
  Map = 0x25, // %
  Set = 0x7e, // ~
  Push = 0x3e, // >
  Attribute = 0x7c, // |
}

const TYPE_WORDS: Readonly<Record<number, string>> = {
  [Resp.Simple]: 'simple-string',
  [Resp.Error]: 'error',
  [Resp.Integer]: 'integer',
  [Resp.Bulk]: 'bulk-string',
  [Resp.Array]: 'array',
  [Resp.Null]: 'null',
  [Resp.Double]: 'double',
  [Resp.Boolean]: 'boolean',
  [Resp.BlobError]: 'blob-error',
  [Resp.Verbatim]: 'verbatim-string',
  [Resp.BigNumber]: 'big-number',
  [Resp.Map]: 'map',
  [Resp.Set]: 'set',
  [Resp.Push]: 'push',
  [Resp.Attribute]: 'attribute',
};

/** The RESP3 name of a type byte: `bulk-string`, `array`, `map`... */
export function respTypeWord(type: number): string {
  return TYPE_WORDS[type] ?? 'unknown';
}

/** A value inside the top-level aggregate, as far as summaries and pairing need it. */
export interface RespItem {
  readonly type: number;
  /**
   * A scalar's bytes (bulk data, or the line after the type byte), cut to the reader's keep, as
   * latin1 text: one character per byte. Annotations are made of strings, and one string per
   * scalar costs less than a Buffer copy and the strings each reader would make of it.
   */
  readonly text: string;
  /** Bulk or line length, or element count for aggregates (pairs for maps); -1 for null. */
  readonly length: number;
}

/** One whole top-level value, or what the frame held instead of one. */
export interface RespValue extends RespItem {
  /**
   * `value`: a RESP value; `inline`: a client line that is not multibulk (an inline command,
   * whose bytes are `text`); `garbage`: a line that starts no RESP value.
   */
  readonly kind: 'value' | 'inline' | 'garbage';
  /** The first elements of a top-level aggregate, at most the reader's `maxItems`. */
  readonly items: readonly RespItem[];
  /** Attributes (`|`) that came with the value. */
  readonly attributes: number;
  readonly warnings: WarningBag;
  /** Parsing stopped inside the value at a violation; the next bytes start a new frame. */
  readonly broken: boolean;
  /** Read while recovering from a broken value: part of its rest, so it answers no request. */
  readonly remainder: boolean;
}

/** How a reader is tuned for one direction. */
export interface RespReaderOptions {
  /** Client side: top-level lines not starting with `*` are inline commands. */
  readonly commands: boolean;
  /** Items of the top-level aggregate to keep (command arguments, summary elements). */
  readonly maxItems: number;
  /** Bytes of each kept item's data. */
  readonly itemKeep: number;
  /** Bytes of each line to keep (inline commands need more than headers). */
  readonly lineKeep: number;
}

/** Bytes kept of a top-level bulk for its summary: 40 characters of up to 4 bytes each. */
const TOP_KEEP = 160;
const BAD = -2;
const NO_ITEMS: readonly RespItem[] = Object.freeze([]);
/** Types whose value is the rest of their line. */
const LINE_SCALARS = new Set<number>([
  Resp.Simple,
  Resp.Error,
  Resp.Integer,
  Resp.Null,
  Resp.Double,
  Resp.Boolean,
  Resp.BigNumber,
]);

interface Level {
  readonly type: number;
  remaining: number;
}

/** A RESP value parser driven one segment at a time. */
export class RespReader {
  /** Head bytes the next segment should keep. */
  nextKeep: number;
  private _stack: Level[] = [];
  private _bulkType = 0;
  private _bulkLength = 0;
  /** The last value finished; one object, refilled for each value (see takeValue). */
  private readonly _value: { -readonly [K in keyof RespValue]: RespValue[K] } = {
    kind: 'value',
    type: -1,
    text: '',
    length: 0,
    items: NO_ITEMS,
    attributes: 0,
    warnings: new WarningBag(),
    broken: false,
    remainder: false,
  };
  private _done = false;
  /** The warnings bag went out with the last value: reused only if that left it empty. */
  private _lent = false;
  // The value being read.
  private _type = -1;
  private _text = '';
  private _length = 0;
  private _items: RespItem[] = [];
  private _attributes = 0;
  private _warnings = new WarningBag();
  /** Top-level values still to come that belong to the broken value before them. */
  private _debt = 0;

  constructor(private readonly _options: RespReaderOptions) {
    this.nextKeep = _options.lineKeep;
  }

  /**
   * The value finished by the last segment, if any (taking it clears it). Read it before the
   * next segment: the reader refills the same object, saving an allocation per frame.
   */
  takeValue(): RespValue | undefined {
    if (!this._done) return undefined;
    this._done = false;
    return this._value;
  }

  /**
   * A header line (ending in `\n`; see SegmentFramer.rawLine). Returns the byte count to read
   * next, or 0 for a line.
   */
  line(line: RawSegment): number {
    if (line.ending === 'lf') {
      const bare = { content: EMPTY, ending: line.ending };
      this._bag().addAll(checkLine(EMPTY, bare, { crlf: true, protocol: 'RESP' }));
    }
    const { buf, start, kept } = line;
    const end = start + kept;
    const t = kept > 0 ? buf[start] : -1;
    const depth = this._stack.length;
    // The rest of a broken command is RESP, not inline commands.
    if (depth === 0 && this._options.commands && this._debt === 0 && t !== Resp.Array) {
      this._text = latin1(buf, start, end);
      this._length = line.length;
      this._finish('inline');
      return 0;
    }
    if (kept === 0) return this._bad('an empty line where a RESP value should start', line);
    const word = TYPE_WORDS[t];
    if (word === undefined) {
      return this._bad(
        `unknown RESP type byte ${quote(buf.subarray(start, start + 1))} at the start of a line`,
        line,
      );
    }
    if (this._options.commands && depth > 0 && t !== Resp.Bulk) {
      this._bag().add(
        'violation',
        `a command holds ${quote(buf.subarray(start, start + 1))} (${word}) where ` +
          'redis-server accepts only bulk strings ($)',
      );
    }
    switch (t) {
      case Resp.Bulk:
      case Resp.BlobError:
      case Resp.Verbatim: {
        const n = parseLength(buf, start, end);
        if (n === -1 && t === Resp.Bulk) return this._scalar(t, EMPTY, 0, 0, -1);
        if (n < 0) {
          const what = `${article(word)} ${word} header`;
          return this._bad(
            `bad length ${quote(buf.subarray(start + 1, end), 24)} in ${what}`,
            line,
          );
        }
        this._bulkType = t;
        this._bulkLength = n;
        const keep = this._isItem(depth) ? this._options.itemKeep : depth === 0 ? TOP_KEEP : 0;
        // A verbatim string's format prefix is checked at every depth.
        this.nextKeep = t === Resp.Verbatim ? Math.max(keep, 4) : keep;
        return n + 2;
      }
      case Resp.Array:
      case Resp.Map:
      case Resp.Set:
      case Resp.Push:
      case Resp.Attribute: {
        const n = parseLength(buf, start, end);
        if (n === -1 && t === Resp.Array) return this._scalar(t, EMPTY, 0, 0, -1);
        if (n < 0) {
          const what = `${article(word)} ${word}`;
          const count = quote(buf.subarray(start + 1, end), 24);
          return this._bad(`bad element count ${count} in ${what}`, line);
        }
        if (depth >= RESP_MAX_DEPTH) {
          // Its elements are known to follow, and the frames they make belong to this value.
          const paired = t === Resp.Map || t === Resp.Attribute ? 2 : 1;
          const message = `values nested deeper than ${RESP_MAX_DEPTH} levels`;
          return this._bad(message, line, n * paired, t === Resp.Attribute ? 0 : 1);
        }
        return this._open(t, n, depth);
      }
      default: {
        const problem = checkScalar(t, buf, start + 1, end);
        if (problem) {
          this._bag().add('violation', `${quote(buf.subarray(start, end), 24)} is not ${problem}`);
        }
        return this._scalar(t, buf, start + 1, end, line.length - 1);
      }
    }
  }

  /**
   * The payload of a bulk, blob error or verbatim string, with its `\r\n`: `head` holds its
   * first bytes (SegmentFramer.rawHeadOf), `badEnd` its last two bytes when they are not `\r\n`.
   * Returns 0: a line comes next.
   */
  data(head: RawSegment, badEnd: Buffer | undefined): number {
    const n = this._bulkLength;
    const word = TYPE_WORDS[this._bulkType];
    this.nextKeep = this._options.lineKeep;
    if (badEnd !== undefined) {
      this._bag().add(
        'violation',
        `the ${n}-byte ${word} does not end with \\r\\n where its length says (it ends ` +
          `${quote(badEnd)}): the length does not match the data; readers take the next ` +
          'bytes as the next value, and so does this framer',
      );
    } else if (
      this._bulkType === Resp.Verbatim &&
      (n < 4 || head.kept < 4 || head.buf[head.start + 3] !== 0x3a)
    ) {
      this._bag().add('violation', 'a verbatim string must start with a 3-letter format and ":"');
    }
    const end = head.start + Math.min(head.kept, n);
    return this._scalar(this._bulkType, head.buf, head.start, end, n);
  }

  /** What was missing when the stream ended inside a value; `got` is the partial segment. */
  describePartial(inData: boolean, got: number): string {
    if (inData) {
      const word = TYPE_WORDS[this._bulkType];
      const n = this._bulkLength;
      return (
        `the stream ended inside ${article(n)} ${n}-byte ${word}: ${got} of its ${n + 2} bytes ` +
        '(\\r\\n included) arrived'
      );
    }
    const level = this._stack[this._stack.length - 1];
    if (level !== undefined) {
      const word = TYPE_WORDS[level.type];
      const where = this._stack.length > 1 ? ` at depth ${this._stack.length}` : '';
      const missing = `${level.remaining} more element(s) expected`;
      return `the stream ended inside ${article(word)} ${word}${where}: ${missing}`;
    }
    return 'the stream ended inside a line (no \\n)';
  }

  /**
   * The value the end of the stream cut off, as far as it arrived (`head` and `line` are the
   * segment in progress), or undefined when nothing of it is known. A partial line counts only
   * where what it is does not depend on the bytes that never came: a top-level scalar or inline
   * command. Nothing is checked: the value is cut short, not wrong.
   */
  cutOff(inData: boolean, head: Buffer, line: SegmentLine): RespValue | undefined {
    const c = line.content;
    if (inData) {
      const n = this._bulkLength;
      this._scalar(this._bulkType, head, 0, Math.min(head.length, n), n);
    } else if (this._stack.length === 0 && line.length > 0) {
      if (this._options.commands && this._debt === 0 && c[0] !== Resp.Array) {
        this._text = latin1(c, 0, c.length);
        this._length = line.length;
        this._finish('inline');
      } else if (LINE_SCALARS.has(c[0])) {
        this._scalar(c[0], c, 1, c.length, line.length - 1);
      }
    }
    if (!this._done && (this._type >= 0 || this._attributes > 0)) {
      this._finish('value');
    }
    return this.takeValue();
  }

  /** The warnings of the value being read (see _lent). */
  private _bag(): WarningBag {
    if (this._lent) {
      this._lent = false;
      if (this._warnings.size > 0) this._warnings = new WarningBag();
    }
    return this._warnings;
  }

  private _isItem(depth: number): boolean {
    return (
      depth === 1 &&
      this._stack[0].type !== Resp.Attribute &&
      this._items.length < this._options.maxItems
    );
  }

  /** A scalar whose kept bytes are `buf[start, end)`: text only for what annotations show. */
  private _scalar(type: number, buf: Buffer, start: number, end: number, length: number): number {
    const depth = this._stack.length;
    if (depth === 0) {
      this._type = type;
      this._text = latin1(buf, start, end);
      this._length = length;
    } else if (this._isItem(depth)) {
      const text = latin1(buf, start, Math.min(end, start + this._options.itemKeep));
      this._items.push({ type, text, length });
    }
    this._complete();
    return 0;
  }

  private _open(type: number, count: number, depth: number): number {
    if (type === Resp.Attribute) {
      this._attributes++;
    } else if (depth === 0) {
      this._type = type;
      this._length = count;
    } else if (this._isItem(depth)) {
      this._items.push({ type, text: '', length: count });
    }
    const elements = type === Resp.Map || type === Resp.Attribute ? count * 2 : count;
    if (elements > 0) this._stack.push({ type, remaining: elements });
    else if (type !== Resp.Attribute) this._complete();
    return 0;
  }

  /** A value ended at the current depth: count it in its parents, and end the frame at the top. */
  private _complete(): void {
    const stack = this._stack;
    while (stack.length > 0) {
      const level = stack[stack.length - 1];
      if (--level.remaining > 0) return;
      stack.pop();
      // An attribute is not a value: it prefixes the value that follows at its level.
      if (level.type === Resp.Attribute) return;
    }
    this._finish('value');
  }

  /**
   * A violation that stops the value: the frame ends at this line and reading starts afresh. A
   * bad first line is the whole frame (`garbage`); later, the value read so far is `broken`, and
   * the values its levels still expect (with the `opened` elements of the bad line itself, which
   * takes `slot` places) come as frames of their own that answer no request.
   */
  private _bad(message: string, line: RawSegment, opened = 0, slot = 1): number {
    this._bag().add('violation', `${message}; reading on from the next line`);
    const stack = this._stack;
    if (stack.length > 0) {
      let rest = opened - slot;
      for (let i = 0; i < stack.length; i++) {
        // A level's open child is one of its remaining elements, unless it is an attribute.
        const child = stack[i + 1];
        rest += stack[i].remaining - (child !== undefined && child.type !== Resp.Attribute ? 1 : 0);
      }
      this._finish('value', true, Math.max(0, rest));
    } else if (this._attributes > 0) {
      this._finish('value', true);
    } else {
      this._text = latin1(line.buf, line.start, line.start + line.kept);
      this._length = line.length;
      this._finish('garbage', true);
    }
    return 0;
  }

  private _finish(kind: RespValue['kind'], broken = false, rest = 0): void {
    const remainder = this._debt > 0;
    if (remainder) this._debt--;
    this._debt += rest;
    const v = this._value;
    v.kind = kind;
    v.type = this._type;
    v.text = this._text;
    v.length = this._length;
    v.items = this._items.length > 0 ? this._items : NO_ITEMS;
    v.attributes = this._attributes;
    v.warnings = this._bag();
    v.broken = broken;
    v.remainder = remainder;
    this._done = true;
    this._lent = true;
    // Emptied by the value's end, except after a violation (setting length is slow).
    if (this._stack.length > 0) this._stack = [];
    this._type = -1;
    this._text = '';
    this._length = 0;
    // The value keeps its items; an empty list is shared.
    if (this._items.length > 0) this._items = [];
    this._attributes = 0;
    this.nextKeep = this._options.lineKeep;
  }
}

/**
 * `buf[start, end)` as latin1 text. Buffer.toString is a C++ call of some 50 ns; command names,
 * statuses and small numbers are made faster in JS, where one-character strings are cached.
 */
function latin1(buf: Buffer, start: number, end: number): string {
  if (end - start > 8) return buf.toString('latin1', start, end);
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(buf[i]);
  return text;
}

/**
 * The signed length after the type byte of the header `buf[start, end)`: a whole number, or -1;
 * BAD for anything else (signs other than a lone "-1", spaces, empty, more digits than a safe
 * integer holds).
 */
function parseLength(buf: Buffer, start: number, end: number): number {
  const size = end - start;
  if (size === 3 && buf[start + 1] === 0x2d && buf[start + 2] === 0x31) return -1;
  if (size < 2 || size > 16) return BAD;
  let n = 0;
  for (let i = start + 1; i < end; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return BAD;
    n = n * 10 + d;
  }
  return n;
}

/** `/^[+-]?[0-9]+$/` on `buf[start, end)`, without making a string of it. */
function isInteger(buf: Buffer, start: number, end: number): boolean {
  let i = start < end && (buf[start] === 0x2b || buf[start] === 0x2d) ? start + 1 : start;
  if (i >= end) return false;
  for (; i < end; i++) if (buf[i] < 0x30 || buf[i] > 0x39) return false;
  return true;
}

const DOUBLE_RE = /^(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?inf|nan)$/;

/** What the line scalar `buf[start, end)` should be when it is wrong, or undefined when fine. */
function checkScalar(type: number, buf: Buffer, start: number, end: number): string | undefined {
  switch (type) {
    case Resp.Integer:
      return isInteger(buf, start, end) ? undefined : 'an integer';
    case Resp.BigNumber:
      return isInteger(buf, start, end) ? undefined : 'a big number';
    case Resp.Double:
      return DOUBLE_RE.test(latin1(buf, start, end)) ? undefined : 'a double';
    case Resp.Boolean:
      return end - start === 1 && (buf[start] === 0x74 || buf[start] === 0x66)
        ? undefined
        : 'a boolean (#t or #f)';
    case Resp.Null:
      return end === start ? undefined : 'a null (_ alone)';
    default:
      return undefined;
  }
}
