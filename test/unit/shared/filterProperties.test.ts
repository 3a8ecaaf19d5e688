// Property tests for the filter language: generated expressions agree with a reference model
// written here independently, toString() round-trips, the directions a filter reports cover
// every frame it matches, and no input makes the parser fail other than with a FilterError.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { FilterError, parseFilter, type Filter } from '../../../src/shared/filter';
import type { Annotation, TrafficFrame } from '../../../src/shared/traffic';
import { frame } from './filterHelpers';

const SEED = 20240611;

const PAYLOADS: readonly Uint8Array[] = [
  'SET greeting hello\r\n',
  '+OK\r\n',
  'GET k\n',
  '$5\r\nHello\r\n',
  'or partial (x) "q"',
  '',
].map((text) => new TextEncoder().encode(text));
const PAYLOADS_WITH_INVALID = [...PAYLOADS, new Uint8Array([0xff, 0x2b, 0x4f, 0x4b])];

const annotation: fc.Arbitrary<Annotation> = fc.record(
  {
    kind: fc.constantFrom('request', 'reply', 'push'),
    name: fc.constantFrom('SET', 'GET', '+OK', 'set'),
    args: fc.constantFrom([], ['greeting'], ['k', 'v']),
    fields: fc.record(
      { status: fc.constantFrom(200, 404, '500', 'OK'), key: fc.constantFrom('k', 'K', false) },
      { requiredKeys: [] },
    ),
    warnings: fc.constantFrom([], [{ code: 'bare-lf', message: 'bare' }] as const),
    re: fc.nat(3),
  },
  { requiredKeys: [] },
);

const trafficFrame: fc.Arbitrary<TrafficFrame> = fc
  .record({
    id: fc.nat(20),
    conn: fc.integer({ min: 1, max: 3 }),
    dir: fc.constantFrom('c2s', 's2c'),
    seq: fc.nat(5),
    t: fc.nat(3_000_000),
    bytes: fc.constantFrom(...PAYLOADS_WITH_INVALID),
    partial: fc.boolean(),
    oversize: fc.boolean(),
    injected: fc.boolean(),
    held: fc.boolean(),
    re: fc.option(fc.nat(5), { nil: undefined }),
    latency: fc.option(fc.nat(10_000), { nil: undefined }),
    ann: fc.option(annotation, { nil: undefined }),
  })
  .map((spec) => frame(spec));

const textOf = (f: TrafficFrame) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(f.bytes);
const status = (f: TrafficFrame) => f.ann?.fields?.status;

/** Terms with their meaning spelled out directly on the frame, independently of the module. */
const ATOMS: readonly (readonly [string, (f: TrafficFrame) => boolean])[] = [
  ['c2s', (f) => f.dir === 'c2s'],
  ['<', (f) => f.dir === 's2c'],
  ['conn:1,3', (f) => f.conn === 1 || f.conn === 3],
  ['conn>1', (f) => f.conn > 1],
  ['seq<=2', (f) => f.seq <= 2],
  ['partial', (f) => f.partial],
  ['held', (f) => f.held],
  ['injected', (f) => f.injected],
  ['oversize', (f) => f.oversize],
  ['hello', (f) => textOf(f).toLowerCase().includes('hello')],
  ['"SET"', (f) => textOf(f).includes('SET')],
  ['"or partial (x) \\"q\\""', (f) => textOf(f).includes('or partial (x) "q"')],
  ['/^\\+OK/', (f) => /^\+OK/.test(textOf(f))],
  ['/\\uFFFD\\+/', (f) => textOf(f).includes('\uFFFD+')],
  ['name:set', (f) => f.ann?.name?.toLowerCase() === 'set'],
  ['name:"set"', (f) => f.ann?.name === 'set'],
  ['name!=SET', (f) => f.ann?.name !== undefined && f.ann.name.toLowerCase() !== 'set'],
  ['kind:reply,push', (f) => f.ann?.kind === 'reply' || f.ann?.kind === 'push'],
  ['arg:greeting', (f) => f.ann?.args?.includes('greeting') ?? false],
  ['status>=400', (f) => /^[0-9]+$/.test(String(status(f))) && Number(status(f)) >= 400],
  ['status:ok', (f) => status(f) === 'OK'],
  ['field.key', (f) => f.ann?.fields?.key !== undefined && f.ann.fields.key !== false],
  ['warning', (f) => (f.ann?.warnings?.length ?? 0) > 0],
  ['warning:bare-lf', (f) => f.ann?.warnings?.some((w) => w.code === 'bare-lf') ?? false],
  ['size>5', (f) => f.bytes.length > 5],
  ['latency>5ms', (f) => f.latency !== undefined && f.latency > 5000],
  ['time<1.5s', (f) => f.t < 1_500_000],
  ['re', (f) => f.re !== undefined || f.ann?.re !== undefined],
  ['re:2', (f) => f.re === 2],
];

