import * as assert from 'node:assert/strict';
import { httpProtocol } from '../../../src/core/framing/protocols/http';
import { feedInChunks } from '../helpers/fixtures';
import { allWarnings, bytes, codes, GET, messages, names, run, texts } from './httpHelpers';

describe('http framer: malformed input', () => {
  it('warns about bare LF line endings and still frames the message', () => {
    const p = run('GET / HTTP/1.1\nHost: h\r\n\n', 'HTTP/1.1 200 OK\nContent-Length: 1\n\nx');
    assert.deepEqual(names(p.c2s), ['GET']);
    assert.deepEqual(codes(p.c2s[0]), ['bare-lf']);
    assert.match(messages(p.c2s[0]), /2 of 3 lines end with a bare \\n/);
    assert.deepEqual(texts(p.s2c), ['HTTP/1.1 200 OK\nContent-Length: 1\n\n', 'x']);
    assert.deepEqual(codes(p.s2c[0]), ['bare-lf']);
  });

  it('warns about obs-fold, a header without a colon and whitespace before the colon', () => {
    const c2s =
      'POST / HTTP/1.1\r\nHost: h\r\nX-Long: a\r\n  b\r\nNoColonHere\r\n' +
      'Content-Length : 3\r\n\r\nabc';
    const p = run(c2s);
    assert.deepEqual(names(p.c2s), ['POST', 'body']);
    assert.deepEqual(codes(p.c2s[0]), ['violation', 'violation', 'violation']);
    assert.match(messages(p.c2s[0]), /obs-fold\) continues header "x-long"/);
    assert.match(messages(p.c2s[0]), /header line without a colon: "NoColonHere"/);
    assert.match(messages(p.c2s[0]), /whitespace between header name "Content-Length"/);
    // The spaced Content-Length is still honoured, so the body does not derail what follows.
    assert.equal(p.c2s[1].bytes.toString(), 'abc');
  });

  it('warns about an invalid Content-Length and reads the request as bodiless', () => {
    const p = run('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n' + GET('/next'));
    assert.deepEqual(names(p.c2s), ['POST', 'GET']);
    assert.deepEqual(codes(p.c2s[0]), ['violation']);
    assert.match(messages(p.c2s[0]), /invalid Content-Length "1x": not digits/);
    assert.equal(p.c2s[0].ann?.fields?.['content-length'], '1x');
  });

  it('warns about differing Content-Length values and reads the reply until close', () => {
    const p = run(
      GET('/'),
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd',
    );
    assert.deepEqual(names(p.s2c), ['200', 'body']);
    assert.match(messages(p.s2c[0]), /several differing Content-Length values: 3, 4/);
    assert.equal(p.s2c[1].bytes.toString(), 'abcd');
    // Identical repeats are allowed (RFC 9110 §8.6).
    const same = run(GET('/'), 'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok');
    assert.deepEqual(allWarnings(same), []);
    assert.equal(same.s2c[1].ann?.summary, 'body 2 bytes');
  });

  it('lets Transfer-Encoding win over Content-Length, with a warning', () => {
    const p = run(
      'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '2\r\nab\r\n0\r\n\r\n' +
        GET('/next'),
    );
    assert.deepEqual(names(p.c2s), ['POST', 'chunk', 'last-chunk', 'GET']);
    assert.deepEqual(codes(p.c2s[0]), ['violation']);
    assert.match(messages(p.c2s[0]), /both Content-Length and Transfer-Encoding/);
  });

  it('skips a garbage line with a violation and resynchronises on the next line', () => {
    const garbage = '\x16\x03\x01\x02\x00 hello\r\n';
    const p = run(garbage + GET('/ok'));
    assert.deepEqual(texts(p.c2s), [garbage, GET('/ok')]);
    assert.equal(p.c2s[0].ann?.kind, 'event');
    assert.deepEqual(codes(p.c2s[0]), ['violation']);
    assert.match(messages(p.c2s[0]), /not an HTTP request line: "\\x16\\x03\\x01\\x02\\0 hello"/);
    assert.equal(p.c2s[1].ann?.summary, 'GET /ok HTTP/1.1');
  });

  it('flags an HTTP/0.9 request line', () => {
    const p = run('GET /old\r\n' + GET('/new'), '');
    assert.deepEqual(texts(p.c2s), ['GET /old\r\n', GET('/new')]);
    assert.equal(p.c2s[0].ann?.summary, 'GET /old (HTTP/0.9)');
    assert.match(messages(p.c2s[0]), /HTTP\/0\.9 request line/);
  });

  it('ignores an empty line before a request, as RFC 9112 §2.2 allows', () => {
    const p = run('\r\n' + GET('/'));
    assert.deepEqual(texts(p.c2s), ['\r\n', GET('/')]);
    assert.deepEqual(allWarnings(p), []);
    assert.equal(p.c2s[0].ann?.kind, 'event');
  });

  it('warns about a bad chunk size line and reads the next line as a chunk size', () => {
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    const p = run(GET('/'), head + 'zz\r\n2\r\nok\r\n0\r\n\r\n');
    assert.deepEqual(texts(p.s2c), [head, 'zz\r\n', '2\r\nok\r\n', '0\r\n\r\n']);
    assert.deepEqual(codes(p.s2c[1]), ['violation']);
    assert.match(messages(p.s2c[1]), /bad chunk size line "zz"/);
    assert.deepEqual(names(p.s2c), ['200', 'chunk', 'chunk', 'last-chunk']);
  });

  it('warns when chunk data is not followed by CRLF', () => {
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    const p = run(GET('/'), head + '2\r\nokEXTRA\r\n0\r\n\r\n' + 'HTTP/1.1 204 No Content\r\n\r\n');
    assert.deepEqual(texts(p.s2c).slice(1, 3), ['2\r\nokEXTRA\r\n', '0\r\n\r\n']);
    assert.deepEqual(codes(p.s2c[1]), ['violation']);
    assert.match(messages(p.s2c[1]), /chunk data is followed by "EXTRA" instead of CRLF/);
    assert.equal(p.s2c[3].ann?.name, '204');
    assert.equal(p.s2c[3].ann?.re, undefined);
    assert.deepEqual(codes(p.s2c[3]), ['unpaired']);
  });

  it('marks a response with no request as unpaired', () => {
    const p = run('', 'HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n');
    assert.deepEqual(codes(p.s2c[0]), ['unpaired']);
    assert.equal(p.s2c[0].ann?.re, undefined);
  });

  it('warns about a header block over 64 KiB', () => {
    const big = `X-Big: ${'a'.repeat(70_000)}\r\n`;
    const pair = httpProtocol.createFramers();
    const frames = feedInChunks(pair.c2s, bytes(`GET / HTTP/1.1\r\nHost: h\r\n${big}\r\n`), 4096);
    assert.equal(frames.length, 1);
    assert.deepEqual(codes(frames[0]), ['long-line']);
    assert.match(messages(frames[0]), /header block is 70036 bytes; over the 65536-byte limit/);
  });

  it('says what was missing when the stream ends inside a message', () => {
    const body = run('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nhello');
    assert.equal(body.c2s[1].bytes.toString(), 'hello');
    assert.equal(body.c2s[1].partial, true);
    assert.deepEqual(codes(body.c2s[1]), ['truncated']);
    assert.match(messages(body.c2s[1]), /inside a 10-byte body \(5 bytes missing\)/);
    const head = run('GET / HTTP/1.1\r\nHost: h\r\n');
    assert.equal(head.c2s.length, 1);
    assert.equal(head.c2s[0].ann?.name, 'GET');
    assert.match(messages(head.c2s[0]), /inside a header block/);
    const chunk = run(GET('/'), 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab');
    assert.match(messages(chunk.s2c[1]), /inside a 5-byte chunk \(3 bytes missing\)/);
    const eight = run('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 8\r\n\r\nab');
    assert.match(messages(eight.c2s[1]), /inside an 8-byte body \(6 bytes missing\)/);
    const eleven = run(GET('/'), 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nb\r\nab');
    assert.match(messages(eleven.s2c[1]), /inside an 11-byte chunk \(9 bytes missing\)/);
  });

  it('never throws and keeps every byte on random input, also with a tiny frame limit', () => {
    // A small deterministic generator: bytes biased towards HTTP's structural characters.
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff);
    const alphabet = bytes('\r\n :0123456789abcdefHTTP/1.1 200GET Content-Length: chunked\x81');
    const upgraded = [
      'GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n',
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n',
    ];
    for (let round = 0; round < 12; round++) {
      const noise = () =>
        Buffer.alloc(300).map(() =>
          next() % 4 === 0 ? next() & 0xff : alphabet[next() % alphabet.length],
        );
      // Even rounds: noise after a WebSocket upgrade on both sides; odd: noise after a GET.
      const [c2s, s2c] = round % 2 ? [GET('/'), ''] : upgraded;
      for (const options of [undefined, { maxFrameBytes: 7 }]) {
        const p = run(
          Buffer.concat([bytes(c2s), noise()]),
          Buffer.concat([bytes(s2c), noise()]),
          options,
        );
        assert.ok(p.c2s.length > 1 && p.s2c.length > 0);
      }
    }
  });
});
