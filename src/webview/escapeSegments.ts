/**
 * Makes payload bytes and protocol strings safe to look at: control bytes, invalid UTF-8 and
 * characters that reorder or hide text (bidi overrides, zero-width marks) become visible
 * escapes, so what the panel shows is what crossed the wire. Pure: no DOM, unit-tested.
 */

/** A piece of shown text: plain text, or something made visible as an escape (`\r`, `\xe2`). */
export interface Segment {
  readonly kind: 'text' | 'escape';
  readonly text: string;
}

/** Segments split into lines; a line ends after a `\n` escape. */
export interface SegmentedText {
  readonly lines: Segment[][];
  /** Bytes turned into segments (≤ the limit; a UTF-8 sequence is never cut in two). */
  readonly consumed: number;
}

const NAMED: Readonly<Record<number, string>> = { 0: '\\0', 9: '\\t', 10: '\\n', 13: '\\r' };

/**
 * Code points that are valid text but make shown traffic lie: C1 controls, the Arabic letter
 * mark, zero-width marks, line/paragraph separators, bidi embeddings, overrides and isolates,
 * the BOM. Shown as escapes wherever they appear.
 */
export function isDeceptive(cp: number): boolean {
  return (
    (cp >= 0x80 && cp <= 0x9f) ||
    cp === 0x061c ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x2028 && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2069) ||
    cp === 0xfeff
  );
}

const hex2 = (b: number) => '\\x' + b.toString(16).padStart(2, '0');

/**
 * The length of the well-formed UTF-8 sequence at `i` (2-4), or 0. Follows the Unicode table
 * of well-formed sequences, so overlongs, surrogates and code points past U+10FFFF are refused.
 */
function utf8Length(b: Uint8Array, i: number, end: number): number {
  const c = b[i];
  const n =
    c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n === 0 || i + n > end) return 0;
  const c1 = b[i + 1];
  const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
  const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
  if (c1 < lo || c1 > hi) return 0;
  for (let k = 2; k < n; k++) if ((b[i + k] & 0xc0) !== 0x80) return 0;
  return n;
}

function codePoint(b: Uint8Array, i: number, n: number): number {
  let cp = b[i] & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) cp = (cp << 6) | (b[i + k] & 0x3f);
  return cp;
}

/**
 * Walks `bytes[0..limit)` and calls `emit` for each piece: printable text as text (a backslash
 * is `\` or, with `escapeBackslash`, `\\`), everything else as an escape. Returns the bytes used.
 */
function walk(
  bytes: Uint8Array,
  limit: number,
  escapeBackslash: boolean,
  emit: (kind: Segment['kind'], text: string) => void,
): number {
  const end = Math.min(limit, bytes.length);
  let i = 0;
  while (i < end) {
    const c = bytes[i];
    if (c >= 0x20 && c < 0x7f) {
      let j = i + 1;
      // Bounded runs: fromCharCode spreads its arguments, and a 1 MB line would overflow the stack.
      while (j < end && j - i < 4096 && bytes[j] >= 0x20 && bytes[j] < 0x7f && bytes[j] !== 0x5c) {
        j++;
      }
      if (c === 0x5c) {
        emit(escapeBackslash ? 'escape' : 'text', escapeBackslash ? '\\\\' : '\\');
        i++;
        continue;
      }
      emit('text', String.fromCharCode(...bytes.subarray(i, j)));
      i = j;
    } else if (c < 0x80) {
      emit('escape', NAMED[c] ?? hex2(c));
      i++;
    } else {
      const n = utf8Length(bytes, i, end);
      if (n === 0 && i + 4 > end && end < bytes.length) break; // may be a sequence cut by limit
      const cp = n ? codePoint(bytes, i, n) : -1;
      if (n && !isDeceptive(cp)) {
        emit('text', String.fromCodePoint(cp));
      } else {
        for (let k = 0; k < Math.max(n, 1); k++) emit('escape', hex2(bytes[i + k]));
      }
      i += Math.max(n, 1);
    }
  }
  return i;
}

/** Bytes as lines of segments for display; a literal backslash stays plain text. */
export function bytesToLines(bytes: Uint8Array, limit = bytes.length): SegmentedText {
  const lines: Segment[][] = [[]];
  const consumed = walk(bytes, limit, false, (kind, text) => {
    const line = lines[lines.length - 1];
    const last = line[line.length - 1];
    // Merging neighbours of one kind keeps a binary blob to a few DOM nodes, not one per byte.
    if (last && last.kind === kind) line[line.length - 1] = { kind, text: last.text + text };
    else line.push({ kind, text });
    if (text === '\\n') lines.push([]);
  });
  if (lines.length > 1 && lines[lines.length - 1].length === 0) lines.pop();
  return { lines, consumed };
}

/**
 * Bytes as one line of escaped text: what Edit & Push starts from. parseEscapes reads it back
 * to exactly the same bytes.
 */
export function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  walk(bytes, bytes.length, true, (_kind, text) => (out += text));
  return out;
}

/**
 * A string from the host (a summary, a protocol field) with control and deceptive characters
 * as escapes: `\r`, `\x07`, `\u{202e}`. Lone surrogates show as `\u{d800}`.
 */
export function textSegments(text: string): Segment[] {
  const out: Segment[] = [];
  const push = (kind: Segment['kind'], t: string) => {
    const last = out[out.length - 1];
    if (last && last.kind === kind) out[out.length - 1] = { kind, text: last.text + t };
    else out.push({ kind, text: t });
  };
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || cp === 0x7f) push('escape', NAMED[cp] ?? hex2(cp));
    else if (isDeceptive(cp) || (cp >= 0xd800 && cp <= 0xdfff)) {
      push('escape', `\\u{${cp.toString(16)}}`);
    } else push('text', ch);
  }
  return out;
}

/** textSegments flattened into one string, for places that show plain text (list cells). */
export function visibleText(text: string): string {
  // Fast path: the host already escapes summaries, so most strings are plain.
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  return textSegments(text)
    .map((s) => s.text)
    .join('');
}
