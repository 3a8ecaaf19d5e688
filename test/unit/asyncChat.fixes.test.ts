// Where our AsyncChat differs from CPython's asynchat on purpose (contract §3, "Fix"), each
// difference is shown against the real CPython: its log, and ours with exactly the documented
// change. The number in each title is the pitfall of contract §4 the fix answers.
import * as assert from 'node:assert/strict';
import { AsyncChat } from '../../src/core/asyncChat';
import {
  type InputCase,
  LoggingChat,
  type OracleAnswers,
  type OutputCase,
  replayInput,
  replayOutput,
  runOracle,
} from './helpers/pythonAsynchat';

const hex = (text: string): string => Buffer.from(text, 'latin1').toString('hex');
const collect = (text: string): string => `collect:${hex(text)}`;

const INPUT = {
  heldAtEof: { terminator: { b: hex('\r\n') }, chunks: [hex('abc\r')], eof: true },
  strTerminator: { terminator: { s: '\r\n' }, chunks: [hex('ab\r\ncd\r\n')] },
  bytesTerminator: { terminator: { b: hex('\r\n') }, chunks: [hex('ab\r\ncd\r\n')] },
  unset: { chunks: [hex('ab\n')] },
  negative: { terminator: { n: -1 }, chunks: [hex('ab\n')] },
  fraction: { terminator: { f: 1.5 }, chunks: [hex('ab\n')] },
  nan: { terminator: { f: 'nan' }, chunks: [hex('ab\n')] },
  longLine: { terminator: { b: hex('\n') }, chunks: [hex('aaaaaa'), hex('aaaa\nbb\n')] },
  upgrade: {
    terminator: { b: hex('\r\n') },
    chunks: [hex('EHLO x\r\nSTARTTLS\r\nMAIL FROM:<evil>\r\n'), hex('EHLO y\r\n')],
    onFound: [[], [{ do: 'discard' }]],
  },
} satisfies Record<string, InputCase>;
type InputName = keyof typeof INPUT;

const OUTPUT = {
  emptyPush: { ops: ['', '', 'x'].map((t) => ({ op: 'push' as const, hex: hex(t) })) },
  mutated: {
    connected: false,
    ops: [
      { op: 'pushBytearray', hex: hex('abc') },
      { op: 'mutate', index: 0, byte: 0x58 },
      { op: 'connect' },
    ],
  },
  afterClose: {
    ops: [
      { op: 'push', hex: hex('a') },
      { op: 'push', hex: hex('b') },
      { op: 'closeWhenDone' },
      { op: 'push', hex: hex('after') },
    ],
  },
  reentrant: { ops: [{ op: 'pushReentrant', hex: hex('x'), inner: hex('y') }] },
  strPush: { ops: [{ op: 'pushStr', text: 'hi' }] },
} satisfies Record<string, OutputCase>;
type OutputName = keyof typeof OUTPUT;

