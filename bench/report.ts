/** Timing and number formatting for the benchmarks, and a Markdown table printer. */

/**
 * Which clock times a run. CPU time (this process, every thread: GC helpers count) by default:
 * on a shared machine wall time mostly measures who else is running.
 */
export type Clock = 'cpu' | 'wall';

function now(clock: Clock): number {
  if (clock === 'wall') return Number(process.hrtime.bigint()) / 1e6;
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Runs `fn` once; returns its result and the time it took in ms on `clock`. */
export function timeOnce<T>(fn: () => T, clock: Clock): { result: T; ms: number } {
  const start = now(clock);
  const result = fn();
  return { result, ms: now(clock) - start };
}

/** The median of a list; NaN when it is empty (the implementation did not run). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  if (s.length === 0) return NaN;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** A number with three significant digits and thousands separators: 1,234 / 12.3 / 0.456. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : value >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A count of bytes as KiB or MiB. */
export function size(bytes: number): string {
  if (bytes >= 1 << 20) return `${num(bytes / (1 << 20))} MiB`;
  if (bytes >= 1 << 10) return `${num(bytes / (1 << 10))} KiB`;
  return `${bytes} B`;
}

/** A Markdown table, columns padded so it also reads well as plain text. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  alignRight: readonly boolean[],
): string {
  const widths = header.map((h, c) => Math.max(3, h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, c) => (alignRight[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (alignRight[c] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
