/** The Markdown the proxy benchmarks print: each case side by side, then the targets. */
import { markdownTable, median, num } from './report';
import { DIRECT, LINETAP, SOCAT } from './relays';

/** One relay on one stream case: a figure per timed run. */
export interface StreamResult {
  readonly caseTitle: string;
  readonly relay: string;
  /** Stream bytes and lines of one run. */
  readonly bytes: number;
  readonly lines: number;
  /** Wall-clock ms of each timed run. */
  readonly ms: number[];
  /** The relay process's CPU ms of each timed run (NaN when not measured). */
  readonly cpuMs: number[];
  /** Capture: every run's capture held every frame (undefined when there is no capture). */
  readonly captureComplete?: boolean;
}

/** One relay on one redis-benchmark setting: req/s of each timed run. */
export interface RedisResult {
  readonly pipeline: number;
  readonly relay: string;
  readonly requests: number;
  readonly set: number[];
  readonly get: number[];
}

/** Round-trip times of one relay, µs. */
export interface LatencyResult {
  readonly relay: string;
  readonly samples: Float64Array;
}

/** Memory of one relay process with `pairs` idle connection pairs. */
export interface MemoryResult {
  readonly relay: string;
  readonly pairs: number;
  readonly fdLimit: number;
  readonly rssBefore: number;
  readonly rss: number;
  readonly heapUsed: number;
}

/** Everything the proxy suite measured (a case left out with --only is empty). */
export interface ProxyResults {
  readonly streams: StreamResult[];
  readonly redis: RedisResult[];
  readonly latency: LatencyResult[];
  readonly memory: MemoryResult[];
  /** Cases that could not run, and why. */
  readonly skipped: string[];
}

const MB = 1e6;
/** The connection count for the memory target. */
export const IDLE_PAIRS = 10_000;

function mbps(r: StreamResult): number {
  return r.bytes / MB / (median(r.ms) / 1000);
}

function framesPerSec(r: StreamResult): number {
  return r.lines / (median(r.ms) / 1000);
}

function ratio(value: number, base: number | undefined): string {
  const x = base === undefined ? NaN : value / base;
  return Number.isFinite(x) ? `${num(x)}x` : 'n/a';
}

function streamBase(all: readonly StreamResult[], r: StreamResult, relay: string): number {
  const b = all.find((x) => x.caseTitle === r.caseTitle && x.relay === relay);
  return b ? mbps(b) : NaN;
}

/** Relay throughput: each relay's MB/s and frames/s, as ratios to direct and to socat. */
export function streamTable(results: readonly StreamResult[]): string {
  const body = results.map((r) => {
    const rate = mbps(r);
    const cpu = median(r.cpuMs);
    // CPU seconds the relay process spent per GB relayed: its cost, whatever the wall clock.
    const cpuPerGb = cpu / 1000 / (r.bytes / 1e9);
    const rates = r.ms.map((ms) => r.bytes / MB / (ms / 1000));
    return [
      r.caseTitle,
      r.relay,
      num(rate),
      num(framesPerSec(r)),
      r.relay === DIRECT ? '1 (baseline)' : ratio(rate, streamBase(results, r, DIRECT)),
      r.relay === SOCAT ? '1 (baseline)' : ratio(rate, streamBase(results, r, SOCAT)),
      Number.isFinite(cpuPerGb) ? num(cpuPerGb) : 'n/a',
      `${num(Math.min(...rates))} to ${num(Math.max(...rates))}`,
    ];
  });
  return markdownTable(
    [
      'workload',
      'relay',
      'MB/s',
      'lines/s',
      'vs direct',
      'vs socat',
      'relay CPU s/GB',
      'runs MB/s',
    ],
    body,
    [false, false, true, true, true, true, true, false],
  );
}

function redisBase(all: readonly RedisResult[], r: RedisResult, relay: string) {
  return all.find((x) => x.pipeline === r.pipeline && x.relay === relay);
}

/** redis-benchmark: SET and GET req/s per relay, with ratios to direct and socat. */
export function redisTable(results: readonly RedisResult[]): string {
  const body = results.map((r) => {
    const direct = redisBase(results, r, DIRECT);
    const socat = redisBase(results, r, SOCAT);
    const both = (base: RedisResult | undefined): string =>
      `${ratio(median(r.set), base && median(base.set))} / ${ratio(median(r.get), base && median(base.get))}`;
    return [
      r.pipeline === 1 ? 'none' : `-P ${r.pipeline}`,
      r.relay,
      num(median(r.set)),
      num(median(r.get)),
      r.relay === DIRECT ? '1 (baseline)' : both(direct),
      r.relay === SOCAT ? '1 (baseline)' : both(socat),
    ];
  });
  return markdownTable(
    [
      'pipelining',
      'relay',
      'SET req/s',
      'GET req/s',
      'vs direct (SET / GET)',
      'vs socat (SET / GET)',
    ],
    body,
    [false, false, true, true, true, true],
  );
}

