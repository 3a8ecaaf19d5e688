import * as assert from 'node:assert/strict';
import { listKeyAction } from '../../../src/webview/listKeys';

describe('listKeyAction', () => {
  it('moves the selection and clamps it to the list', () => {
    assert.deepEqual(listKeyAction('ArrowDown', 4, 10, 100), { kind: 'select', pos: 5 });
    assert.deepEqual(listKeyAction('ArrowUp', 0, 10, 100), { kind: 'select', pos: 0 });
    assert.deepEqual(listKeyAction('PageDown', 95, 10, 100), { kind: 'select', pos: 99 });
    assert.deepEqual(listKeyAction('PageUp', 5, 10, 100), { kind: 'select', pos: 0 });
    assert.deepEqual(listKeyAction('Home', 50, 10, 100), { kind: 'select', pos: 0 });
    assert.deepEqual(listKeyAction('ArrowDown', -1, 10, 100), { kind: 'select', pos: 0 });
  });

  it('End selects the last row and resumes follow-tail; Enter and Escape', () => {
    assert.deepEqual(listKeyAction('End', 3, 10, 100), { kind: 'select', pos: 99, follow: true });
    assert.deepEqual(listKeyAction('Enter', 3, 10, 100), { kind: 'open' });
    assert.deepEqual(listKeyAction('Escape', 3, 10, 0), { kind: 'escape' });
    assert.equal(listKeyAction('ArrowDown', -1, 10, 0), undefined);
    assert.equal(listKeyAction('a', 3, 10, 100), undefined);
  });
});
