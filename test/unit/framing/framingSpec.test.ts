import * as assert from 'node:assert/strict';
import {
  createConnectionFramers,
  FramingSpecError,
  parseFramingSpec,
} from '../../../src/core/framing/framingSpec';

describe('framing specs', () => {
  it('parses the named delimiters', () => {
    for (const [spec, bytes] of [
      ['lf', '0a'],
      ['crlf', '0d0a'],
      ['nul', '00'],
      ['CRLF', '0d0a'],
    ]) {
      const parsed = parseFramingSpec(spec);
      assert.equal(parsed.kind, 'delimiter');
      if (parsed.kind === 'delimiter') assert.equal(parsed.delimiter.toString('hex'), bytes);
    }
  });

  it('parses delim:, count:, length:, close, line into canonical specs', () => {
    assert.deepEqual(
      [
        'delim:\\r\\n.\\r\\n',
        'count:16',
        'length:4BE',
        'length:2le+3',
        'length:2le-2',
        'close',
        'line',
      ].map((s) => parseFramingSpec(s).spec),
      [
        'delim:\\r\\n.\\r\\n',
        'count:16',
        'length:4be',
        'length:2le+3',
        'length:2le-2',
        'close',
        'line',
      ],
    );
    const d = parseFramingSpec('delim:\\x00\\\\');
    assert.ok(d.kind === 'delimiter' && d.delimiter.equals(Buffer.from([0, 0x5c])));
  });

  const bad: [string, RegExp][] = [
    ['', /unknown rule/],
    ['crl', /unknown rule/],
    ['count:0', /at least 1/],
    ['count:-1', /whole number/],
    ['count:1.5', /whole number/],
    ['length:3be', /width of 1, 2, 4 or 8/],
    ['length:4', /width of 1, 2, 4 or 8/],
    ['delim:', /needs a delimiter/],
    ['delim:\\q', /bad escape/],
    ['delim:\\x4', /two hex digits/],
    ['delim:' + 'x'.repeat(300), /at most 256/],
  ];
  for (const [spec, why] of bad) {
    it(`rejects "${spec.slice(0, 20)}" naming the spec and the accepted forms`, () => {
      assert.throws(
        () => parseFramingSpec(spec),
        (e: unknown) =>
          e instanceof FramingSpecError &&
          why.test(e.message) &&
          e.message.includes(`"${spec}"`) &&
          e.message.includes('Accepted: lf, crlf, nul, line, close, delim:') &&
          e.message.includes('length:<1|2|4|8><be|le>'),
      );
    });
  }

  it('makes independent framers per direction for plain rules', () => {
    const { c2s, s2c } = createConnectionFramers({ c2s: 'crlf', s2c: 'count:2' });
    assert.equal(c2s.term, 'crlf');
    assert.equal(s2c.term, 'count:2');
    assert.equal(c2s.feed(Buffer.from('ab\r\n')).length, 1);
    assert.equal(s2c.feed(Buffer.from('abcd')).length, 2);
  });
});
