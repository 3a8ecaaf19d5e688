// Property tests over every framing rule and every registered protocol framer: random streams
// and random chunkings give the same frames, the frames join back into the stream exactly, and
// no input makes a framer throw or hold more than its limit.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import fc from 'fast-check';
import type { Frame } from '../../../src/core/framing/frame';
import { createConnectionFramers } from '../../../src/core/framing/framingSpec';
import type { Framer } from '../../../src/core/framing/framer';
import { protocols } from '../../../src/core/framing/protocols';
import { FIXTURES_DIR, frameRecord, readFixture } from '../helpers/fixtures';

const PLAIN_SPECS = [
  'lf',
  'crlf',
  'nul',
  'line',
  'close',
  'count:5',
  'length:1be',
  'length:2le-1',
  'delim:\\r\\n.\\r\\n',
];
const SPECS = [...PLAIN_SPECS, ...protocols.keys()];
const MAX = 256;
// Room a framer may hold beyond maxFrameBytes: the terminator that completes a frame, and
// a held terminator prefix.
const SLACK = 300;

/** Tokens that steer protocol framers into their interesting states. */
const TOKENS = [
  '\r\n',
  '\n',
  '\r',
  '\0',
  '.\r\n',
  '\r\n.\r\n',
  '*2\r\n',
  '$3\r\n',
  '$-1\r\n',
  '*-1\r\n',
  '%1\r\n',
  '>2\r\n',
  '|1\r\n',
  '+OK\r\n',
  ':12\r\n',
  'set k 0 0 5\r\n',
  'VALUE k 0 3\r\n',
  'END\r\n',
  'DATA\r\n',
  '354 go\r\n',
  '250-a\r\n',
  '250 b\r\n',
  'BDAT 3 LAST\r\n',
  'STARTTLS\r\n',
  '220 go\r\n',
  'GET / HTTP/1.1\r\n',
  'HTTP/1.1 200 OK\r\n',
  'Content-Length: 4\r\n',
  'Transfer-Encoding: chunked\r\n',
  '3\r\nabc\r\n',
  '0\r\n\r\n',
  'Upgrade: websocket\r\nConnection: Upgrade\r\n',
  'HTTP/1.1 101 Switching\r\n',
  '\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58',
  ':irc.x 001 a :hi\r\n',
  'PING :t\r\n',
  'PRIVMSG #c :\x01ACTION x\x01\r\n',
  'SEND\ndestination:/q\ncontent-length:2\n\nab\0',
  'MESSAGE\n\nhi\0\n',
  'CONNECT\n\n\0',
  'hello',
  '\xff\xfe',
  ' ',
  ':',
];

const streamArb = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...TOKENS).map((t) => Buffer.from(t, 'latin1')) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 9 }).map((n) => Buffer.from(String(n))) },
    ),
    { maxLength: 60 },
  )
  .map((parts) => Buffer.concat(parts));

/** Feeds data cut at the given points; checks the memory bound after every feed. */
function run(framer: Framer, data: Buffer, cuts: number[]): Frame[] {
  const frames: Frame[] = [];
  let prev = 0;
  for (const cut of [...cuts.sort((a, b) => a - b), data.length]) {
    if (cut <= prev) continue;
    frames.push(...framer.feed(Buffer.from(data.subarray(prev, cut))));
    assert.ok(
      framer.pendingBytes <= MAX + SLACK,
      `${framer.term} holds ${framer.pendingBytes} bytes`,
    );
    prev = cut;
  }
  frames.push(...framer.flush());
  return frames;
}

/** run() through feedEach. */
function runEach(framer: Framer, data: Buffer, cuts: number[]): Frame[] {
  const frames: Frame[] = [];
  let prev = 0;
  for (const cut of [...cuts.sort((a, b) => a - b), data.length]) {
    if (cut <= prev) continue;
    framer.feedEach(Buffer.from(data.subarray(prev, cut)), (f) => frames.push(f));
    prev = cut;
  }
  frames.push(...framer.flush());
  return frames;
}

