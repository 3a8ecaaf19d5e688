// The input half of AsyncChat against CPython's asynchat, case by case: the same chunks through
// handleRead and through async_chat.handle_read must give the same collect / found events, with
// the same chunk boundaries, the same terminator seen inside found, and the same close.
import * as assert from 'node:assert/strict';
import {
  type InputCase,
  type InputResult,
  replayInput,
  runOracle,
  type TermSpec,
} from './helpers/pythonAsynchat';

/** Text (latin-1) as hex. */
const hex = (text: string): string => Buffer.from(text, 'latin1').toString('hex');
const delim = (text: string): TermSpec => ({ b: hex(text) });
const reads = (...texts: string[]): string[] => texts.map(hex);

/** A log reduced to `c:<text>` and `f`, the notation of the contract's examples. */
function summary(log: readonly string[]): string[] {
  return log.flatMap((e) => {
    if (e.startsWith('collect:')) return [`c:${Buffer.from(e.slice(8), 'hex').toString('latin1')}`];
    return e.startsWith('found:') ? ['f'] : [];
  });
}

interface Example {
  input: InputCase;
  /** The collect/found sequence shared/asynchat-contract.md gives for it, when it gives one. */
  contract?: string[];
}

const CASES: Record<string, Example> = {
  'a CRLF split across reads is still found (§1.3)': {
    input: { terminator: delim('\r\n'), chunks: reads('hello\r', '\nworld\r\n') },
    contract: ['c:hello', 'f', 'c:world', 'f'],
  },
  'a false prefix is released by the next read': {
    input: { terminator: delim('\r\n'), chunks: reads('ab\r', 'x') },
    contract: ['c:ab', 'c:\rx'],
  },
  'overlap: aab after aa': {
    input: { terminator: delim('aab'), chunks: reads('aa', 'ab') },
    contract: ['c:a', 'f'],
  },
  'overlap: abab after xaba': {
    input: { terminator: delim('abab'), chunks: reads('xaba', 'b') },
    contract: ['c:x', 'f'],
  },
  'several messages in one read, the unfinished one passed on at once': {
    input: { terminator: delim('\n'), chunks: reads('a\nb\n\nc') },
    contract: ['c:a', 'f', 'c:b', 'f', 'f', 'c:c'],
  },
  'empty messages give found with no collect': {
    input: { terminator: delim('\r\n'), chunks: reads('\r\n\r\nx\r\n', '\r\n') },
    contract: ['f', 'f', 'c:x', 'f', 'f'],
  },
  'terminator switched inside found applies to the rest of the read': {
    input: {
      terminator: delim(';'),
      chunks: reads('hdr;12ab;34'),
      onFound: [
        [{ set: { n: 2 } }],
        [{ set: delim(';') }],
        [{ set: { n: 2 } }],
        [{ set: delim(';') }],
      ],
    },
    contract: ['c:hdr', 'f', 'c:12', 'f', 'c:ab', 'f', 'c:34', 'f'],
  },
  'count then line': {
    input: {
      terminator: { n: 4 },
      chunks: reads('abcdxy\nz\n'),
      onFound: [[{ set: delim('\n') }]],
    },
    contract: ['c:abcd', 'f', 'c:xy', 'f', 'c:z', 'f'],
  },
  'a count reaching 0 with no new terminator collects everything after it': {
    input: { terminator: { n: 3 }, chunks: reads('abcdefgh', 'ij'), eof: true },
    contract: ['c:abc', 'f', 'c:defgh', 'c:ij'],
  },
  'a count runs down across reads (term after each read shows what is left)': {
    input: { terminator: { n: 5 }, chunks: reads('ab', 'cd', 'efg') },
  },
  'a count of 0 collects everything from the start': {
    input: { terminator: { n: 0 }, chunks: reads('abc', 'd\n') },
  },
  'a None terminator collects each read as it comes, EOF closes': {
    input: { terminator: null, chunks: reads('abc', 'def'), eof: true },
    contract: ['c:abc', 'c:def'],
  },
  'an empty delimiter is falsy: collect everything': {
    input: { terminator: { b: '' }, chunks: reads('a\nb') },
  },
  'a one-byte terminator never holds bytes back': {
    input: { terminator: delim(';'), chunks: reads('a;b', ';c', ';', 'd'), eof: true },
  },
  'a long delimiter fed one byte per read': {
    input: {
      terminator: delim('\r\n.\r\n'),
      chunks: reads(...'x\r\n.\r\ny\r\n\r\n.\r\n.\r\nz'.split('')),
    },
  },
  'discard_buffers inside found drops the rest of the read only': {
    input: {
      terminator: delim('\n'),
      chunks: reads('a\nb\nc\n', 'd\ne\n'),
      onFound: [[{ do: 'discard' }]],
    },
    contract: ['c:a', 'f', 'c:d', 'f', 'c:e', 'f'],
  },
  'close inside found does not stop the messages of the same read (pitfall 14)': {
    input: {
      terminator: delim('\n'),
      chunks: reads('a\nb\nc\n', 'd\n'),
      onFound: [[{ do: 'close' }]],
      eof: true,
    },
    contract: ['c:a', 'f', 'c:b', 'f', 'c:c', 'f'],
  },
  'found switches to None: the rest of the stream is collected': {
    input: {
      terminator: delim('\r\n'),
      chunks: reads('HEAD\r\nbody\r\nmore', '\r\n'),
      onFound: [[{ set: null }]],
      eof: true,
    },
  },
  'RESP-style count switching across reads': {
    input: {
      terminator: delim('\r\n'),
      chunks: reads('$5\r\nhel', 'lo\r', '\n$0\r\n\r', '\n+OK\r\n'),
      onFound: [
        [{ set: { n: 7 } }],
        [{ set: delim('\r\n') }],
        [{ set: { n: 2 } }],
        [{ set: delim('\r\n') }],
      ],
    },
  },
  'ac_in_buffer_size splits a big read into several read events': {
    input: {
      terminator: delim('\r\n'),
      chunks: reads('hello\r\nworld\r\nabc\r', '\n'),
      inSize: 3,
      eof: true,
    },
  },
  'close inside found stops the read events still waiting in the socket': {
    input: {
      terminator: delim('\n'),
      chunks: reads('ab\ncd\nef\n'),
      inSize: 4,
      onFound: [[{ do: 'close' }]],
    },
  },
  'an exception in found: nothing after the terminator is lost or repeated': {
    input: {
      terminator: delim('\n'),
      chunks: reads('a\nb\nc\r', '\nd\n'),
      onFound: [[{ raise: 'boom' }], [], [{ raise: 'again' }]],
    },
  },
  'an exception in collect: the same data comes again on the next read': {
    input: {
      terminator: delim('\r\n'),
      chunks: reads('abc\r', '\ndef\r\n'),
      onCollect: [[{ raise: 'boom' }]],
    },
  },
  'an exception in a count message keeps the count': {
    input: {
      terminator: { n: 4 },
      chunks: reads('ab', 'cdef'),
      onCollect: [[], [{ raise: 'boom' }]],
      onFound: [[{ set: { n: 2 } }]],
    },
  },
  'an exception with small read events: the rest of the socket data is read on': {
    input: {
      terminator: delim('\n'),
      chunks: reads('a\nbc\nd\ne', 'f\n'),
      inSize: 2,
      onFound: [[{ raise: 'boom' }], [{ raise: 'again' }]],
      eof: true,
    },
  },
  'a str terminator with use_encoding is encoded (latin-1)': {
    input: {
      terminator: { s: '\xe9;' },
      useEncoding: true,
      chunks: reads('caf\xe9;x\xe9', ';'),
    },
  },
};

describe('AsyncChat input against CPython asynchat', () => {
  const names = Object.keys(CASES);
  let python: InputResult[] = [];

  before(() => {
    python = runOracle({ input: names.map((n) => CASES[n].input) }).input;
  });

  it('the oracle runs the real asynchat (a broken run cannot pass the comparisons)', () => {
    assert.equal(python.length, names.length);
    assert.deepEqual(python[0].log, [
      `collect:${hex('hello')}`,
      'term:b:0d0a',
      'found:b:0d0a',
      `collect:${hex('world')}`,
      'found:b:0d0a',
      'term:b:0d0a',
    ]);
  });

  for (const [i, name] of names.entries()) {
    it(name, () => {
      const { input, contract } = CASES[name];
      if (contract) assert.deepEqual(summary(python[i].log), contract, 'CPython vs the contract');
      assert.deepEqual(replayInput(input).log, python[i].log);
    });
  }
});
