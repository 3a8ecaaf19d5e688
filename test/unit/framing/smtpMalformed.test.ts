import * as assert from 'node:assert/strict';
import type { Frame } from '../../../src/core/framing/frame';
import { smtpProtocol } from '../../../src/core/framing/protocols/smtp';
import { assertPairStable } from '../helpers/fixtures';

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

describe('smtp framer: warnings', () => {
  it('warns about bare LF in commands and replies', () => {
    const { c2s, s2c } = offline('NOOP\n', '220 mx\n250 ok\r\n');
    assert.deepEqual(warningsOf(c2s[0]), ['bare-lf: line ends with a bare \\n; SMTP wants \\r\\n']);
    assert.deepEqual(codesOf(s2c[0]), ['bare-lf']);
    assert.deepEqual(codesOf(s2c[1]), []);
  });

  it('counts bare LF and bare CR lines in the message content', () => {
    const { c2s } = offline('DATA\r\nSubject: x\nhello\rworld\r\nbye\n\r\n.\r\n');
    assert.equal(c2s[1].ann?.name, 'MESSAGE');
    assert.deepEqual(warningsOf(c2s[1]), [
      'bare-lf: 2 content line(s) end with a bare \\n; SMTP wants \\r\\n',
      'violation: 1 content line(s) hold a bare \\r',
    ]);
  });

  it('does not end the message at a "." line without CRLF on both sides, and says why', () => {
    for (const content of ['hello\n.\nMAIL FROM:<evil@x>\r\n', 'hello\n.\r\nRCPT TO:<x@y>\r\n']) {
      const { c2s } = offline(`DATA\r\n${content}.\r\nQUIT\r\n`);
      assert.deepEqual(text(c2s), ['DATA\r\n', `${content}.\r\n`, 'QUIT\r\n']);
      assert.deepEqual(codesOf(c2s[1]), ['violation', 'bare-lf']);
      assert.match(c2s[1].ann?.warnings?.[0].message ?? '', /SMTP smuggling/);
    }
  });

  it('warns about over-long command and content lines, with the RFC limits', () => {
    const mail = `MAIL FROM:<${'a'.repeat(600)}>\r\n`;
    const { c2s } = offline(`${mail}DATA\r\n${'x'.repeat(1200)}\r\n.\r\n`);
    assert.deepEqual(warningsOf(c2s[0]), ['long-line: command line is 614 bytes; SMTP allows 512']);
    assert.deepEqual(warningsOf(c2s[2]), [
      'long-line: 1 content line(s) over 1000 bytes (the longest 1202); SMTP allows 1000',
    ]);
    // AUTH lines may be longer (RFC 4954).
    const auth = offline(`AUTH PLAIN ${'A'.repeat(2000)}\r\n`);
    assert.deepEqual(warningsOf(auth.c2s[0]), []);
  });

  it('warns about invalid UTF-8 in commands but not in 8-bit content', () => {
    const { c2s } = offline('VRFY \xff\xfe\r\nDATA\r\nSubject: caf\xe9\r\n\r\n\xff\r\n.\r\n');
    assert.deepEqual(warningsOf(c2s[0]), ['invalid-utf8: command line is not valid UTF-8']);
    assert.deepEqual(warningsOf(c2s[2]), []);
    assert.equal(c2s[2].ann?.fields?.subject, 'caf\ufffd');
  });

  it('warns when a multi-line reply changes its code or holds a line without one', () => {
    const { s2c } = offline(
      'EHLO a\r\nEHLO b\r\n',
      '220 mx\r\n250-a\r\n251 b\r\n250-a\r\nno code here\r\n250 b\r\n',
    );
    assert.deepEqual(text(s2c), [
      '220 mx\r\n',
      '250-a\r\n251 b\r\n',
      '250-a\r\nno code here\r\n250 b\r\n',
    ]);
    assert.deepEqual(warningsOf(s2c[1]), [
      'violation: reply code changes from 250 to 251 inside a multi-line reply',
    ]);
    assert.deepEqual(warningsOf(s2c[2]), [
      'violation: line inside a multi-line 250 reply does not start with a code',
    ]);
    assert.equal(s2c[2].ann?.fields?.lines, 3);
    assert.deepEqual(
      s2c.map((f) => f.ann?.re),
      [undefined, 0, 1],
    );
  });

  it('warns about replies without a 3-digit SMTP code and does not pair them', () => {
    const { s2c } = offline(
      'NOOP\r\nNOOP\r\n',
      '220 mx\r\n25 OK\r\n2500 OK\r\n600 what\r\n250 ok\r\n',
    );
    assert.deepEqual(
      s2c.map((f) => [f.ann?.name, f.ann?.re]),
      [
        ['220', undefined],
        [undefined, undefined],
        [undefined, undefined],
        ['600', 0],
        ['250', 1],
      ],
    );
    assert.deepEqual(warningsOf(s2c[1]), [
      'violation: reply line does not start with a 3-digit code',
    ]);
    assert.deepEqual(warningsOf(s2c[3]), ['violation: reply code 600 is not 2xx to 5xx']);
  });

  it('keeps the warnings of a huge reply bounded', () => {
    const reply = `${'250-a\n'.repeat(10000)}250 b\r\n`;
    const { s2c } = offline('EHLO a\r\n', `220 mx\r\n${reply}`, undefined, [1, 4096]);
    assert.equal(s2c.length, 2);
    assert.deepEqual(warningsOf(s2c[1]), [
      'bare-lf: line ends with a bare \\n; SMTP wants \\r\\n (and 9999 more bare-lf in this frame)',
    ]);
  });
});

