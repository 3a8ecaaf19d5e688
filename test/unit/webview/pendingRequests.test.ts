import * as assert from 'node:assert/strict';
import { PendingRequests } from '../../../src/webview/pendingRequests';

describe('PendingRequests', () => {
  it('settles by id and ignores unknown or late ids', async () => {
    const p = new PendingRequests<string>('getRows');
    const a = p.open();
    const b = p.open();
    assert.notEqual(a.id, b.id);
    assert.ok(p.settle(b.id, 'B'));
    assert.equal(p.settle(b.id, 'again'), false);
    assert.equal(p.settle(999, 'x'), false);
    assert.equal(await b.answer, 'B');
    p.dispose();
    await assert.rejects(a.answer, /cancelled/);
    assert.equal(p.size, 0);
  });

  it('rejects after the timeout', async () => {
    const p = new PendingRequests<string>('getDetail', 10);
    await assert.rejects(p.open().answer, /no answer after 10 ms/);
    assert.equal(p.size, 0);
  });
});
