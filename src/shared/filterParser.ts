/**
 * The filter parser: filter text to a FilterNode tree, or a FilterError that says where the
 * problem is and what to change. The language is described in filter.ts.
 */
import { FilterScanner } from './filterScanner';
import {
  closestKey,
  flagFor,
  keyType,
  knownKeys,
  quote,
  resolveKey,
  type FilterNode,
  type FilterOp,
  type FilterValue,
  type KeyType,
} from './filterSyntax';
import { convertValue, valueExample } from './filterValues';

/** Parses filter text; undefined for an empty filter. Throws FilterError. */
export function parseFilterNode(text: string): FilterNode | undefined {
  return new Parser(text).parse();
}

// Tried before a bare word, so that a mistyped key (`stauts>=400`) is reported, not searched.
const COMPARISON = /([A-Za-z_][A-Za-z0-9_.-]*)(==|!=|>=|<=|=|:|>|<)/y;
const OPERATORS = new Set(['==', '!=', '>=', '<=', '=', ':', '>', '<']);

/** Where a term was expected: after an operator, or at the start. */
interface After {
  readonly at: number;
  readonly op: string;
}

class Parser extends FilterScanner {
  parse(): FilterNode | undefined {
    this.skipSpace();
    if (this.pos >= this.src.length) return undefined;
    const node = this.parseOr();
    // parseOr stops only at the end or at a ")" that no "(" opened.
    if (this.pos < this.src.length) {
      this.fail(this.pos, 'unexpected ")"', 'remove it, or add a "(" before it');
    }
    return node;
  }

  private parseOr(): FilterNode {
    const items = [this.parseAnd()];
    for (let len = this.orToken(); len > 0; len = this.orToken()) {
      const after = { at: this.pos, op: this.src.slice(this.pos, this.pos + len) };
      this.pos += len;
      items.push(this.parseAnd(after));
    }
    return join('or', items);
  }

