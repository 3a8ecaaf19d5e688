import * as assert from 'node:assert/strict';
import { MAX_ROWS } from '../../../src/shared/protocol';
import { MAX_IN_FLIGHT, RowCache } from '../../../src/webview/rowCache';
import { row } from './rows';

const rows = (start: number, n: number) => Array.from({ length: n }, (_, k) => row(start + k));

describe('RowCache', () => {
  it('plans one request for the gaps, not for what is cached or in flight', () => {
    const c = new RowCache();
    const a = c.plan(0, 50)!;
    assert.deepEqual({ start: a.start, count: a.count }, { start: 0, count: 50 });
    assert.equal(c.plan(10, 40), undefined, 'already in flight');
    assert.equal(c.receive(a, 0, rows(0, 50)), 'ok');
    assert.equal(c.get(7)?.id, 7);
    const b = c.plan(40, 70)!;
    assert.deepEqual({ start: b.start, count: b.count }, { start: 50, count: 20 });
  });

  it('never asks for more than MAX_ROWS, and caps requests in flight', () => {
    const c = new RowCache();
    assert.equal(c.plan(0, 10_000)!.count, MAX_ROWS);
    for (let k = 1; k < MAX_IN_FLIGHT; k++) assert.ok(c.plan(k * 1000, k * 1000 + 10));
    assert.equal(c.plan(90_000, 90_010), undefined);
  });

  it('drops answers from before an invalidate', () => {
    const c = new RowCache();
    const old = c.plan(0, 10)!;
    c.invalidate();
    assert.equal(c.receive(old, 0, rows(0, 10)), 'stale');
    assert.equal(c.size, 0);
    assert.ok(c.plan(0, 10), 'the range is asked for again');
  });

  it('abandon frees a range; truncate and evict bound what is kept; findId', () => {
    const c = new RowCache();
    const r = c.plan(0, 10)!;
    c.abandon(r);
    assert.ok(c.plan(0, 10));
    const c2 = new RowCache();
    for (let s = 0; s < 3000; s += 500) c2.receive(c2.plan(s, s + 500)!, s, rows(s, 500));
    assert.equal(c2.size, 3000);
    c2.evict(2900, 1000);
    assert.ok(c2.size <= 1001);
    assert.equal(c2.get(100), undefined);
    assert.equal(c2.findId(2800), 2800);
    c2.truncate(2850);
    assert.equal(c2.get(2900), undefined);
    assert.equal(c2.get(2849)?.id, 2849);
  });

  it('shift re-keys rows when the first ones leave the list', () => {
    const c = new RowCache();
    c.receive(c.plan(0, 20)!, 0, rows(0, 20));
    const inFlight = c.plan(20, 30)!;
    c.shift(5);
    assert.equal(c.get(0)?.id, 5);
    assert.equal(c.get(14)?.id, 19);
    assert.equal(c.get(15), undefined);
    assert.equal(c.receive(inFlight, 20, rows(20, 10)), 'stale');
  });

  it('keeps old rows drawable after invalidate(true) until fresh ones land', () => {
    const c = new RowCache();
    c.receive(c.plan(0, 10)!, 0, rows(0, 10));
    c.invalidate(true);
    assert.equal(c.get(3), undefined);
    assert.equal(c.shown(3)?.id, 3);
    c.receive(c.plan(0, 5)!, 0, rows(100, 5));
    assert.equal(c.shown(3)?.id, 103);
    assert.equal(c.shown(7), undefined);
  });

  it('an answer whose ids do not fit its neighbours resets the cache', () => {
    const c = new RowCache();
    c.receive(c.plan(0, 10)!, 0, rows(50, 10));
    assert.equal(c.receive(c.plan(10, 15)!, 10, rows(3, 5)), 'conflict');
    assert.equal(c.get(0), undefined);
    assert.equal(c.get(10)?.id, 3);
    assert.equal(c.receive(c.plan(15, 20)!, 15, rows(8, 5)), 'ok');
  });

  it('does not ask again past a short answer until the length changes', () => {
    const c = new RowCache();
    c.receive(c.plan(0, 20)!, 0, rows(0, 12));
    assert.equal(c.plan(0, 20), undefined);
    c.truncate(25);
    assert.deepEqual(c.plan(0, 20)?.start, 12);
  });
});
