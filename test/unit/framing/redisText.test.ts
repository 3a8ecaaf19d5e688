/**
 * The redis framer keeps scalars as latin1 strings (one character per byte) rather than
 * Buffers: these tests pin that what it shows of them is what the bytes say.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeBytes } from '../../../src/core/bytes';
import { shortLatin1, shortText } from '../../../src/core/framing/protocols/protocol';
import { redisProtocol } from '../../../src/core/framing/protocols/redis';
import { commandName } from '../../../src/core/framing/protocols/redisCommands';

/** commandName as it was when it read Buffers. */
function commandNameReference(data: Buffer): string {
  const raw = data.toString('latin1', 0, 64);
  return /^[\x21-\x7e]*$/.test(raw) ? raw.toUpperCase() : escapeBytes(data.subarray(0, 64));
}

const bytes = fc
  .array(
    fc.oneof(
      fc.constantFrom(...Buffer.from('aZ09 "\'\\\r\n\t\0\x7fé€😀\u202e')),
      fc.integer({ min: 0, max: 255 }),
    ),
    { maxLength: 120 },
  )
  .map((a) => Buffer.from(a));

const bulk = (s: string | Buffer): Buffer => {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  return Buffer.concat([Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n')]);
};
const command = (...args: (string | Buffer)[]): Buffer =>
  Buffer.concat([Buffer.from(`*${args.length}\r\n`), ...args.map(bulk)]);

describe('redis: scalars as latin1 text', () => {
  it('shortLatin1 shows what shortText shows of the same bytes', () => {
    fc.assert(
      fc.property(bytes, fc.nat({ max: 200 }), fc.integer({ min: 1, max: 90 }), (b, more, max) => {
        const text = b.toString('latin1');
        assert.equal(shortLatin1(text, b.length + more, max), shortText(b, b.length + more, max));
      }),
      { numRuns: 500, seed: 20261125 },
    );
  });

  it('commandName reads latin1 text as it read bytes', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        assert.equal(commandName(b.toString('latin1')), commandNameReference(b));
      }),
      { numRuns: 500, seed: 20261125 },
    );
    assert.equal(commandName('get'), 'GET');
    assert.equal(commandName('x'.repeat(70)), 'X'.repeat(64));
  });

  it('shows UTF-8 arguments, binary bytes, cut arguments and replies as before', () => {
    const c2s = Buffer.concat([
      command('set', 'clé', 'héllo wörld'),
      command('GET', Buffer.from([0x6b, 0xff, 0x00])),
      command(Buffer.from('g\xe9t', 'latin1'), 'k'),
      command('SET', 'k', 'é'.repeat(600)),
      command('config', 'get', 'maxmemory'),
      command('ZADD', 'z', '1.5', 'a', 'WITHSCORES', 'x"y'),
      Buffer.from('set "a b" \'c\' "\\xe9"\r\n', 'latin1'),
    ]);
    const s2c = Buffer.from(
      '+OK\r\n+a longer status line\r\n+caf\xe9\r\n-WRONGTYPE Operation against a key\r\n' +
        ':12345678901\r\n:99999999999999999999\r\n,1.25\r\n#t\r\n' +
        '*2\r\n$5\r\nhello\r\n$9\r\nw\xc3\xb6rld!!!\r\n',
      'latin1',
    );
    const { c2s: client, s2c: server } = redisProtocol.createFramers();
    const requests = client.feed(c2s).map((f) => f.ann);
    const replies = server.feed(s2c).map((f) => f.ann);
    const request = (name: string, args: string[], summary: string, fields: object) => ({
      kind: 'request',
      name,
      args,
      summary,
      fields,
    });
    assert.deepEqual(requests, [
      request('SET', ['clé', 'héllo wörld'], 'SET "clé" "héllo wörld"', { argc: 3 }),
      request('GET', ['k\ufffd\0'], 'GET "k\\xff\\0"', { argc: 2 }),
      request('g\\xe9t', ['k'], 'g\\xe9t k', { argc: 2 }),
      request('SET', ['k', 'é'.repeat(512) + '…'], `SET k "${'é'.repeat(32)}…"`, { argc: 3 }),
      request('CONFIG', ['get', 'maxmemory'], 'CONFIG get maxmemory', {
        argc: 3,
        subcommand: 'GET',
      }),
      request('ZADD', ['z', '1.5', 'a', 'WITHSCORES', 'x"y'], 'ZADD z 1.5 "a" WITHSCORES "x"y"', {
        argc: 6,
      }),
      request('SET', ['a b', 'c', '\ufffd'], 'SET "a b" "c" "\\xe9"', { argc: 4, inline: true }),
    ]);
    const reply = (re: number, name: string, summary: string, fields: object) => ({
      kind: 'reply',
      name,
      summary,
      fields,
      re,
    });
    const unpaired = [{ code: 'unpaired', message: 'a reply with no request waiting for it' }];
    assert.deepEqual(replies, [
      reply(0, '+OK', '+OK', { type: 'simple-string' }),
      reply(1, '+', '+a longer status line', { type: 'simple-string' }),
      reply(2, '+', '+caf\\xe9', { type: 'simple-string' }),
      reply(3, '-WRONGTYPE', '-WRONGTYPE Operation against a key', {
        type: 'error',
        error: 'WRONGTYPE',
      }),
      reply(4, ':', ':12345678901', { type: 'integer', value: 12345678901 }),
      reply(5, ':', ':99999999999999999999', { type: 'integer', value: '99999999999999999999' }),
      reply(6, ',', ',1.25', { type: 'double', value: 1.25 }),
      {
        kind: 'reply',
        name: '#',
        summary: '#t',
        fields: { type: 'boolean', value: true },
        warnings: unpaired,
      },
      {
        kind: 'reply',
        name: '*',
        summary: '*2 ["hello", "wörld!!!"]',
        fields: { type: 'array', count: 2 },
        warnings: unpaired,
      },
    ]);
  });
});
