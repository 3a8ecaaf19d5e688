/**
 * The quick toggles (c2s, s2c, a connection) edit the filter text the person sees, instead of
 * keeping hidden filters beside it: the text stays the one truth the host parses. A toggle is
 * "on" when its term is an and-ed term at the top of the filter; turning one on appends the
 * term (wrapping an `or` filter in parentheses so it keeps its meaning), turning it off removes
 * exactly that term and leaves the rest of the text as typed. Pure: tested in node.
 */
import { DIFFERENCES_FILTER } from '../shared/protocol';
import type { Direction } from '../shared/traffic';

interface Word {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Skips a "quoted" run or a /regex/ starting at `i`; returns the index after it. */
function skipLiteral(src: string, i: number, close: string): number {
  let inClass = false;
  for (let k = i + 1; k < src.length; k++) {
    const ch = src[k];
    if (ch === '\\') k++;
    else if (close === '/' && ch === '[') inClass = true;
    else if (close === '/' && ch === ']') inClass = false;
    else if (ch === close && !inClass) return k + 1;
  }
  return src.length;
}

/**
 * The words at parenthesis depth 0, in the filter language's lexical terms: whitespace,
 * parentheses, `&&` and `||` separate words (the last two are words of their own), and quoted
 * text or a /regex/ (alone or as a `key:` value) is part of its word, spaces included.
 */
export function topLevelWords(src: string): Word[] {
  const words: Word[] = [];
  let depth = 0;
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) i++;
    else if (ch === '(' || ch === ')') {
      depth = Math.max(0, depth + (ch === '(' ? 1 : -1));
      i++;
    } else if (src.startsWith('&&', i) || src.startsWith('||', i)) {
      if (depth === 0) words.push({ start: i, end: i + 2, text: src.slice(i, i + 2) });
      i += 2;
    } else {
      const start = i;
      while (i < src.length && !/[\s()]/.test(src[i]) && !/^(&&|\|\|)/.test(src.slice(i, i + 2))) {
        const atValue = i === start || src[i - 1] === ':' || src[i - 1] === '=';
        if (src[i] === '"' || (src[i] === '/' && atValue)) i = skipLiteral(src, i, src[i]);
        else i++;
      }
      if (depth === 0) words.push({ start, end: i, text: src.slice(start, i) });
    }
  }
  return words;
}

const hasOr = (words: readonly Word[]) =>
  words.some((w) => w.text === '||' || w.text.toLowerCase() === 'or');

/** The and-ed top-level words (none when an `or` at the top would make removal change meaning). */
function andedWords(src: string): Word[] {
  const words = topLevelWords(src);
  if (hasOr(words)) return [];
  const negated = (k: number) => k > 0 && /^(not|!|-)$/i.test(words[k - 1].text);
  return words.filter((_, k) => !negated(k));
}

function remove(src: string, w: Word): string {
  const before = src.slice(0, w.start).trimEnd();
  const after = src.slice(w.end).trimStart();
  return before && after ? `${before} ${after}` : before + after;
}

function append(src: string, term: string): string {
  const text = src.trim();
  if (!text) return term;
  return hasOr(topLevelWords(text)) ? `(${text}) ${term}` : `${text} ${term}`;
}

const DIR_WORDS: Readonly<Record<string, Direction>> = {
  c2s: 'c2s',
  s2c: 's2c',
  '>': 'c2s',
  '<': 's2c',
  'dir:c2s': 'c2s',
  'dir:s2c': 's2c',
};

function dirWord(w: Word): Direction | undefined {
  const key = w.text.toLowerCase();
  return Object.hasOwn(DIR_WORDS, key) ? DIR_WORDS[key] : undefined;
}

/** The direction the filter's top-level terms pin, if one does. */
export function filterDirection(src: string): Direction | undefined {
  const found = andedWords(src)
    .map(dirWord)
    .filter((d) => d !== undefined);
  return found.length === 1 ? found[0] : undefined;
}

/** Turns the `dir` toggle on (replacing the other direction) or off. */
export function toggleDirection(src: string, dir: Direction): string {
  let text = src;
  const on = filterDirection(text) === dir;
  // Remove from the right so earlier offsets stay valid.
  for (const w of andedWords(text).reverse()) if (dirWord(w)) text = remove(text, w);
  return on ? text : append(text, dir);
}

const CONN_WORD = /^conn(?::|=|==)(\d+(?:,\d+)*)$/i;

/** The connections a top-level `conn:1,2` term picks, or [] when none does. */
export function filterConnections(src: string): number[] {
  const w = andedWords(src).find((word) => CONN_WORD.test(word.text));
  return w ? CONN_WORD.exec(w.text)![1].split(',').map(Number) : [];
}

/** Adds `conn` to the top-level `conn:` list (creating it), or removes it from there. */
export function toggleConnection(src: string, conn: number): string {
  const w = andedWords(src).find((word) => CONN_WORD.test(word.text));
  if (!w) return append(src, `conn:${conn}`);
  const list = CONN_WORD.exec(w.text)![1].split(',').map(Number);
  const next = list.includes(conn) ? list.filter((c) => c !== conn) : [...list, conn];
  if (next.length === 0) return remove(src, w);
  return src.slice(0, w.start) + `conn:${next.join(',')}` + src.slice(w.end);
}

// `field.replay` is the long form of the `replay` shorthand: either is the toggle's term.
const isDifferences = (w: Word) =>
  w.text.toLowerCase().replace(/^field\./, '') === DIFFERENCES_FILTER;

/** Whether the filter lists only a replay's differences (a top-level DIFFERENCES_FILTER). */
export function filterDifferences(src: string): boolean {
  return andedWords(src).some(isDifferences);
}

/** Turns "only differences" on (appending DIFFERENCES_FILTER) or off. */
export function toggleDifferences(src: string): string {
  let text = src;
  const on = filterDifferences(text);
  for (const w of andedWords(text).reverse()) if (isDifferences(w)) text = remove(text, w);
  return on ? text : append(text, DIFFERENCES_FILTER);
}
