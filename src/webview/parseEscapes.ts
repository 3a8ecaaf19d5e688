/**
 * Reads what a person typed in Edit & Push back into bytes: `\r \n \t \0 \xHH \\` are escapes,
 * everything else is UTF-8 text. The same escapes as the CLI's `send` and framing specs, and the
 * inverse of escapeBytes. A mistake comes back with its place, for the inline error.
 */

/** The bytes, or what is wrong and where (`offset` counts UTF-16 units from 0). */
export type ParsedEscapes =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | {
      readonly ok: false;
      readonly message: string;
      readonly offset: number;
      readonly length: number;
    };

const SIMPLE: Readonly<Record<string, number>> = { r: 13, n: 10, t: 9, '0': 0, '\\': 0x5c };

/** Parses escaped text into bytes. */
export function parseEscapes(text: string): ParsedEscapes {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  let runStart = 0;
  const flush = (end: number) => {
    if (end > runStart) parts.push(encoder.encode(text.slice(runStart, end)));
  };
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') continue;
    flush(i);
    const e = text[i + 1];
    if (e !== undefined && Object.hasOwn(SIMPLE, e)) {
      parts.push(Uint8Array.of(SIMPLE[e]));
      i += 1;
    } else if (e === 'x') {
      const digits = text.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(digits)) {
        return fail(`\\x takes two hex digits, as in \\x0d`, i, 2 + digits.length);
      }
      parts.push(Uint8Array.of(parseInt(digits, 16)));
      i += 3;
    } else if (e === undefined) {
      return fail('a lone \\ at the end; write \\\\ for a backslash', i, 1);
    } else {
      const shown = String.fromCodePoint(text.codePointAt(i + 1) ?? 0);
      return fail(
        `unknown escape \\${shown}; use \\r \\n \\t \\0 \\xHH or \\\\`,
        i,
        1 + shown.length,
      );
    }
    runStart = i + 1;
  }
  flush(text.length);
  return { ok: true, bytes: concat(parts) };
}

function fail(message: string, offset: number, length: number): ParsedEscapes {
  return { ok: false, message, offset, length };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** 1-based line and column of a UTF-16 offset, for "line 2, column 5". */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
