import * as assert from 'node:assert/strict';
import {
  checkedComparison,
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
    assert.ok(isFrameRow(row(1, { outcome: 'differs' })));
    for (const bad of [
      { ...row(1), outcome: 'better' },
      { ...row(1), outcome: 1 },
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
    assert.equal(checkedSource({ kind: 'replay' }).kind, 'replay');
    assert.equal(checkedSource({ kind: 'shell' }).kind, 'capture');
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

  it('checkedComparison keeps a replay comparison only with a known outcome, bad parts left out', () => {
    assert.equal(checkedComparison({ outcome: 'worse' }), undefined);
    assert.equal(checkedComparison('differs'), undefined);
    const c = checkedComparison({
      outcome: 'differs',
      exchange: 'conn 1 #1 GET greeting',
      recorded: Uint8Array.of(36, 53),
      recordedSize: 11,
      diff: [{ op: 'removed', text: 'hello' }, { op: 'eval', text: 'x' }, { op: 'added' }],
      note: 7,
      masks: ['dates', 3],
    });
    assert.equal(c?.outcome, 'differs');
    assert.equal(c?.recordedSize, 11);
    assert.deepEqual(c?.diff, [{ op: 'removed', text: 'hello' }]);
    assert.equal(c?.note, undefined);
    assert.deepEqual(c?.masks, ['dates']);
    // Bytes that are not bytes are dropped, and with them any size claimed for them.
    const noBytes = checkedComparison({ outcome: 'missing', recorded: [1, 2], recordedSize: 2 });
    assert.equal(noBytes?.recorded, undefined);
    assert.equal(noBytes?.recordedSize, undefined);
    const d = checkedDetail({ row: row(1), bytes: Uint8Array.of(65), replay: { outcome: 'x' } });
    assert.equal(d?.replay, undefined);
  });
});
