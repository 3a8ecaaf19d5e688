/**
 * A word-level diff of two short texts (Myers' O(ND) algorithm on tokens), for showing how a
 * live frame differs from the recorded one: `$[-5-]{+3+}\r\n[-hello-]{+bye+}\r\n`. Tokens are
 * words, line endings and single other characters, so a changed value shows as one word, not as
 * scattered letters that happen to be shared.
 */

/** One run of a diff. */
export interface DiffPart {
  readonly op: 'same' | 'removed' | 'added';
  readonly text: string;
}

/** Token budget for the O(ND) search; larger inputs get one changed span. */
const MAX_TOKENS = 4000;
/** Edit distance budget; beyond it the texts are too unlike for a word diff to help. */
const MAX_EDITS = 200;

/** Words of any script when the text is UTF-8; with bytes that are not, ASCII words only. */
const TOKEN = { utf8: /[\p{L}\p{N}_]+|\r\n|[^]/gu, latin1: /[A-Za-z0-9_]+|\r\n|[^]/g };

/** The diff of `a` (recorded) and `b` (live), as runs in order. */
export function diffTokens(a: string, b: string, encoding: 'utf8' | 'latin1'): DiffPart[] {
  const ta = a.match(TOKEN[encoding]) ?? [];
  const tb = b.match(TOKEN[encoding]) ?? [];
  // Common ends are cheap to strip and keep the search on what changed.
  let pre = 0;
  while (pre < ta.length && pre < tb.length && ta[pre] === tb[pre]) pre++;
  let suf = 0;
  while (
    suf < ta.length - pre &&
    suf < tb.length - pre &&
    ta[ta.length - 1 - suf] === tb[tb.length - 1 - suf]
  ) {
    suf++;
  }
  const ma = ta.slice(pre, ta.length - suf);
  const mb = tb.slice(pre, tb.length - suf);
  const middle = ma.length + mb.length <= MAX_TOKENS ? myers(ma, mb) : undefined;
  const parts: DiffPart[] = [];
  const push = (op: DiffPart['op'], text: string) => {
    if (text === '') return;
    const last = parts[parts.length - 1];
    if (last && last.op === op) parts[parts.length - 1] = { op, text: last.text + text };
    else parts.push({ op, text });
  };
  push('same', ta.slice(0, pre).join(''));
  if (middle) {
    for (const p of middle) push(p.op, p.text);
  } else {
    push('removed', ma.join(''));
    push('added', mb.join(''));
  }
  push('same', ta.slice(ta.length - suf).join(''));
  return reorder(parts);
}

/** Myers' shortest edit script, token by token; undefined past MAX_EDITS. */
function myers(a: readonly string[], b: readonly string[]): DiffPart[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= Math.min(max, MAX_EDITS); d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[off + k - 1] < v[off + k + 1])
          ? v[off + k + 1]
          : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace, off);
    }
  }
  return undefined;
}

function backtrack(
  a: readonly string[],
  b: readonly string[],
  trace: Int32Array[],
  off: number,
): DiffPart[] {
  const out: DiffPart[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : v[off + prevK];
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      out.push({ op: 'same', text: a[x] });
    }
    if (d === 0) break;
    if (x === prevX) out.push({ op: 'added', text: b[prevY] });
    else out.push({ op: 'removed', text: a[prevX] });
    x = prevX;
    y = prevY;
  }
  return out.reverse();
}

/** Within each changed stretch, removals before additions: `[-old-]{+new+}`, never interleaved. */
function reorder(parts: DiffPart[]): DiffPart[] {
  const out: DiffPart[] = [];
  let removed = '';
  let added = '';
  const flush = () => {
    if (removed) out.push({ op: 'removed', text: removed });
    if (added) out.push({ op: 'added', text: added });
    removed = added = '';
  };
  for (const p of parts) {
    if (p.op === 'removed') removed += p.text;
    else if (p.op === 'added') added += p.text;
    else {
      flush();
      out.push(p);
    }
  }
  flush();
  return out;
}
