// The output half of AsyncChat against CPython's asynchat: the same pushes, producers and
// close_when_done, on CPython's side through a fake socket that records each send(), on ours
// through a real loopback connection that records each socket.write(). The pieces, their order,
// the close, and the bytes the peer receives must all match.
import * as assert from 'node:assert/strict';
import { SimpleProducer } from '../../src/core/asyncChat';
import {
  type OracleAnswers,
  type OutputCase,
  replayOutput,
  runOracle,
  type SimpleProducerCase,
} from './helpers/pythonAsynchat';

const hex = (text: string): string => Buffer.from(text, 'latin1').toString('hex');
const DIGITS = hex('0123456789');
const TWENTY = hex('abcdefghijklmnopqrst');

/** What CPython put on the wire: its send() pieces joined. */
function pythonWire(log: readonly string[]): string {
  return log.flatMap((e) => (e.startsWith('send:') ? [e.slice(5)] : [])).join('');
}

/** CPython's log without its handle_close entries (see the close_when_done test). */
function withoutHandleClose(log: readonly string[]): string[] {
  return log.filter((e) => e !== 'handle_close');
}

const CLOSING = 'close_when_done closes after everything queued before it';

const CASES: Record<string, OutputCase> = {
  'push splits data longer than ac_out_buffer_size into pieces': {
    outSize: 4,
    ops: [{ op: 'push', hex: hex('abcdefghij') }],
  },
  'push of exactly ac_out_buffer_size stays one piece': {
    outSize: 4,
    ops: [
      { op: 'push', hex: hex('abcd') },
      { op: 'push', hex: hex('efghi') },
    ],
  },
  'simple_producer hands out buffer_size slices': {
    ops: [{ op: 'pushProducer', hex: TWENTY, size: 8 }],
  },
  'producer output longer than ac_out_buffer_size goes out in pieces': {
    outSize: 4,
    ops: [{ op: 'pushProducer', hex: DIGITS, size: 10 }],
  },
  'bytes given to push_with_producer go out in ac_out_buffer_size pieces': {
    outSize: 4,
    ops: [{ op: 'pushBytesProducer', hex: DIGITS }],
  },
  [CLOSING]: {
    ops: [
      { op: 'push', hex: hex('a') },
      { op: 'pushProducer', hex: TWENTY, size: 7 },
      { op: 'push', hex: hex('b') },
      { op: 'closeWhenDone' },
    ],
  },
  'output queued before the connection is up goes out in order once it is': {
    connected: false,
    outSize: 3,
    ops: [
      { op: 'push', hex: hex('hello') },
      { op: 'pushProducer', hex: DIGITS, size: 4 },
      { op: 'pushBytesProducer', hex: hex('xyz!') },
      { op: 'closeWhenDone' },
      { op: 'connect' },
    ],
  },
};

/** CPython with sends that take at most sendLimit bytes; only the bytes on the wire compare. */
const PARTIAL: Record<string, OutputCase> = {
  'a partial send keeps the tail at the head of the queue': {
    sendLimit: 3,
    ops: [
      { op: 'push', hex: hex('abcdefgh') },
      { op: 'push', hex: hex('ij') },
    ],
  },
  'partial sends through producers and split pushes': {
    sendLimit: 2,
    outSize: 5,
    ops: [
      { op: 'push', hex: hex('0123456789abc') },
      { op: 'pushProducer', hex: TWENTY, size: 6 },
      { op: 'pushBytesProducer', hex: DIGITS },
      { op: 'closeWhenDone' },
    ],
  },
};

const PRODUCERS: SimpleProducerCase[] = [
  { hex: TWENTY, size: 8, calls: 5 },
  { hex: DIGITS, size: 10, calls: 2 },
  { hex: '', size: 4, calls: 2 },
  { hex: DIGITS, size: 512, calls: 2 },
];

describe('AsyncChat output against CPython asynchat', () => {
  const names = Object.keys(CASES);
  const partial = Object.keys(PARTIAL);
  let python: OracleAnswers = { input: [], output: [], simpleProducer: [], prefix: [] };

  before(() => {
    const output = [...names.map((n) => CASES[n]), ...partial.map((n) => PARTIAL[n])];
    python = runOracle({ output, simpleProducer: PRODUCERS });
  });

  it('CPython sends 0123, 4567, 89 for a 10-byte producer with a 4-byte buffer (§1.6)', () => {
    const at = names.indexOf('producer output longer than ac_out_buffer_size goes out in pieces');
    assert.deepEqual(python.output[at].log, ['send:30313233', 'send:34353637', 'send:3839']);
  });

  it('close_when_done: CPython calls handle_close, ours closes directly (not the input end)', async () => {
    const at = names.indexOf(CLOSING);
    assert.deepEqual(python.output[at].log.slice(-2), ['handle_close', 'close']);
    const ours = await replayOutput(CASES[CLOSING]);
    assert.deepEqual(ours.log.slice(-2), [`send:${hex('b')}`, 'close']);
  });

  for (const [i, name] of names.entries()) {
    it(name, async () => {
      const ours = await replayOutput(CASES[name]);
      // Our handleClose means "the input ended", so the close marker skips it (test above).
      assert.deepEqual(ours.log, withoutHandleClose(python.output[i].log));
      assert.equal(ours.wire, pythonWire(python.output[i].log));
      assert.deepEqual(python.output[i].fifo, [], 'CPython sent everything');
    });
  }

  for (const [j, name] of partial.entries()) {
    it(name, async () => {
      const py = python.output[names.length + j];
      assert.ok(py.log.every((e) => !e.startsWith('send:') || e.length <= 5 + 2 * 3));
      const ours = await replayOutput(PARTIAL[name]);
      assert.equal(ours.wire, pythonWire(py.log));
    });
  }

  it('SimpleProducer.more() gives the slices simple_producer.more() gives', () => {
    assert.deepEqual(python.simpleProducer[0], [
      hex('abcdefgh'),
      hex('ijklmnop'),
      hex('qrst'),
      '',
      '',
    ]);
    PRODUCERS.forEach((c, i) => {
      const p = new SimpleProducer(Buffer.from(c.hex, 'hex'), c.size);
      const slices = Array.from({ length: c.calls }, () => Buffer.from(p.more()).toString('hex'));
      assert.deepEqual(slices, python.simpleProducer[i], `case ${i}`);
    });
  });
});
