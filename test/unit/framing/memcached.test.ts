import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Frame } from '../../../src/core/framing/frame';
import type { FramerOptions } from '../../../src/core/framing/framer';
import { memcachedProtocol } from '../../../src/core/framing/protocols/memcached';
import { assertPairStable, readFixture } from '../helpers/fixtures';

const C2S = readFixture('memcached-session.c2s');
const S2C = readFixture('memcached-session.s2c');

/** Frames of both directions, checked stable at every chunk size (client side fed first). */
function frames(c2s: string | Buffer, s2c: string | Buffer, options?: FramerOptions) {
  const a = typeof c2s === 'string' ? Buffer.from(c2s, 'latin1') : c2s;
  const b = typeof s2c === 'string' ? Buffer.from(s2c, 'latin1') : s2c;
  return assertPairStable(() => memcachedProtocol.createFramers(options), a, b);
}

const bytes = (fs: readonly Frame[]) => fs.map((f) => f.bytes.toString('latin1'));
const codes = (f: Frame) => (f.ann?.warnings ?? []).map((w) => w.code);
const messages = (f: Frame) => (f.ann?.warnings ?? []).map((w) => w.message).join(' | ');

describe('memcached framer', () => {
  describe('the recorded session', () => {
    const whole = frames(C2S, S2C);

    it('makes one frame per command, storage commands with their data block', () => {
      assert.deepEqual(bytes(whole.c2s), [
        'set greeting 0 0 11\r\nhello world\r\n',
        'set bin 5 0 8\r\nab\r\ncd\r\n\r\n',
        'get greeting bin missing\r\n',
        'add greeting 0 0 1\r\nx\r\n',
        'incr counter 1\r\n',
        'set counter 0 0 1\r\n7\r\n',
        'incr counter 35\r\n',
        'append greeting 0 0 6\r\n again\r\n',
        'gets greeting\r\n',
        'delete bin\r\n',
        'get bin\r\n',
        'stats settings\r\n',
        'bogus command\r\n',
        'version\r\n',
        'quit\r\n',
      ]);
      // prettier-ignore
      assert.deepEqual(whole.c2s.map((f) => f.ann?.name), [
        'SET', 'SET', 'GET', 'ADD', 'INCR', 'SET', 'INCR', 'APPEND', 'GETS', 'DELETE', 'GET',
        'STATS', 'BOGUS', 'VERSION', 'QUIT',
      ]);
      assert.equal(whole.c2s[0].ann?.summary, 'set greeting 0 0 11 "hello world"');
      assert.equal(whole.c2s[1].ann?.summary, 'set bin 5 0 8 "ab\\r\\ncd\\r\\n"');
      assert.deepEqual(whole.c2s[1].ann?.fields, { key: 'bin', flags: 5, exptime: 0, bytes: 8 });
      assert.deepEqual(whole.c2s[2].ann?.args, ['greeting', 'bin', 'missing']);
      assert.equal(whole.c2s[2].ann?.fields?.keys, 3);
    });

    it('makes one frame per VALUE, and one for the whole stats reply', () => {
      // prettier-ignore
      assert.deepEqual(whole.s2c.map((f) => f.ann?.name), [
        'STORED', 'STORED', 'VALUE', 'VALUE', 'END', 'NOT_STORED', 'NOT_FOUND', 'STORED', 'NUMBER',
        'STORED', 'VALUE', 'END', 'DELETED', 'END', 'STAT', 'ERROR', 'VERSION',
      ]);
      assert.equal(whole.s2c[3].bytes.toString(), 'VALUE bin 5 8\r\nab\r\ncd\r\n\r\n');
      assert.equal(whole.s2c[2].ann?.summary, 'VALUE greeting 0 11 "hello world"');
      assert.equal(whole.s2c[10].ann?.fields?.cas, '5');
      assert.equal(whole.s2c[8].ann?.fields?.value, 42);
      const stats = whole.s2c[14];
      assert.ok(stats.bytes.toString().startsWith('STAT maxbytes 67108864\r\n'));
      assert.ok(stats.bytes.toString().endsWith('STAT memory_file (null)\r\nEND\r\n'));
      assert.equal(stats.ann?.fields?.lines, 76);
      assert.equal(stats.ann?.fields?.['stat:tcpport'], '11311');
      assert.equal(stats.ann?.fields?.['stat:ssl_min_version'], 'tlsv1.2');
      assert.match(stats.ann?.summary ?? '', /^76 STAT lines: maxbytes=67108864, maxconns=1024, /);
      assert.equal(whole.s2c[16].ann?.fields?.version, '1.6.18');
    });

    it('pairs every frame of a reply with its command, and quit with nothing', () => {
      assert.deepEqual(
        whole.s2c.map((f) => f.ann?.re),
        [0, 1, 2, 2, 2, 3, 4, 5, 6, 7, 8, 8, 9, 10, 11, 12, 13],
      );
      assert.deepEqual(whole.s2c[4].ann?.fields, { values: 2 });
      assert.deepEqual(whole.s2c[13].ann?.fields, { values: 0 });
    });

    it('warns only about the unknown command', () => {
      assert.deepEqual(whole.c2s.map(codes).flat(), ['violation']);
      assert.match(messages(whole.c2s[12]), /unknown command "bogus": memcached answers ERROR/);
      assert.deepEqual(whole.s2c.map(codes).flat(), []);
    });

    it('pairs the same when the two directions interleave, as in a live proxy', () => {
      const pair = memcachedProtocol.createFramers();
      const live: Frame[] = [];
      let at = 0;
      for (const request of whole.c2s) {
        pair.c2s.feed(request.bytes);
        for (const reply of whole.s2c.filter((f) => f.ann?.re === request.seq)) {
          live.push(...pair.s2c.feed(S2C.subarray(at, at + reply.bytes.length)));
          at += reply.bytes.length;
        }
      }
      assert.equal(at, S2C.length);
      assert.deepEqual(
        live.map((f) => f.ann),
        whole.s2c.map((f) => f.ann),
      );
    });

    it('keeps parsing and pairing when maxFrameBytes cuts messages', () => {
      for (const maxFrameBytes of [1, 7, 64]) {
        const small = assertPairStable(
          () => memcachedProtocol.createFramers({ maxFrameBytes }),
          C2S,
          S2C,
          [1, 2, 5, 64, 4096],
        );
        const requests = small.c2s.filter((f) => !f.oversize);
        const replies = small.s2c.filter((f) => !f.oversize);
        assert.ok(small.s2c.some((f) => f.oversize));
        assert.deepEqual(
          requests.map((f) => f.ann?.summary),
          whole.c2s.map((f) => f.ann?.summary),
        );
        assert.deepEqual(
          replies.map((f) => f.ann?.summary),
          whole.s2c.map((f) => f.ann?.summary),
        );
        const seqOf = (i: number | undefined) => requests[i ?? -1]?.seq;
        assert.deepEqual(
          replies.map((f) => f.ann?.re),
          whole.s2c.map((f) => seqOf(f.ann?.re)),
        );
      }
    });
  });

  describe('pairing', () => {
    it('expects no reply to noreply commands', () => {
      const c2s = 'set k 0 0 1 noreply\r\nx\r\ndelete j noreply\r\nget k\r\n';
      const { c2s: req, s2c: out } = frames(c2s, 'VALUE k 0 1\r\nx\r\nEND\r\n');
      assert.deepEqual(
        req.map((f) => f.ann?.fields?.noreply),
        [true, true, undefined],
      );
      assert.deepEqual(
        out.map((f) => f.ann?.re),
        [2, 2],
      );
    });

    it('pairs meta replies, skipping quiet commands that succeeded', () => {
      const c2s =
        'mg foo v\r\nms foo 2 T0\r\nhi\r\nmd foo q\r\nmg bar v q\r\nmd nokey q O9\r\nmn\r\n';
      const s2c = 'VA 2 f0\r\nhi\r\nHD\r\nNF O9\r\nMN\r\n';
      const { c2s: req, s2c: out } = frames(c2s, s2c);
      assert.deepEqual(bytes(req), [
        'mg foo v\r\n',
        'ms foo 2 T0\r\nhi\r\n',
        'md foo q\r\n',
        'mg bar v q\r\n',
        'md nokey q O9\r\n',
        'mn\r\n',
      ]);
      assert.deepEqual(
        req.map((f) => f.ann?.fields?.quiet),
        [undefined, undefined, true, true, true, undefined],
      );
      assert.deepEqual(bytes(out), ['VA 2 f0\r\nhi\r\n', 'HD\r\n', 'NF O9\r\n', 'MN\r\n']);
      assert.equal(out[0].ann?.summary, 'VA 2 f0 "hi"');
      assert.deepEqual(
        out.map((f) => f.ann?.re),
        [0, 1, 4, 5],
      );
      assert.deepEqual(out.flatMap(codes), []);
    });

    it('matches a quiet reply to its command by opaque token', () => {
      const { s2c: out } = frames('mg a v q Oa\r\nmg b v q Ob\r\nmn\r\n', 'VA 1 Ob\r\nB\r\nMN\r\n');
      assert.deepEqual(
        out.map((f) => f.ann?.re),
        [1, 2],
      );
    });

    it('reads an incr or decr result padded with spaces as a NUMBER', () => {
      const { s2c: out } = frames('incr n 1\r\ndecr n 91\r\n', '100\r\n9  \r\n');
      assert.deepEqual(
        out.map((f) => f.ann?.name),
        ['NUMBER', 'NUMBER'],
      );
      assert.deepEqual(
        out.map((f) => f.ann?.fields?.value),
        [100, 9],
      );
      assert.deepEqual(out.map(codes), [[], []]);
      assert.deepEqual(
        out.map((f) => f.ann?.re),
        [0, 1],
      );
    });

    it('makes the log lines after an accepted watch pushes', () => {
      const log = 'ts=1589114401.199460 gid=1 type=item_get key=foo status=found clsid=1';
      const { s2c: out } = frames('watch fetchers\r\n', `OK\r\n${log}\r\n${log}\r\n`);
      assert.deepEqual(
        out.map((f) => f.ann?.kind),
        ['reply', 'push', 'push'],
      );
      assert.deepEqual(
        out.map((f) => f.ann?.re),
        [0, undefined, undefined],
      );
      assert.deepEqual(out.map(codes), [[], [], []]);
      assert.equal(out[1].ann?.fields?.type, 'item_get');
      assert.equal(out[1].ann?.fields?.key, 'foo');
      // Refused, a watch makes no watcher: what follows is read as replies.
      const refused = frames('watch nonsense\r\n', `CLIENT_ERROR bad\r\n${log}\r\n`);
      assert.deepEqual(refused.s2c.map(codes), [[], ['violation', 'unpaired']]);
    });

    it('warns about a reply with no request, once requests have been seen', () => {
      const { s2c: out } = frames('delete k\r\n', 'DELETED\r\nSTORED\r\n');
      assert.deepEqual(out.map(codes), [[], ['unpaired']]);
      assert.deepEqual(
        out.map((f) => f.ann?.re),
        [0, undefined],
      );
      const alone = frames('', 'STORED\r\n');
      assert.deepEqual(alone.s2c.map(codes), [[]]);
    });
  });

  describe('malformed input', () => {
    it('warns when a data block is not followed by \\r\\n and reads on as memcached does', () => {
      const { c2s: req, s2c: out } = frames(
        'set k 0 0 3\r\nhello\r\nget k\r\n',
        'CLIENT_ERROR bad data chunk\r\nERROR\r\nEND\r\n',
      );
      assert.deepEqual(bytes(req), ['set k 0 0 3\r\nhello', '\r\n', 'get k\r\n']);
      assert.deepEqual(codes(req[0]), ['violation']);
      assert.match(messages(req[0]), /after the 3 bytes its command says \(it ends "lo"\)/);
      assert.match(messages(req[1]), /empty command line/);
      assert.deepEqual(
        out.map((f) => f.ann?.re),
        [0, 1, 2],
      );
      assert.equal(out[0].ann?.fields?.message, 'bad data chunk');
    });

    it('reads no data block after a key memcached refuses', () => {
      const key = 'k'.repeat(251);
      const { c2s: req } = frames(`set ${key} 0 0 1\r\nx\r\n`, '');
      assert.deepEqual(bytes(req), [`set ${key} 0 0 1\r\n`, 'x\r\n']);
      assert.match(messages(req[0]), /key of 251 bytes: memcached allows 250/);
      assert.match(messages(req[1]), /unknown command "x"/);
    });

    it('reads no data block after bad numbers or a wrong token count', () => {
      const { c2s: req } = frames('set k x 0 1\r\nset k 0 0\r\ncas k 0 0 1\r\n', '');
      assert.deepEqual(bytes(req), ['set k x 0 1\r\n', 'set k 0 0\r\n', 'cas k 0 0 1\r\n']);
      assert.match(messages(req[0]), /as numbers: memcached answers CLIENT_ERROR/);
      assert.match(messages(req[1]), /set takes <key> <flags> <exptime> <bytes> \[noreply\]/);
      assert.match(messages(req[2]), /<cas unique>/);
    });

    it('warns about control characters in keys and uppercase commands', () => {
      const { c2s: req } = frames('get a\x01b\r\nGET k\r\n', 'END\r\nERROR\r\n');
      assert.match(messages(req[0]), /key "a\\x01b" holds control characters/);
      assert.match(messages(req[1]), /memcached commands are lowercase/);
    });

    it('warns about bare \\n line endings', () => {
      const { c2s: req, s2c: out } = frames('get k\n', 'END\n');
      assert.deepEqual(codes(req[0]), ['bare-lf']);
      assert.deepEqual(codes(out[0]), ['bare-lf']);
      assert.equal(out[0].ann?.re, 0);
    });

    it('warns about a line longer than memcached reads', () => {
      const { c2s: req } = frames(`delete ${'k'.repeat(2100)}\r\nget ${'k '.repeat(1100)}\r\n`, '');
      assert.deepEqual(codes(req[0]), ['long-line', 'violation']);
      assert.deepEqual(codes(req[1]), []);
    });

    it('frames a malformed VALUE header alone', () => {
      const { s2c: out } = frames('get k\r\n', 'VALUE k x 3\r\nabc\r\nEND\r\n');
      assert.deepEqual(bytes(out), ['VALUE k x 3\r\n', 'abc\r\n', 'END\r\n']);
      assert.match(messages(out[0]), /VALUE takes <key> <flags> <bytes>/);
      assert.match(messages(out[1]), /not a memcached reply line/);
    });

    it('ends a stats list at a line that is not END, with a warning', () => {
      const { s2c: out } = frames('stats\r\nversion\r\n', 'STAT pid 1\r\nSTORED\r\nVERSION 1\r\n');
      assert.deepEqual(bytes(out), ['STAT pid 1\r\nSTORED\r\n', 'VERSION 1\r\n']);
      assert.match(messages(out[0]), /a STAT list must end with END/);
      assert.deepEqual(
        out.map((f) => f.ann?.re),
        [0, 1],
      );
    });

    it('says what was missing when the stream ends inside a message', () => {
      const { c2s: req, s2c: out } = frames('set k 0 0 10\r\nabc', 'STAT a 1\r\nSTAT b 2\r\n');
      assert.equal(req[0].partial, true);
      assert.match(messages(req[0]), /10-byte data block of set k 0 0 10: 3 of its 12 bytes/);
      assert.equal(out[0].partial, true);
      assert.match(messages(out[0]), /inside a STAT list \(2 lines, no END\)/);
    });
  });

  describe('the end of the stream', () => {
    it('names and summarises a command or data block the stream cut off', () => {
      const block = frames('set k 0 0 10\r\nabc', 'VALUE k 0 10\r\nabc');
      assert.equal(block.c2s[0].ann?.name, 'SET');
      assert.equal(block.c2s[0].ann?.summary, 'set k 0 0 10 "abc…"');
      assert.equal(block.s2c[0].ann?.name, 'VALUE');
      assert.equal(block.s2c[0].ann?.summary, 'VALUE k 0 10 "abc…"');
      const line = frames('get k', 'STORED');
      assert.equal(line.c2s[0].ann?.name, 'GET');
      assert.equal(line.c2s[0].ann?.summary, 'get k');
      assert.equal(line.s2c[0].ann?.name, 'STORED');
      assert.equal(line.s2c[0].ann?.summary, 'STORED');
      assert.deepEqual([...line.c2s, ...line.s2c].map(codes), [['truncated'], ['truncated']]);
    });

    it('names and summarises a list the stream cut off', () => {
      const { s2c: out } = frames('stats\r\n', 'STAT a 1\r\nSTAT b 2\r\n');
      assert.equal(out[0].ann?.name, 'STAT');
      assert.equal(out[0].ann?.summary, '2 STAT lines: a=1, b=2');
      assert.equal(out[0].ann?.fields?.['stat:b'], '2');
      const items = frames('stats cachedump 1 1\r\n', 'ITEM a [1 b; 0 s]\r\n');
      assert.match(messages(items.s2c[0]), /inside an ITEM list \(1 lines, no END\)/);
    });
  });

  it('never throws, loses or reorders bytes on random input', () => {
    const tokens = [
      'set k 0 0 3\r\n',
      'ms k 2\r\n',
      'get a b\r\n',
      'mg k v q\r\n',
      'VALUE k 0 3\r\n',
      'VA 2\r\n',
      'STAT a 1\r\n',
      'END\r\n',
      'HD\r\n',
      'abc',
      '\r\n',
      '\n',
      '\r',
      ' ',
      'noreply',
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...tokens), { maxLength: 40 }),
        fc.array(fc.constantFrom(...tokens), { maxLength: 40 }),
        fc.integer({ min: 4, max: 64 }),
        (a, b, max) => {
          frames(a.join(''), b.join(''), { maxFrameBytes: max });
        },
      ),
      { numRuns: 150 },
    );
  });
});
