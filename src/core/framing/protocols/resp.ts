/**
 * The RESP2/RESP3 value reader behind the redis framer: fed header lines and bulk payloads one
 * segment at a time, it says what to read next (a line, or a count of bytes) and hands back each
 * whole top-level value with what an annotation needs. It never looks at payload bytes beyond a
 * bounded head, and keeps at most a bounded stack and a few items, whatever the input.
 */
import { EMPTY } from '../../bytes';
import { article, checkLine, quote, WarningBag } from './protocol';
import type { SegmentLine } from './segmentFramer';

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
  /** A scalar's bytes (bulk data, or the line after the type byte), cut to the reader's keep. */
  readonly data: Buffer;
  /** Bulk or line length, or element count for aggregates (pairs for maps); -1 for null. */
  readonly length: number;
}

/** One whole top-level value, or what the frame held instead of one. */
export interface RespValue extends RespItem {
  /**
   * `value`: a RESP value; `inline`: a client line that is not multibulk (an inline command,
   * whose text is `data`); `garbage`: a line that starts no RESP value.
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

/** Bytes kept of a top-level bulk for its summary (quote() shows 40 characters). */
const TOP_KEEP = 256;
const BAD = -2;
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
  private _done: RespValue | undefined;
  // The value being read.
  private _type = -1;
  private _data: Buffer = EMPTY;
  private _length = 0;
  private _items: RespItem[] = [];
  private _attributes = 0;
  private _warnings = new WarningBag();
  /** Top-level values still to come that belong to the broken value before them. */
  private _debt = 0;

  constructor(private readonly _options: RespReaderOptions) {
    this.nextKeep = _options.lineKeep;
  }

  /** The value finished by the last segment, if any (taking it clears it). */
  takeValue(): RespValue | undefined {
    const v = this._done;
    this._done = undefined;
    return v;
  }

