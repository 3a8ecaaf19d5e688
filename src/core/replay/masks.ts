/**
 * Masks for volatile fields: regular expressions whose matches are ignored when a recorded frame
 * is compared with a live one (a date in a greeting, a CAS id, a user count). Ready-made masks
 * have names (`date`, `uuid`...); anything else is taken as a regular expression.
 */

/** A mask, ready to apply. */
export interface Mask {
  /** The named mask, or the regex as it was given. */
  readonly name: string;
  /** What replaces each match on both sides before comparing: `<date>`, `<mask>`. */
  readonly placeholder: string;
  readonly regex: RegExp;
}

const DAY = '\\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*';
const CLOCK = '\\d{1,2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?';
const ZONE = '(?:Z|[+-]\\d{2}(?::?\\d{2})?)';

/** The ready-made masks: name, pattern, and what it is for (help texts). */
export const NAMED_MASKS: Readonly<Record<string, { pattern: string; about: string }>> = {
  date: {
    // ISO 8601 (2026-11-25T03:54:12.123Z), RFC 5322 / HTTP (Tue, 25 Nov 2026 03:54:12 +0000),
    // and ctime-like forms servers print (Tue Nov 25 03:54:12 2026, ngircd's "Tue Nov 25 2026
    // at 03:54:12"). A time that follows the date is part of it.
    pattern:
      `\\b\\d{4}-\\d{2}-\\d{2}(?:[T ]${CLOCK}${ZONE}?)?` +
      `|(?:${DAY},?\\s+)?\\b\\d{1,2}[\\s-]+${MONTH}[\\s-]+\\d{2,4}(?:\\s+${CLOCK}(?:\\s*${ZONE}|\\s+[A-Z]{2,5}\\b)?)?` +
      `|${DAY}\\s+${MONTH}\\s+\\d{1,2}(?:,?\\s+\\d{4})?(?:\\s+(?:at\\s+)?${CLOCK})?(?:\\s+\\d{4}\\b)?`,
    about: 'dates, with the time after them: ISO 8601, RFC 5322/HTTP, ctime',
  },
  time: { pattern: `\\b${CLOCK}\\b`, about: 'times of day: 03:54, 03:54:12, 03:54:12.123' },
  timestamp: {
    pattern: '\\b\\d{10}(?:\\d{3}|\\d{6})?(?:\\.\\d+)?\\b',
    about: 'Unix times in seconds, milliseconds or microseconds: 1764042852',
  },
  uuid: {
    pattern: '\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b',
    about: 'UUIDs: 3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b',
  },
  'hex-id': {
    // At least one digit, so plain words made of a-f letters ("deadface") stay compared.
    pattern: '\\b(?=[a-fA-F]*\\d)[0-9a-fA-F]{8,}\\b',
    about: 'hex ids of 8 digits or more: session ids, hashes, message ids',
  },
  number: { pattern: '\\d+(?:\\.\\d+)?', about: 'every number: counts, CAS values, ports, pids' },
  ip: {
    pattern: '\\b(?:\\d{1,3}\\.){3}\\d{1,3}(?::\\d{1,5})?\\b',
    about: 'IPv4 addresses, with a port if one follows: 127.0.0.1:51234',
  },
};

/** A mask that cannot be used; the message names it and says what is accepted. */
export class MaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MaskError';
  }
}

/** The accepted forms, for errors and help texts. */
export function maskForms(): string {
  return (
    `a name (${Object.keys(NAMED_MASKS).join(', ')}), a regular expression such as ` +
    `'Max: \\d+', or /regex/flags`
  );
}

/**
 * Parses one mask: a ready-made name, `/regex/flags`, or a bare regular expression. Names win
 * over regexes of the same spelling; write `/number/` for the literal word.
 */
export function parseMask(spec: string): Mask {
  const named = NAMED_MASKS[spec.trim().toLowerCase()];
  if (named) {
    const name = spec.trim().toLowerCase();
    return { name, placeholder: `<${name}>`, regex: new RegExp(named.pattern, 'g') };
  }
  if (spec === '') throw new MaskError(`an empty mask matches nothing; give ${maskForms()}`);
  const slashed = /^\/(.*)\/([a-z]*)$/s.exec(spec);
  const source = slashed ? slashed[1] : spec;
  const flags = slashed ? slashed[2] : '';
  if (/[^imsu]/.test(flags)) {
    throw new MaskError(`bad mask "${spec}": flags may be i, m, s or u, not "${flags}"`);
  }
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags + 'g');
  } catch (e) {
    throw new MaskError(`bad mask "${spec}": ${(e as Error).message}. A mask is ${maskForms()}`);
  }
  return { name: spec, placeholder: '<mask>', regex };
}

/** Parses each mask; the first bad one throws. */
export function parseMasks(specs: readonly (string | Mask)[] = []): Mask[] {
  return specs.map((s) => (typeof s === 'string' ? parseMask(s) : s));
}

/**
 * How bytes become text for masking: UTF-8 when both sides are valid UTF-8 (so a mask can
 * name non-ASCII text), else Latin-1, which maps every byte to one character and back.
 */
export type MaskEncoding = 'utf8' | 'latin1';

/** The text of `bytes` with every mask match replaced by its placeholder, masks in order. */
export function maskText(
  bytes: Uint8Array,
  masks: readonly Mask[],
  encoding: MaskEncoding,
): string {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(encoding);
  for (const m of masks) {
    m.regex.lastIndex = 0;
    text = text.replace(m.regex, m.placeholder);
  }
  return text;
}
