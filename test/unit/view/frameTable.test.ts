import * as assert from 'node:assert/strict';
import { FrameTable } from '../../../src/core/view/frameTable';
import { DETAIL_BYTES, FrameFlag } from '../../../src/shared/protocol';
import type { TrafficFrame } from '../../../src/shared/traffic';

let nextId = 1;
function frame(text: string | Uint8Array, over: Partial<TrafficFrame> = {}): TrafficFrame {
  return {
    id: nextId++,
    conn: 1,
    dir: 'c2s',
    seq: 0,
    t: 0,
    bytes: typeof text === 'string' ? Buffer.from(text, 'latin1') : text,
    term: 'crlf',
    partial: false,
    oversize: false,
    injected: false,
    held: false,
    ...over,
  };
}

describe('FrameTable', () => {
  it('lists rows of the filtered frames, with escapes visible and flags as bits', () => {
    const t = new FrameTable();
    t.push(frame('PING\r\n'));
    t.push(frame('+PONG\r\n', { dir: 's2c', injected: true }));
    t.push(frame('SET k v\r\n', { ann: { name: 'SET', summary: 'SET k "v"' } }));
    assert.equal(t.total, 3);
    assert.deepEqual(
      t.rows(0, 10).map((r) => [r.index, r.summary, r.flags]),
      [
        [0, 'PING\\r\\n', 0],
        [1, '+PONG\\r\\n', FrameFlag.injected],
        [2, 'SET k "v"', 0],
      ],
    );
    t.setFilter('s2c or name:SET');
    assert.equal(t.matched, 2);
    assert.deepEqual(
      t.rows(0, 10).map((r) => r.index),
      [1, 2],
    );
    t.push(frame('x', { dir: 's2c' }));
    assert.deepEqual(
      t.rows(1, 10).map((r) => r.index),
      [2, 3],
    );
    assert.throws(() => t.setFilter('size >'), /filter|size/i);
  });

  it('drops the oldest frames past its limits, keeping indexes absolute', () => {
    const t = new FrameTable({ frames: 3 });
    for (let i = 0; i < 10; i++) t.push(frame(`line ${i}\n`, { dir: i % 2 ? 's2c' : 'c2s' }));
    assert.equal(t.total, 3);
    assert.equal(t.dropped, 7);
    assert.equal(t.first, 7);
    assert.deepEqual(
      t.rows(0, 10).map((r) => [r.index, r.summary]),
      [
        [7, 'line 7\\n'],
        [8, 'line 8\\n'],
        [9, 'line 9\\n'],
      ],
    );
    t.setFilter('c2s');
    assert.deepEqual(
      t.rows(0, 10).map((r) => r.index),
      [8],
    );
    assert.equal(t.get(6), undefined);
    const bytes = new FrameTable({ bytes: 10 });
    for (let i = 0; i < 5; i++) bytes.push(frame('12345'));
    assert.equal(bytes.total, 2);
  });

  it('stays linear when a flood pushes far past the limit', () => {
    const t = new FrameTable({ frames: 1000 });
    t.setFilter('c2s');
    for (let i = 0; i < 200_000; i++) t.push(frame('x', { dir: i % 2 ? 's2c' : 'c2s' }));
    assert.equal(t.total, 1000);
    assert.equal(t.matched, 500);
    assert.equal(t.rows(0, 1)[0].index, 199_000);
  });

  it('pairs a request with its reply both ways in the detail', () => {
    const t = new FrameTable();
    const req = frame('GET k\r\n', { ann: { kind: 'request', name: 'GET' } });
    t.push(req);
    t.push(frame('other\r\n', { conn: 2 }));
    t.push(frame('$1\r\nv\r\n', { dir: 's2c', re: req.id, latency: 120 }));
    assert.equal(t.detail(0)?.pair?.index, 2);
    const reply = t.detail(2);
    assert.equal(reply?.pair?.index, 0);
    assert.equal(reply?.row.latency, 120);
    assert.equal(reply?.term, 'crlf');
    assert.equal(t.detail(5), undefined);
  });

  it('cuts the detail of a huge frame and copies bytes out of shared buffers', () => {
    const t = new FrameTable();
    const pool = Buffer.alloc(DETAIL_BYTES + 10, 0x61);
    t.push(frame(pool));
    pool[0] = 0x7a;
    const d = t.detail(0)!;
    assert.equal(d.bytes.length, DETAIL_BYTES);
    assert.equal(d.truncated, true);
    assert.equal(d.bytes[0], 0x61, 'the table kept its own copy');
    assert.equal(
      Object.getPrototypeOf(d.bytes),
      Uint8Array.prototype,
      'not a Buffer: it must post as bytes',
    );
    assert.ok(t.rows(0, 1)[0].summary.length <= 200);
  });
});