describe('AsyncChat: documented differences from CPython asynchat', () => {
  const inputNames = Object.keys(INPUT) as InputName[];
  const outputNames = Object.keys(OUTPUT) as OutputName[];
  let python: OracleAnswers = { input: [], output: [], simpleProducer: [], prefix: [] };
  const py = (name: InputName) => python.input[inputNames.indexOf(name)];
  const pyOut = (name: OutputName) => python.output[outputNames.indexOf(name)];

  before(() => {
    python = runOracle({
      input: inputNames.map((n) => INPUT[n]),
      output: outputNames.map((n) => OUTPUT[n]),
    });
  });

  it('pitfall 1: bytes held back at EOF are collected before handle_close, not lost', () => {
    const held = ['handle_close', 'close'];
    assert.deepEqual(py('heldAtEof').log, [collect('abc'), 'term:b:0d0a', ...held]);
    assert.equal(py('heldAtEof').left, hex('\r'), 'CPython leaves the \\r in ac_in_buffer');
    const ours = replayInput(INPUT.heldAtEof).log;
    assert.deepEqual(ours, [collect('abc'), 'term:b:0d0a', collect('\r'), ...held]);
  });

  it('pitfall 11: a str terminator is encoded instead of breaking the first read', () => {
    assert.match(py('strTerminator').log[0], /^error:TypeError:argument should be/);
    const ours = replayInput(INPUT.strTerminator).log;
    assert.deepEqual(ours, py('bytesTerminator').log);
    assert.equal(ours.filter((e) => e.startsWith('found:')).length, 2);
    const utf8 = replayInput({ terminator: { s: '\u00e9' }, chunks: [hex('a\u00c3\u00a9b')] });
    assert.deepEqual(utf8.log.slice(0, 2), [collect('a'), 'found:b:c3a9'], 'UTF-8 by default');
  });

  it('pitfall 12: reading before setTerminator fails with a clear error', () => {
    assert.match(py('unset').log[0], /^error:AttributeError:.* no attribute 'terminator'$/);
    const ours = replayInput(INPUT.unset).log;
    assert.deepEqual(ours, [
      'error:Error:no terminator set: call setTerminator() before data arrives',
      'term:unset',
    ]);
    assert.throws(() => new LoggingChat({ chunks: [] }).getTerminator(), /setTerminator\(\) first/);
  });

  it('pitfall 20 (#11259): a negative, fractional or NaN count is refused, naming it', () => {
    assert.equal(
      py('negative').log[0],
      'error:ValueError:the number of received bytes must be positive',
    );
    // CPython takes 1.5 and NaN and fails on the first read.
    assert.match(py('fraction').log[0], /^error:TypeError:/);
    assert.match(py('nan').log[0], /^error:TypeError:/);
    for (const name of ['negative', 'fraction', 'nan'] as const) {
      const ours = replayInput(INPUT[name]).log;
      assert.match(ours[0], /^error:RangeError:a count terminator must be a whole number/);
    }
    const chat = new LoggingChat({ chunks: [] });
    assert.throws(() => chat.setTerminator(-1), { name: 'RangeError', message: /got -1$/ });
    assert.throws(() => chat.setTerminator(1.5), { name: 'RangeError', message: /got 1\.5$/ });
    assert.throws(() => chat.setTerminator(NaN), { name: 'RangeError', message: /got NaN$/ });
  });

  it('pitfall 2: messages are views into the read, never copies of the rest of the buffer', () => {
    const lines = 20000;
    const chunk = Buffer.from('ab\n'.repeat(lines));
    const seen: Buffer[] = [];
    let found = 0;
    const chat = new (class extends AsyncChat {
      override collectIncomingData(data: Buffer): void {
        seen.push(data);
      }
      override foundTerminator(): void {
        found++;
      }
    })();
    chat.setTerminator('\n');
    chat.handleRead(chunk);
    assert.equal(found, lines);
    assert.equal(seen.length, lines);
    // CPython re-slices (copies) what follows each terminator: quadratic on big reads. Ours
    // hands out views of the one read, each at its own offset, so the work is linear.
    seen.forEach((d, i) => {
      assert.equal(d.buffer, chunk.buffer, `message ${i} was copied`);
      assert.equal(d.byteOffset, chunk.byteOffset + 3 * i);
    });
  });

  it('pitfall 4: maxMessageBytes cuts a long line where CPython grows it forever', () => {
    const pyLog = py('longLine').log;
    assert.deepEqual(
      pyLog.filter((e) => e.startsWith('found:')),
      ['found:b:0a', 'found:b:0a'],
    );
    const ours = replayInput(INPUT.longLine, { maxMessageBytes: 4 }).log;
    assert.deepEqual(ours, [
      collect('aaaa'),
      'found:b:0a:cut',
      collect('aa'),
      'term:b:0a',
      collect('aa'),
      'found:b:0a:cut',
      collect('aa'),
      'found:b:0a',
      collect('bb'),
      'found:b:0a',
      'term:b:0a',
    ]);
    // Without the cut events, the bytes are CPython's.
    const bytesOf = (log: string[]) => log.filter((e) => e.startsWith('collect:')).join('');
    assert.equal(bytesOf(ours).replace(/collect:/g, ''), bytesOf(pyLog).replace(/collect:/g, ''));
  });

  it('pitfall 5: discardInput drops the pipelined input as discard_buffers does, not the reply', () => {
    const ours = replayInput(INPUT.upgrade, { discard: 'discardInput' });
    assert.deepEqual(ours.log, py('upgrade').log);
    assert.ok(!ours.log.includes(collect('MAIL FROM:<evil>')));
    // discard_buffers also empties the output queue, the reply to STARTTLS with it.
    const chat = new LoggingChat({ chunks: [] });
    chat.push('220 go ahead\r\n');
    chat.discardInput();
    assert.equal(chat.queuedOutputBytes, 14, 'discardInput keeps the queued reply');
    chat.discardBuffers();
    assert.equal(chat.queuedOutputBytes, 0, 'discardBuffers drops it, as asynchat does');
  });

  it('pitfall 16: an empty push sends nothing', async () => {
    assert.deepEqual(pyOut('emptyPush').log, ['send:', 'send:', 'send:78']);
    assert.deepEqual((await replayOutput(OUTPUT.emptyPush)).log, ['send:78']);
  });

  it('pitfall 18: push copies, so changing the array afterwards changes nothing', async () => {
    assert.deepEqual(pyOut('mutated').log, [`send:${hex('Xbc')}`]);
    const ours = await replayOutput(OUTPUT.mutated);
    assert.deepEqual(ours.log, [`send:${hex('abc')}`]);
    assert.equal(ours.wire, hex('abc'));
  });

  it('pitfall 15: a push after closeWhenDone throws instead of staying unsent', async () => {
    const sent = [`send:${hex('a')}`, `send:${hex('b')}`];
    assert.deepEqual(pyOut('afterClose').log, [...sent, 'handle_close', 'close']);
    assert.deepEqual(pyOut('afterClose').fifo, [hex('after')], 'CPython keeps it queued forever');
    const ours = await replayOutput(OUTPUT.afterClose);
    assert.deepEqual(ours.log, [
      ...sent,
      'error:Error:push() after closeWhenDone(): the data would never be sent',
      'close',
    ]);
    assert.equal(ours.wire, hex('ab'));
  });

  it('pitfall 6: a push made during a send is sent once, after it, and not lost', async () => {
    assert.deepEqual(pyOut('reentrant').log, ['send:78', 'send:78'], 'CPython: x twice, y lost');
    assert.deepEqual(pyOut('reentrant').fifo, []);
    const ours = await replayOutput(OUTPUT.reentrant);
    assert.deepEqual(ours.log, ['send:78', 'send:79']);
    assert.equal(ours.wire, hex('xy'));
  });

  it('pitfalls 8 and 10: push takes a string (encoded) and names what it refuses', async () => {
    assert.equal(
      pyOut('strPush').log[0],
      "error:TypeError:('data argument must be byte-ish (%r)', <class 'str'>)",
    );
    assert.deepEqual((await replayOutput(OUTPUT.strPush)).log, [`send:${hex('hi')}`]);
    const chat = new LoggingChat({ chunks: [] });
    assert.throws(() => chat.push(42 as unknown as string), {
      name: 'TypeError',
      message: 'push() takes bytes or a string, got number',
    });
  });
});
