import * as assert from 'node:assert/strict';
import {
  formatBytes,
  formatClock,
  formatCount,
  formatDelta,
  formatDuration,
} from '../../../src/webview/format';

describe('format', () => {
  it('formatClock: seconds with µs, then minutes, then hours', () => {
    assert.equal(formatClock(0), '0.000000');
    assert.equal(formatClock(123), '0.000123');
    assert.equal(formatClock(59_999_999), '59.999999');
    assert.equal(formatClock(62_500_000), '1:02.500000');
    assert.equal(formatClock(7_200_000_000), '2:00:00.000000');
  });

  it('formatDelta is signed', () => {
    assert.equal(formatDelta(250), '+0.000250');
    assert.equal(formatDelta(-5), '-0.000005');
  });

  it('formatDuration picks µs, ms or s', () => {
    assert.equal(formatDuration(850), '850 µs');
    assert.equal(formatDuration(12_345), '12.3 ms');
    assert.equal(formatDuration(1_500_000), '1.50 s');
  });

  it('formatBytes and formatCount', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(12 * 1024 * 1024), '12.0 MiB');
    assert.equal(formatCount(1_234_567), '1,234,567');
    assert.equal(formatCount(999), '999');
    assert.equal(formatCount(0), '0');
  });
});
