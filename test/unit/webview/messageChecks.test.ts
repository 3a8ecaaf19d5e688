import * as assert from 'node:assert/strict';
import {
  checkedDetail,
  checkedRows,
  checkedSource,
  checkedStatus,
  isFrameRow,
} from '../../../src/webview/messageChecks';
import { row } from './rows';

describe('messageChecks', () => {
  it('accepts good rows and refuses malformed ones', () => {
    assert.ok(isFrameRow(row(1, { name: 'SET', warnings: ['bare-lf'], re: 0, latency: 5 })));
    for (const bad of [
      { ...row(1), dir: 'up' },
      { ...row(1), summary: 42 },
      { ...row(1), id: -1 },
      { ...row(1), warnings: [{}] },
      { ...row(1), t: Infinity },
      null,
      [],
    ]) {
      assert.equal(isFrameRow(bad), false, JSON.stringify(bad));
    }
  });

  it('checkedRows stops at the first bad row so positions stay right', () => {
    assert.deepEqual(
      checkedRows([row(1), row(2), { bogus: true }, row(4)]).map((r) => r.id),
      [1, 2],
    );
  });

  it('checkedStatus cleans lists and refuses broken counts', () => {
    const s = checkedStatus({
      total: 3,
      matched: 2,
      dropped: 0,
      growing: true,
      connections: [{ conn: 1, peer: 'x', open: true, bytes: { c2s: 1, s2c: 2 } }, { conn: 'x' }],
      held: [row(1), 'nope', { ...row(9), index: -1 }, { ...row(10), index: -2 }],
      breakpoint: 7,
    });
    assert.equal(s?.connections.length, 1);
    assert.deepEqual(
      s?.held.map((r) => r.id),
      [1, 9],
    );
    assert.equal(s?.breakpoint, '');
    assert.equal(checkedStatus({ total: 1, matched: 1 }), undefined);
  });

  it('checkedSource is not interactive unless it says so', () => {
    const s = checkedSource({ kind: 'live', interactive: 'yes', title: 1 });
    assert.equal(s.interactive, false);
    assert.equal(s.title, '');
    assert.equal(s.kind, 'live');
  });

  it('checkedDetail wants real bytes, and keeps only sane annotation parts', () => {
    assert.equal(checkedDetail({ row: row(1), bytes: [1, 2] }), undefined);
    const d = checkedDetail({
      row: row(1),
      bytes: Uint8Array.of(65),
      ann: { kind: 'evil', name: 'SET', args: ['a', 1], fields: { k: 'v', o: {} }, warnings: [{}] },
      pair: { junk: 1 },
    });
    assert.equal(d?.ann?.kind, undefined);
    assert.deepEqual(d?.ann?.args, ['a']);
    assert.deepEqual(d?.ann?.fields, { k: 'v' });
    assert.deepEqual(d?.ann?.warnings, []);
    assert.equal(d?.pair, undefined);
  });
});
