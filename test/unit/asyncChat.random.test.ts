// Random differential tests: hundreds of seeded random streams, terminators, chunkings and
// found_terminator scripts, run through CPython's asynchat and through our AsyncChat in one
// batch. Every collect boundary must match (that is what handle_read parity means); the only
// allowed difference is the documented fix for bytes held back at EOF (pitfall 1).
// findPrefixAtEnd is checked against asynchat.find_prefix_at_end the same way.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { findPrefixAtEnd } from '../../src/core/asyncChat';
import {
  type Action,
  type InputCase,
  type OracleAnswers,
  type PrefixCase,
  replayInput,
  runOracle,
  type TermSpec,
} from './helpers/pythonAsynchat';

// Fixed, so a failure reproduces: the failing case is printed with its index.
const SEED = 0x5eed_a5c;
const ALPHABET = ['a', 'b', '\r', '\n', ';'];

const hex = (text: string): string => Buffer.from(text, 'latin1').toString('hex');

const char = fc.constantFrom(...ALPHABET);
const delimiter = fc.array(char, { minLength: 1, maxLength: 4 }).map((a) => a.join(''));
const terminator: fc.Arbitrary<TermSpec> = fc.oneof(
  { weight: 6, arbitrary: delimiter.map((d) => ({ b: hex(d) })) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 6 }).map((n) => ({ n })) },
  { weight: 1, arbitrary: fc.constant(null) },
);
const action: fc.Arbitrary<Action[]> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Action[]>([]) },
  { weight: 8, arbitrary: terminator.map((t): Action[] => [{ set: t }]) },
  { weight: 1, arbitrary: fc.constant<Action[]>([{ do: 'discard' }]) },
  { weight: 1, arbitrary: fc.constant<Action[]>([{ do: 'close' }]) },
  { weight: 1, arbitrary: fc.constant<Action[]>([{ raise: 'boom' }]) },
);

/** Cuts `data` into consecutive chunks whose sizes cycle through `sizes`. */
function cut(data: string, sizes: readonly number[]): string[] {
  const chunks: string[] = [];
  for (let pos = 0, i = 0; pos < data.length; pos += sizes[i++ % sizes.length]) {
    chunks.push(hex(data.slice(pos, pos + sizes[i % sizes.length])));
  }
  return chunks;
}

const inputCase: fc.Arbitrary<InputCase> = terminator.chain((term) => {
  // Tokens include the starting delimiter and its prefixes, so matches and false prefixes abound.
  const own = term && 'b' in term ? Buffer.from(term.b, 'hex').toString('latin1') : 'ab';
  const token = fc.oneof(char, delimiter, fc.constant(own), fc.constant(own.slice(0, -1)));
  return fc
    .record({
      text: fc.array(token, { maxLength: 30 }).map((t) => t.join('')),
      sizes: fc.oneof(
        fc.constant([1]),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }),
      ),
      onFound: fc.array(action, { maxLength: 12 }),
      inSize: fc.option(fc.integer({ min: 1, max: 5 }), { freq: 4, nil: undefined }),
      eof: fc.boolean(),
    })
    .map(({ text, sizes, onFound, inSize, eof }): InputCase => {
      const raises = onFound.some((acts) => acts.some((a) => 'raise' in a));
      return {
        terminator: term,
        chunks: cut(text, sizes),
        onFound,
        // An error during the EOF read would be reported after handle_close by CPython and
        // before it by us; scripts that raise are compared without EOF.
        eof: eof && !raises,
        ...(inSize === undefined ? {} : { inSize }),
      };
    });
});

/**
 * CPython's log with the documented EOF fix applied: the bytes it leaves in ac_in_buffer at
 * EOF (a held terminator prefix) are collected by us just before handle_close.
 */
function withHeldAtClose(c: InputCase, python: { log: string[]; left: string }): string[] {
  const log = [...python.log];
  const at = log.lastIndexOf('handle_close');
  if (c.eof && at >= 0 && python.left !== '') log.splice(at, 0, `collect:${python.left}`);
  return log;
}