  /** A header line (ending in `\n`). Returns the byte count to read next, or 0 for a line. */
  line(line: SegmentLine): number {
    if (line.ending === 'lf') {
      this._warnings.addAll(checkLine(EMPTY, line, { crlf: true, protocol: 'RESP' }));
    }
    const c = line.content;
    const depth = this._stack.length;
    // The rest of a broken command is RESP, not inline commands.
    if (depth === 0 && this._options.commands && this._debt === 0 && c[0] !== Resp.Array) {
      this._data = c;
      this._length = line.length;
      this._finish('inline');
      return 0;
    }
    if (c.length === 0) return this._bad('an empty line where a RESP value should start', line);
    const t = c[0];
    const word = TYPE_WORDS[t];
    if (word === undefined) {
      return this._bad(
        `unknown RESP type byte ${quote(c.subarray(0, 1))} at the start of a line`,
        line,
      );
    }
    if (this._options.commands && depth > 0 && t !== Resp.Bulk) {
      this._warnings.add(
        'violation',
        `a command holds ${quote(c.subarray(0, 1))} (${word}) where redis-server accepts ` +
          'only bulk strings ($)',
      );
    }
    switch (t) {
      case Resp.Bulk:
      case Resp.BlobError:
      case Resp.Verbatim: {
        const n = parseLength(c);
        if (n === -1 && t === Resp.Bulk) return this._scalar(t, EMPTY, -1);
        if (n < 0) {
          const what = `${article(word)} ${word} header`;
          return this._bad(`bad length ${quote(c.subarray(1), 24)} in ${what}`, line);
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
        const n = parseLength(c);
        if (n === -1 && t === Resp.Array) return this._scalar(t, EMPTY, -1);
        if (n < 0) {
          const what = `${article(word)} ${word}`;
          return this._bad(`bad element count ${quote(c.subarray(1), 24)} in ${what}`, line);
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
        const text = c.subarray(1);
        const problem = checkScalar(t, text.toString('latin1'));
        if (problem) this._warnings.add('violation', `${quote(c, 24)} is not ${problem}`);
        return this._scalar(t, text, line.length - 1);
      }
    }
  }

  /**
   * The payload of a bulk, blob error or verbatim string, with its `\r\n`: `head` is its first
   * bytes, `badEnd` its last two bytes when they are not `\r\n`. Returns 0: a line comes next.
   */
  data(head: Buffer, badEnd: Buffer | undefined): number {
    const n = this._bulkLength;
    const word = TYPE_WORDS[this._bulkType];
    this.nextKeep = this._options.lineKeep;
    if (badEnd !== undefined) {
      this._warnings.add(
        'violation',
        `the ${n}-byte ${word} does not end with \\r\\n where its length says (it ends ` +
          `${quote(badEnd)}): the length does not match the data; readers take the next ` +
          'bytes as the next value, and so does this framer',
      );
    } else if (this._bulkType === Resp.Verbatim && (n < 4 || head[3] !== 0x3a)) {
      this._warnings.add(
        'violation',
        'a verbatim string must start with a 3-letter format and ":"',
      );
    }
    return this._scalar(this._bulkType, head.length > n ? head.subarray(0, n) : head, n);
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
      this._scalar(this._bulkType, head.length > n ? head.subarray(0, n) : head, n);
    } else if (this._stack.length === 0 && line.length > 0) {
      if (this._options.commands && this._debt === 0 && c[0] !== Resp.Array) {
        this._data = c;
        this._length = line.length;
        this._finish('inline');
      } else if (LINE_SCALARS.has(c[0])) {
        this._scalar(c[0], c.subarray(1), line.length - 1);
      }
    }
    if (this._done === undefined && (this._type >= 0 || this._attributes > 0)) {
      this._finish('value');
    }
    return this.takeValue();
  }

  private _isItem(depth: number): boolean {
    return (
      depth === 1 &&
      this._stack[0].type !== Resp.Attribute &&
      this._items.length < this._options.maxItems
    );
  }

  private _scalar(type: number, data: Buffer, length: number): number {
    const depth = this._stack.length;
    if (depth === 0) {
      this._type = type;
      this._data = data;
      this._length = length;
    } else if (this._isItem(depth)) {
      // A copy: a view would hold its whole read buffer until the value completes.
      const copy = Buffer.allocUnsafe(Math.min(data.length, this._options.itemKeep));
      data.copy(copy, 0, 0, copy.length);
      this._items.push({ type, data: copy, length });
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
      this._items.push({ type, data: EMPTY, length: count });
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
  private _bad(message: string, line: SegmentLine, opened = 0, slot = 1): number {
    this._warnings.add('violation', `${message}; reading on from the next line`);
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
      this._data = line.content;
      this._length = line.length;
      this._finish('garbage', true);
    }
    return 0;
  }

  private _finish(kind: RespValue['kind'], broken = false, rest = 0): void {
    const remainder = this._debt > 0;
    if (remainder) this._debt--;
    this._debt += rest;
    this._done = {
      kind,
      type: this._type,
      data: this._data,
      length: this._length,
      items: this._items,
      attributes: this._attributes,
      warnings: this._warnings,
      broken,
      remainder,
    };
    this._stack = [];
    this._type = -1;
    this._data = EMPTY;
    this._length = 0;
    this._items = [];
    this._attributes = 0;
    this._warnings = new WarningBag();
    this.nextKeep = this._options.lineKeep;
  }
}

/**
 * The signed length after a header's type byte: a whole number, or -1; BAD for anything else
 * (signs other than a lone "-1", spaces, empty, more digits than a safe integer holds).
 */
function parseLength(c: Buffer): number {
  const end = c.length;
  if (end === 3 && c[1] === 0x2d && c[2] === 0x31) return -1;
  if (end < 2 || end > 16) return BAD;
  let n = 0;
  for (let i = 1; i < end; i++) {
    const d = c[i] - 0x30;
    if (d < 0 || d > 9) return BAD;
    n = n * 10 + d;
  }
  return n;
}

const INTEGER_RE = /^[+-]?[0-9]+$/;
const DOUBLE_RE = /^(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?inf|nan)$/;

/** What a line scalar should be when its text is wrong, or undefined when it is fine. */
function checkScalar(type: number, text: string): string | undefined {
  switch (type) {
    case Resp.Integer:
      return INTEGER_RE.test(text) ? undefined : 'an integer';
    case Resp.BigNumber:
      return INTEGER_RE.test(text) ? undefined : 'a big number';
    case Resp.Double:
      return DOUBLE_RE.test(text) ? undefined : 'a double';
    case Resp.Boolean:
      return text === 't' || text === 'f' ? undefined : 'a boolean (#t or #f)';
    case Resp.Null:
      return text === '' ? undefined : 'a null (_ alone)';
    default:
      return undefined;
  }
}
