import * as assert from 'node:assert/strict';
import type { Frame } from '../../../src/core/framing/frame';
import { stompProtocol } from '../../../src/core/framing/protocols/stomp';
import { assertPairStable, frameRecord } from '../helpers/fixtures';

const make = (maxFrameBytes?: number) => () =>
  stompProtocol.createFramers(maxFrameBytes === undefined ? {} : { maxFrameBytes });
const b = (s: string) => Buffer.from(s, 'latin1');
const text = (frames: readonly Frame[]) => frames.map((f) => f.bytes.toString('latin1'));
const names = (frames: readonly Frame[]) => frames.map((f) => f.ann?.name);
const warningsOf = (f: Frame) => (f.ann?.warnings ?? []).map((w) => `${w.code}: ${w.message}`);

/** Client side fed whole first, then the server side, at every chunking. */
function offline(c2s: string, s2c = '', max?: number) {
  return assertPairStable(make(max), b(c2s), b(s2c));
}

// A session written from the STOMP 1.2 specification, byte by byte: CONNECT with CRLF line
// endings and credentials, a SUBSCRIBE asking for a receipt, heart-beats (LF and CRLF) between
// frames and after a NUL, a SEND whose content-length body holds a NUL, a SEND without
// content-length with an escaped colon in its destination, ACK, and DISCONNECT with a receipt.
const CLIENT_FRAMES = [
  'CONNECT\r\naccept-version:1.2\r\nhost:broker.example\r\nlogin:guest\r\npasscode:s3cret\r\n' +
    'heart-beat:10000,10000\r\n\r\n\0',
  'SUBSCRIBE\nid:sub-0\ndestination:/queue/orders\nack:client-individual\nreceipt:r-1\n\n\0',
  '\n',
  'SEND\ndestination:/queue/orders\ncontent-type:text/plain\ncontent-length:11\nreceipt:r-2\n\n' +
    'hello\0world\0',
  'SEND\ndestination:/topic/a\\cb\ncontent-type:application/json\n\n{"a":1}\0',
  '\n',
  'ACK\nid:m-7\n\n\0',
  'DISCONNECT\nreceipt:r-3\n\n\0',
];
const SERVER_FRAMES = [
  'CONNECTED\nversion:1.2\nheart-beat:10000,10000\nserver:Demo/1.0\n\n\0',
  'RECEIPT\nreceipt-id:r-1\n\n\0',
  '\n',
  'MESSAGE\nsubscription:sub-0\nmessage-id:m-7\ndestination:/queue/orders\n' +
    'content-type:text/plain\ncontent-length:11\n\nhello\0world\0',
  '\r\n',
  'RECEIPT\nreceipt-id:r-2\n\n\0',
  'RECEIPT\nreceipt-id:r-3\n\n\0',
];

