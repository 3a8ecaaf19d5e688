import * as assert from 'node:assert/strict';
import {
  MAX_SCROLL_PX,
  atBottom,
  contentHeight,
  firstFromScrollTop,
  maxFirst,
  revealFirst,
  rowOffset,
  scrollScale,
  scrollTopFromFirst,
  visibleRange,
  wheelPixels,
} from '../../../src/webview/virtualRange';

const geo = (count: number, viewportHeight = 220) => ({ rowHeight: 22, count, viewportHeight });

describe('virtualRange', () => {
  it('below the cap: one row per 22 px, rows at pos × height', () => {
    const g = geo(1000);
    assert.equal(contentHeight(g), 22_000);
    assert.equal(scrollScale(g), 1);
    assert.equal(firstFromScrollTop(g, 440), 20);
    assert.equal(scrollTopFromFirst(g, 20), 440);
    assert.equal(rowOffset(g, 20, 440, 25), 550);
    assert.equal(maxFirst(g), 990);
  });

  it('visible rows plus overscan, clipped to the list', () => {
    assert.deepEqual(visibleRange(geo(1000), 20, 5), { start: 15, end: 36 });
    assert.deepEqual(visibleRange(geo(1000), 0, 5), { start: 0, end: 16 });
    assert.deepEqual(visibleRange(geo(3), 0, 5), { start: 0, end: 3 });
    assert.deepEqual(visibleRange(geo(0), 0, 5), { start: 0, end: 0 });
  });

  it('a million rows: height capped, scrollTop scaled, the ends still reachable', () => {
    const g = geo(1_000_000, 600);
    assert.equal(contentHeight(g), MAX_SCROLL_PX);
    assert.ok(scrollScale(g) > 2);
    const bottom = MAX_SCROLL_PX - 600;
    assert.ok(Math.abs(firstFromScrollTop(g, bottom) - maxFirst(g)) < 1e-6);
    assert.equal(firstFromScrollTop(g, 0), 0);
    // scrollTop ↔ first round-trips, so a wheel step of one row is not lost.
    const st = scrollTopFromFirst(g, 500_000.5);
    assert.ok(Math.abs(firstFromScrollTop(g, st) - 500_000.5) < 1e-6);
    // Rows are placed relative to the viewport: first row at scrollTop.
    assert.equal(rowOffset(g, 500_000, st, 500_000), st);
    assert.equal(rowOffset(g, 500_000, st, 500_003), st + 66);
  });

  it('atBottom within half a row; revealFirst moves the least', () => {
    const g = geo(100);
    assert.ok(atBottom(g, 90));
    assert.ok(atBottom(g, 89.6));
    assert.ok(!atBottom(g, 89));
    assert.ok(atBottom(geo(3), 0));
    assert.equal(revealFirst(g, 10, 5), 5);
    assert.equal(revealFirst(g, 10, 12), 10);
    assert.equal(revealFirst(g, 10, 25), 16);
    assert.equal(revealFirst(g, 10, 99), 90);
  });

  it('wheelPixels converts lines and pages to pixels', () => {
    const g = geo(100);
    assert.equal(wheelPixels(-120, 0, g), -120);
    assert.equal(wheelPixels(3, 1, g), 66);
    assert.equal(wheelPixels(1, 2, g), 220);
  });
});