interface Expr {
  readonly op: 'atom' | 'not' | 'and' | 'or';
  readonly atom: number;
  readonly items: readonly Expr[];
  readonly spelling: number;
  readonly paren: boolean;
}

const paren = fc.boolean();
const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
  // oneof with a depth size ends the recursion: deeper down, the first choice (an atom) wins.
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      op: fc.constant('atom' as const),
      atom: fc.nat(ATOMS.length - 1),
      items: fc.constant([]),
      spelling: fc.constant(0),
      paren,
    }),
    fc.record({
      op: fc.constant('not' as const),
      atom: fc.constant(0),
      items: tie('expr').map((item) => [item]),
      spelling: fc.nat(3),
      paren,
    }),
    fc.record({
      op: fc.constantFrom('and' as const, 'or' as const),
      atom: fc.constant(0),
      items: fc.array(tie('expr'), { minLength: 2, maxLength: 3 }),
      spelling: fc.nat(3),
      paren,
    }),
  ),
}));

const SPELLINGS = {
  not: ['not ', '!', '-', 'NOT '],
  and: [' ', ' and ', ' && ', ' AND '],
  or: [' or ', ' || ', ' OR ', '||'],
} as const;
const PRECEDENCE = { or: 1, and: 2, not: 3, atom: 4 } as const;

/** The expression as a person might type it: parentheses where needed, and some where not. */
function render(e: Expr, outer = 0): string {
  const inner = PRECEDENCE[e.op];
  const text =
    e.op === 'atom'
      ? ATOMS[e.atom][0]
      : e.op === 'not'
        ? SPELLINGS.not[e.spelling] + render(e.items[0], inner)
        : e.items.map((item) => render(item, inner)).join(SPELLINGS[e.op][e.spelling]);
  return inner < outer || e.paren ? `(${text})` : text;
}

function evaluate(e: Expr, f: TrafficFrame): boolean {
  switch (e.op) {
    case 'atom':
      return ATOMS[e.atom][1](f);
    case 'not':
      return !evaluate(e.items[0], f);
    case 'and':
      return e.items.every((item) => evaluate(item, f));
    case 'or':
      return e.items.some((item) => evaluate(item, f));
  }
}

/** toString() is a fixed point and means the same; directions cover every match. */
function assertRoundTrip(parsed: Filter, frames: readonly TrafficFrame[]) {
  const normal = parsed.toString();
  const again = parseFilter(normal);
  assert.equal(again.toString(), normal);
  assert.deepEqual(again.directions, parsed.directions);
  for (const f of frames) {
    assert.equal(again.matches(f), parsed.matches(f), `${normal} on ${textOf(f)}`);
    if (parsed.matches(f)) assert.ok(parsed.directions.includes(f.dir), `${normal}: ${f.dir}`);
  }
}

const TOKENS = [
  ...['c2s', '>', '<', 'a', 'SET', ' ', ' ', '(', ')', '"', '\\', '/', '-', '!', 'not', 'and'],
  ...['or', '&&', '||', ',', ':', '=', '>=', '!=', 'conn', 'name', 'status', 'size', 'latency'],
  ...['5ms', '1', 'k', '"x y"', '/a/i', 'partial', 'warning', 'field.x', 'é', '\t', 'kind'],
  ...['reply', 'bare-lf', 're', '4k', '.', 'n', 'u{41}', 'x4'],
];
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 12 }).map((t) => t.join(''));

describe('filter properties', () => {
  it('agrees with the reference model on generated expressions and frames', () => {
    fc.assert(
      fc.property(expr, fc.array(trafficFrame, { minLength: 1, maxLength: 8 }), (e, frames) => {
        const text = render(e);
        const parsed = parseFilter(text);
        for (const f of frames) assert.equal(parsed.matches(f), evaluate(e, f), text);
        assertRoundTrip(parsed, frames);
      }),
      { seed: SEED, numRuns: 600 },
    );
  });

  it('parses any input into a round-tripping filter or a FilterError with a column', () => {
    const frames = fc.sample(trafficFrame, { seed: SEED, numRuns: 40 });
    let parsedCount = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          { arbitrary: tokenSoup, weight: 4 },
          { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 1 },
        ),
        (text) => {
          let parsed: Filter;
          try {
            parsed = parseFilter(text);
          } catch (e) {
            assert.ok(e instanceof FilterError, `${JSON.stringify(text)}: ${String(e)}`);
            assert.ok(e.column >= 1 && e.column <= text.length + 1, `${text}: ${e.message}`);
            return;
          }
          parsedCount++;
          assertRoundTrip(parsed, frames);
        },
      ),
      { seed: SEED, numRuns: 2000 },
    );
    // The inputs must exercise the success path too, or the round trip above proves nothing.
    assert.ok(parsedCount > 200, `only ${parsedCount} inputs parsed`);
  });
});
