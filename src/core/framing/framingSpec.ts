/**
 * Framing specs: the short strings that name a rule in settings, on the command line and in
 * capture headers (DESIGN.md §4), and the factories that turn them into framers.
 */
import { unescapeBytes } from '../bytes';
import type { Direction } from './frame';
import { Framer, type FramerOptions } from './framer';
import { protocols } from './protocols';
import type { Protocol } from './protocols/protocol';
import { CountFramer, LengthFramer, LineFramer, type LengthPrefix } from './ruleFramers';

/** A parsed framing spec. `spec` is the canonical string form. */
export type FramingSpec =
  | { readonly kind: 'delimiter'; readonly spec: string; readonly delimiter: Buffer }
  | { readonly kind: 'count'; readonly spec: string; readonly size: number }
  | { readonly kind: 'length'; readonly spec: string; readonly prefix: LengthPrefix }
  | { readonly kind: 'close'; readonly spec: 'close' }
  | { readonly kind: 'line'; readonly spec: 'line' }
  | { readonly kind: 'protocol'; readonly spec: string; readonly protocol: Protocol };

/** Longest delimiter accepted: longer ones are almost surely a mistake, and cost per read. */
export const MAX_DELIMITER_BYTES = 256;

/** A spec that cannot be parsed; the message names it and lists the accepted forms. */
export class FramingSpecError extends Error {
  constructor(
    readonly spec: string,
    reason: string,
  ) {
    super(`bad framing spec "${spec}": ${reason}. ${acceptedForms()}`);
    this.name = 'FramingSpecError';
  }
}

/** The accepted forms, for error messages and help texts. */
export function acceptedForms(): string {
  const names = [...protocols.keys()].join(', ');
  return (
    'Accepted: lf, crlf, nul, line, close, delim:<escaped> (e.g. delim:\\r\\n.\\r\\n), ' +
    'count:<n> (e.g. count:16), length:<1|2|4|8><be|le>[+|-<adjust>] (e.g. length:4be, ' +
    `length:2le-2)${names ? `, or a protocol: ${names}` : ''}`
  );
}

const NAMED: Record<string, string> = { lf: '\n', crlf: '\r\n', nul: '\0' };

/** Parses a framing spec string; throws FramingSpecError with what to change. */
export function parseFramingSpec(input: string): FramingSpec {
  const spec = input.trim();
  const lower = spec.toLowerCase();
  if (lower in NAMED) {
    return { kind: 'delimiter', spec: lower, delimiter: Buffer.from(NAMED[lower], 'latin1') };
  }
  if (lower === 'close') return { kind: 'close', spec: 'close' };
  if (lower === 'line') return { kind: 'line', spec: 'line' };
  const protocol = protocols.get(lower);
  if (protocol) return { kind: 'protocol', spec: lower, protocol };

  const colon = spec.indexOf(':');
  const head = colon < 0 ? lower : lower.slice(0, colon);
  const arg = colon < 0 ? '' : spec.slice(colon + 1);
  switch (head) {
    case 'delim': {
      if (arg === '') throw new FramingSpecError(input, 'delim: needs a delimiter after the colon');
      let delimiter: Buffer;
      try {
        delimiter = unescapeBytes(arg);
      } catch (e) {
        throw new FramingSpecError(input, (e as Error).message);
      }
      if (delimiter.length > MAX_DELIMITER_BYTES) {
        throw new FramingSpecError(
          input,
          `the delimiter is ${delimiter.length} bytes; at most ${MAX_DELIMITER_BYTES}`,
        );
      }
      return { kind: 'delimiter', spec: `delim:${arg}`, delimiter };
    }
    case 'count': {
      if (!/^[0-9]+$/.test(arg)) {
        throw new FramingSpecError(input, 'count: takes a whole number of bytes');
      }
      const size = Number(arg);
      if (size < 1 || !Number.isSafeInteger(size)) {
        throw new FramingSpecError(input, 'count: must be at least 1');
      }
      return { kind: 'count', spec: `count:${size}`, size };
    }
    case 'length': {
      const m = /^([1248])(be|le)(?:([+-])([0-9]+))?$/i.exec(arg);
      if (!m) {
        throw new FramingSpecError(
          input,
          'length: takes a width of 1, 2, 4 or 8 bytes, be or le, and an optional +N or -N',
        );
      }
      const width = Number(m[1]) as LengthPrefix['width'];
      const endian = m[2].toLowerCase() as LengthPrefix['endian'];
      const adjust = m[3] ? Number(m[3] + m[4]) : 0;
      const suffix = adjust === 0 ? '' : adjust > 0 ? `+${adjust}` : `${adjust}`;
      return {
        kind: 'length',
        spec: `length:${width}${endian}${suffix}`,
        prefix: { width, endian, adjust },
      };
    }
    default:
      throw new FramingSpecError(input, 'unknown rule');
  }
}

/** Makes the framer for one direction. Protocol framers made alone do not pair requests. */
export function createFramer(
  spec: string | FramingSpec,
  dir: Direction,
  options?: FramerOptions,
): Framer {
  const parsed = typeof spec === 'string' ? parseFramingSpec(spec) : spec;
  switch (parsed.kind) {
    case 'delimiter':
      return new Framer(parsed.delimiter, parsed.spec, options);
    case 'count':
      return new CountFramer(parsed.size, options);
    case 'length':
      return new LengthFramer(parsed.prefix, parsed.spec, options);
    case 'close':
      return new Framer(null, 'close', options);
    case 'line':
      return new LineFramer(options);
    case 'protocol':
      return parsed.protocol.createFramers(options)[dir];
  }
}

/** The specs of the two directions of a connection. */
export interface ConnectionSpecs {
  readonly c2s: string | FramingSpec;
  readonly s2c: string | FramingSpec;
}

/**
 * Makes the two framers of one connection. When both directions use the same protocol, the
 * framers share its state, so replies pair with requests and mode switches (SMTP DATA, HTTP
 * upgrade) seen on one side apply to the other.
 */
export function createConnectionFramers(
  specs: string | FramingSpec | ConnectionSpecs,
  options?: FramerOptions,
): { c2s: Framer; s2c: Framer } {
  const both = typeof specs === 'string' || 'kind' in specs ? { c2s: specs, s2c: specs } : specs;
  const c2s = typeof both.c2s === 'string' ? parseFramingSpec(both.c2s) : both.c2s;
  const s2c = typeof both.s2c === 'string' ? parseFramingSpec(both.s2c) : both.s2c;
  if (c2s.kind === 'protocol' && s2c.kind === 'protocol' && c2s.protocol === s2c.protocol) {
    return c2s.protocol.createFramers(options);
  }
  return { c2s: createFramer(c2s, 'c2s', options), s2c: createFramer(s2c, 's2c', options) };
}
