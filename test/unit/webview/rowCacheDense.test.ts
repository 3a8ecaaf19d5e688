import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FrameRow } from '../../../src/shared/protocol';
import { RowCache, type RowRequest } from '../../../src/webview/rowCache';
import { row } from './rows';

/** Rows of a dense list: frame `index` has id `index`. */
const frames = (index: number, n: number) =>
  Array.from({ length: n }, (_, k) => row(index + k, { index: index + k }));

describe('RowCache, unfiltered (dense) list', () => {
  it('an answer in flight when the first rows leave the list lands, moved up with them', () => {
    const c = new RowCache();
    c.setBase(100);
    c.receive(c.plan(0, 20)!, 0, frames(100, 20));
    const inFlight = c.plan(20, 30)!;
    c.shift(5);
    assert.equal(c.receive(inFlight, 20, frames(120, 10)), 'ok');
    for (let pos = 0; pos < 25; pos++) assert.equal(c.get(pos)?.index, 105 + pos, `row ${pos}`);
    assert.equal(c.get(25), undefined);
  });

  it('places an answer by index when the host let more frames go than the last status said', () => {
    const c = new RowCache();
    c.setBase(100);
    // Asked for positions 10..20 under base 100; the host had dropped 3 more when it answered,
    // so its positions 10..20 are frames 113..123 (positions 13..23 here).
    const req = c.plan(10, 20)!;
    assert.equal(c.receive(req, 10, frames(113, 10)), 'ok');
    assert.equal(c.get(10), undefined);
    assert.equal(c.get(13)?.index, 113);
    assert.equal(c.get(22)?.index, 122);
    // The next status says so: the rows move up to where they belong.
    c.shift(3);
    c.setBase(103);
    assert.equal(c.get(10)?.index, 113);
    assert.equal(c.get(19)?.index, 122);
  });

  it('does not ask again for rows already asked for when the list shifts', () => {
    const c = new RowCache();
    c.setBase(0);
    const first = c.plan(20, 30)!;
    c.shift(5);
    const next = c.plan(15, 30)!;
    assert.deepEqual({ start: next.start, count: next.count }, { start: 25, count: 5 });
    c.receive(first, 20, frames(20, 10));
    c.receive(next, 25, frames(30, 5));
    for (let pos = 15; pos < 30; pos++) assert.equal(c.get(pos)?.index, 5 + pos);
  });

  it('keeps only the rows that fit when the base becomes known, and follows a base that jumps', () => {
    const c = new RowCache();
    c.receive(c.plan(0, 10)!, 0, frames(52, 10));
    c.receive(c.plan(10, 12)!, 10, frames(70, 2)); // placed by position, before the base
    c.setBase(52);
    assert.equal(c.get(9)?.index, 61);
    assert.equal(c.get(10), undefined);
    c.setBase(55); // a capped shift (a clear): what is left moves by the difference
    assert.equal(c.get(0)?.index, 55);
    assert.equal(c.get(6)?.index, 61);
    assert.equal(c.get(7), undefined);
  });

  it('an answer whose indexes are not dense resets the cache', () => {
    const c = new RowCache();
    c.setBase(0);
    c.receive(c.plan(0, 5)!, 0, frames(0, 5));
    const gappy = [row(10, { index: 10 }), row(12, { index: 12 })];
    assert.equal(c.receive(c.plan(5, 7)!, 5, gappy), 'conflict');
    assert.equal(c.get(0), undefined);
    assert.equal(c.base, undefined);
  });

  it('never drops an answer and never shows a row at a wrong position (a flooded ring)', () => {
    type Message =
      | { kind: 'status'; matched: number; dropped: number }
      | { kind: 'rows'; req: RowRequest; pos: number; rows: FrameRow[] };
    const step = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), n: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ kind: fc.constant('status' as const) }),
      fc.record({ kind: fc.constant('answer' as const) }),
      fc.record({ kind: fc.constant('deliver' as const) }),
      fc.record({
        kind: fc.constant('ask' as const),
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        n: fc.integer({ min: 1, max: 30 }),
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 60 }),
        fc.array(step, { minLength: 50, maxLength: 300, size: 'max' }),
        (ring, steps) => {
          // The host: a ring of `ring` frames; index = frames ever appended before this one.
          let appended = 0;
          const hostDropped = () => Math.max(0, appended - ring);
          const hostMatched = () => appended - hostDropped();
          const toWebview: Message[] = [];
          const toHost: { req: RowRequest; pos: number; count: number }[] = [];
          // The webview: what the panel and the list do with a status.
          const c = new RowCache();
          let status: { matched: number; dropped: number } | undefined;
          for (const s of steps) {
            if (s.kind === 'push') appended += s.n;
            else if (s.kind === 'status')
              toWebview.push({ kind: 'status', matched: hostMatched(), dropped: hostDropped() });
            else if (s.kind === 'answer') {
              const q = toHost.shift();
              if (!q) continue;
              const start = hostDropped() + q.pos;
              const end = Math.min(appended, start + q.count);
              const rows = start < end ? frames(start, end - start) : [];
              toWebview.push({ kind: 'rows', req: q.req, pos: q.pos, rows });
            } else if (s.kind === 'deliver') {
              const m = toWebview.shift();
              if (!m) continue;
              if (m.kind === 'rows') {
                assert.equal(c.receive(m.req, m.pos, m.rows), 'ok');
              } else {
                const prev = status;
                status = m;
                if (prev && m.dropped > prev.dropped)
                  c.shift(Math.min(m.dropped - prev.dropped, prev.matched));
                c.setBase(m.dropped);
                if (!prev || prev.matched !== m.matched) c.truncate(m.matched);
              }
            } else if (status && status.matched > 0) {
              const start = Math.floor(s.at * (status.matched - 1));
              const req = c.plan(start, Math.min(status.matched, start + s.n));
              if (req) toHost.push({ req, pos: req.start, count: req.count });
            }
            if (status) {
              for (let pos = -5; pos < status.matched + 100; pos++) {
                const r = c.get(pos);
                if (r) assert.equal(r.index, status.dropped + pos, `row at ${pos}`);
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
