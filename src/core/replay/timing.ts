/** Pace of a replay or a mock: as fast as possible, as recorded, or scaled. */

/**
 * Parses a pace: `asap`, `recorded`, or `xN` (N times the recorded speed: x2 twice as fast,
 * x0.5 half as fast). Returns the speed factor, Infinity for asap.
 */
export function parseTiming(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'asap') return Infinity;
  if (t === 'recorded') return 1;
  const m = /^x([0-9]+(?:\.[0-9]+)?)$/.exec(t);
  if (m && Number(m[1]) > 0) return Number(m[1]);
  throw new RangeError(
    `bad timing "${text}": use asap, recorded, or xN for N times the recorded speed ` +
      '(x2 twice as fast, x0.5 half as fast)',
  );
}

/** Sleeps until `performance.now()` reaches `at` (ms), or until the signal aborts. */
export function sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
  const ms = at - performance.now();
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
