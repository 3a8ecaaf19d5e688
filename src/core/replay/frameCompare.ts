/**
 * Comparing a recorded frame with a live one: byte for byte first, then through the masks, and
 * when they differ, a word diff a person can read at a glance.
 */
import { escapeBytes, isValidUtf8 } from '../bytes';
import { type Mask, type MaskEncoding, maskText } from './masks';
import { type DiffPart, diffTokens } from './textDiff';

export type { DiffPart } from './textDiff';

/**
 * How two frames differ, as runs of escaped text (`\r\n` visible) with mask placeholders in
 * place. Long unchanged runs are shortened with `…`. Render with formatDiff.
 */
export interface FrameDiff {
  /** Characters of the masked text before the first difference. */
  readonly at: number;
  readonly parts: readonly DiffPart[];
}

/** How a recorded frame and a live frame compare. */
export interface Comparison {
  /** Equal bytes, or equal once masked. */
  readonly equal: boolean;
  /** Equal only because masks hid a difference. */
  readonly masked: boolean;
  /** When not equal. */
  readonly diff?: FrameDiff;
}

/** Unchanged text kept on each side of a change, in characters of escaped text. */
const CONTEXT = 24;
/** Longest changed run shown; the frames themselves are in the report. */
const MAX_RUN = 400;

/** Compares two frames' bytes, exactly and then through the masks. */
export function compareFrames(
  expected: Uint8Array,
  actual: Uint8Array,
  masks: readonly Mask[],
): Comparison {
  if (Buffer.compare(expected, actual) === 0) return { equal: true, masked: false };
  const encoding: MaskEncoding = isValidUtf8(expected) && isValidUtf8(actual) ? 'utf8' : 'latin1';
  const e = maskText(expected, masks, encoding);
  const a = maskText(actual, masks, encoding);
  if (masks.length > 0 && e === a) return { equal: true, masked: true };
  return { equal: false, masked: false, diff: diffText(e, a, encoding) };
}

/** The diff of two (masked) texts, escaped for showing. */
export function diffText(expected: string, actual: string, encoding: MaskEncoding): FrameDiff {
  const raw = diffTokens(expected, actual, encoding);
  const show = (s: string) => escapeBytes(Buffer.from(s, encoding));
  const parts = raw.map((p, i): DiffPart => {
    const text = show(p.text);
    if (p.op !== 'same') {
      return { op: p.op, text: text.length > MAX_RUN ? `${text.slice(0, MAX_RUN)}…` : text };
    }
    const first = i === 0;
    const last = i === raw.length - 1;
    if (first && text.length > CONTEXT) return { op: 'same', text: '…' + text.slice(-CONTEXT) };
    if (last && text.length > CONTEXT) return { op: 'same', text: text.slice(0, CONTEXT) + '…' };
    if (text.length > 2 * CONTEXT + 1) {
      return { op: 'same', text: `${text.slice(0, CONTEXT)}…${text.slice(-CONTEXT)}` };
    }
    return { op: 'same', text };
  });
  const at = raw[0]?.op === 'same' ? raw[0].text.length : 0;
  return { at, parts };
}

/** The diff in one line: `$[-5-]{+3+}\r\n[-hello-]{+bye+}\r\n` (wdiff's markers). */
export function formatDiff(
  d: FrameDiff,
  paint: { removed: (s: string) => string; added: (s: string) => string } = {
    removed: (s) => s,
    added: (s) => s,
  },
): string {
  return d.parts
    .map((p) =>
      p.op === 'same'
        ? p.text
        : p.op === 'removed'
          ? paint.removed(`[-${p.text}-]`)
          : paint.added(`{+${p.text}+}`),
    )
    .join('');
}