  private parseAnd(after?: After): FilterNode {
    const items = [this.parseUnary(after)];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.src.length || this.src[this.pos] === ')' || this.orToken()) break;
      const len = this.andToken();
      const op = { at: this.pos, op: this.src.slice(this.pos, this.pos + len) };
      this.pos += len;
      items.push(this.parseUnary(len > 0 ? op : undefined));
    }
    return join('and', items);
  }

  private parseUnary(after?: After): FilterNode {
    this.skipSpace();
    const at = this.pos;
    const ch = this.src[at];
    const len = this.atWord('not')
      ? 3
      : ch === '-' || (ch === '!' && this.src[at + 1] !== '=')
        ? 1
        : 0;
    if (len === 0) return this.parsePrimary(after);
    this.pos += len;
    return { type: 'not', item: this.parseUnary({ at, op: this.src.slice(at, at + len) }) };
  }

  private parsePrimary(after?: After): FilterNode {
    this.skipSpace();
    const start = this.pos;
    const ch = this.src[start];
    const stray = this.orToken() || this.andToken();
    if (ch === undefined || ch === ')' || stray) {
      if (after) {
        this.fail(after.at, `nothing after "${after.op}"`, 'add a term after it, or remove it');
      }
      if (!stray) this.fail(start, 'unexpected ")"', 'remove it, or add a "(" before it');
      const op = this.src.slice(start, start + stray);
      this.fail(start, `"${op}" has nothing before it`, 'add a term before it, or remove it');
    }
    if (ch === '(') return this.parseGroup();
    if (ch === '"') {
      const text = this.readQuoted();
      this.expectDelimiter('the closing quote');
      return { type: 'text', text, exact: true };
    }
    if (ch === '/') {
      const regex = this.readRegex();
      this.expectDelimiter('the /regex/');
      return { type: 'regex', ...regex };
    }
    COMPARISON.lastIndex = start;
    const match = COMPARISON.exec(this.src);
    if (match) return this.parseComparison(match[1], match[2], start);
    return this.parseWord(start);
  }

  private parseGroup(): FilterNode {
    const open = this.pos++;
    this.skipSpace();
    if (this.src[this.pos] === ')') {
      this.fail(open, 'empty parentheses', 'put a term inside them, or remove them');
    }
    const node = this.pos < this.src.length ? this.parseOr() : undefined;
    if (!node || this.src[this.pos] !== ')') {
      this.fail(open, 'unclosed "("', 'add a ")" to close it');
    }
    this.pos++;
    return node;
  }

  private parseWord(start: number): FilterNode {
    const word = this.readItem(false);
    const lower = word.toLowerCase();
    if (lower === 'c2s' || word === '>') return { type: 'dir', dir: 'c2s' };
    if (lower === 's2c' || word === '<') return { type: 'dir', dir: 's2c' };
    const flag = flagFor(word);
    if (flag) return { type: 'flag', flag };
    if (OPERATORS.has(word)) {
      this.fail(
        start,
        `"${word}" has no field before it`,
        `write it with no spaces, e.g. size${word}1000`,
      );
    }
    const key = resolveKey(word);
    if (key !== undefined) {
      // `size > 1000` would otherwise quietly mean: the text "size", c2s, the text "1000".
      this.skipSpace();
      const op = this.peekWord(this.pos);
      if (OPERATORS.has(op)) {
        this.fail(
          this.pos,
          `space before "${op}"`,
          `write ${lower}${op}VALUE with no spaces, or quote "${word}" to search for the text`,
        );
      }
      this.pos = start + word.length;
    }
    if (key?.startsWith('field.') && lower.startsWith('field.')) {
      return { type: 'has', field: key.slice('field.'.length) };
    }
    return { type: 'text', text: word, exact: false };
  }

  private parseComparison(ident: string, opText: string, start: number): FilterNode {
    const key = resolveKey(ident);
    const lower = ident.toLowerCase();
    if (key === undefined) {
      if (lower === 'field.') this.fail(start, 'field. needs a name', 'e.g. field.status:200');
      if (flagFor(ident)) this.fail(start, `${lower} is a flag`, `write ${lower} or not ${lower}`);
      const whole = this.peekWord(start);
      const guess = closestKey(lower);
      this.fail(
        start,
        `unknown field "${ident}"`,
        `${guess ? `did you mean ${guess}? ` : ''}known: ${knownKeys()}; ` +
          `to search for the text, quote it: ${quote(whole)}`,
      );
    }
    const op: FilterOp = opText === '=' || opText === '==' ? ':' : (opText as FilterOp);
    const type = keyType(key);
    const ordered = op !== ':' && op !== '!=';
    if (ordered && (type === 'text' || type === 'dir' || type === 'kind' || type === 'warning')) {
      this.fail(
        start + ident.length,
        `${lower} cannot be compared with "${op}"`,
        `use ${lower}:VALUE, ${lower}!=VALUE or ${lower}:/regex/`,
      );
    }
    this.pos = start + ident.length + opText.length;
    return { type: 'cmp', key, op, values: this.readValues(lower, type, op, ordered) };
  }

  private readValues(key: string, type: KeyType, op: FilterOp, ordered: boolean): FilterValue[] {
    const at = this.pos;
    if (this.atDelimiter(at)) {
      this.fail(at, `missing value after "${key}${op}"`, valueExample(key, type));
    }
    if (this.src[at] === '/') {
      if (ordered || type === 'count' || type === 'bytes' || type === 'duration') {
        this.fail(at, `${key}${op} takes a number, not a /regex/`, valueExample(key, type));
      }
      const regex = this.readRegex();
      this.expectDelimiter('the /regex/');
      return [{ kind: 'regex', ...regex }];
    }
    const values: FilterValue[] = [];
    for (;;) {
      const itemAt = this.pos;
      const quoted = this.src[itemAt] === '"';
      const raw = quoted ? this.readQuoted() : this.readItem(true);
      if (!quoted && raw === '') {
        this.fail(
          itemAt,
          'empty value in the list',
          'remove the extra comma; lists take no spaces',
        );
      }
      if (!quoted && raw.startsWith('/')) {
        this.fail(itemAt, 'a /regex/ in a list', 'put the alternatives in one regex: /a|b/');
      }
      values.push(
        convertValue(key, type, ordered, raw, quoted, (what, how) => this.fail(itemAt, what, how)),
      );
      if (this.src[this.pos] !== ',') break;
      this.pos++;
    }
    if (ordered && values.length > 1) {
      this.fail(at, `"${op}" takes one value, not a list`, valueExample(key, type));
    }
    this.expectDelimiter('the value');
    return values;
  }
}

function join(type: 'and' | 'or', items: FilterNode[]): FilterNode {
  if (items.length === 1) return items[0];
  return { type, items: items.flatMap((item) => (item.type === type ? item.items : [item])) };
}
