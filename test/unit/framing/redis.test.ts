import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Frame } from '../../../src/core/framing/frame';
import type { FramerOptions } from '../../../src/core/framing/framer';
import { redisProtocol } from '../../../src/core/framing/protocols/redis';
import { splitInline } from '../../../src/core/framing/protocols/redisInline';
import { assertPairStable, feedInChunks, readFixture } from '../helpers/fixtures';

const C2S = readFixture('redis-session.c2s');
const S2C = readFixture('redis-session.s2c');

/** Frames of both directions, checked stable at every chunk size (client side fed first). */
function frames(c2s: string | Buffer, s2c: string | Buffer, options?: FramerOptions) {
  const a = typeof c2s === 'string' ? Buffer.from(c2s, 'latin1') : c2s;
  const b = typeof s2c === 'string' ? Buffer.from(s2c, 'latin1') : s2c;
  return assertPairStable(() => redisProtocol.createFramers(options), a, b);
}

const bytes = (fs: readonly Frame[]) => fs.map((f) => f.bytes.toString('latin1'));
const codes = (f: Frame) => (f.ann?.warnings ?? []).map((w) => w.code);
const messages = (f: Frame) => (f.ann?.warnings ?? []).map((w) => w.message).join(' | ');

describe('redis framer', () => {
  describe('the recorded redis-cli session', () => {
    const whole = frames(C2S, S2C);

    it('makes one request frame per command, named and summarised', () => {
      const names = whole.c2s.map((f) => f.ann?.name);
      // prettier-ignore
      assert.deepEqual(names, [
        'COMMAND', 'PING', 'SET', 'GET', 'INCR', 'INCRBY', 'LPUSH', 'LRANGE', 'HSET', 'HGETALL',
        'SET', 'GET', 'GET', 'MSET', 'MGET', 'EXISTS', 'DEL', 'TYPE', 'SADD', 'SCARD', 'ZADD',
        'ZRANGE', 'EXPIRE', 'TTL', 'ECHO', 'WRONGCOMMAND',
      ]);
      assert.ok(whole.c2s.every((f) => f.ann?.kind === 'request' && !f.partial && !f.oversize));
      assert.equal(whole.c2s[0].ann?.fields?.subcommand, 'DOCS');
      assert.equal(whole.c2s[2].ann?.summary, 'SET greeting "hello world"');
      assert.deepEqual(whole.c2s[2].ann?.args, ['greeting', 'hello world']);
      assert.equal(
        whole.c2s[2].bytes.toString(),
        '*3\r\n$3\r\nSET\r\n$8\r\ngreeting\r\n$11\r\nhello world\r\n',
      );
      assert.deepEqual(whole.c2s[10].ann?.args, ['binary', 'line1\r\nline2']);
      assert.equal(whole.c2s[10].ann?.summary, 'SET binary "line1\\r\\nline2"');
      assert.equal(whole.c2s[7].ann?.summary, 'LRANGE list 0 -1');
      assert.equal(whole.c2s[21].ann?.summary, 'ZRANGE z 0 -1 WITHSCORES');
      assert.deepEqual(whole.c2s[24].ann?.args, ['multi\nline']);
    });

    it('makes the 170 KB COMMAND DOCS reply one frame', () => {
      const docs = whole.s2c[0];
      assert.equal(docs.bytes.length, S2C.indexOf('+PONG\r\n'));
      assert.ok(docs.bytes.length > 170_000);
      assert.equal(docs.ann?.fields?.count, 480);
      assert.match(docs.ann?.summary ?? '', /^\*480 \["georadius", \*18\[…\], /);
    });

    it('names and summarises each reply and pairs it with its command', () => {
      // prettier-ignore
      assert.deepEqual(whole.s2c.map((f) => f.ann?.name), [
        '*', '+PONG', '+OK', '$', ':', ':', ':', '*', ':', '*', '+OK', '$', '$-1', '+OK', '*', ':',
        ':', '+string', ':', ':', ':', '*', ':', ':', '$', '-ERR',
      ]);
      assert.deepEqual(
        whole.s2c.map((f) => f.ann?.re),
        whole.c2s.map((f) => f.seq),
      );
      assert.ok(whole.s2c.every((f) => f.ann?.kind === 'reply'));
      const summaries = whole.s2c.map((f) => f.ann?.summary);
      assert.equal(summaries[3], '$11 "hello world"');
      assert.equal(summaries[5], ':42');
      assert.equal(summaries[7], '*3 ["c", "b", "a"]');
      assert.equal(summaries[11], '$12 "line1\\r\\nline2"');
      assert.equal(summaries[12], '(nil)');
      assert.equal(summaries[14], '*3 ["v1", "v2", (nil)]');
      assert.equal(summaries[24], '$10 "multi\\nline"');
      assert.match(summaries[25] ?? '', /^-ERR unknown command 'WRONGCOMMAND'/);
      assert.equal(whole.s2c[25].ann?.fields?.error, 'ERR');
      assert.equal(whole.s2c[5].ann?.fields?.value, 42);
    });

    it('finds nothing to warn about', () => {
      assert.deepEqual([...whole.c2s, ...whole.s2c].flatMap(codes), []);
    });

    it('keeps parsing and pairing when maxFrameBytes cuts messages', () => {
      for (const maxFrameBytes of [7, 1000]) {
        const small = assertPairStable(
          () => redisProtocol.createFramers({ maxFrameBytes }),
          C2S,
          S2C,
          [1, 5, 64, 4096],
        );
        const requests = small.c2s.filter((f) => !f.oversize);
        const replies = small.s2c.filter((f) => !f.oversize);
        assert.ok(small.s2c.length > 170_000 / maxFrameBytes);
        assert.ok(small.s2c.every((f) => f.bytes.length <= maxFrameBytes + 2));
        assert.deepEqual(
          requests.map((f) => f.ann?.summary),
          whole.c2s.map((f) => f.ann?.summary),
        );
        assert.deepEqual(
          replies.map((f) => f.ann?.summary),
          whole.s2c.map((f) => f.ann?.summary),
        );
        assert.deepEqual(
          replies.map((f) => f.ann?.re),
          requests.map((f) => f.seq),
        );
      }
    });

    it('pairs the same when the two directions interleave, as in a live proxy', () => {
      const pair = redisProtocol.createFramers();
      const live: { c2s: Frame[]; s2c: Frame[] } = { c2s: [], s2c: [] };
      let s2cAt = 0;
      let c2sAt = 0;
      for (let i = 0; i < whole.c2s.length; i++) {
        const request = whole.c2s[i].bytes;
        live.c2s.push(...pair.c2s.feed(C2S.subarray(c2sAt, c2sAt + request.length)));
        c2sAt += request.length;
        const reply = whole.s2c[i].bytes;
        live.s2c.push(...pair.s2c.feed(S2C.subarray(s2cAt, s2cAt + reply.length)));
        s2cAt += reply.length;
      }
      assert.deepEqual(
        live.s2c.map((f) => f.ann),
        whole.s2c.map((f) => f.ann),
      );
      assert.deepEqual(
        live.c2s.map((f) => f.ann),
        whole.c2s.map((f) => f.ann),
      );
    });
  });

  describe('RESP3 and nested values', () => {
    it('reads every scalar type', () => {
      const s2c =
        '_\r\n,3.14\r\n#t\r\n(3492890328409238509324850943850943825024385\r\n,-inf\r\n' +
        '!21\r\nSYNTAX invalid syntax\r\n=15\r\ntxt:Some string\r\n';
      const { s2c: out } = frames('PING\r\n'.repeat(7), s2c);
      assert.deepEqual(bytes(out), [
        '_\r\n',
        ',3.14\r\n',
        '#t\r\n',
        '(3492890328409238509324850943850943825024385\r\n',
        ',-inf\r\n',
        '!21\r\nSYNTAX invalid syntax\r\n',
        '=15\r\ntxt:Some string\r\n',
      ]);
      assert.deepEqual(
        out.map((f) => f.ann?.name),
        ['_', ',', '#', '(', ',', '!SYNTAX', '='],
      );
      assert.deepEqual(
        out.map((f) => f.ann?.summary),
        [
          '(nil)',
          ',3.14',
          '#t',
          '(3492890328409238509324850943850943825024385',
          ',-inf',
          '!21 "SYNTAX invalid syntax"',
          '=15 "txt:Some string"',
        ],
      );
      assert.equal(out[1].ann?.fields?.value, 3.14);
      assert.equal(out[2].ann?.fields?.value, true);
      assert.equal(out[3].ann?.fields?.value, '3492890328409238509324850943850943825024385');
      assert.equal(out[4].ann?.fields?.value, '-inf');
      assert.deepEqual(
        out.map((f) => f.ann?.re),
        [0, 1, 2, 3, 4, 5, 6],
      );
      assert.deepEqual(out.flatMap(codes), []);
    });

    it('makes one frame of each aggregate however deep', () => {
      const s2c =
        '%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n' +
        '~2\r\n$1\r\na\r\n$1\r\nb\r\n' +
        '*2\r\n*1\r\n:1\r\n*0\r\n' +
        '*-1\r\n';
      const { s2c: out } = frames('PING\r\n'.repeat(4), s2c);
      assert.deepEqual(bytes(out), [
        '%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n',
        '~2\r\n$1\r\na\r\n$1\r\nb\r\n',
        '*2\r\n*1\r\n:1\r\n*0\r\n',
        '*-1\r\n',
      ]);
      assert.deepEqual(
        out.map((f) => f.ann?.summary),
        ['%2 {+first: 1, +second: 2}', '~2 ["a", "b"]', '*2 [*1[…], *0[]]', '(nil)'],
      );
      assert.deepEqual(
        out.map((f) => f.ann?.name),
        ['%', '~', '*', '*-1'],
      );
    });

    it('puts attributes in the frame of the value they describe', () => {
      const s2c =
        '|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n' +
        '*2\r\n|1\r\n+ttl\r\n:3600\r\n:1\r\n:2\r\n';
      const { s2c: out } = frames('PING\r\nPING\r\n', s2c);
      assert.deepEqual(bytes(out), [
        '|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n',
        '*2\r\n|1\r\n+ttl\r\n:3600\r\n:1\r\n:2\r\n',
      ]);
      assert.equal(out[0].ann?.summary, '|1 *2 [2039123, 9543892]');
      assert.equal(out[1].ann?.summary, '|1 *2 [1, 2]');
      assert.deepEqual(
        out.map((f) => f.ann?.fields?.attributes),
        [1, 1],
      );
    });
  });

  describe('pairing', () => {
    it('pairs RESP2 subscribe confirmations with SUBSCRIBE and makes messages pushes', () => {
      const c2s = 'SUBSCRIBE news sports\r\nPING\r\nUNSUBSCRIBE\r\nGET k\r\n';
      const s2c =
        '*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n' +
        '*3\r\n$9\r\nsubscribe\r\n$6\r\nsports\r\n:2\r\n' +
        '*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n' +
        '*2\r\n$4\r\npong\r\n$0\r\n\r\n' +
        '*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:1\r\n' +
        '*3\r\n$11\r\nunsubscribe\r\n$6\r\nsports\r\n:0\r\n' +
        '$-1\r\n';
      const { c2s: req, s2c: out } = frames(c2s, s2c);
      assert.deepEqual(
        req.map((f) => f.ann?.name),
        ['SUBSCRIBE', 'PING', 'UNSUBSCRIBE', 'GET'],
      );
      assert.deepEqual(
        out.map((f) => f.ann?.kind),
        ['reply', 'reply', 'push', 'reply', 'reply', 'reply', 'reply'],
      );
      assert.deepEqual(
        out.map((f) => f.ann?.re),
        [0, 0, undefined, 1, 2, 2, 3],
      );
      assert.equal(out[2].ann?.summary, '*3 ["message", "news", "hi"]');
      assert.equal(out[2].ann?.fields?.push, 'message');
      assert.deepEqual(
        out.map((f) => f.ann?.fields?.subscriptions),
        [1, 2, undefined, undefined, 1, 0, undefined],
      );
      assert.deepEqual(out.flatMap(codes), []);
    });

    it('does not take a message-like array for a push outside pub/sub', () => {
      const s2c = '*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nb\r\n';
      const { s2c: out } = frames('LRANGE l 0 -1\r\n', s2c);
      assert.equal(out[0].ann?.kind, 'reply');
      assert.equal(out[0].ann?.re, 0);
    });

    it('pairs RESP3 confirmations and leaves other pushes unpaired', () => {
      const c2s = 'SUBSCRIBE ch\r\nGET k\r\n';
      const s2c =
        '>3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n' +
        '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n' +
        '>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n' +
        '$1\r\nv\r\n';
      const { s2c: out } = frames(c2s, s2c);
      assert.deepEqual(
        out.map((f) => f.ann?.kind),
        ['reply', 'push', 'push', 'reply'],
      );
      assert.deepEqual(
        out.map((f) => f.ann?.re),
        [0, undefined, undefined, 1],
      );
      assert.deepEqual(
        out.map((f) => f.ann?.fields?.push),
        [undefined, 'message', 'invalidate', undefined],
      );
      assert.equal(out[1].ann?.summary, '>3 ["message", "ch", "hello"]');
    });

    it('makes the MONITOR feed pushes', () => {
      const s2c =
        '+OK\r\n+1700000000.123456 [0 127.0.0.1:5555] "GET" "k"\r\n' +
        '+1700000001.000001 [0 127.0.0.1:5555] "PING"\r\n+OK\r\n';
      const { s2c: out } = frames('MONITOR\r\nQUIT\r\n', s2c);
      assert.deepEqual(
        out.map((f) => f.ann?.kind),
        ['reply', 'push', 'push', 'reply'],
      );
      assert.deepEqual(
        out.map((f) => f.ann?.re),
        [0, undefined, undefined, 1],
      );
    });

    it('expects no reply under CLIENT REPLY OFF and SKIP', () => {
      const c2s =
        'CLIENT REPLY OFF\r\nSET a 1\r\nCLIENT REPLY ON\r\n' +
        'CLIENT REPLY SKIP\r\nSET b 2\r\nGET b\r\n';
      const { c2s: req, s2c: out } = frames(c2s, '+OK\r\n$1\r\n2\r\n');
      assert.deepEqual(
        req.map((f) => f.ann?.fields?.noreply),
        [true, true, undefined, true, true, undefined],
      );
      assert.deepEqual(
        out.map((f) => f.ann?.re),
        [2, 5],
      );
    });

    it('warns about a reply with no request, once requests have been seen', () => {
      const { s2c: out } = frames('GET k\r\n', '$1\r\nv\r\n+OK\r\n');
      assert.deepEqual(out.map(codes), [[], ['unpaired']]);
      assert.deepEqual(
        out.map((f) => f.ann?.re),
        [0, undefined],
      );
      // A framer made alone (server side only) has nothing to pair with: no warning.
      const alone = frames('', '+OK\r\n');
      assert.deepEqual(alone.s2c.map(codes), [[]]);
    });
  });

  describe('inline commands', () => {
    it('splits arguments as redis-server does and pairs the replies', () => {
      const c2s = 'PING\r\nSET k "hello world"\r\nset \'it\\\'s\' "a\\x41\\n"\r\n\r\n';
      const { c2s: req, s2c: out } = frames(c2s, '+PONG\r\n+OK\r\n+OK\r\n');
      assert.deepEqual(bytes(req), [
        'PING\r\n',
        'SET k "hello world"\r\n',
        "set 'it\\'s' \"a\\x41\\n\"\r\n",
        '\r\n',
      ]);
      assert.deepEqual(
        req.map((f) => f.ann?.name),
        ['PING', 'SET', 'SET', undefined],
      );
      assert.deepEqual(req[1].ann?.args, ['k', 'hello world']);
      assert.deepEqual(req[2].ann?.args, ["it's", 'aA\n']);
      assert.equal(req[1].ann?.fields?.inline, true);
      assert.equal(req[3].ann?.kind, 'event');
      assert.equal(req[3].ann?.fields?.noreply, true);
      assert.deepEqual(
        out.map((f) => f.ann?.re),
        [0, 1, 2],
      );
    });

    it('reports unbalanced quotes', () => {
      const { c2s: req } = frames('SET k "oops\r\nGET k"x\r\n', '');
      assert.deepEqual(req.map(codes), [['violation'], ['violation']]);
      assert.match(messages(req[0]), /unbalanced quotes/);
    });

    it('follows sdssplitargs on quotes, escapes, blanks and NUL', () => {
      const split = (s: string) => splitInline(Buffer.from(s, 'latin1'));
      assert.deepEqual(split('a"b c" d'), { args: [Buffer.from('ab c'), Buffer.from('d')] });
      assert.deepEqual(split('"\\x4g\\q"'), { args: [Buffer.from('x4gq')] });
      assert.deepEqual(split('"\\xff\\t"'), { args: [Buffer.from([0xff, 9])] });
      assert.deepEqual(split(' \v\tA \fB\v'), { args: [Buffer.from('A'), Buffer.from('B\v')] });
      assert.deepEqual(split('A B\0C D'), { args: [Buffer.from('A'), Buffer.from('B')] });
      assert.ok(split("'a").error);
      assert.ok(split('"a"b').error);
    });

    it('warns about an inline command longer than redis-server takes', () => {
      const long = 'SET k ' + 'x'.repeat(70_000) + '\r\n';
      const { c2s: req } = frames(long, '');
      assert.deepEqual(codes(req[0]), ['long-line']);
      assert.equal(req[0].bytes.length, long.length);
    });
  });

  it('cuts a value larger than maxFrameBytes and annotates its last piece', () => {
    const value = Buffer.alloc(3 * 1024 * 1024, 'a');
    const c2s = Buffer.concat([
      Buffer.from(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${value.length}\r\n`),
      value,
      Buffer.from('\r\n'),
    ]);
    const pair = redisProtocol.createFramers();
    const req = feedInChunks(pair.c2s, c2s, 65536);
    const out = feedInChunks(pair.s2c, Buffer.from('+OK\r\n'), 5);
    assert.deepEqual(Buffer.concat(req.map((f) => f.bytes)), c2s);
    assert.deepEqual(
      req.map((f) => f.oversize),
      [true, true, true, false],
    );
    const last = req[3];
    assert.equal(last.ann?.summary, 'SET big "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…"');
    assert.equal(last.ann?.args?.[1].length, 1025);
    assert.equal(out[0].ann?.re, last.seq);
  });

  it('never throws, loses or reorders bytes on random input', () => {
    const tokens = [
      '*2\r\n',
      '$3\r\n',
      '$-1\r\n',
      '*-1\r\n',
      '%1\r\n',
      '>2\r\n',
      '|1\r\n',
      '+OK\r\n',
      ':1\r\n',
      '\r\n',
      '\n',
      '\r',
      'abc',
      '"',
      "'",
      '$?\r\n',
      '*1\r\n*1\r\n',
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...tokens), { maxLength: 40 }),
        fc.array(fc.constantFrom(...tokens), { maxLength: 40 }),
        fc.integer({ min: 8, max: 64 }),
        (a, b, max) => {
          frames(a.join(''), b.join(''), { maxFrameBytes: max });
        },
      ),
      { numRuns: 150 },
    );
  });
});
