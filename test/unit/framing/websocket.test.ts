import * as assert from 'node:assert/strict';
import type { Direction, Frame } from '../../../src/core/framing/frame';
import type { FramerOptions } from '../../../src/core/framing/framer';
import { httpProtocol } from '../../../src/core/framing/protocols/http';
import { websocketAccept } from '../../../src/core/framing/protocols/websocket';
import { assertPairStable } from '../helpers/fixtures';

type Pair = { c2s: Frame[]; s2c: Frame[] };

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='; // RFC 6455 §1.3
const upgrade = (extra = '') =>
  'GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n' +
  `Connection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
const switched = (extra = '', accept = ACCEPT) =>
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  `Sec-WebSocket-Accept: ${accept}\r\n${extra}\r\n`;

/** Builds one WebSocket frame (RFC 6455 §5.2), with the 7, 16 or 64-bit length form asked. */
function ws(
  opcode: number,
  payload: string | Buffer = '',
  o: { fin?: boolean; rsv?: number; mask?: string; len?: 7 | 16 | 64 } = {},
): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const form = o.len ?? (data.length < 126 ? 7 : data.length < 65536 ? 16 : 64);
  const mask = o.mask === undefined ? undefined : Buffer.from(o.mask, 'hex');
  const b0 = ((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode;
  const maskBit = mask ? 0x80 : 0;
  const head =
    form === 7
      ? Buffer.from([b0, maskBit | data.length])
      : form === 16
        ? Buffer.from([b0, maskBit | 126, data.length >> 8, data.length & 0xff])
        : Buffer.concat([Buffer.from([b0, maskBit | 127]), u64(BigInt(data.length))]);
  const body = mask ? data.map((c, i) => c ^ mask[i % 4]) : data;
  return Buffer.concat([head, mask ?? Buffer.alloc(0), body]);
}

function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
}

const closePayload = (code: number, reason = '') =>
  Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason)]);

const M = '01020304';

/** Frames a connection client side first, at every chunk size; drops the two handshake frames. */
function session(c2s: Buffer[], s2c: Buffer[], options?: FramerOptions, ext = ''): Pair {
  const p = assertPairStable(
    () => httpProtocol.createFramers(options),
    Buffer.concat([Buffer.from(upgrade(ext)), ...c2s]),
    Buffer.concat([Buffer.from(switched(ext)), ...s2c]),
  );
  // The handshake ends at the first whole frame of each side (small limits cut it first).
  const cs = p.c2s.findIndex((f) => !f.oversize);
  const ss = p.s2c.findIndex((f) => !f.oversize);
  assert.equal(p.c2s[cs].ann?.name, 'GET');
  assert.equal(p.s2c[ss].ann?.name, '101');
  assert.deepEqual([...codes(p.c2s[cs]), ...codes(p.s2c[ss])], []);
  return { c2s: p.c2s.slice(cs + 1), s2c: p.s2c.slice(ss + 1) };
}

const summaries = (frames: Frame[]) => frames.map((f) => f.ann?.summary);
const codes = (f: Frame) => (f.ann?.warnings ?? []).map((w) => w.code);
const messages = (f: Frame) => (f.ann?.warnings ?? []).map((w) => w.message).join(' | ');

describe('http framer: WebSocket after an upgrade', () => {
  it('builds the RFC 6455 §5.7 examples byte for byte', () => {
    assert.equal(ws(1, 'Hello').toString('hex'), '810548656c6c6f');
    assert.equal(ws(1, 'Hello', { mask: '37fa213d' }).toString('hex'), '818537fa213d7f9f4d5158');
    assert.equal(websocketAccept(KEY), ACCEPT);
  });

  describe('a whole session', () => {
    const client = [
      Buffer.from('818537fa213d7f9f4d5158', 'hex'), // text "Hello", RFC 6455 §5.7
      ws(9, 'hi', { mask: M }),
      Buffer.from('8a8537fa213d7f9f4d5158', 'hex'), // pong "Hello", RFC 6455 §5.7
      ws(8, closePayload(1000, 'bye'), { mask: M }),
    ];
    const server = [
      Buffer.from('010348656c', 'hex'), // "Hel", more to follow
      Buffer.from('80026c6f', 'hex'), // "lo", last fragment
      ws(10, 'hi'),
      ws(9, 'Hello'),
      ws(8, closePayload(1000)),
    ];

    it('frames each WebSocket frame, client side first, at every chunk size', () => {
      const p = session(client, server);
      assert.deepEqual(summaries(p.c2s), [
        'ws text "Hello"',
        'ws ping "hi"',
        'ws pong "Hello"',
        'ws close 1000 "bye"',
      ]);
      assert.deepEqual(
        p.c2s.map((f) => f.bytes),
        client,
      );
      assert.deepEqual(p.c2s[0].ann?.fields, {
        fin: true,
        opcode: 1,
        masked: true,
        length: 5,
        rsv1: false,
        rsv2: false,
        rsv3: false,
        mask: '37fa213d',
      });
      assert.deepEqual(summaries(p.s2c), [
        'ws text "Hel" (more fragments follow)',
        'ws continuation "lo" (last fragment)',
        'ws pong "hi"',
        'ws ping "Hello"',
        'ws close 1000',
      ]);
      assert.deepEqual(
        p.s2c.map((f) => f.ann?.name),
        ['text', 'continuation', 'pong', 'ping', 'close'],
      );
      // The server's pong answers the client's ping (c2s seq 2). The client's pong was framed
      // before the server's ping was seen, so it cannot point at it in this order.
      assert.equal(p.s2c[2].ann?.re, 2);
      assert.equal(p.s2c[2].ann?.kind, 'reply');
      assert.equal(p.c2s[2].ann?.re, undefined);
      assert.deepEqual(
        [...p.c2s, ...p.s2c].flatMap((f) => f.ann?.warnings ?? []),
        [],
      );
    });

    it('pairs both pongs when the sides interleave as they did live', () => {
      const pair = httpProtocol.createFramers();
      const out: Pair = { c2s: [], s2c: [] };
      const steps: [Direction, string | Buffer][] = [
        ['c2s', upgrade()],
        ['s2c', switched()],
        ['c2s', client[0]],
        ['s2c', Buffer.concat(server.slice(0, 2))],
        ['c2s', client[1]],
        ['s2c', Buffer.concat(server.slice(2, 4))],
        ['c2s', Buffer.concat(client.slice(2))],
        ['s2c', server[4]],
      ];
      for (const [dir, data] of steps) out[dir].push(...pair[dir].feed(Buffer.from(data)));
      assert.deepEqual(
        out.c2s.map((f) => f.ann?.summary),
        [
          'GET /chat HTTP/1.1',
          'ws text "Hello"',
          'ws ping "hi"',
          'ws pong "Hello"',
          'ws close 1000 "bye"',
        ],
      );
      assert.equal(out.c2s[3].ann?.re, 4);
      assert.equal(out.c2s[3].ann?.kind, 'reply');
      assert.equal(out.s2c[3].ann?.re, 2);
    });

    it('keeps reading right with a 3-byte frame limit', () => {
      const p = session(client, server, { maxFrameBytes: 3 });
      const whole = (frames: Frame[]) => frames.filter((f) => !f.oversize);
      // A data payload cut by the limit is shown by size; control payloads are kept whole.
      assert.deepEqual(summaries(whole(p.c2s)), [
        'ws text 5 bytes',
        'ws ping "hi"',
        'ws pong "Hello"',
        'ws close 1000 "bye"',
      ]);
      assert.deepEqual(
        whole(p.s2c).map((f) => f.ann?.name),
        ['text', 'continuation', 'pong', 'ping', 'close'],
      );
    });
  });

  it('shows lengths in the 16 and 64-bit forms', () => {
    const p = session([], [ws(2, Buffer.alloc(256, 1)), ws(2, Buffer.alloc(65536, 2))]);
    assert.deepEqual(summaries(p.s2c), ['ws binary 256 bytes', 'ws binary 65536 bytes']);
    assert.equal(p.s2c[0].bytes.length, 4 + 256);
    assert.equal(p.s2c[1].bytes.length, 10 + 65536);
  });

  it('uses the answer when it came first, whatever the client bytes look like', () => {
    // 0x41 0x41 looks like the start of a method; the 101 was seen, so it is a WebSocket frame.
    const odd = ws(1, 'A'.repeat(65), { fin: false, rsv: 4 });
    const pair = httpProtocol.createFramers();
    pair.c2s.feed(Buffer.from(upgrade()));
    pair.s2c.feed(Buffer.from(switched()));
    const frames = [...pair.c2s.feed(odd), ...pair.c2s.flush()];
    assert.deepEqual(
      frames.map((f) => f.ann?.name),
      ['text'],
    );
    assert.match(messages(frames[0]), /client frame is not masked/);
  });

  describe('violations', () => {
    const one = (c2s: Buffer[], s2c: Buffer[] = []) => session(c2s, s2c);

    it('warns about an unmasked client frame and a masked server frame', () => {
      const p = one([ws(1, 'x')], [ws(1, 'y', { mask: M })]);
      assert.deepEqual(codes(p.c2s[0]), ['violation']);
      assert.match(messages(p.c2s[0]), /client frame is not masked/);
      assert.match(messages(p.s2c[0]), /server frame is masked/);
      assert.equal(p.s2c[0].ann?.summary, 'ws text "y"');
    });

    it('warns about reserved opcodes and bad control frames', () => {
      const p = one([
        ws(3, 'r', { mask: M }),
        ws(9, Buffer.alloc(126), { mask: M }),
        ws(9, 'x', { mask: M, fin: false }),
      ]);
      assert.equal(p.c2s[0].ann?.name, 'reserved');
      assert.match(messages(p.c2s[0]), /reserved opcode 0x3/);
      assert.match(messages(p.c2s[1]), /ping frame of 126 bytes; control frames take at most 125/);
      assert.match(messages(p.c2s[2]), /fragmented ping frame/);
      assert.equal(p.c2s.length, 3);
    });

    it('warns about invalid UTF-8 in a complete text frame only', () => {
      const p = one([
        ws(1, Buffer.from('ff41', 'hex'), { mask: M }),
        ws(1, Buffer.from('41c3', 'hex'), { mask: M, fin: false }),
        ws(0, Buffer.from('a9', 'hex'), { mask: M }),
      ]);
      assert.deepEqual(codes(p.c2s[0]), ['invalid-utf8']);
      assert.deepEqual(codes(p.c2s[1]), []);
      assert.deepEqual(codes(p.c2s[2]), []);
    });

    it('warns about RSV bits unless an extension was negotiated', () => {
      const plain = one([ws(1, 'x', { mask: M, rsv: 4 })]);
      assert.match(messages(plain.c2s[0]), /RSV bits set but no extension was negotiated/);
      const ext = 'Sec-WebSocket-Extensions: permessage-deflate\r\n';
      const deflate = session([ws(1, 'compres', { mask: M, rsv: 4 })], [], undefined, ext);
      assert.deepEqual(codes(deflate.c2s[0]), []);
      assert.equal(deflate.c2s[0].ann?.summary, 'ws text 7 bytes (compressed)');
      assert.equal(deflate.c2s[0].ann?.fields?.rsv1, true);
    });

    it('warns about a length over 2^53 and reads the rest as its payload', () => {
      const head = Buffer.concat([Buffer.from([0x82, 0x7f]), u64(2n ** 60n)]);
      const p = one([], [head, Buffer.from('rest of the stream')]);
      assert.equal(p.s2c.length, 1);
      assert.equal(p.s2c[0].partial, false);
      assert.equal(p.s2c[0].ann?.summary, 'ws binary, payload read until the close');
      assert.match(messages(p.s2c[0]), /payload length 1152921504606846976 is over 2\^53/);
    });

    it('warns about a length in a longer form than needed', () => {
      const p = one([], [ws(1, 'hi', { len: 16 }), ws(1, 'ho', { len: 64 })]);
      assert.match(messages(p.s2c[0]), /length 2 is sent in 16 bits/);
      assert.match(messages(p.s2c[1]), /length 2 is sent in 64 bits/);
      assert.deepEqual(summaries(p.s2c), ['ws text "hi"', 'ws text "ho"']);
    });

    it('checks close frames and what follows them', () => {
      const p = one(
        [ws(8, closePayload(1005), { mask: M }), ws(1, 'late', { mask: M })],
        [ws(8, Buffer.from([3]))],
      );
      assert.match(messages(p.c2s[0]), /close code 1005 may not be sent/);
      assert.match(messages(p.c2s[1]), /text frame after this side's close frame/);
      assert.match(messages(p.s2c[0]), /close payload of 1 byte/);
    });

    it('warns about a continuation with nothing to continue', () => {
      const p = one([ws(0, 'x', { mask: M })]);
      assert.match(messages(p.c2s[0]), /continuation frame with no fragmented message/);
    });

    it('warns when Sec-WebSocket-Accept does not match the key', () => {
      const p = assertPairStable(
        () => httpProtocol.createFramers(),
        Buffer.from(upgrade()),
        Buffer.from(switched('', 'bm90IHRoZSByaWdodCBrZXk=')),
      );
      assert.match(messages(p.s2c[0]), /Sec-WebSocket-Accept does not match/);
    });

    it('says what was missing when the stream ends inside a frame', () => {
      const frame = ws(1, 'abcdefghij', { mask: M });
      const p = one([frame.subarray(0, frame.length - 5)], [Buffer.from([0x81])]);
      assert.equal(p.c2s[0].partial, true);
      assert.match(messages(p.c2s[0]), /inside a 10-byte ws text payload \(5 bytes missing\)/);
      assert.match(messages(p.s2c[0]), /inside a WebSocket frame header/);
      const eight = ws(2, 'abcdefgh', { mask: M });
      const cut = one([eight.subarray(0, eight.length - 2)]);
      assert.match(messages(cut.c2s[0]), /inside an 8-byte ws binary payload \(2 bytes missing\)/);
    });
  });
});