describe('smtp framer: cuts and ends', () => {
  it('says what was missing when the stream ends inside a message, a line or a reply', () => {
    const { c2s, s2c } = offline(
      'NOOP\r\nDATA\r\nSubject: x\r\n\r\nhello\r\n',
      '220 mx\r\n250 ok\r\n250-a\r\n',
    );
    assert.ok(c2s[2].partial);
    assert.equal(c2s[2].ann?.name, 'MESSAGE');
    assert.deepEqual(warningsOf(c2s[2]), [
      'truncated: stream ended inside the message content, before the <CR><LF>.<CR><LF> end marker',
    ]);
    assert.deepEqual(warningsOf(s2c[2]), [
      'truncated: stream ended inside a multi-line 250 reply, before its last line',
    ]);
    const line = offline('NOOP');
    assert.equal(line.c2s[0].ann?.name, 'NOOP');
    assert.deepEqual(codesOf(line.c2s[0]), ['truncated']);
  });

  it('summarises a reply the stream cut off', () => {
    const { s2c } = offline(
      'EHLO a\r\nNOOP\r\n',
      '220 mx ready\r\n250-mx\r\n250-PIPELINING\r\n250 S',
    );
    assert.equal(s2c[1].ann?.name, '250');
    assert.equal(s2c[1].ann?.summary, '250 mx (+2 lines)');
    const one = offline('NOOP\r\n', '220 mx\r\n250 o');
    assert.equal(one.s2c[1].ann?.name, '250');
    assert.equal(one.s2c[1].ann?.summary, '250 o');
    assert.deepEqual(codesOf(one.s2c[1]), ['truncated']);
  });

  it('reads on after a line longer than maxFrameBytes', () => {
    const long = `NOOP ${'x'.repeat(600)}\r\n`;
    const { c2s, s2c } = offline(
      `${long}QUIT\r\n`,
      '220 mx\r\n500 line too long\r\n221 bye\r\n',
      100,
    );
    const annotated = c2s.filter((f) => f.ann !== undefined);
    assert.deepEqual(names(annotated), ['NOOP', 'QUIT']);
    assert.deepEqual(codesOf(annotated[0]), ['long-line']);
    assert.ok(c2s.slice(0, -2).every((f) => f.oversize && f.ann === undefined));
    assert.deepEqual(
      s2c.map((f) => f.ann?.re),
      [undefined, annotated[0].seq, annotated[1].seq],
    );
  });

  it('parses a command whose start an idle cut() already showed', () => {
    const { c2s } = smtpProtocol.createFramers();
    const frames = [...c2s.feed(b('DA'))];
    const shown = c2s.cut();
    frames.push(...c2s.feed(b('TA\r\nSubject: x\r\n\r\n.\r\n')), ...c2s.flush());
    assert.equal(shown?.bytes.toString(), 'DA');
    assert.deepEqual(text(frames), ['TA\r\n', 'Subject: x\r\n\r\n.\r\n']);
    assert.deepEqual(names(frames), ['DATA', 'MESSAGE']);
  });
});
