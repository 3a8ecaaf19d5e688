/**
 * How numbers look in the panel: times (µs since the session started, or since the row
 * before), latencies, sizes, counts. Pure and locale-free, so tests and screenshots are stable.
 */

/** How the time column reads: since the session started, or since the row above. */
export type TimeMode = 'start' | 'delta';

/** `1,234,567`: digits grouped by three. */
export function formatCount(n: number): string {
  const s = Math.trunc(Math.abs(n)).toString();
  const grouped = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? '-' + grouped : grouped;
}

/**
 * A time in µs as seconds with six decimals, with minutes and hours once it is that long:
 * `0.000123`, `59.999999`, `1:02.500000`, `2:00:00.000000`. The list's fixed columns rely on
 * the digits, so no units.
 */
export function formatClock(us: number): string {
  const neg = us < 0;
  const total = Math.round(Math.abs(us));
  const micros = (total % 1_000_000).toString().padStart(6, '0');
  const secs = Math.floor(total / 1_000_000);
  const s = secs % 60;
  const m = Math.floor(secs / 60) % 60;
  const h = Math.floor(secs / 3600);
  const body =
    h > 0
      ? `${h}:${pad2(m)}:${pad2(s)}.${micros}`
      : m > 0
        ? `${m}:${pad2(s)}.${micros}`
        : `${s}.${micros}`;
  return (neg ? '-' : '') + body;
}

/** The delta column: `+0.000250`, or `-…` when frames are out of time order. */
export function formatDelta(us: number): string {
  return us < 0 ? formatClock(us) : '+' + formatClock(us);
}

/** A duration for people: `850 µs`, `12.3 ms`, `1.50 s`. */
export function formatDuration(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${threeDigits(us / 1000)} ms`;
  return `${threeDigits(us / 1_000_000)} s`;
}

/** A byte count for people: `512 B`, `1.5 KiB`, `12.0 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

function threeDigits(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function pad2(n: number): string {
  return n.toString().padStart(2, '0');
}

/** Caps text that goes into a single-line place: nobody reads past this, and layout pays for it. */
export function clip(text: string, max = 2000): string {
  return text.length > max ? text.slice(0, max) + '…' : text;
}
