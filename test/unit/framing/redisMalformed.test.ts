import * as assert from 'node:assert/strict';
import type { Frame } from '../../../src/core/framing/frame';
import type { FramerOptions } from '../../../src/core/framing/framer';
import { redisProtocol } from '../../../src/core/framing/protocols/redis';
import { assertPairStable } from '../helpers/fixtures';

/** Frames of both directions, checked stable at every chunk size (client side fed first). */
function frames(c2s: string | Buffer, s2c: string | Buffer, options?: FramerOptions) {
  const a = typeof c2s === 'string' ? Buffer.from(c2s, 'latin1') : c2s;
  const b = typeof s2c === 'string' ? Buffer.from(s2c, 'latin1') : s2c;
  return assertPairStable(() => redisProtocol.createFramers(options), a, b);
}

const bytes = (fs: readonly Frame[]) => fs.map((f) => f.bytes.toString('latin1'));
const codes = (f: Frame) => (f.ann?.warnings ?? []).map((w) => w.code);
const messages = (f: Frame) => (f.ann?.warnings ?? []).map((w) => w.message).join(' | ');
const res = (fs: readonly Frame[]) => fs.map((f) => f.ann?.re);

describe('redis framer: malformed input', () => {
  it('warns about bare \\n endings and counts the repeats', () => {
    const { c2s: req, s2c: out } = frames('*1\n$4\nPING\r\nPING\n', '+PONG\n+PONG\r\n');
    assert.deepEqual(bytes(req), ['*1\n$4\nPING\r\n', 'PING\n']);
    assert.deepEqual(req.map(codes), [['bare-lf'], ['bare-lf']]);
    assert.match(
      messages(req[0]),
      /bare \\n; RESP wants \\r\\n \(and 1 more bare-lf in this frame\)/,
    );
    assert.deepEqual(out.map(codes), [['bare-lf'], []]);
    assert.deepEqual(
      out.map((f) => f.ann?.re),
      [0, 1],
    );
  });

  it('frames a bad type byte alone and reads on', () => {
    const { s2c: out } = frames('PING\r\n', '?oops\r\n+PONG\r\n');
    assert.deepEqual(bytes(out), ['?oops\r\n', '+PONG\r\n']);
    assert.equal(out[0].ann?.kind, 'event');
    assert.deepEqual(codes(out[0]), ['violation']);
    assert.match(messages(out[0]), /unknown RESP type byte "\?"/);
    assert.equal(out[1].ann?.re, 0);
    assert.deepEqual(codes(out[1]), []);
  });

  it('frames bad lengths alone', () => {
    const { s2c: out } = frames('', '$abc\r\n*-2\r\n$-5\r\n\r\n:1\r\n');
    assert.deepEqual(bytes(out), ['$abc\r\n', '*-2\r\n', '$-5\r\n', '\r\n', ':1\r\n']);
    assert.deepEqual(out.slice(0, 4).map(codes), [
      ['violation'],
      ['violation'],
      ['violation'],
      ['violation'],
    ]);
    assert.match(messages(out[0]), /bad length "abc" in a bulk-string header/);
    assert.match(messages(out[1]), /bad element count "-2" in an array/);
    assert.match(messages(out[3]), /empty line/);
  });

  it('warns when a bulk does not end where its length says, and reads on after it', () => {
    const { s2c: out } = frames('GET a\r\nGET b\r\n', '$5\r\nhello world\r\n$2\r\nok\r\n');
    assert.deepEqual(bytes(out), ['$5\r\nhello w', 'orld\r\n', '$2\r\nok\r\n']);
    assert.deepEqual(codes(out[0]), ['violation']);
    assert.match(messages(out[0]), /5-byte bulk-string does not end with \\r\\n .*" w"/);
    assert.equal(out[0].ann?.re, 0);
    assert.equal(out[1].ann?.kind, 'event');
    assert.equal(out[2].ann?.re, 1);
  });

  it('caps nesting at 128 levels and reads on', () => {
    const deep = '*1\r\n'.repeat(130) + ':1\r\n';
    const { s2c: out } = frames('GET k\r\n', deep);
    assert.deepEqual(bytes(out), ['*1\r\n'.repeat(129), '*1\r\n:1\r\n']);
    assert.match(messages(out[0]), /deeper than 128 levels/);
    assert.equal(out[0].ann?.re, 0);
  });

  it('checks scalar syntax without losing the value', () => {
    const { s2c: out } = frames('INCR k\r\n', ':12a\r\n');
    assert.deepEqual(codes(out[0]), ['violation']);
    assert.match(messages(out[0]), /":12a" is not an integer/);
    assert.equal(out[0].ann?.re, 0);
  });

  it('warns about a command holding something else than bulk strings', () => {
    const { c2s: req, s2c: out } = frames(
      '*2\r\n$3\r\nGET\r\n:1\r\n*x\r\n',
      '-ERR a\r\n-ERR b\r\n',
    );
    assert.deepEqual(bytes(req), ['*2\r\n$3\r\nGET\r\n:1\r\n', '*x\r\n']);
    assert.match(messages(req[0]), /only bulk strings/);
    assert.match(messages(req[1]), /bad element count "x"/);
    assert.deepEqual(
      out.map((f) => f.ann?.re),
      [0, 1],
    );
  });

  it('expects no reply to an empty multibulk', () => {
    const { c2s: req, s2c: out } = frames('*0\r\n*1\r\n$4\r\nPING\r\n', '+PONG\r\n');
    assert.equal(req[0].ann?.kind, 'event');
    assert.equal(out[0].ann?.re, 1);
  });

  it('says what was missing when the stream ends inside a value', () => {
    const { c2s: req, s2c: out } = frames('*2\r\n$3\r\nGET\r\n$5\r\nab', '*3\r\n:1\r\n');
    assert.equal(req[0].partial, true);
    assert.deepEqual(codes(req[0]), ['truncated']);
    assert.match(messages(req[0]), /5-byte bulk-string: 2 of its 7 bytes/);
    assert.equal(out[0].partial, true);
    assert.match(messages(out[0]), /inside an array: 2 more element/);
  });
});

