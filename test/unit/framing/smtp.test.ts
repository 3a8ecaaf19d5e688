import * as assert from 'node:assert/strict';
import type { Frame } from '../../../src/core/framing/frame';
import { smtpProtocol } from '../../../src/core/framing/protocols/smtp';
import { assertPairStable, frameRecord, readFixture } from '../helpers/fixtures';

const make = (maxFrameBytes?: number) => () =>
  smtpProtocol.createFramers(maxFrameBytes === undefined ? {} : { maxFrameBytes });
const b = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s, 'latin1') : s);
const text = (frames: readonly Frame[]) => frames.map((f) => f.bytes.toString('latin1'));
const names = (frames: readonly Frame[]) => frames.map((f) => f.ann?.name);
const warningsOf = (f: Frame) => (f.ann?.warnings ?? []).map((w) => `${w.code}: ${w.message}`);
const codesOf = (f: Frame) => (f.ann?.warnings ?? []).map((w) => w.code);

/** Client side fed whole first, then the server side (how fixtures are fed), at every chunking. */
function offline(c2s: string | Buffer, s2c: string | Buffer = '', max?: number, sizes?: number[]) {
  return assertPairStable(make(max), b(c2s), b(s2c), sizes);
}

type Step = readonly ['c2s' | 's2c', string | Buffer];

function feedSteps(steps: readonly Step[], size: number) {
  const pair = smtpProtocol.createFramers();
  const out = { c2s: [] as Frame[], s2c: [] as Frame[] };
  for (const [dir, data] of steps) {
    const bytes = b(data);
    for (let i = 0; i < bytes.length; i += size) {
      out[dir].push(...pair[dir].feed(Buffer.from(bytes.subarray(i, i + size))));
    }
  }
  out.c2s.push(...pair.c2s.flush());
  out.s2c.push(...pair.s2c.flush());
  return out;
}

/** The two directions interleaved as a live proxy sees them, at several chunkings. */
function live(steps: readonly Step[]) {
  const whole = feedSteps(steps, Number.MAX_SAFE_INTEGER);
  for (const dir of ['c2s', 's2c'] as const) {
    const sent = Buffer.concat(steps.filter(([d]) => d === dir).map(([, data]) => b(data)));
    assert.deepEqual(Buffer.concat(whole[dir].map((f) => f.bytes)), sent, `${dir} joins back`);
  }
  for (const size of [1, 2, 3, 5, 8, 13]) {
    const got = feedSteps(steps, size);
    assert.deepEqual(got.c2s.map(frameRecord), whole.c2s.map(frameRecord), `c2s at ${size}`);
    assert.deepEqual(got.s2c.map(frameRecord), whole.s2c.map(frameRecord), `s2c at ${size}`);
  }
  return whole;
}

/** A TLS record: content type, minor version, body. */
function tls(type: number, minor: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, 3, minor, body.length >> 8, body.length & 255]), body]);
}

