// The replay panel's table: outcomes on rows, comparisons in details, and comparisons of frames
// the table has dropped let go of, so a long replay stays within the table's limits.
import * as assert from 'node:assert/strict';
import type { ExchangeReport } from '../../../src/core/replay/replayReport';
import { ReplayTable } from '../../../src/core/replay/replayTable';
import type { TrafficFrame } from '../../../src/shared/traffic';

function frame(id: number, text: string): TrafficFrame {
  return {
    id,
    conn: 1,
    dir: 's2c',
    seq: id,
    t: id,
    bytes: Buffer.from(text),
    term: 'crlf',
    partial: false,
    oversize: false,
    injected: false,
    held: false,
  };
}

function exchange(expected: string, actual: string): ExchangeReport {
  const status = expected === actual ? 'matched' : 'differs';
  return {
    conn: 1,
    index: 1,
    summary: 'GET k',
    status,
    frames: [{ status, expected: Buffer.from(expected), actual: Buffer.from(actual) }],
  };
}

describe('ReplayTable', () => {
  it('lets go of the comparisons of frames it dropped', () => {
    const table = new ReplayTable({ frames: 10 }, []);
    const n = 3000;
    for (let id = 1; id <= n; id++) {
      const x = exchange('a\r\n', id % 2 ? 'a\r\n' : 'b\r\n');
      table.pushFrame(frame(id, id % 2 ? 'a\r\n' : 'b\r\n'), { exchange: x, result: x.frames[0] });
    }
    assert.equal(table.total, 10);
    assert.equal(table.comparison(1), undefined, 'the oldest comparison is gone with its frame');
    assert.equal(table.comparison(n)?.result.status, 'differs');
    const rows = table.rows(0, 10);
    assert.deepEqual(
      rows.map((r) => r.outcome),
      rows.map((r) => (r.id % 2 ? 'matched' : 'differs')),
    );
    const d = table.detail(rows[9].index);
    assert.equal(d?.replay?.exchange, 'conn 1 #1 GET k');
    assert.equal(Buffer.from(d!.replay!.recorded!).toString(), 'a\r\n');
    table.clear();
    assert.equal(table.comparison(n), undefined);
  });
});