describe('redis framer: reading on after a broken value', () => {
  it('gives the rest of a value cut at the nesting cap no request of its own', () => {
    const deep = '*1\r\n'.repeat(200) + ':1\r\n';
    const { s2c: out } = frames('GET k\r\nPING\r\n', deep + '+PONG\r\n');
    assert.deepEqual(bytes(out), [
      '*1\r\n'.repeat(129),
      '*1\r\n'.repeat(71) + ':1\r\n',
      '+PONG\r\n',
    ]);
    assert.deepEqual(res(out), [0, 0, 1]);
    assert.equal(out[1].ann?.kind, 'reply');
    assert.equal(out[1].ann?.fields?.remainder, true);
    assert.deepEqual(out.map(codes), [['violation'], [], []]);
  });

  it('counts the elements a bad line leaves behind in its array', () => {
    const { s2c: out } = frames('MGET a b c\r\nPING\r\n', '*3\r\n:1\r\n?x\r\n:3\r\n+PONG\r\n');
    assert.deepEqual(bytes(out), ['*3\r\n:1\r\n?x\r\n', ':3\r\n', '+PONG\r\n']);
    assert.deepEqual(res(out), [0, 0, 1]);
    assert.deepEqual(out.map(codes), [['violation'], [], []]);
  });

  it('reads the rest of a broken command as RESP, not as new commands', () => {
    const { c2s: req, s2c: out } = frames(
      '*3\r\n$3\r\nSET\r\n$x\r\n$1\r\nv\r\n*1\r\n$4\r\nPING\r\n',
      '-ERR Protocol error\r\n+PONG\r\n',
    );
    assert.deepEqual(bytes(req), [
      '*3\r\n$3\r\nSET\r\n$x\r\n',
      '$1\r\nv\r\n',
      '*1\r\n$4\r\nPING\r\n',
    ]);
    assert.equal(req[1].ann?.fields?.remainder, true);
    assert.equal(req[1].ann?.name, undefined);
    assert.deepEqual(res(out), [0, 2]);
  });
});

describe('redis framer: the end of the stream', () => {
  it('names and summarises a value the stream cut off', () => {
    const { c2s: req, s2c: out } = frames(
      '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhel',
      '$11\r\nhello',
    );
    assert.equal(req[0].ann?.name, 'SET');
    assert.equal(req[0].ann?.summary, 'SET k "hel…"');
    assert.equal(out[0].ann?.name, '$');
    assert.equal(out[0].ann?.summary, '$11 "hello…"');
    assert.deepEqual(out.map(codes), [['truncated']]);
  });

  it('names and summarises a line, an inline command and an aggregate the stream cut off', () => {
    const inline = frames('GET k', '+OK');
    assert.equal(inline.c2s[0].ann?.name, 'GET');
    assert.equal(inline.c2s[0].ann?.summary, 'GET k');
    assert.equal(inline.s2c[0].ann?.name, '+OK');
    assert.equal(inline.s2c[0].ann?.summary, '+OK');
    const { s2c: out } = frames('', '*3\r\n:1\r\n%2\r\n');
    assert.equal(out[0].ann?.name, '*');
    assert.equal(out[0].ann?.summary, '*3 [1, %2{…}, …]');
    assert.match(messages(out[0]), /inside a map at depth 2: 4 more element/);
  });

  it('says "an" before sizes and type names that start with a vowel sound', () => {
    const { c2s: req, s2c: out } = frames('*1\r\n$8\r\nab', '|1\r\n');
    assert.match(messages(req[0]), /inside an 8-byte bulk-string/);
    assert.match(messages(out[0]), /inside an attribute: 2 more element/);
  });
});
