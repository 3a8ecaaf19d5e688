import * as assert from 'node:assert/strict';
import { Views } from '../../src/core/bytes';

describe('Views', () => {
  it('makes the same views as subarray, sharing the memory, from buffer to buffer', () => {
    const pool = Buffer.from('..hello world..');
    const a = pool.subarray(2, 13);
    const b = Buffer.from('another buffer');
    const views = new Views();
    for (const buf of [a, b, a, a, b]) {
      for (const [start, end] of [
        [0, 0],
        [0, buf.length],
        [1, 4],
        [buf.length, buf.length],
      ]) {
        const view = views.of(buf, start, end);
        assert.ok(Buffer.isBuffer(view));
        assert.equal(Object.getPrototypeOf(view), Buffer.prototype);
        assert.deepEqual(view, buf.subarray(start, end));
        assert.equal(view.buffer, buf.buffer);
        assert.equal(view.byteOffset, buf.byteOffset + start);
      }
    }
  });

  it('makes right views after release(), for new buffers and ones seen before', () => {
    const views = new Views();
    const a = Buffer.from('abc');
    assert.equal(views.of(a, 1, 3).toString(), 'bc');
    views.release();
    const b = Buffer.from('xyz');
    assert.equal(views.of(b, 0, 2).toString(), 'xy');
    assert.equal(views.of(a, 0, 1).toString(), 'a');
  });
});
