import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeBytes } from '../../../src/core/bytes';
import { escapeHead, shortText } from '../../../src/core/framing/protocols/protocol';
import { redisProtocol } from '../../../src/core/framing/protocols/redis';
import { feedInChunks } from '../helpers/fixtures';

/** shortText as it was before it escaped only what it shows: every byte it might show. */
function shortTextReference(data: Buffer, fullLength: number, max: number): string {
  let text = data.toString('latin1', 0, max + 1);
  let seen = text.length;
  if (!/^[\x20-\x5b\x5d-\x7e]*$/.test(text)) {
    const wide = data.subarray(0, max * 4);
    text = escapeBytes(wide);
    seen = wide.length;
  }
  if (text.length > max) return text.slice(0, max) + '…';
  return seen < fullLength ? text + '…' : text;
}

// Bytes that exercise every path of escapeBytes: ASCII, escapes, UTF-8 lead and continuation
// bytes (valid sequences and broken ones), C1 controls and bidirectional overrides.
const pieces = fc.oneof(
  fc.constantFrom(
    'a',
    ' ',
    '\\',
    '\r',
    '\n',
    '\t',
    '\0',
    '\x7f',
    'é',
    '€',
    '😀',
    '\u202e',
    '\u0085',
  ),
  fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
);
const binary = fc
  .array(
    fc.oneof(
      pieces.map((s) => Buffer.from(s, 'utf8')),
      pieces.map((s) => Buffer.from(s, 'latin1')),
    ),
    {
      maxLength: 120,
    },
  )
  .map((parts) => Buffer.concat(parts));

describe('redis framer: summaries of binary values', () => {
  it('escapes only the start of a value, exactly as escaping all of it would show it', () => {
    fc.assert(
      fc.property(binary, fc.integer({ min: 1, max: 80 }), (data, max) => {
        const full = escapeBytes(data);
        const head = escapeHead(data, max);
        assert.ok(full.startsWith(head), 'a prefix of the full escape');
        assert.ok(head.length > max || head === full, 'long enough to show max characters');
        for (const extra of [0, 5]) {
          const length = data.length + extra;
          assert.equal(shortText(data, length, max), shortTextReference(data, length, max));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('escapes a few dozen bytes of a large binary value, not all it might show', () => {
    const value = Buffer.alloc(4096, 0x80);
    const { length } = escapeHead(value.subarray(0, 160), 40);
    // Each byte shows as \x80: 11 bytes give 44 characters, enough for 40.
    assert.equal(length, 44);
    const reply = Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n')]);
    const [frame] = feedInChunks(redisProtocol.createFramers().s2c, reply, 1000);
    assert.equal(frame.ann?.summary, `$4096 "${'\\x80'.repeat(10)}…"`);
  });
});
