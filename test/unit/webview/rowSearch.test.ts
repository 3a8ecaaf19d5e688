import * as assert from 'node:assert/strict';
import type { FrameRow } from '../../../src/shared/protocol';
import { findPosOfId, findRow, type SearchSource } from '../../../src/webview/rowSearch';
import { row } from './rows';

function source(n: number, hits: number[], cachedUpTo = 0) {
  const all = Array.from({ length: n }, (_, i) =>
    row(i, { summary: hits.includes(i) ? `GET /needle/${i}` : `PING ${i}` }),
  );
  const fetches: Array<[number, number]> = [];
  let cancel = false;
  const src: SearchSource = {
    count: n,
    cached: (pos) => (pos < cachedUpTo ? all[pos] : undefined),
    fetch: async (pos, count) => {
      fetches.push([pos, count]);
      return all.slice(pos, pos + count) as FrameRow[];
    },
    cancelled: () => cancel,
  };
  return { src, fetches, cancelNow: () => (cancel = true) };
}

describe('findRow', () => {
  it('finds the next and previous match, wrapping around once', async () => {
    const { src } = source(100, [10, 60]);
    assert.equal(await findRow(src, 'NEEDLE', -1, false), 10);
    assert.equal(await findRow(src, 'needle', 10, false), 60);
    assert.equal(await findRow(src, 'needle', 60, false), 10);
    assert.equal(await findRow(src, 'needle', 60, true), 10);
    assert.equal(await findRow(src, 'needle', 10, true), 60);
    assert.equal(await findRow(src, 'needle', -1, true), 60);
    assert.equal(await findRow(src, 'absent', 5, false), undefined);
    assert.equal(await findRow(src, '', 5, false), undefined);
  });

  it('uses cached rows and fetches the rest in chunks of at most MAX_ROWS', async () => {
    const { src, fetches } = source(2000, [1500], 1000);
    assert.equal(await findRow(src, 'needle', 0, false), 1500);
    assert.deepEqual(fetches, [
      [1000, 500],
      [1500, 500],
    ]);
    const back = source(2000, [100]);
    assert.equal(await findRow(back.src, 'needle', 1999, true), 100);
    assert.deepEqual(back.fetches[0], [1499, 500]);
  });

  it('stops when cancelled', async () => {
    const { src, cancelNow } = source(2000, [1999]);
    const p = findRow(src, 'needle', 0, false);
    cancelNow();
    assert.equal(await p, undefined);
  });
});

describe('findPosOfId', () => {
  it('finds a frame by id in a filtered list with few fetches', async () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => i * 3);
    let fetches = 0;
    const src = {
      count: ids.length,
      cached: () => undefined,
      fetch: async (pos: number) => {
        fetches++;
        return ids[pos] === undefined ? [] : [row(ids[pos])];
      },
    };
    assert.equal(await findPosOfId(src, 3 * 77_777), 77_777);
    assert.ok(fetches <= 17, `${fetches} fetches`);
    assert.equal(await findPosOfId(src, 3 * 500 + 1), undefined, 'filtered out');
    assert.equal(await findPosOfId({ ...src, count: 0 }, 0), undefined);
  });
});
