import * as assert from 'node:assert/strict';
import { SeqWindow } from '../../src/core/seqWindow';

describe('SeqWindow', () => {
  it('keeps the newest entries by seq, gaps included, and forgets the older ones', () => {
    const w = new SeqWindow<string>(3);
    for (const seq of [0, 1, 2, 5, 6]) w.set(seq, `v${seq}`);
    // Three kept: 2, 5, 6 (3 and 4 never came).
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6].map((s) => w.get(s)),
      [undefined, undefined, 'v2', undefined, undefined, 'v5', 'v6'],
    );
    w.set(1, 'late'); // older than the window: not kept, and nothing newer is pushed out
    assert.equal(w.get(1), undefined);
    assert.equal(w.get(2), 'v2');
  });

  it('holds a long stream in a bounded window', () => {
    const w = new SeqWindow<number>(1000);
    for (let seq = 0; seq < 200_000; seq++) w.set(seq, seq * 2);
    assert.equal(w.get(198_999), undefined);
    assert.equal(w.get(199_000), 398_000);
    assert.equal(w.get(199_999), 399_998);
  });
});
