/** One-line summaries of RESP values, in RESP's own notation, for the redis framer. */
import { escapeHead } from './protocol';
import { Resp, type RespItem, type RespValue } from './resp';

/** Width of the element list in an aggregate's summary. */
const ITEMS_WIDTH = 60;

const BRACKETS: Readonly<Record<number, string>> = {
  [Resp.Array]: '[]',
  [Resp.Set]: '[]',
  [Resp.Push]: '[]',
  [Resp.Map]: '{}',
  [Resp.Attribute]: '{}',
};

const PRINTABLE = /^[\x20-\x5b\x5d-\x7e]*$/;

/**
 * shortText() of the bytes `text` holds one per character (RespItem.text), without turning
 * them into a Buffer and back for plain ASCII.
 */
export function shortLatin1(text: string, fullLength: number, max: number): string {
  let shown = text.length > max + 1 ? text.slice(0, max + 1) : text;
  let seen = shown.length;
  if (!PRINTABLE.test(shown)) {
    // As shortText: escapes and UTF-8, where a character may take up to 4 bytes.
    const wide = text.length > max * 4 ? text.slice(0, max * 4) : text;
    shown = escapeHead(Buffer.from(wide, 'latin1'), max);
    seen = wide.length;
  }
  if (shown.length > max) return shown.slice(0, max) + '…';
  return seen < fullLength ? shown + '…' : shown;
}

/** quoteText() of latin1 text, as shortLatin1. */
export function quoteLatin1(text: string, fullLength: number, max: number): string {
  return `"${shortLatin1(text, fullLength, max)}"`;
}

/**
 * One line for a value, in RESP's own notation: `+OK`, `-ERR unknown…`, `:42`, `(nil)`,
 * `$11 "hello world"`, `*3 ["c", "b", "a"]`, `%1 {"a": 1}`, with `|n ` first for attributes.
 */
export function summarizeValue(v: RespValue): string {
  const prefix = v.attributes > 0 ? `|${v.attributes} ` : '';
  const t = v.type;
  const c = String.fromCharCode(t);
  switch (t) {
    case Resp.Simple:
    case Resp.Error:
      return prefix + c + shortLatin1(v.text, v.length, 80);
    case Resp.Integer:
    case Resp.Double:
    case Resp.BigNumber:
    case Resp.Boolean:
      return prefix + c + shortLatin1(v.text, v.length, 64);
    case Resp.Null:
      return prefix + '(nil)';
    case Resp.Bulk:
    case Resp.BlobError:
    case Resp.Verbatim:
      return (
        prefix + (v.length < 0 ? '(nil)' : `${c}${v.length} ${quoteLatin1(v.text, v.length, 40)}`)
      );
    case Resp.Array:
    case Resp.Map:
    case Resp.Set:
    case Resp.Push: {
      if (v.length < 0) return prefix + '(nil)';
      const b = BRACKETS[t];
      const elements = t === Resp.Map ? v.length * 2 : v.length;
      const items = renderItems(v.items, elements, t === Resp.Map);
      return `${prefix}${c}${v.length} ${b[0]}${items}${b[1]}`;
    }
    default:
      // Attributes alone: the stream broke before their value.
      return prefix.trimEnd();
  }
}

function renderItems(items: readonly RespItem[], elements: number, map: boolean): string {
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const sep = i === 0 ? '' : map && i % 2 === 1 ? ': ' : ', ';
    const s = renderItem(items[i]);
    if (i > 0 && out.length + sep.length + s.length > ITEMS_WIDTH) return `${out}, …`;
    out += sep + s;
  }
  return items.length < elements ? `${out}${items.length > 0 ? ', ' : ''}…` : out;
}

function renderItem(item: RespItem): string {
  const t = item.type;
  const c = String.fromCharCode(t);
  switch (t) {
    case Resp.Bulk:
    case Resp.Verbatim:
      return item.length < 0 ? '(nil)' : quoteLatin1(item.text, item.length, 24);
    case Resp.BlobError:
      return c + quoteLatin1(item.text, item.length, 24);
    case Resp.Simple:
    case Resp.Error:
    case Resp.Boolean:
      return c + shortLatin1(item.text, item.length, 24);
    case Resp.Integer:
    case Resp.Double:
    case Resp.BigNumber:
      return shortLatin1(item.text, item.length, 24);
    case Resp.Null:
      return '(nil)';
    default: {
      if (item.length < 0) return '(nil)';
      const b = BRACKETS[t] ?? '[]';
      return item.length === 0 ? `${c}0${b}` : `${c}${item.length}${b[0]}…${b[1]}`;
    }
  }
}
