import * as assert from 'node:assert/strict';
import { lineColumn, parseEscapes } from '../../../src/webview/parseEscapes';

const bytes = (text: string) => {
  const r = parseEscapes(text);
  assert.ok(r.ok, r.ok ? '' : r.message);
  return [...r.bytes];
};

describe('parseEscapes', () => {
  it('reads \\r \\n \\t \\0 \\xHH \\\\ and UTF-8 text', () => {
    assert.deepEqual(bytes('PING\\r\\n'), [80, 73, 78, 71, 13, 10]);
    assert.deepEqual(bytes('\\t\\0\\x7F\\xff\\\\'), [9, 0, 0x7f, 0xff, 0x5c]);
    assert.deepEqual(bytes('é'), [0xc3, 0xa9]);
    assert.deepEqual(bytes(''), []);
    // A real newline typed in the editor is a real newline byte.
    assert.deepEqual(bytes('a\nb'), [97, 10, 98]);
  });

  it('reports a bad escape with its offset and length', () => {
    assert.deepEqual(parseEscapes('ab\\q'), {
      ok: false,
      message: 'unknown escape \\q; use \\r \\n \\t \\0 \\xHH or \\\\',
      offset: 2,
      length: 2,
    });
    const x = parseEscapes('x\\x4');
    assert.ok(!x.ok);
    assert.equal(x.offset, 1);
    assert.equal(x.length, 3);
    assert.match(x.message, /two hex digits/);
    const lone = parseEscapes('abc\\');
    assert.ok(!lone.ok);
    assert.equal(lone.offset, 3);
    const astral = parseEscapes('\\😀');
    assert.ok(!astral.ok);
    assert.equal(astral.length, 3);
  });

  it('lineColumn counts from 1', () => {
    assert.deepEqual(lineColumn('ab\ncd\\q', 5), { line: 2, column: 3 });
    assert.deepEqual(lineColumn('x', 0), { line: 1, column: 1 });
  });
});
