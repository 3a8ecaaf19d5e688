import * as assert from 'node:assert/strict';
import {
  filterConnections,
  filterDifferences,
  filterDirection,
  toggleConnection,
  toggleDifferences,
  toggleDirection,
  topLevelWords,
} from '../../../src/webview/filterTerms';

describe('filterTerms', () => {
  it('splits top-level words, keeping quotes, regexes and parentheses whole', () => {
    const words = topLevelWords('c2s "a b" name:/x y/i (s2c or x)&&conn:1');
    assert.deepEqual(
      words.map((w) => w.text),
      ['c2s', '"a b"', 'name:/x y/i', '&&', 'conn:1'],
    );
  });

  it('direction toggles append, switch and remove the term', () => {
    assert.equal(toggleDirection('', 'c2s'), 'c2s');
    assert.equal(toggleDirection('name:SET', 'c2s'), 'name:SET c2s');
    assert.equal(toggleDirection('name:SET c2s', 's2c'), 'name:SET s2c');
    assert.equal(toggleDirection('c2s name:SET', 'c2s'), 'name:SET');
    assert.equal(filterDirection('x > y'), 'c2s');
    assert.equal(filterDirection('"c2s"'), undefined);
    assert.equal(filterDirection('not c2s'), undefined);
    assert.equal(filterDirection('(c2s)'), undefined);
  });

  it('keeps an or-filter meaning the same by wrapping it', () => {
    assert.equal(toggleDirection('a or b', 'c2s'), '(a or b) c2s');
    assert.equal(toggleDirection('a||b', 's2c'), '(a||b) s2c');
    assert.equal(filterDirection('(a or b) c2s'), 'c2s');
    assert.equal(toggleDirection('(a or b) c2s', 'c2s'), '(a or b)');
  });

  it('connection toggles edit one conn: list', () => {
    assert.equal(toggleConnection('', 2), 'conn:2');
    assert.equal(toggleConnection('conn:2 c2s', 3), 'conn:2,3 c2s');
    assert.deepEqual(filterConnections('conn:2,3 c2s'), [2, 3]);
    assert.equal(toggleConnection('conn:2,3 c2s', 2), 'conn:3 c2s');
    assert.equal(toggleConnection('x conn:3 c2s', 3), 'x c2s');
    assert.deepEqual(filterConnections('conn:1 or conn:2'), []);
  });

  it('the differences toggle adds and removes the replay outcome term', () => {
    assert.equal(toggleDifferences(''), 'replay!=matched');
    assert.equal(toggleDifferences('conn:2'), 'conn:2 replay!=matched');
    assert.equal(toggleDifferences('a or b'), '(a or b) replay!=matched');
    assert.equal(filterDifferences('conn:2 FIELD.REPLAY!=matched'), true);
    assert.equal(toggleDifferences('replay!=matched conn:2'), 'conn:2');
    assert.equal(filterDifferences('not replay!=matched'), false);
    assert.equal(filterDifferences('replay:differs'), false);
  });
});
