import * as assert from 'node:assert/strict';
import type { Direction, Frame } from '../../../src/core/framing/frame';
import { httpProtocol } from '../../../src/core/framing/protocols/http';
import { assertPairStable, feedInChunks, readFixture } from '../helpers/fixtures';
import {
  allWarnings,
  bytes,
  codes,
  GET,
  live,
  names,
  res,
  run,
  summaries,
  texts,
} from './httpHelpers';

describe('http framer', () => {
  describe('the recorded curl / Node session', () => {
    const c2s = readFixture('http-session.c2s');
    const s2c = readFixture('http-session.s2c');

    it('frames three keep-alive requests and their replies at every chunk size', () => {
      const p = assertPairStable(() => httpProtocol.createFramers(), c2s, s2c);
      assert.deepEqual(summaries(p.c2s), [
        'GET /hello HTTP/1.1',
        'GET /chunked HTTP/1.1',
        'GET /empty HTTP/1.1',
      ]);
      assert.equal(p.c2s[0].ann?.fields?.host, '127.0.0.1:18091');
      assert.deepEqual(names(p.s2c), [
        '200',
        'body',
        '200',
        'chunk',
        'chunk',
        'chunk',
        'last-chunk',
        '204',
      ]);
      assert.deepEqual(summaries(p.s2c), [
        '200 OK (32 bytes)',
        'body 32 bytes "{"path":"/hello","method":"GET"}"',
        '200 OK (chunked)',
        'chunk 12 bytes "first chunk\\n"',
        'chunk 14 bytes "second chunk\\r\\n"',
        'chunk 4 bytes "last"',
        'last chunk (3 chunks, 30 bytes in all)',
        '204 No Content',
      ]);
      assert.deepEqual(res(p.s2c), [0, 0, 1, 1, 1, 1, 1, 2]);
      assert.equal(p.s2c[1].bytes.toString(), '{"path":"/hello","method":"GET"}');
      assert.equal(p.s2c[3].bytes.toString(), 'c\r\nfirst chunk\n\r\n');
      assert.equal(p.s2c[6].bytes.toString(), '0\r\n\r\n');
      assert.deepEqual(p.s2c[0].ann?.fields, {
        status: 200,
        reason: 'OK',
        version: 'HTTP/1.1',
        'content-length': 32,
        'content-type': 'application/json',
        body: 'length',
      });
      assert.deepEqual(allWarnings(p), []);
      assert.ok([...p.c2s, ...p.s2c].every((f) => f.term === 'http' && !f.partial && !f.oversize));
    });

    it('pairs the same way when the two sides interleave as they did live', () => {
      const fixture = assertPairStable(() => httpProtocol.createFramers(), c2s, s2c, []);
      // Replay each request, then its reply, cutting at the frame boundaries of the first run.
      const cut = (frames: Frame[], groups: number[]) => {
        const out: Buffer[] = [];
        let i = 0;
        for (const n of groups) {
          out.push(Buffer.concat(frames.slice(i, i + n).map((f) => f.bytes)));
          i += n;
        }
        return out;
      };
      const requests = cut(fixture.c2s, [1, 1, 1]);
      const replies = cut(fixture.s2c, [2, 5, 1]);
      const steps: [Direction, Buffer][] = requests.flatMap((r, i) => [
        ['c2s', r] as [Direction, Buffer],
        ['s2c', replies[i]] as [Direction, Buffer],
      ]);
      const p = live(steps);
      assert.deepEqual(
        p.s2c.map((f) => f.ann),
        fixture.s2c.map((f) => f.ann),
      );
      assert.deepEqual(res(p.s2c), [0, 0, 1, 1, 1, 1, 1, 2]);
    });

    it('keeps parsing right with a 16-byte frame limit', () => {
      const p = assertPairStable(() => httpProtocol.createFramers({ maxFrameBytes: 16 }), c2s, s2c);
      assert.ok([...p.c2s, ...p.s2c].every((f) => f.bytes.length <= 16));
      const whole = p.s2c.filter((f) => !f.oversize);
      assert.deepEqual(names(whole), [
        '200',
        'body',
        '200',
        'chunk',
        'chunk',
        'chunk',
        'last-chunk',
        '204',
      ]);
      // Replies point at the frame that carries each request's annotation: the last piece.
      const [r0, r1, r2] = p.c2s.filter((f) => !f.oversize).map((f) => f.seq);
      assert.deepEqual(res(whole), [r0, r0, r1, r1, r1, r1, r1, r2]);
      assert.equal(whole[0].ann?.summary, '200 OK (32 bytes)');
      assert.equal(whole[1].ann?.summary, 'body 32 bytes (last 16 here)');
      assert.deepEqual(summaries(p.c2s.filter((f) => !f.oversize)), [
        'GET /hello HTTP/1.1',
        'GET /chunked HTTP/1.1',
        'GET /empty HTTP/1.1',
      ]);
      assert.ok(p.s2c.some((f) => f.oversize));
      assert.deepEqual(allWarnings(p), []);
    });
  });

  describe('messages', () => {
    it('pairs 100 Continue and the final reply to one request (Expect: 100-continue)', () => {
      const request =
        'POST /up HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n' +
        'Expect: 100-continue\r\n\r\n';
      const reply = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok';
      const p = run(request + 'hello', 'HTTP/1.1 100 Continue\r\n\r\n' + reply);
      assert.deepEqual(names(p.c2s), ['POST', 'body']);
      assert.equal(p.c2s[0].ann?.fields?.expect, '100-continue');
      assert.deepEqual(texts(p.c2s), [request, 'hello']);
      assert.equal(p.c2s[1].ann?.summary, 'body 5 bytes "hello"');
      assert.equal(p.c2s[1].ann?.re, undefined, 're points into the other direction only');
      assert.deepEqual(summaries(p.s2c), [
        '100 Continue (interim)',
        '200 OK (2 bytes)',
        'body 2 bytes "ok"',
      ]);
      assert.deepEqual(res(p.s2c), [0, 0, 0]);
      assert.deepEqual(allWarnings(p), []);

      const l = live([
        ['c2s', request],
        ['s2c', 'HTTP/1.1 100 Continue\r\n\r\n'],
        ['c2s', 'hello'],
        ['s2c', reply],
      ]);
      assert.deepEqual(
        l.s2c.map((f) => f.ann),
        p.s2c.map((f) => f.ann),
      );
    });

    it('reads no body after a HEAD reply even with a Content-Length', () => {
      const reply = 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n';
      const p = run(
        'HEAD /big HTTP/1.1\r\nHost: h\r\n\r\n' + GET('/next'),
        reply + 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc',
      );
      assert.deepEqual(names(p.c2s), ['HEAD', 'GET']);
      assert.deepEqual(summaries(p.s2c), [
        '200 OK (no body: HEAD)',
        '200 OK (3 bytes)',
        'body 3 bytes',
      ]);
      assert.equal(p.s2c[0].bytes.toString(), reply);
      assert.deepEqual(res(p.s2c), [0, 1, 1]);
    });

    it('reads no body after 304 and 204', () => {
      const p = run(
        GET('/a') + GET('/b') + GET('/c'),
        'HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n' +
          'HTTP/1.1 204 No Content\r\n\r\n' +
          'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi',
      );
      assert.deepEqual(names(p.s2c), ['304', '204', '200', 'body']);
      assert.deepEqual(res(p.s2c), [0, 1, 2, 2]);
      assert.equal(p.s2c[0].ann?.summary, '304 Not Modified');
      assert.deepEqual(allWarnings(p), []);
    });

    it('frames chunks with extensions and the last chunk with its trailers', () => {
      const head =
        'HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        'Transfer-Encoding: chunked\r\nTrailer: Expires, X-Sum\r\n\r\n';
      const chunks = ['5;name=value\r\nhello\r\n', '6 ; quoted="a;b"\r\n world\r\n'];
      const last = '0\r\nExpires: never\r\nX-Sum: 42\r\n\r\n';
      const p = run(GET('/t'), head + chunks.join('') + last);
      assert.deepEqual(texts(p.s2c), [head, ...chunks, last]);
      assert.deepEqual(summaries(p.s2c), [
        '200 OK (chunked)',
        'chunk 5 bytes ;name=value "hello"',
        'chunk 6 bytes ; quoted="a;b" " world"',
        'last chunk, trailers Expires, X-Sum (2 chunks, 11 bytes in all)',
      ]);
      assert.deepEqual(p.s2c[1].ann?.fields, { size: 5, ext: ';name=value' });
      assert.deepEqual(p.s2c[3].ann?.fields, {
        size: 0,
        trailers: 2,
        chunks: 2,
        'body-length': 11,
      });
      assert.deepEqual(res(p.s2c), [0, 0, 0, 0]);
      assert.deepEqual(allWarnings(p), []);
    });

    it('frames a chunked request body; its chunks carry no re (re points across)', () => {
      const head = 'POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n';
      const p = run(head + '3\r\nabc\r\n0\r\n\r\n' + GET('/after'), '');
      assert.deepEqual(names(p.c2s), ['POST', 'chunk', 'last-chunk', 'GET']);
      assert.deepEqual(res(p.c2s), [undefined, undefined, undefined, undefined]);
      assert.equal(p.c2s[0].ann?.fields?.body, 'chunked');
      // Binary (no Content-Type): sizes, no quoted preview.
      assert.equal(p.c2s[1].ann?.summary, 'chunk 3 bytes');
    });

    it('reads a response without length until the close: one frame, not partial', () => {
      const head = 'HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n';
      const p = run('GET / HTTP/1.0\r\n\r\n', head + '<p>a\nb</p>');
      assert.deepEqual(texts(p.s2c), [head, '<p>a\nb</p>']);
      assert.deepEqual(summaries(p.s2c), [
        '200 OK (until close)',
        'body 10 bytes until close "<p>a\\nb</p>"',
      ]);
      assert.equal(p.s2c[1].term, 'http');
      assert.equal(p.s2c[1].partial, false);
      assert.equal(p.s2c[1].ann?.re, 0);
      assert.deepEqual(allWarnings(p), []);
    });

    it('pairs pipelined requests in order', () => {
      const c2s = GET('/1') + 'HEAD /2 HTTP/1.1\r\nHost: h\r\n\r\n' + GET('/3');
      const s2c =
        'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1' +
        'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n' +
        'HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\n3';
      const p = run(c2s, s2c);
      assert.deepEqual(summaries(p.c2s), [
        'GET /1 HTTP/1.1',
        'HEAD /2 HTTP/1.1',
        'GET /3 HTTP/1.1',
      ]);
      assert.deepEqual(names(p.s2c), ['200', 'body', '200', '404', 'body']);
      assert.deepEqual(res(p.s2c), [0, 0, 1, 2, 2]);
      const l = live([
        ['c2s', c2s],
        ['s2c', s2c],
      ]);
      assert.deepEqual(res(l.s2c), [0, 0, 1, 2, 2]);
    });

    it('cuts a 3 MiB body into oversize frames and frames the next reply right', () => {
      const size = 3 * 1024 * 1024;
      const body = Buffer.alloc(size, 0x61);
      const s2c = Buffer.concat([
        bytes(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`),
        body,
        bytes('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
      ]);
      const pair = httpProtocol.createFramers();
      feedInChunks(pair.c2s, bytes(GET('/big') + GET('/small')), 1000);
      const frames = feedInChunks(pair.s2c, s2c, 65536);
      assert.deepEqual(
        frames.map((f) => [f.ann?.name, f.oversize, f.bytes.length]),
        [
          ['200', false, 44],
          [undefined, true, 1048576],
          [undefined, true, 1048576],
          ['body', false, 1048576],
          ['200', false, 38],
          ['body', false, 2],
        ],
      );
      assert.equal(frames[3].ann?.summary, `body ${size} bytes (last 1048576 here)`);
      assert.deepEqual(res(frames), [0, undefined, undefined, 0, 1, 1]);
      assert.deepEqual(Buffer.concat(frames.map((f) => f.bytes)), s2c);
    });

    it('parses a line split by an idle cut() as one line', () => {
      const pair = httpProtocol.createFramers();
      const frames = [...pair.c2s.feed(bytes('GET /pa'))];
      const cut = pair.c2s.cut();
      assert.ok(cut?.partial);
      frames.push(cut, ...pair.c2s.feed(bytes('th HTTP/1.1\r\nHost: h\r\n\r\n')));
      assert.deepEqual(texts(frames), ['GET /pa', 'th HTTP/1.1\r\nHost: h\r\n\r\n']);
      assert.equal(frames[1].ann?.summary, 'GET /path HTTP/1.1');
      assert.deepEqual(codes(frames[1]), []);
    });
  });

  describe('tunnels and upgrades', () => {
    const tls = Buffer.from('160301000a0100000603030000000000', 'hex');

    it('turns both sides into a tunnel after CONNECT and 200', () => {
      const connect = 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n';
      const ok = 'HTTP/1.1 200 Connection Established\r\n\r\n';
      const p = run(Buffer.concat([bytes(connect), tls]), Buffer.concat([bytes(ok), tls]));
      assert.deepEqual(texts(p.c2s), [connect, tls.toString('latin1')]);
      assert.deepEqual(summaries(p.c2s), [
        'CONNECT example.com:443 HTTP/1.1',
        `tunnel ${tls.length} bytes`,
      ]);
      assert.deepEqual(summaries(p.s2c), [
        '200 Connection Established (tunnel follows)',
        `tunnel ${tls.length} bytes`,
      ]);
      assert.ok([...p.c2s, ...p.s2c].every((f) => !f.partial && f.term === 'http'));
      const l = live([
        ['c2s', connect],
        ['s2c', ok],
        ['c2s', tls],
        ['s2c', tls],
      ]);
      assert.deepEqual(summaries(l.c2s), summaries(p.c2s));
    });

    it('stays HTTP when a CONNECT is refused and the client goes on', () => {
      const connect = 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n';
      const p = run(
        connect + GET('/plain'),
        'HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n' +
          'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
      );
      assert.deepEqual(names(p.c2s), ['CONNECT', 'GET']);
      assert.deepEqual(res(p.s2c), [0, 1]);
    });

    it('stays HTTP when a WebSocket upgrade is refused and the client goes on', () => {
      const upgrade =
        'GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';
      const s2c =
        'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
      const p = run(upgrade + GET('/x'), s2c);
      assert.deepEqual(names(p.c2s), ['GET', 'GET']);
      assert.equal(p.c2s[0].ann?.fields?.upgrade, 'websocket');
      assert.deepEqual(names(p.s2c), ['400', '200']);
      const l = live([
        ['c2s', upgrade],
        ['s2c', s2c],
        ['c2s', GET('/x')],
      ]);
      assert.deepEqual(names(l.c2s), ['GET', 'GET']);
    });

    it('treats the HTTP/2 preface as the start of an opaque HTTP/2 connection', () => {
      const settings = Buffer.from('000000040000000000', 'hex');
      const preface = 'PRI * HTTP/2.0\r\n\r\n';
      const p = run(Buffer.concat([bytes(preface + 'SM\r\n\r\n'), settings]), settings);
      assert.deepEqual(texts(p.c2s), [preface, 'SM\r\n\r\n' + settings.toString('latin1')]);
      assert.deepEqual(names(p.c2s), ['PRI', 'h2']);
      assert.deepEqual(names(p.s2c), ['h2']);
      assert.equal(p.s2c[0].ann?.summary, `HTTP/2 frames, ${settings.length} bytes (not decoded)`);
    });
  });
});
