import * as assert from 'node:assert/strict';
import { FILTER_TEXT_LIMIT, parseFilter } from '../../../src/shared/filter';
import type { TrafficFrame } from '../../../src/shared/traffic';
import { frame, keeps } from './filterHelpers';

const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));
const bytesOf = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? ascii(p) : p)));

/** A frame whose `bytes` property counts how often it is read. */
function countingFrame(text: string): { frame: TrafficFrame; reads: () => number } {
  let reads = 0;
  const bytes = new TextEncoder().encode(text);
  const counted = Object.defineProperty({ ...frame() }, 'bytes', {
    get: () => {
      reads++;
      return bytes;
    },
  });
  return { frame: counted, reads: () => reads };
}

describe('filter payload text', () => {
  it('reads invalid UTF-8 as U+FFFD and still finds the text around it', () => {
    const invalid = frame({ bytes: bytesOf('+OK', [0xff, 0xfe], '\r\n') });
    const frames = [invalid, frame({ text: 'ÿþ' })];
    keeps('ok', frames, [0]);
    keeps('"+OK"', frames, [0]);
    keeps('"\\u{fffd}\\u{fffd}\\r\\n"', frames, [0]);
    keeps('/OK\\uFFFD/', frames, [0]);
    // \xff means the character U+00FF, which only the valid UTF-8 frame holds.
    keeps('"\\xff"', frames, [1]);
    keeps('/\\xff/', frames, [1]);
  });

  it('keeps a leading BOM and marks a sequence cut at the end of the frame', () => {
    const frames = [
      frame({ bytes: bytesOf([0xef, 0xbb, 0xbf], 'a') }),
      frame({ bytes: bytesOf('a', [0xc3]) }),
    ];
    keeps('/^\\uFEFFa$/', frames, [0]);
    keeps('"a\\u{fffd}"', frames, [1]);
  });

  it(`searches only the first ${FILTER_TEXT_LIMIT} bytes`, () => {
    const pad = 'a'.repeat(FILTER_TEXT_LIMIT - 'needle'.length);
    const frames = [frame({ text: `${pad}needle` }), frame({ text: `${pad}Xneedle` })];
    for (const term of ['needle', '"needle"', '/needle$/']) keeps(term, frames, [0]);
    keeps('/^[^]{65536}$/', frames, [0, 1]);
    keeps('/^[^]{65537}/', frames, []);
    // size and the other keys see the whole frame.
    keeps(`size:${FILTER_TEXT_LIMIT + 1}`, frames, [1]);
  });

  it('bounds a regex on a 1 MB frame to the same 64 KiB', () => {
    const huge = frame({ text: `${'x'.repeat(1024 * 1024)}END` });
    keeps('/END/', [huge], []);
    keeps('/^x+$/', [huge], [0]);
    keeps('size>=1m', [huge], [0]);
  });

  it('cuts before a character that straddles the limit instead of inventing U+FFFD', () => {
    for (const ch of ['é', '€', '😀']) {
      const width = new TextEncoder().encode(ch).length;
      for (let before = FILTER_TEXT_LIMIT - width; before <= FILTER_TEXT_LIMIT; before++) {
        const f = frame({ text: `${'a'.repeat(before)}${ch}b` });
        const fits = before + width <= FILTER_TEXT_LIMIT;
        const label = `${ch} after ${before} bytes`;
        assert.equal(parseFilter('"\\u{fffd}"').matches(f), false, label);
        assert.equal(parseFilter(`"a${ch}"`).matches(f), fits, label);
        assert.equal(parseFilter('/a$/').matches(f), !fits, label);
      }
    }
  });

  it('decodes the payload once per call, and only when a term reads the text', () => {
    const { frame: f, reads } = countingFrame('SET greeting hello');
    parseFilter('conn:1 c2s name:SET status>=400 partial or held').matches(f);
    assert.equal(reads(), 0);
    assert.equal(parseFilter('greeting "hello" /^SET/ -bye (x or y or SET)').matches(f), true);
    assert.equal(reads(), 1);
    parseFilter('greeting "hello"').matches(f);
    assert.equal(reads(), 2);
  });
});
