import * as assert from 'node:assert/strict';
import { FrameRing } from '../../../src/core/proxy/frameRing';
import type { TrafficFrame } from '../../../src/shared/traffic';

function frame(id: number, bytes: Uint8Array): TrafficFrame {
  return {
    id,
    conn: 1,
    dir: 'c2s',
    seq: id,
    t: id,
    bytes,
    term: 'lf',
    partial: false,
    oversize: false,
    injected: false,
    held: false,
  };
}

describe('FrameRing', () => {
  it('keeps the newest frames up to the count limit, oldest first', () => {
    const ring = new FrameRing({ frames: 3 });
    for (let i = 1; i <= 5; i++) ring.push(frame(i, Buffer.from(`m${i}\n`)));
    assert.deepEqual(
      ring.snapshot().map((f) => f.id),
      [3, 4, 5],
    );
    assert.deepEqual(
      ring.snapshot(2).map((f) => f.id),
      [4, 5],
    );
    assert.equal(ring.dropped, 2);
    assert.equal(ring.bytes, 9);
  });

  it('evicts by bytes too, but always keeps the newest frame', () => {
    const ring = new FrameRing({ frames: 100, bytes: 10 });
    ring.push(frame(1, Buffer.alloc(6)));
    ring.push(frame(2, Buffer.alloc(6)));
    assert.deepEqual(
      ring.snapshot().map((f) => f.id),
      [2],
    );
    ring.push(frame(3, Buffer.alloc(50)));
    assert.deepEqual(
      ring.snapshot().map((f) => f.id),
      [3],
    );
    assert.equal(ring.bytes, 50);
  });

  it('copies small views out of big buffers so they do not pin them', () => {
    const chunk = Buffer.alloc(65536, 0x61);
    const ring = new FrameRing();
    ring.push(frame(1, chunk.subarray(10, 20)));
    const [kept] = ring.snapshot();
    assert.equal(kept.bytes.buffer.byteLength, 10);
    assert.deepEqual(Buffer.from(kept.bytes), chunk.subarray(10, 20));
    ring.push(frame(2, chunk));
    assert.equal(ring.snapshot()[1].bytes, chunk, 'a whole buffer is kept as it is');
  });

  it('clear() empties it', () => {
    const ring = new FrameRing();
    ring.push(frame(1, Buffer.from('x')));
    ring.clear();
    assert.equal(ring.size, 0);
    assert.deepEqual(ring.snapshot(), []);
  });
});
