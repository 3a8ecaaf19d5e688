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

  it('copies views out of read buffers, big frames too, so a reused buffer changes nothing', () => {
    const chunk = Buffer.alloc(65536, 0x61);
    const ring = new FrameRing();
    ring.push(frame(1, chunk.subarray(10, 20)));
    const [kept] = ring.snapshot();
    assert.equal(kept.bytes.buffer.byteLength, 10);
    assert.deepEqual(Buffer.from(kept.bytes), chunk.subarray(10, 20));
    ring.push(frame(2, chunk));
    chunk.fill(0xee);
    const [small, big] = ring.snapshot();
    assert.deepEqual(Buffer.from(small.bytes), Buffer.alloc(10, 0x61));
    assert.deepEqual(Buffer.from(big.bytes), Buffer.alloc(65536, 0x61));
  });

  it('keeps copies: no view of a read buffer, and pushes never change a snapshot', () => {
    const ring = new FrameRing({ frames: 5000 });
    const reads: Buffer[] = [];
    const seen: TrafficFrame[][] = [];
    // 40 reads of 1024 lines of 64 bytes: slabs fill, empty and are reused.
    for (let r = 0; r < 40; r++) {
      const read = Buffer.alloc(65536, 0x41 + (r % 26));
      reads.push(read);
      for (let at = 0; at < read.length; at += 64) {
        ring.push(frame(r * 1024 + at / 64, read.subarray(at, at + 64)));
      }
      if (r % 10 === 9) seen.push(ring.snapshot());
    }
    for (const [k, snap] of seen.entries()) {
      assert.equal(snap.length, 5000);
      for (const f of snap) {
        const r = Math.floor(f.id / 1024);
        assert.ok(f.bytes.buffer !== reads[r].buffer, `frame ${f.id} (snapshot ${k}) views a read`);
        const expected = Buffer.alloc(64, 0x41 + (r % 26));
        assert.ok(expected.equals(f.bytes), `frame ${f.id} (snapshot ${k}) changed`);
      }
    }
    assert.equal(ring.bytes, 5000 * 64);
    assert.equal(ring.dropped, 40 * 1024 - 5000);
  });

  it('gives back every field of a frame as it was pushed', () => {
    const ring = new FrameRing({ frames: 4 });
    const ann = { kind: 'reply' as const, name: '+OK', re: 3 };
    const pushed: TrafficFrame[] = [
      { ...frame(7, Buffer.from('+OK\r\n')), dir: 's2c', ann, re: 5, latency: 120 },
      { ...frame(8, Buffer.from('par')), partial: true, term: 'crlf', t: 1.5 },
      { ...frame(9, Buffer.from('x'.repeat(70_000))), oversize: true, injected: true, held: true },
      { ...frame(10, new Uint8Array(0)), conn: 2 ** 40, seq: 0 },
    ];
    for (const f of pushed) ring.push(f);
    const kept = ring.snapshot();
    const plain = (f: TrafficFrame) => ({ ...f, bytes: Buffer.from(f.bytes).toString('latin1') });
    assert.deepEqual(
      kept.map(plain),
      pushed.map((f) => plain({ ann: undefined, re: undefined, latency: undefined, ...f })),
    );
  });

  it('clear() empties it', () => {
    const ring = new FrameRing();
    ring.push(frame(1, Buffer.from('x')));
    ring.clear();
    assert.equal(ring.size, 0);
    assert.deepEqual(ring.snapshot(), []);
  });
});