/** The q-quantile of sorted samples (nearest rank). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function latencyOf(results: readonly LatencyResult[], relay: string) {
  const r = results.find((x) => x.relay === relay);
  return r && { p50: quantile(r.samples, 0.5), p99: quantile(r.samples, 0.99) };
}

/** Round trips: p50 and p99 per relay, and what each relay adds to the direct connection's. */
export function latencyTable(results: readonly LatencyResult[]): string {
  const direct = latencyOf(results, DIRECT);
  const body = results.map((r) => {
    const own = latencyOf(results, r.relay) ?? { p50: NaN, p99: NaN };
    const added = (v: number, base: number | undefined) =>
      r.relay === DIRECT ? '-' : num(v - (base ?? NaN));
    return [
      r.relay,
      String(r.samples.length),
      num(own.p50),
      num(own.p99),
      added(own.p50, direct?.p50),
      added(own.p99, direct?.p99),
    ];
  });
  return markdownTable(
    ['relay', 'round trips', 'p50 µs', 'p99 µs', 'added p50 µs', 'added p99 µs'],
    body,
    [false, true, true, true, true, true],
  );
}

/** RSS projected to IDLE_PAIRS from the growth measured with `pairs`. */
export function projectedRss(m: MemoryResult): number {
  return m.rssBefore + ((m.rss - m.rssBefore) / m.pairs) * IDLE_PAIRS;
}

/** Memory of the relay process with idle connection pairs. */
export function memoryTable(results: readonly MemoryResult[]): string {
  const body = results.map((m) => [
    m.relay,
    m.pairs.toLocaleString('en-US'),
    num(m.rssBefore / MB),
    num(m.rss / MB),
    num(m.heapUsed / MB),
    num((m.rss - m.rssBefore) / m.pairs / 1000),
    m.pairs >= IDLE_PAIRS ? num(m.rss / MB) : num(projectedRss(m) / MB),
  ]);
  return markdownTable(
    [
      'relay',
      'idle pairs',
      'RSS before MB',
      'RSS MB',
      'heap used MB',
      'KB per pair',
      `RSS at ${IDLE_PAIRS.toLocaleString('en-US')} MB`,
    ],
    body,
    [false, true, true, true, true, true, true],
  );
}

function verdict(met: boolean, value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return met ? 'yes' : '**no**';
}

/** The targets for linetap, each with what was measured and whether it is met. */
export function proxyTargetsTable(res: ProxyResults): string {
  const out: string[][] = [];
  const stream = (title: string, relay: string) =>
    res.streams.find((r) => r.caseTitle === title && r.relay === relay);
  const bulk = stream('4 KiB CRLF lines', LINETAP);
  if (bulk) {
    const vsDirect = mbps(bulk) / streamBase(res.streams, bulk, DIRECT);
    const vsSocat = mbps(bulk) / streamBase(res.streams, bulk, SOCAT);
    out.push([
      '4 KiB lines, framing on: >= 0.6x direct',
      `${num(vsDirect)}x`,
      verdict(vsDirect >= 0.6, vsDirect),
    ]);
    out.push([
      '4 KiB lines, framing on: >= 1.5x socat',
      `${num(vsSocat)}x`,
      verdict(vsSocat >= 1.5, vsSocat),
    ]);
  }
  const cap = stream('64-byte CRLF lines', LINETAP);
  if (cap) {
    const fps = framesPerSec(cap);
    out.push([
      '64-byte lines, framing + capture: >= 1.5 M frames/s',
      `${num(fps / 1e6)} M/s`,
      verdict(fps >= 1.5e6, fps),
    ]);
    out.push([
      '64-byte lines: every frame in the capture',
      cap.captureComplete ? 'every run' : 'frames missing',
      cap.captureComplete ? 'yes' : '**no**',
    ]);
  }
  for (const [pipeline, want] of [
    [1, 0.7],
    [16, 0.5],
  ] as const) {
    const r = res.redis.find((x) => x.pipeline === pipeline && x.relay === LINETAP);
    const d = r && redisBase(res.redis, r, DIRECT);
    if (!r || !d) continue;
    const worst = Math.min(median(r.set) / median(d.set), median(r.get) / median(d.get));
    const what = pipeline === 1 ? 'unpipelined' : `-P ${pipeline}`;
    out.push([
      `redis-benchmark ${what}: >= ${want}x direct (SET and GET)`,
      `${num(worst)}x (worse of the two)`,
      verdict(worst >= want, worst),
    ]);
  }
  const direct = latencyOf(res.latency, DIRECT);
  const lt = latencyOf(res.latency, LINETAP);
  if (direct && lt) {
    const p50 = lt.p50 - direct.p50;
    const p99 = lt.p99 - direct.p99;
    out.push(['latency added: p50 < 50 µs', `${num(p50)} µs`, verdict(p50 < 50, p50)]);
    out.push(['latency added: p99 < 0.5 ms', `${num(p99)} µs`, verdict(p99 < 500, p99)]);
  }
  const mem = res.memory.find((m) => m.relay === LINETAP);
  if (mem) {
    const rss = mem.pairs >= IDLE_PAIRS ? mem.rss : projectedRss(mem);
    const how =
      mem.pairs >= IDLE_PAIRS ? '' : ` (projected from ${mem.pairs.toLocaleString('en-US')})`;
    out.push([
      '10,000 idle connections: RSS < 500 MB',
      `${num(rss / MB)} MB${how}`,
      verdict(rss < 500 * MB, rss),
    ]);
  }
  return markdownTable(['target (linetap)', 'measured', 'met'], out, [false, true, false]);
}
