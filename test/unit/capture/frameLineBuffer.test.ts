import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeFrame, type FrameInput } from '../../../src/core/capture/captureFormat';
import { FrameLineBuffer } from '../../../src/core/capture/frameLineBuffer';

const payload = fc.oneof(
  fc.uint8Array({ maxLength: 80 }),
  fc.uint8Array({ minLength: 1000, maxLength: 1100 }), // around the direct-write limit
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => new Uint8Array(Buffer.from(s))),
  fc
    .array(
      fc.constantFrom(
        '\u2028',
        '\u2029',
        '\u2027',
        'a',
        '"',
        '\\',
        '\0',
        '\x1f',
        '\x7f',
        'é',
        '\r\n',
        '\t\b\f',
      ),
      {
        maxLength: 20,
      },
    )
    .map((parts) => new Uint8Array(Buffer.from(parts.join('')))),
);

const frameInput: fc.Arbitrary<FrameInput> = fc.record({
  conn: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 2 ** 40 })),
  dir: fc.constantFrom('c2s' as const, 's2c' as const),
  t: fc.oneof(fc.nat(), fc.maxSafeNat(), fc.double({ min: 0, max: 1e9, noNaN: true })),
  bytes: payload,
  partial: fc.boolean(),
  oversize: fc.boolean(),
  injected: fc.boolean(),
  held: fc.boolean(),
});

describe('frame line buffer', () => {
  it('writes exactly the lines encodeFrame makes, for any frame', () => {
    fc.assert(
      fc.property(fc.array(frameInput, { maxLength: 8 }), (frames) => {
        const buf = new FrameLineBuffer(64);
        for (const frame of frames) buf.appendFrame(frame);
        const expected = frames.map((frame) => encodeFrame(frame) + '\n').join('');
        assert.equal(buf.take().toString('utf8'), expected);
        assert.equal(buf.length, 0);
      }),
      { numRuns: 3000 },
    );
  });

  it('mixes text lines and frame lines, and hands over what it holds', () => {
    const buf = new FrameLineBuffer(16);
    buf.appendLine('{"e":"note","t":1,"text":"✓"}');
    buf.appendFrame({ conn: 3, dir: 's2c', t: 12, bytes: Buffer.from('+OK\r\n') });
    const first = buf.take();
    buf.appendLine('x');
    assert.equal(
      first.toString(),
      '{"e":"note","t":1,"text":"✓"}\n{"e":"frame","c":3,"d":"<","t":12,"text":"+OK\\r\\n"}\n',
    );
    // The buffer handed over is not written to again.
    assert.equal(buf.take().toString(), 'x\n');
    assert.match(first.toString(), /\+OK/);
  });
});