const INPUT_CASES = fc.sample(inputCase, { seed: SEED, numRuns: 600 });

const bytes = (max: number) => fc.array(char, { maxLength: max }).map((a) => a.join(''));
const PREFIX_CASES: PrefixCase[] = [
  ...fc
    .sample(fc.tuple(bytes(8), bytes(5)), { seed: SEED, numRuns: 300 })
    .map(([h, n]) => ({ haystack: hex(h), needle: hex(n), text: false })),
  ...fc
    .sample(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 4 })), {
      seed: SEED,
      numRuns: 100,
    })
    .map(([h, n]) => ({ haystack: h, needle: n, text: true })),
];

/** The examples of contract §1.4, with the value it gives. */
const PREFIX_EXAMPLES: [string, string, number][] = [
  ['qwerty\r', '\r\n', 1],
  ['qwertydkjf', '\r\n', 0],
  ['ab', 'abc', 2],
  ['aba', 'abab', 3],
  ['', 'ab', 0],
  ['abc', '', -1],
  ['', '', -1],
  ['xa', 'a', 0],
];

describe('AsyncChat against CPython asynchat on random streams', () => {
  let python: OracleAnswers = { input: [], output: [], simpleProducer: [], prefix: [] };

  before(() => {
    const examples = PREFIX_EXAMPLES.map(([h, n]) => ({
      haystack: hex(h),
      needle: hex(n),
      text: false,
    }));
    python = runOracle({ input: INPUT_CASES, prefix: [...examples, ...PREFIX_CASES] });
  });

  it(`${INPUT_CASES.length} random cases give the same events, chunk boundaries included`, () => {
    let held = 0;
    let switched = 0;
    let found = 0;
    INPUT_CASES.forEach((c, i) => {
      const expected = withHeldAtClose(c, python.input[i]);
      const ours = replayInput(c).log;
      assert.deepEqual(ours, expected, `case ${i} (seed ${SEED}): ${JSON.stringify(c)}`);
      if (expected.length !== python.input[i].log.length) held++;
      if (ours.some((e) => e.startsWith('found:'))) found++;
      if (new Set(ours.filter((e) => e.startsWith('term:'))).size > 1) switched++;
    });
    // The generator must keep reaching the interesting paths, or the comparison proves little.
    assert.ok(found > 300, `only ${found} cases found a terminator`);
    assert.ok(switched > 100, `only ${switched} cases switched terminators`);
    assert.ok(held > 20, `only ${held} cases held bytes at EOF`);
  });

  it('findPrefixAtEnd gives the values of the contract examples, as Python does', () => {
    PREFIX_EXAMPLES.forEach(([h, n, value], i) => {
      assert.equal(python.prefix[i], value, `Python on ${JSON.stringify([h, n])}`);
      const ours = findPrefixAtEnd(Buffer.from(h, 'latin1'), Buffer.from(n, 'latin1'));
      assert.equal(ours, value, `ours on ${JSON.stringify([h, n])}`);
      assert.equal(findPrefixAtEnd(h, n), value, `ours on text ${JSON.stringify([h, n])}`);
    });
  });

  it(`findPrefixAtEnd matches find_prefix_at_end on ${PREFIX_CASES.length} random inputs`, () => {
    const values = new Set<number>();
    PREFIX_CASES.forEach((c, i) => {
      const expected = python.prefix[PREFIX_EXAMPLES.length + i];
      const ours = c.text
        ? findPrefixAtEnd(c.haystack, c.needle)
        : findPrefixAtEnd(Buffer.from(c.haystack, 'hex'), Buffer.from(c.needle, 'hex'));
      assert.equal(ours, expected, `case ${i}: ${JSON.stringify(c)}`);
      values.add(ours);
    });
    for (const v of [-1, 0, 1, 2]) assert.ok(values.has(v), `no random case gave ${v}`);
  });
});
