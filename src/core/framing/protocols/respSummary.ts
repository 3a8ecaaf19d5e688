/** One-line summaries of RESP values, in RESP's own notation, for the redis framer. */
import { quoteLatin1, shortLatin1 } from './protocol';
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
