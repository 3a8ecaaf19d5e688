import * as assert from 'node:assert/strict';
import { Waits } from '../../../src/core/framing/protocols/protocol';

describe('Waits (tokens waiting for their answer)', () => {
  it('takes the oldest seq of a key; when full, the oldest wait of all goes', () => {
    const w = new Waits(3);
    w.add('a', 1);
    w.add('b', 2);
    w.add('a', 3);
    w.add('c', 4); // full: a's 1 goes
    assert.equal(w.take('a'), 3);
    assert.equal(w.take('a'), undefined);
    w.add('d', 5);
    w.add('e', 6); // full again: b's 2 goes (a's 3 was taken, not dropped)
    assert.deepEqual(
      ['b', 'c', 'd', 'e'].map((k) => w.take(k)),
      [undefined, 4, 5, 6],
    );
  });

  it('a flood of tokens never answered keeps the newest ones only', () => {
    const w = new Waits(100);
    for (let i = 0; i < 50_000; i++) {
      w.add(`tok${i}`, i);
      if (i % 7 === 0) w.take(`tok${i}`); // some are answered at once
    }
    // The newest 100 still waiting: 49,884 to 49,999 but those answered (multiples of 7).
    assert.equal(w.take('tok49883'), undefined, 'too old');
    assert.equal(w.take('tok49884'), 49_884);
    assert.equal(w.take('tok49999'), 49_999);
    assert.equal(w.take('tok49889'), undefined, 'answered at once');
  });
});
