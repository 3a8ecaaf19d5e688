import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import {
  bytesToLines,
  escapeBytes,
  textSegments,
  visibleText,
} from '../../../src/webview/escapeSegments';
import { parseEscapes } from '../../../src/webview/parseEscapes';

const utf8 = (s: string) => new TextEncoder().encode(s);
const flat = (bytes: Uint8Array) =>
  bytesToLines(bytes).lines.map((line) => line.map((s) => `${s.kind[0]}:${s.text}`));

describe('escapeSegments', () => {
  it('shows line endings and control bytes as escapes, one line per \\n', () => {
    assert.deepEqual(flat(utf8('SET k v\r\n+OK\r\n')), [
      ['t:SET k v', 'e:\\r\\n'],
      ['t:+OK', 'e:\\r\\n'],
    ]);
    assert.deepEqual(flat(Uint8Array.of(0, 9, 7, 0x7f, 0x41)), [['e:\\0\\t\\x07\\x7f', 't:A']]);
  });

  it('keeps valid UTF-8 as text and shows invalid bytes as \\xHH', () => {
    assert.deepEqual(flat(utf8('héllo ☃ 𝄞')), [['t:héllo ☃ 𝄞']]);
    // overlong, lone continuation, surrogate, past U+10FFFF, cut sequence
    for (const bad of [
      [0xc0, 0x80],
      [0x80],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82],
    ]) {
      const shown = flat(Uint8Array.from(bad));
      assert.equal(shown.length, 1);
      assert.equal(shown[0].length, 1);
      assert.equal(shown[0][0], 'e:' + bad.map((b) => '\\x' + b.toString(16)).join(''));
    }
  });

  it('escapes bidi overrides, zero-width marks and C1 controls instead of rendering them', () => {
    assert.deepEqual(flat(utf8('a\u202Eb')), [['t:a', 'e:\\xe2\\x80\\xae', 't:b']]);
    assert.deepEqual(flat(utf8('\u200B\u2066\uFEFF\u0085')).flat().length, 1);
  });

  it('stops at the limit without cutting a UTF-8 sequence in two', () => {
    const bytes = utf8('ab☃cd');
    const cut = bytesToLines(bytes, 3);
    assert.equal(cut.consumed, 2);
    assert.deepEqual(cut.lines, [[{ kind: 'text', text: 'ab' }]]);
    assert.equal(bytesToLines(bytes, 5).consumed, 5);
  });

  it('handles a 1 MB line without overflowing the stack', () => {
    const big = new Uint8Array(1 << 20).fill(0x61);
    const { lines, consumed } = bytesToLines(big);
    assert.equal(consumed, big.length);
    assert.equal(lines.length, 1);
    assert.equal(lines[0][0].text.length, big.length);
  });

  it('escapeBytes writes backslashes as \\\\ and round-trips through parseEscapes', () => {
    assert.equal(escapeBytes(utf8('a\\b\r\n')), 'a\\\\b\\r\\n');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const parsed = parseEscapes(escapeBytes(bytes));
        assert.ok(parsed.ok);
        assert.deepEqual([...parsed.bytes], [...bytes]);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 32 }), (s) => {
        const parsed = parseEscapes(escapeBytes(utf8(s)));
        assert.ok(parsed.ok);
        assert.deepEqual([...parsed.bytes], [...utf8(s)]);
      }),
    );
  });

  it('textSegments makes controls, bidi and lone surrogates visible in host strings', () => {
    assert.deepEqual(textSegments('a\r\n\u202Eb\uD800'), [
      { kind: 'text', text: 'a' },
      { kind: 'escape', text: '\\r\\n\\u{202e}' },
      { kind: 'text', text: 'b' },
      { kind: 'escape', text: '\\u{d800}' },
    ]);
    assert.equal(visibleText('<script>alert(1)</script>'), '<script>alert(1)</script>');
    assert.equal(visibleText('x\u0000y\u2067'), 'x\\0y\\u{2067}');
  });
});