describe('stomp framer', () => {
  describe('a session built from the specification', () => {
    it('makes each STOMP frame and each heart-beat one frame, at every chunk size', () => {
      const { c2s, s2c } = offline(CLIENT_FRAMES.join(''), SERVER_FRAMES.join(''));
      assert.deepEqual(text(c2s), CLIENT_FRAMES);
      assert.deepEqual(text(s2c), SERVER_FRAMES);
      assert.deepEqual(names(c2s), [
        'CONNECT',
        'SUBSCRIBE',
        'HEARTBEAT',
        'SEND',
        'SEND',
        'HEARTBEAT',
        'ACK',
        'DISCONNECT',
      ]);
      assert.deepEqual(names(s2c), [
        'CONNECTED',
        'RECEIPT',
        'HEARTBEAT',
        'MESSAGE',
        'HEARTBEAT',
        'RECEIPT',
        'RECEIPT',
      ]);
      for (const f of [...c2s, ...s2c]) assert.deepEqual(warningsOf(f), [], f.bytes.toString());
    });

    it('pairs CONNECTED with CONNECT and each RECEIPT with its receipt header', () => {
      const { c2s, s2c } = offline(CLIENT_FRAMES.join(''), SERVER_FRAMES.join(''), undefined);
      assert.deepEqual(
        s2c.map((f) => [f.ann?.kind, f.ann?.re]),
        [
          ['reply', 0],
          ['reply', 1],
          ['event', undefined],
          ['push', undefined],
          ['event', undefined],
          ['reply', 3],
          ['reply', 7],
        ],
      );
      assert.ok(
        c2s.every((f) => f.ann?.kind === (f.ann?.name === 'HEARTBEAT' ? 'event' : 'request')),
      );
    });

    it('gives the same frames when the two directions interleave', () => {
      const apart = offline(CLIENT_FRAMES.join(''), SERVER_FRAMES.join(''));
      const pair = stompProtocol.createFramers();
      const got = { c2s: [] as Frame[], s2c: [] as Frame[] };
      const order: [number, 'c2s' | 's2c'][] = [
        [0, 'c2s'],
        [0, 's2c'],
        [1, 'c2s'],
        [1, 's2c'],
        [2, 'c2s'],
        [3, 'c2s'],
        [2, 's2c'],
        [3, 's2c'],
        [4, 'c2s'],
        [4, 's2c'],
        [5, 's2c'],
        [5, 'c2s'],
        [6, 'c2s'],
        [7, 'c2s'],
        [6, 's2c'],
      ];
      for (const [i, dir] of order) {
        const frames = dir === 'c2s' ? CLIENT_FRAMES : SERVER_FRAMES;
        for (const byte of b(frames[i])) got[dir].push(...pair[dir].feed(Buffer.from([byte])));
      }
      got.c2s.push(...pair.c2s.flush());
      got.s2c.push(...pair.s2c.flush());
      assert.deepEqual(got.c2s.map(frameRecord), apart.c2s.map(frameRecord));
      assert.deepEqual(got.s2c.map(frameRecord), apart.s2c.map(frameRecord));
    });

    it('annotates headers, bodies and summaries, and never shows credentials', () => {
      const { c2s, s2c } = offline(CLIENT_FRAMES.join(''), SERVER_FRAMES.join(''));
      assert.equal(c2s[0].ann?.summary, 'CONNECT host=broker.example accept-version=1.2');
      assert.deepEqual(c2s[0].ann?.fields, {
        'accept-version': '1.2',
        host: 'broker.example',
        'heart-beat': '10000,10000',
        headers: 5,
        bodyBytes: 0,
      });
      assert.ok(!JSON.stringify(c2s[0].ann).includes('s3cret'));
      assert.equal(c2s[1].ann?.summary, 'SUBSCRIBE /queue/orders id=sub-0');
      assert.equal(c2s[3].ann?.summary, 'SEND /queue/orders "hello\\0world"');
      assert.deepEqual(c2s[3].ann?.fields, {
        destination: '/queue/orders',
        'content-type': 'text/plain',
        'content-length': 11,
        receipt: 'r-2',
        headers: 4,
        bodyBytes: 11,
      });
      // Escapes are decoded: \c is a colon.
      assert.equal(c2s[4].ann?.summary, 'SEND /topic/a:b "{"a":1}"');
      assert.equal(c2s[4].ann?.fields?.bodyBytes, 7);
      assert.deepEqual(c2s[2].ann?.fields, { eol: 'lf' });
      assert.deepEqual(s2c[4].ann?.fields, { eol: 'crlf' });
      assert.equal(s2c[3].ann?.summary, 'MESSAGE /queue/orders "hello\\0world"');
      assert.equal(s2c[3].ann?.fields?.subscription, 'sub-0');
      assert.equal(s2c[0].ann?.summary, 'CONNECTED version=1.2');
      assert.equal(s2c[6].ann?.summary, 'RECEIPT receipt-id=r-3');
    });

    it('keeps reading frames and content-length bodies when maxFrameBytes cuts them', () => {
      const whole = offline(CLIENT_FRAMES.join(''), SERVER_FRAMES.join(''));
      const annotated = (fs: Frame[]) =>
        fs.filter((f) => f.ann !== undefined && f.ann.fields?.continued !== true);
      for (const max of [6, 20]) {
        const cut = offline(CLIENT_FRAMES.join(''), SERVER_FRAMES.join(''), max);
        assert.ok(cut.c2s.some((f) => f.oversize));
        for (const dir of ['c2s', 's2c'] as const) {
          const got = annotated(cut[dir]).map((f) => [f.ann?.name, f.ann?.fields, f.ann?.summary]);
          const want = whole[dir].map((f) => [f.ann?.name, f.ann?.fields, f.ann?.summary]);
          assert.deepEqual(got, want, `${dir} at max ${max}`);
          for (const f of cut[dir]) assert.ok(f.bytes.length <= max + 1);
        }
        const re = (r: typeof whole) =>
          annotated(r.s2c).map((f) => r.c2s.find((q) => q.seq === f.ann?.re)?.ann?.name);
        assert.deepEqual(re(cut), re(whole));
      }
    });
  });

  describe('pairing', () => {
    it('pairs an ERROR with a refused CONNECT, or with its receipt', () => {
      const { s2c } = offline(
        'CONNECT\naccept-version:1.2\nhost:h\n\n\0SEND\ndestination:/q\nreceipt:77\n\n\0',
        'ERROR\nmessage:bad login\n\nAccess refused\0ERROR\nreceipt-id:77\nmessage:no\n\n\0' +
          'ERROR\nmessage:shutting down\n\n\0',
      );
      assert.deepEqual(
        s2c.map((f) => [f.ann?.kind, f.ann?.re]),
        [
          ['reply', 0],
          ['reply', 1],
          ['push', undefined],
        ],
      );
      assert.equal(s2c[0].ann?.summary, 'ERROR "bad login" "Access refused"');
    });

    it('flags a RECEIPT or CONNECTED that nothing asked for', () => {
      const { s2c } = offline('', 'CONNECTED\nversion:1.2\n\n\0RECEIPT\nreceipt-id:9\n\n\0');
      assert.deepEqual(warningsOf(s2c[0]), ['unpaired: no CONNECT waits for it']);
      assert.deepEqual(warningsOf(s2c[1]), ['unpaired: no client frame asked for this receipt']);
    });
  });

  describe('malformed input', () => {
    it('resyncs at the next NUL when none follows a content-length body', () => {
      const { c2s } = offline(
        'SEND\ndestination:/q\ncontent-length:3\n\nhello\0SEND\ndestination:/q\n\nok\0',
      );
      assert.deepEqual(text(c2s), [
        'SEND\ndestination:/q\ncontent-length:3\n\nhello\0',
        'SEND\ndestination:/q\n\nok\0',
      ]);
      assert.deepEqual(warningsOf(c2s[0]), [
        'violation: no NUL right after the 3-byte body (content-length): the frame ends at the next NUL, 2 bytes later',
      ]);
      assert.equal(c2s[0].ann?.fields?.bodyBytes, 5);
      assert.deepEqual(warningsOf(c2s[1]), []);
    });

    it('warns about a content-length that is no number and reads the body to the NUL', () => {
      const { c2s } = offline('SEND\ndestination:/q\ncontent-length:abc\n\nhi\0');
      assert.deepEqual(warningsOf(c2s[0]), [
        'violation: content-length "abc" is not a byte count: the body ends at the first NUL',
      ]);
      assert.equal(c2s[0].ann?.fields?.bodyBytes, 2);
    });

    it('warns about undefined header escapes, but not in CONNECT (no escaping there)', () => {
      const tab = offline('SEND\ndestination:/q\\tx\n\n\0').c2s[0];
      assert.deepEqual(warningsOf(tab), [
        'violation: undefined escape "\\t" in a header (STOMP 1.2 has \\r \\n \\c \\\\)',
      ]);
      const lone = offline('SEND\ndestination:/q\\\n\n\0').c2s[0];
      assert.deepEqual(warningsOf(lone), [
        'violation: undefined escape a lone \\ at the end in a header (STOMP 1.2 has \\r \\n \\c \\\\)',
      ]);
      const connect = offline('CONNECT\nlogin:dom\\user\naccept-version:1.2\nhost:h\n\n\0').c2s[0];
      assert.deepEqual(warningsOf(connect), []);
    });

    it('warns about unknown commands and commands sent the wrong way', () => {
      const { c2s } = offline('HELLO\n\n\0MESSAGE\ndestination:/q\nmessage-id:1\n\n\0');
      assert.deepEqual(names(c2s), ['HELLO', 'MESSAGE']);
      assert.deepEqual(warningsOf(c2s[0]), ['violation: unknown command "HELLO"']);
      assert.deepEqual(warningsOf(c2s[1]), [
        'violation: MESSAGE is a server frame, sent by the client',
      ]);
    });

    it('warns about invalid UTF-8 in headers', () => {
      const f = offline('SEND\ndestination:/q/\xff\n\n\0').c2s[0];
      assert.deepEqual(warningsOf(f), ['invalid-utf8: a header is not valid UTF-8']);
    });

    it('warns about missing required headers and bodies where none belongs', () => {
      assert.deepEqual(warningsOf(offline('SEND\n\nx\0').c2s[0]), [
        'violation: a SEND frame needs a destination header',
      ]);
      assert.deepEqual(warningsOf(offline('SUBSCRIBE\ndestination:/q\nid:1\n\nbody\0').c2s[0]), [
        'violation: a SUBSCRIBE frame has no body in STOMP 1.2',
      ]);
    });

    it('shows a stray NUL between frames and a header line holding a NUL', () => {
      const { c2s } = offline(
        'SEND\ndestination:/q\n\nx\0\0\n' +
          'SEND\ndestination:/q\nhello\0SEND\ndestination:/q\n\nok\0' +
          'ACK\nid:1\n\n\0',
      );
      assert.deepEqual(text(c2s), [
        'SEND\ndestination:/q\n\nx\0',
        '\0\n',
        'SEND\ndestination:/q\nhello\0SEND\n',
        'destination:/q\n\nok\0',
        'ACK\nid:1\n\n\0',
      ]);
      assert.deepEqual(warningsOf(c2s[1]), ['violation: 1 stray NUL byte(s) before the command']);
      assert.equal(c2s[1].ann?.name, 'HEARTBEAT');
      assert.deepEqual(warningsOf(c2s[2]), [
        'violation: a header line holds a NUL: the blank line before the body is missing?',
      ]);
      assert.deepEqual(warningsOf(c2s[4]), []);
    });
  });

  describe('cuts and ends', () => {
    it('says where the stream ended inside a frame', () => {
      const cases: [string, string][] = [
        ['SEN', 'stream ended inside a command line, before its EOL'],
        ['SEND\ndestination:/q\n', 'stream ended inside a SEND frame, in its headers'],
        [
          'SEND\ndestination:/q\ncontent-length:10\n\nabc',
          'stream ended inside a SEND frame, after 3 of its 10 body bytes',
        ],
        [
          'SEND\ndestination:/q\n\nabc',
          'stream ended inside a SEND frame, in its body, before the NUL',
        ],
        [
          'SEND\ndestination:/q\ncontent-length:3\n\nabc',
          'stream ended inside a SEND frame, before the NUL after its body',
        ],
      ];
      for (const [input, message] of cases) {
        const { c2s } = offline(input);
        assert.deepEqual(text(c2s), [input]);
        assert.ok(c2s[0].partial);
        assert.deepEqual(warningsOf(c2s[0]), [`truncated: ${message}`], input);
      }
    });

    it('says "an" before a command that starts with a vowel', () => {
      const { c2s, s2c } = offline('ABORT\n\n\0', 'ERROR\nmessage:x\n');
      assert.deepEqual(warningsOf(c2s[0]), [
        'violation: an ABORT frame needs a transaction header',
      ]);
      assert.deepEqual(warningsOf(s2c[0]), [
        'truncated: stream ended inside an ERROR frame, in its headers',
      ]);
    });

    it('names a frame whose command line the stream cut off', () => {
      const { c2s, s2c } = offline('\0SEND', 'MESSAGE\r');
      assert.deepEqual(names(c2s), ['SEND']);
      assert.equal(c2s[0].ann?.summary, 'SEND');
      assert.equal(c2s[0].ann?.kind, 'request');
      assert.deepEqual(names(s2c), ['MESSAGE']);
      assert.equal(s2c[0].ann?.kind, 'push');
      assert.deepEqual(warningsOf(s2c[0]), [
        'truncated: stream ended inside a command line, before its EOL',
      ]);
    });

    it('reads a content-length header whose start an idle cut() already showed', () => {
      const { c2s } = stompProtocol.createFramers();
      const frames = [...c2s.feed(b('SEND\ndestination:/q\ncontent-le'))];
      assert.equal(c2s.cut()?.bytes.toString(), 'SEND\ndestination:/q\ncontent-le');
      frames.push(...c2s.feed(b('ngth:5\n\nab\0cd\0')), ...c2s.flush());
      assert.deepEqual(text(frames), ['ngth:5\n\nab\0cd\0']);
      assert.deepEqual(frames[0].ann?.fields, {
        destination: '/q',
        'content-length': 5,
        headers: 2,
        bodyBytes: 5,
      });
    });
  });
});
