import * as assert from 'node:assert/strict';
import { parseFilter } from '../../../src/shared/filter';
import { frame, keeps } from './filterHelpers';

describe('filter operators and normal form', () => {
  describe('operators', () => {
    const frames = [
      frame({ dir: 'c2s', partial: false }),
      frame({ dir: 'c2s', partial: true }),
      frame({ dir: 's2c', partial: false }),
      frame({ dir: 's2c', partial: true }),
    ];

    it('and: juxtaposition, and, &&', () => {
      for (const text of ['c2s partial', 'c2s and partial', 'c2s && partial', 'c2s&&partial']) {
        keeps(text, frames, [1]);
      }
      keeps('c2s AND partial', frames, [1]);
    });

    it('or: or, ||', () => {
      for (const text of ['c2s or partial', 'c2s || partial', 'c2s||partial', 'c2s OR partial']) {
        keeps(text, frames, [0, 1, 3]);
      }
    });

    it('not: not, !, -', () => {
      for (const text of ['not partial', '!partial', '-partial', 'NOT partial', '! partial']) {
        keeps(text, frames, [0, 2]);
      }
      keeps('not not partial', frames, [1, 3]);
      keeps('--partial', frames, [1, 3]);
    });

    it('binds not tighter than and, and tighter than or', () => {
      keeps('s2c or c2s partial', frames, [1, 2, 3]);
      keeps('(s2c or c2s) partial', frames, [1, 3]);
      keeps('c2s partial or s2c', frames, [1, 2, 3]);
      keeps('not c2s partial', frames, [3]);
      keeps('not (c2s partial)', frames, [0, 2, 3]);
      keeps('-c2s or partial', frames, [1, 2, 3]);
      keeps('not (c2s or partial)', frames, [2]);
    });

    it('keeps keywords whole: words that start with one are text', () => {
      const words = [frame({ text: 'android' }), frame({ text: 'order' }), frame({ text: 'note' })];
      keeps('android', words, [0]);
      keeps('order', words, [1]);
      keeps('note', words, [2]);
      keeps('not(order)', words, [0, 2]);
    });
  });

  describe('toString', () => {
    it('normalises keywords, aliases, values and parentheses', () => {
      const cases: [string, string][] = [
        ['C2S  AND Partial', 'c2s partial'],
        ['> || <', 'c2s or s2c'],
        ['!a && -b', 'not a not b'],
        ['((a))', 'a'],
        ['(a b) c', 'a b c'],
        ['(a or b) or c', 'a or b or c'],
        ['(a or b) c', '(a or b) c'],
        ['not (a or b)', 'not (a or b)'],
        ['not (a b)', 'not (a b)'],
        ['CONN=1,2 Name==set', 'conn:1,2 name:set'],
        ['dir:> dir!=<', 'dir:c2s dir!=s2c'],
        ['t>1500ms latency<2000us time:0', 'time>1500ms latency<2ms time:0'],
        ['latency>1.5s latency>0.5us', 'latency>1500ms latency>1us'],
        ['size>=4k size<1m', 'size>=4096 size<1048576'],
        ['field.status>=400.0 field.Foo:x', 'status>=400 field.Foo:x'],
        ['conn:"3" kind:"Reply" warning:BARE-LF', 'conn:3 kind:reply warning:bare-lf'],
        ['reply-to reply-to:4', 're re:4'],
        ['/a/mi "x\\u{41}\\x01"', '/a/im "xA\\x01"'],
        ['"\\u{d800}"', '"\\u{d800}"'],
      ];
      for (const [text, normal] of cases) {
        assert.equal(parseFilter(text).toString(), normal, text);
        assert.equal(parseFilter(normal).toString(), normal, `${normal} again`);
      }
    });
  });

  describe('directions', () => {
    it('says which directions a filter can match, for intercept', () => {
      const cases: [string, string[]][] = [
        ['c2s', ['c2s']],
        ['<', ['s2c']],
        ['not c2s', ['s2c']],
        ['dir!=s2c', ['c2s']],
        ['c2s name:SET', ['c2s']],
        ['c2s or partial', ['c2s', 's2c']],
        ['c2s s2c', []],
        ['(c2s name:SET) or (s2c status>=400)', ['c2s', 's2c']],
        ['not (c2s or partial)', ['s2c']],
        ['not (c2s partial)', ['c2s', 's2c']],
        ['name:SET', ['c2s', 's2c']],
      ];
      for (const [text, dirs] of cases) assert.deepEqual(parseFilter(text).directions, dirs, text);
    });
  });
});
