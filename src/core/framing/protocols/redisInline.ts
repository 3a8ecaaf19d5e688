/**
 * Inline commands: the plain-text form of a redis command (`SET k "hello world"`), split into
 * arguments exactly as redis-server splits them.
 */

const SPACES = /[ \t\n\r]+/;
const LEADING_VTAB_FF = /^[\v\f]+/;

/**
 * Splits an inline command line (its ending removed) into arguments the way redis-server does
 * (sdssplitargs): blanks separate, "double quotes" take \n \r \t \b \a \xHH and \c escapes,
 * 'single quotes' take \', and a closing quote must be followed by a blank. A NUL byte ends the
 * line, as it does for redis-server's C string.
 */
export function splitInline(line: Buffer): { args: Buffer[]; error?: string } {
  const nul = line.indexOf(0);
  const input = nul >= 0 ? line.subarray(0, nul) : line;
  if (input.indexOf(0x22) < 0 && input.indexOf(0x27) < 0) {
    const args: Buffer[] = [];
    for (const token of input.toString('latin1').split(SPACES)) {
      const t = token.replace(LEADING_VTAB_FF, '');
      if (t !== '') args.push(Buffer.from(t, 'latin1'));
    }
    return { args };
  }
  return splitQuoted(input);
}

const isBlank = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const hexValue = (c: number): number =>
  c >= 0x30 && c <= 0x39
    ? c - 0x30
    : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66
      ? (c | 0x20) - 87
      : -1;
const UNBALANCED =
  'unbalanced quotes: redis-server answers "Protocol error: unbalanced quotes in request" ' +
  'and closes the connection';

function splitQuoted(s: Buffer): { args: Buffer[]; error?: string } {
  const args: Buffer[] = [];
  const n = s.length;
  let i = 0;
  for (;;) {
    while (i < n && isBlank(s[i])) i++;
    if (i >= n) return { args };
    const out: number[] = [];
    let quote = 0;
    for (;;) {
      if (i >= n) {
        if (quote !== 0) return { args, error: UNBALANCED };
        break;
      }
      const c = s[i];
      if (quote === 0x22) {
        if (c === 0x5c && s[i + 1] === 0x78 && hexValue(s[i + 2]) >= 0 && hexValue(s[i + 3]) >= 0) {
          out.push(hexValue(s[i + 2]) * 16 + hexValue(s[i + 3]));
          i += 4;
          continue;
        }
        if (c === 0x5c && i + 1 < n) {
          const e = s[i + 1];
          out.push(
            e === 0x6e
              ? 10
              : e === 0x72
                ? 13
                : e === 0x74
                  ? 9
                  : e === 0x62
                    ? 8
                    : e === 0x61
                      ? 7
                      : e,
          );
          i += 2;
          continue;
        }
        if (c === 0x22) {
          i++;
          if (i < n && !isBlank(s[i])) return { args, error: UNBALANCED };
          break;
        }
        out.push(c);
      } else if (quote === 0x27) {
        if (c === 0x5c && s[i + 1] === 0x27) {
          out.push(0x27);
          i += 2;
          continue;
        }
        if (c === 0x27) {
          i++;
          if (i < n && !isBlank(s[i])) return { args, error: UNBALANCED };
          break;
        }
        out.push(c);
      } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        break;
      } else if (c === 0x22 || c === 0x27) {
        quote = c;
      } else {
        out.push(c);
      }
      i++;
    }
    args.push(Buffer.from(out));
  }
}