describe('smtp framer', () => {
  describe('the recorded session (smtplib against smtpd)', () => {
    const c2sData = readFixture('smtp-session.c2s');
    const s2cData = readFixture('smtp-session.s2c');

    it('frames commands, the message and replies, paired in order, at every chunk size', () => {
      const { c2s, s2c } = assertPairStable(make(), c2sData, s2cData);
      assert.deepEqual(names(c2s), [
        'EHLO',
        'MAIL',
        'RCPT',
        'RCPT',
        'DATA',
        'MESSAGE',
        'VRFY',
        'NOOP',
        'BOGUS',
        'QUIT',
      ]);
      assert.deepEqual(names(s2c), [
        '220',
        '250',
        '250',
        '250',
        '250',
        '354',
        '250',
        '252',
        '250',
        '500',
        '221',
      ]);
      assert.deepEqual(
        s2c.map((f) => f.ann?.re),
        [undefined, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
      assert.deepEqual(
        c2s.map((f) => f.ann?.kind),
        ['request', 'request', 'request', 'request', 'request', 'data'].concat(
          Array<string>(4).fill('request'),
        ),
      );
      for (const f of [...c2s, ...s2c]) assert.deepEqual(warningsOf(f), [], f.bytes.toString());
    });

    it('annotates commands with their verb, arguments and addresses', () => {
      const { c2s } = assertPairStable(make(), c2sData, s2cData, [1]);
      assert.equal(c2s[0].ann?.summary, 'EHLO client.example');
      assert.deepEqual(c2s[0].ann?.fields, { domain: 'client.example' });
      assert.equal(c2s[1].bytes.toString(), 'mail FROM:<alice@example.com> size=100\r\n');
      assert.equal(c2s[1].ann?.summary, 'MAIL FROM:<alice@example.com> size=100');
      assert.deepEqual(c2s[1].ann?.args, ['FROM:<alice@example.com>', 'size=100']);
      assert.deepEqual(c2s[1].ann?.fields, { from: 'alice@example.com' });
      assert.deepEqual(c2s[3].ann?.fields, { to: 'carol@example.com' });
    });

    it('makes the DATA content one frame up to the end marker, with its Subject', () => {
      const { c2s } = assertPairStable(make(), c2sData, s2cData, [1]);
      const message = c2s[5];
      assert.equal(
        message.bytes.toString(),
        'From: alice@example.com\r\nTo: bob@example.com\r\nSubject: test\r\n\r\n' +
          'Hello Bob,\r\n..leading dot line\r\nBye.\r\n.\r\n',
      );
      // 7 lines before the end marker: 25 + 21 + 15 + 2 + 12 + 20 + 6 bytes.
      assert.deepEqual(message.ann?.fields, {
        bytes: 101,
        lines: 7,
        dotStuffed: true,
        subject: 'test',
      });
      assert.equal(message.ann?.summary, 'MESSAGE Subject "test" (7 lines, 101 bytes)');
    });

    it('makes the EHLO reply one frame and lists the extensions; the greeting is an event', () => {
      const { s2c } = assertPairStable(make(), c2sData, s2cData, [1]);
      assert.equal(
        s2c[1].bytes.toString(),
        '250-localhost\r\n250-SIZE 33554432\r\n250-8BITMIME\r\n250 HELP\r\n',
      );
      assert.equal(s2c[1].ann?.summary, '250 localhost (+3 lines)');
      assert.deepEqual(s2c[1].ann?.fields, {
        code: '250',
        lines: 4,
        extensions: 'SIZE 33554432, 8BITMIME, HELP',
      });
      assert.equal(s2c[0].ann?.kind, 'event');
      assert.deepEqual(s2c[0].ann?.fields, { code: '220', greeting: true });
      assert.equal(s2c[5].ann?.summary, '354 End data with <CR><LF>.<CR><LF>');
    });

    it('keeps parsing and pairing when maxFrameBytes cuts lines and the message', () => {
      const whole = assertPairStable(make(), c2sData, s2cData, [1]);
      // Frames a terminator took past the limit end early, marked `continued`.
      const annotated = (fs: Frame[]) =>
        fs.filter((f) => f.ann !== undefined && f.ann.fields?.continued !== true);
      const pairs = (r: typeof whole) =>
        annotated(r.s2c).map((f) => [
          f.ann?.name,
          r.c2s.find((q) => q.seq === f.ann?.re)?.ann?.name,
        ]);
      for (const max of [7, 16, 40]) {
        const cut = assertPairStable(make(max), c2sData, s2cData);
        assert.deepEqual(names(annotated(cut.c2s)), names(whole.c2s), `max ${max}`);
        assert.deepEqual(names(annotated(cut.s2c)), names(whole.s2c), `max ${max}`);
        assert.deepEqual(pairs(cut), pairs(whole), `max ${max}`);
        assert.ok(cut.c2s.some((f) => f.oversize));
        for (const f of [...cut.c2s, ...cut.s2c]) assert.ok(f.bytes.length <= max + 1);
        const message = cut.c2s.find((f) => f.ann?.name === 'MESSAGE');
        assert.deepEqual(message?.ann?.fields, whole.c2s[5].ann?.fields, `max ${max}`);
      }
    });
  });

  describe('pairing', () => {
    it('pairs pipelined commands in order and reads enhanced status codes', () => {
      const steps: Step[] = [
        ['s2c', '220 mx.example ESMTP\r\n'],
        ['c2s', 'EHLO me.example\r\n'],
        ['s2c', '250-mx.example\r\n250-PIPELINING\r\n250 CHUNKING\r\n'],
        ['c2s', 'MAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nRCPT TO:<c@z>\r\nDATA\r\n'],
        ['s2c', '250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 <c@z> unknown\r\n354 go ahead\r\n'],
        ['c2s', 'Subject: hi\r\n\r\nbody\r\n.\r\n'],
        ['s2c', '250 2.0.0 queued as 1A2B\r\n'],
      ];
      const { c2s, s2c } = live(steps);
      assert.deepEqual(names(c2s), ['EHLO', 'MAIL', 'RCPT', 'RCPT', 'DATA', 'MESSAGE']);
      assert.deepEqual(
        s2c.map((f) => [f.ann?.name, f.ann?.re, f.ann?.fields?.enhanced]),
        [
          ['220', undefined, undefined],
          ['250', 0, undefined],
          ['250', 1, '2.1.0'],
          ['250', 2, '2.1.5'],
          ['550', 3, '5.1.1'],
          ['354', 4, undefined],
          ['250', 5, '2.0.0'],
        ],
      );
      // Fed one side after the other, the frames are the same.
      const c2sData = Buffer.concat(steps.filter(([d]) => d === 'c2s').map(([, x]) => b(x)));
      const s2cData = Buffer.concat(steps.filter(([d]) => d === 's2c').map(([, x]) => b(x)));
      const apart = offline(c2sData, s2cData);
      assert.deepEqual(apart.c2s.map(frameRecord), c2s.map(frameRecord));
      assert.deepEqual(apart.s2c.map(frameRecord), s2c.map(frameRecord));
    });

    it('leaves data mode when the server refuses DATA (live)', () => {
      const { c2s, s2c } = live([
        ['s2c', '220 mx\r\n'],
        ['c2s', 'MAIL FROM:<a@x>\r\n'],
        ['s2c', '250 ok\r\n'],
        ['c2s', 'DATA\r\n'],
        ['s2c', '554 5.5.1 no valid recipients\r\n'],
        ['c2s', 'QUIT\r\n'],
        ['s2c', '221 bye\r\n'],
      ]);
      assert.deepEqual(text(c2s), ['MAIL FROM:<a@x>\r\n', 'DATA\r\n', 'QUIT\r\n']);
      assert.deepEqual(names(c2s), ['MAIL', 'DATA', 'QUIT']);
      assert.deepEqual(
        s2c.map((f) => f.ann?.re),
        [undefined, 0, 1, 2],
      );
    });

    it('fed offline, takes the lines after DATA as content: the reply is not known yet', () => {
      const { c2s } = offline('DATA\r\nQUIT\r\n', '220 mx\r\n554 no\r\n');
      assert.deepEqual(names(c2s), ['DATA', 'MESSAGE']);
      assert.ok(c2s[1].partial);
      assert.deepEqual(codesOf(c2s[1]), ['truncated']);
    });

    it('warns when content was sent before a refused DATA, and pairs each line', () => {
      const { c2s, s2c } = live([
        ['s2c', '220 mx\r\n'],
        ['c2s', 'DATA\r\nline one\r\n'],
        ['s2c', '554 no recipients\r\n'],
        ['c2s', 'NOOP\r\n'],
        ['s2c', '500 unknown command\r\n250 ok\r\n'],
      ]);
      assert.deepEqual(text(c2s), ['DATA\r\n', 'line one\r\nNOOP\r\n']);
      assert.deepEqual(warningsOf(c2s[1]), [
        'violation: the server refused DATA, so it reads these 2 lines as commands',
      ]);
      assert.deepEqual(
        s2c.map((f) => f.ann?.re),
        [undefined, 0, 1, 1],
      );
    });

    it('flags a reply no command waits for; a 421 nobody asked for is an event', () => {
      const { s2c } = offline('', '220 mx\r\n250 ok\r\n421 4.3.2 shutting down\r\n');
      assert.deepEqual(warningsOf(s2c[1]), ['unpaired: a reply with no command waiting for it']);
      assert.equal(s2c[2].ann?.kind, 'event');
      assert.deepEqual(warningsOf(s2c[2]), []);
    });
  });

  describe('BDAT', () => {
    it('makes a BDAT command and its chunk one frame, whatever the chunk holds', () => {
      const chunk = 'Subject: t\r\n\r\n.\r\n';
      const { c2s, s2c } = offline(
        `BDAT ${chunk.length}\r\n${chunk}BDAT 5 LAST\r\nhelloBDAT 0 LAST\r\nQUIT\r\n`,
        '220 mx\r\n250 2.0.0 17 octets\r\n250 2.0.0 queued\r\n250 ok\r\n221 bye\r\n',
      );
      assert.deepEqual(text(c2s), [
        'BDAT 17\r\nSubject: t\r\n\r\n.\r\n',
        'BDAT 5 LAST\r\nhello',
        'BDAT 0 LAST\r\n',
        'QUIT\r\n',
      ]);
      assert.deepEqual(c2s[0].ann?.fields, { size: 17 });
      assert.deepEqual(c2s[1].ann?.fields, { size: 5, last: true });
      assert.deepEqual(
        s2c.map((f) => f.ann?.re),
        [undefined, 0, 1, 2, 3],
      );
    });

    it('warns about a BDAT without a size and reads on as commands', () => {
      const { c2s } = offline('BDAT lots\r\nNOOP\r\n');
      assert.deepEqual(text(c2s), ['BDAT lots\r\n', 'NOOP\r\n']);
      assert.deepEqual(warningsOf(c2s[0]), ['violation: BDAT needs a chunk size in bytes']);
    });

    it('says how much of a chunk came when the stream ends inside it', () => {
      const { c2s } = offline('BDAT 10\r\nabc');
      assert.deepEqual(text(c2s), ['BDAT 10\r\nabc']);
      assert.ok(c2s[0].partial);
      assert.equal(c2s[0].ann?.name, 'BDAT');
      assert.deepEqual(warningsOf(c2s[0]), [
        'truncated: stream ended inside the 10-byte BDAT chunk, after 3 bytes',
      ]);
    });
  });

  describe('AUTH', () => {
    it('frames LOGIN responses as AUTH-RESPONSE without showing them', () => {
      const { c2s, s2c } = offline(
        'AUTH LOGIN\r\nYWxpY2U=\r\nc2VjcmV0\r\nMAIL FROM:<a@x>\r\n',
        '220 mx\r\n334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 2.7.0 ok\r\n250 ok\r\n',
      );
      assert.deepEqual(names(c2s), ['AUTH', 'AUTH-RESPONSE', 'AUTH-RESPONSE', 'MAIL']);
      assert.deepEqual(
        c2s.map((f) => f.ann?.kind),
        ['request', 'data', 'data', 'request'],
      );
      assert.equal(c2s[1].ann?.summary, 'AUTH-RESPONSE (credentials)');
      const shown = JSON.stringify(c2s.map((f) => f.ann));
      for (const secret of ['YWxpY2U', 'c2VjcmV0', 'alice', 'secret']) {
        assert.ok(!shown.includes(secret), secret);
      }
      assert.equal(s2c[1].ann?.summary, '334 VXNlcm5hbWU6 ("Username:")');
      assert.deepEqual(
        s2c.map((f) => f.ann?.re),
        [undefined, 0, 1, 2, 3],
      );
    });

    it('hides an initial response and takes the next command as a command', () => {
      const { c2s } = offline('AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nQUIT\r\n');
      assert.deepEqual(names(c2s), ['AUTH', 'QUIT']);
      assert.equal(c2s[0].ann?.summary, 'AUTH PLAIN (credentials)');
      assert.deepEqual(c2s[0].ann?.args, ['PLAIN']);
      assert.ok(!JSON.stringify(c2s[0].ann).includes('AGFsaWNl'));
    });

    it('follows the server live: after 235 a base64-looking line is a command', () => {
      const steps: Step[] = [
        ['s2c', '220 mx\r\n'],
        ['c2s', 'AUTH PLAIN\r\n'],
        ['s2c', '334 \r\n'],
        ['c2s', 'AGFsaWNlAHNlY3JldA==\r\n'],
        ['s2c', '235 ok\r\n'],
        ['c2s', 'XYZW\r\n'],
        ['s2c', '500 unknown\r\n'],
      ];
      assert.deepEqual(names(live(steps).c2s), ['AUTH', 'AUTH-RESPONSE', 'XYZW']);
      // Offline the server's answer is not known yet, so the shape decides.
      const apart = offline('AUTH PLAIN\r\nAGFsaWNlAHNlY3JldA==\r\nXYZW\r\n');
      assert.deepEqual(names(apart.c2s), ['AUTH', 'AUTH-RESPONSE', 'AUTH-RESPONSE']);
    });

    it('shows a cancelled exchange', () => {
      const { c2s } = offline('AUTH LOGIN\r\n*\r\n');
      assert.equal(c2s[1].ann?.summary, 'AUTH-RESPONSE * (cancel)');
    });
  });

  describe('STARTTLS', () => {
    const hello = tls(
      22,
      1,
      Buffer.from('\x01\x00\x00\x24MAIL FROM:<x@y>\r\n.\r\n\nQUIT\r\n\0\0\0\0'),
    );
    const serverHello = tls(22, 3, Buffer.alloc(60, 0x0a));
    const ccs = tls(20, 3, Buffer.from([1]));
    const appData = tls(23, 3, Buffer.from('250 OK\r\n'));
    const empty = tls(23, 3, Buffer.alloc(0));
    const c2sData = Buffer.concat([b('EHLO me\r\nSTARTTLS\r\n'), hello, appData]);
    const s2cData = Buffer.concat([
      b('220 mx\r\n250-mx\r\n250 STARTTLS\r\n220 2.0.0 ready\r\n'),
      serverHello,
      ccs,
      empty,
    ]);

    function check(r: { c2s: Frame[]; s2c: Frame[] }) {
      assert.deepEqual(names(r.c2s), ['EHLO', 'STARTTLS', 'TLS', 'TLS']);
      assert.deepEqual(
        r.c2s.slice(2).map((f) => f.bytes),
        [hello, appData],
      );
      assert.deepEqual(r.c2s[2].ann?.fields, {
        tls: true,
        contentType: 'handshake',
        version: '3.1',
        length: hello.length - 5,
      });
      assert.deepEqual(names(r.s2c), ['220', '250', '220', 'TLS', 'TLS', 'TLS']);
      assert.equal(r.s2c[2].ann?.re, 1);
      assert.deepEqual(
        r.s2c.slice(3).map((f) => [f.bytes, f.ann?.fields?.contentType]),
        [
          [serverHello, 'handshake'],
          [ccs, 'change_cipher_spec'],
          [empty, 'application_data'],
        ],
      );
      for (const f of [...r.c2s, ...r.s2c]) assert.deepEqual(warningsOf(f), []);
    }

    it('frames TLS records after an accepted STARTTLS, offline', () => {
      check(offline(c2sData, s2cData));
    });

    it('frames TLS records after an accepted STARTTLS, live', () => {
      check(
        live([
          ['s2c', '220 mx\r\n'],
          ['c2s', 'EHLO me\r\n'],
          ['s2c', '250-mx\r\n250 STARTTLS\r\n'],
          ['c2s', 'STARTTLS\r\n'],
          ['s2c', Buffer.concat([b('220 2.0.0 ready\r\n'), serverHello])],
          ['c2s', Buffer.concat([hello, appData])],
          ['s2c', Buffer.concat([ccs, empty])],
        ]),
      );
    });

    it('stays in SMTP when STARTTLS is refused', () => {
      const { c2s, s2c } = offline(
        'STARTTLS\r\nQUIT\r\n',
        '220 mx\r\n454 4.7.0 TLS not available\r\n221 bye\r\n',
      );
      assert.deepEqual(text(c2s), ['STARTTLS\r\n', 'QUIT\r\n']);
      assert.deepEqual(names(c2s), ['STARTTLS', 'QUIT']);
      assert.deepEqual(
        s2c.map((f) => f.ann?.re),
        [undefined, 0, 1],
      );
    });

    it('shows bytes that are not TLS records as opaque chunks, with a warning', () => {
      const { s2c } = offline('STARTTLS\r\n', '220 mx\r\n220 go\r\nHELLO\r\nthere');
      assert.deepEqual(text(s2c), ['220 mx\r\n', '220 go\r\n', 'HELLO', '\r\nthere']);
      assert.deepEqual(warningsOf(s2c[2]), [
        'violation: "HELLO" is not a TLS record header: the rest is shown as opaque chunks',
      ]);
      assert.deepEqual(s2c[3].ann?.fields, { tls: true });
      assert.ok(s2c[3].partial);
    });

    it('says how much of a record came when the stream ends inside it', () => {
      const { c2s } = offline(Buffer.concat([b('STARTTLS\r\n'), hello.subarray(0, 15)]));
      assert.deepEqual(warningsOf(c2s[1]), [
        `truncated: stream ended inside a ${hello.length - 5}-byte TLS handshake record, after 10 bytes`,
      ]);
      const eight = tls(22, 3, Buffer.alloc(8, 1));
      const cut = offline(Buffer.concat([b('STARTTLS\r\n'), eight.subarray(0, 9)]));
      assert.deepEqual(warningsOf(cut.c2s[1]), [
        'truncated: stream ended inside an 8-byte TLS handshake record, after 4 bytes',
      ]);
    });
  });
});