function pair(spec: string) {
  return createConnectionFramers(spec, { maxFrameBytes: MAX });
}

function check(spec: string, c2s: Buffer, s2c: Buffer, cutsA: number[], cutsB: number[]) {
  const whole = pair(spec);
  const refC = run(whole.c2s, c2s, []);
  const refS = run(whole.s2c, s2c, []);
  assert.deepEqual(Buffer.concat(refC.map((f) => f.bytes)), c2s);
  assert.deepEqual(Buffer.concat(refS.map((f) => f.bytes)), s2c);
  const chunked = pair(spec);
  const gotC = run(
    chunked.c2s,
    c2s,
    cutsA.map((c) => c % (c2s.length + 1)),
  );
  const gotS = run(
    chunked.s2c,
    s2c,
    cutsB.map((c) => c % (s2c.length + 1)),
  );
  assert.deepEqual(gotC.map(frameRecord), refC.map(frameRecord));
  assert.deepEqual(gotS.map(frameRecord), refS.map(frameRecord));
  const visited = pair(spec);
  const eachC = runEach(
    visited.c2s,
    c2s,
    cutsA.map((c) => c % (c2s.length + 1)),
  );
  const eachS = runEach(
    visited.s2c,
    s2c,
    cutsB.map((c) => c % (s2c.length + 1)),
  );
  assert.deepEqual(eachC.map(frameRecord), refC.map(frameRecord));
  assert.deepEqual(eachS.map(frameRecord), refS.map(frameRecord));
}

const cutsArb = fc.array(fc.nat({ max: 4000 }), { maxLength: 30 });

describe('framing properties', () => {
  it('covers every protocol framer of DESIGN.md §4', () => {
    assert.deepEqual([...protocols.keys()].sort(), [
      'http',
      'irc',
      'memcached',
      'redis',
      'smtp',
      'stomp',
    ]);
  });

  for (const spec of SPECS) {
    it(`${spec}: random streams, random chunkings`, () => {
      fc.assert(
        fc.property(streamArb, streamArb, cutsArb, cutsArb, (c2s, s2c, a, b) =>
          check(spec, c2s, s2c, a, b),
        ),
        { numRuns: 150, seed: 20261125 },
      );
    });
  }

  // Mutated recordings reach deep states a random stream rarely finds.
  const fixtureNames = fs.existsSync(FIXTURES_DIR)
    ? fs
        .readdirSync(FIXTURES_DIR)
        .filter((n) => n.endsWith('.c2s'))
        .map((n) => n.slice(0, -4))
    : [];
  const mutationArb = fc.array(
    fc.record({
      at: fc.nat(),
      op: fc.constantFrom('flip', 'delete', 'insert'),
      byte: fc.integer({ min: 0, max: 255 }),
      len: fc.integer({ min: 1, max: 40 }),
    }),
    { minLength: 1, maxLength: 6 },
  );
  const mutate = (data: Buffer, muts: { at: number; op: string; byte: number; len: number }[]) => {
    let out = Buffer.from(data);
    for (const m of muts) {
      const at = m.at % (out.length + 1);
      if (m.op === 'flip' && at < out.length) out[at] = m.byte;
      else if (m.op === 'delete')
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.len)]);
      else
        out = Buffer.concat([out.subarray(0, at), Buffer.alloc(m.len, m.byte), out.subarray(at)]);
    }
    return out;
  };
  for (const name of fixtureNames) {
    const proto = name.replace(/-session$/, '');
    if (!protocols.has(proto)) continue;
    it(`${proto}: mutated recordings, random chunkings`, () => {
      const c2s = readFixture(`${name}.c2s`).subarray(0, 3000);
      const s2c = readFixture(`${name}.s2c`).subarray(0, 3000);
      fc.assert(
        fc.property(mutationArb, mutationArb, cutsArb, cutsArb, (ma, mb, a, b) =>
          check(proto, mutate(c2s, ma), mutate(s2c, mb), a, b),
        ),
        { numRuns: 60, seed: 20261125 },
      );
    });
  }
});
