/**
 * The values on the right of a comparison: how each key type reads them (numbers, byte counts,
 * durations with units, enumerations, text) and the examples its error messages give.
 */
import { KINDS, quote, WARNING_CODES, type FilterValue, type KeyType } from './filterSyntax';

const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;
const BYTE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024 };
const MIB: Readonly<Record<string, number>> = { m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2 };
// Both the micro sign (U+00B5) and the Greek mu (U+03BC) are typed for microseconds.
const MICROS: Readonly<Record<string, number>> = { us: 1, µs: 1, μs: 1, ms: 1000, s: 1_000_000 };

/** Reads one value for a key of `type`; calls `fail` with what is wrong and an example. */
export function convertValue(
  key: string,
  type: KeyType,
  ordered: boolean,
  raw: string,
  quoted: boolean,
  fail: (what: string, how: string) => never,
): FilterValue {
  const lower = raw.toLowerCase();
  const bad = (what: string): never => fail(what, valueExample(key, type));
  switch (type) {
    case 'count':
      if (!/^[0-9]+$/.test(raw)) bad(`${key} takes a whole number, not ${quote(raw)}`);
      return { kind: 'number', n: Number(raw) };
    case 'bytes': {
      const m = /^([0-9]+(?:\.[0-9]+)?)([a-z]*)$/.exec(lower);
      const unit = m ? (BYTE_UNITS[m[2]] ?? MIB[m[2]]) : undefined;
      if (!m || unit === undefined) return bad(`${key} takes a byte count, not ${quote(raw)}`);
      return { kind: 'number', n: Number(m[1]) * unit };
    }
    case 'duration': {
      const m = /^([0-9]+(?:\.[0-9]+)?)([a-zµμ]*)$/.exec(lower);
      if (m && m[2] === '' && Number(m[1]) !== 0) bad(`${key} needs a unit`);
      const unit = m ? (m[2] === '' ? 1 : MICROS[m[2]]) : undefined;
      if (!m || unit === undefined) return bad(`${key} takes a duration, not ${quote(raw)}`);
      // Frames carry whole microseconds, and a whole number prints back exactly.
      return { kind: 'number', n: Math.round(Number(m[1]) * unit) };
    }
    case 'dir':
      if (lower === 'c2s' || raw === '>') return { kind: 'string', s: 'c2s', exact: false };
      if (lower === 's2c' || raw === '<') return { kind: 'string', s: 's2c', exact: false };
      return bad(`unknown direction ${quote(raw)}`);
    case 'kind':
    case 'warning': {
      const known: readonly string[] = type === 'kind' ? KINDS : WARNING_CODES;
      if (!known.includes(lower)) {
        fail(`unknown ${type} ${quote(raw)}`, `known: ${known.join(', ')}`);
      }
      return { kind: 'string', s: lower, exact: false };
    }
    case 'text':
      return { kind: 'string', s: raw, exact: quoted };
    case 'field': {
      const numeric = NUMBER.test(raw);
      if (ordered && !numeric) bad(`"${key}" compares with a number, not ${quote(raw)}`);
      if (ordered) return { kind: 'number', n: Number(raw) };
      return numeric
        ? { kind: 'string', s: raw, exact: quoted, n: Number(raw) }
        : { kind: 'string', s: raw, exact: quoted };
    }
  }
}

/** Examples of the values a key takes, for error messages. */
export function valueExample(key: string, type: KeyType): string {
  const examples: Readonly<Record<KeyType, string>> = {
    count: `e.g. ${key}:3, ${key}:1,2 or ${key}>=10`,
    bytes: `e.g. ${key}>1000 or ${key}>=4k`,
    duration: `e.g. ${key}>5ms, ${key}>200us or ${key}<1.5s`,
    text: `e.g. ${key}:SET, ${key}:"two words" or ${key}:/^S/i`,
    dir: `e.g. ${key}:c2s or ${key}:s2c`,
    kind: `known: ${KINDS.join(', ')}`,
    warning: `known: ${WARNING_CODES.join(', ')}`,
    field: `e.g. ${key}:200, ${key}>=400 or ${key}:/^2/`,
  };
  return examples[type];
}
