/**
 * The proxy suite of `npm run bench` (`--suite=proxy`): linetap side by side with a direct
 * connection, socat and a naive Node relay doing the same relay, on real loopback sockets, in one
 * run. Each relay runs in a process of its own; the sender and receiver (bench/loadChild.ts) are
 * one more process, the same whatever the relay. Runs take turns, one per relay per round, so a
 * change in machine load hits every relay alike.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { ask, sleep, startChild } from './benchChildren';
import type { JsonChild } from './jsonChild';
import {
  IDLE_PAIRS,
  latencyTable,
  memoryTable,
  type LatencyResult,
  type MemoryResult,
  type ProxyResults,
  proxyTargetsTable,
  type RedisResult,
  redisTable,
  streamTable,
} from './proxyTables';
import { BLOCK_BYTES, STREAMS, type StreamId, streamDigest, streamLines } from './proxyWorkloads';
import { RedisServer, redisBenchmark, redisMissing } from './redisBench';
import { directRelay, LINETAP, NodeRelay, type Relay, socatRelay } from './relays';
import { size } from './report';

/** The proxy cases, in the order they run. */
export const PROXY_CASES = ['bulk', 'capture', 'redis', 'latency', 'idle'] as const;

/** Settings of a proxy suite run. */
export interface ProxyBenchOptions {
  /** Smaller inputs and fewer runs: a smoke test only. */
  readonly quick: boolean;
  /** Case ids to run (PROXY_CASES); all when undefined. */
  readonly only?: readonly string[];
}

/** Node flags for relay children: the parent's (so `node --cpu-prof` profiles each relay). */
const RELAY_FLAGS = process.execArgv;
/** Connections the proxy process needs besides the pairs: listener, stdio, libuv, spare. */
const FD_RESERVE = 64;

const started = performance.now();

function progress(text: string): void {
  const at = ((performance.now() - started) / 1000).toFixed(0);
  process.stderr.write(`[${at} s] ${text}\n`);
}

function socatVersion(): string | undefined {
  try {
    const out = execFileSync('socat', ['-V'], { encoding: 'utf8' });
    return /socat version (\S+)/.exec(out)?.[1] ?? 'unknown version';
  } catch {
    return undefined;
  }
}

/** direct, socat (when installed), a naive Node relay and linetap, all towards `upstream`. */
async function openRelays(
  upstream: number,
  linetap: { framing: string; capture?: boolean },
  withSocat: boolean,
): Promise<Relay[]> {
  const relays: Relay[] = [directRelay(upstream)];
  if (withSocat) relays.push(await socatRelay(upstream));
  relays.push(
    new NodeRelay({ kind: 'naive', upstream, child: { nodeFlags: RELAY_FLAGS } }),
    new NodeRelay({ kind: 'linetap', upstream, ...linetap, child: { nodeFlags: RELAY_FLAGS } }),
  );
  return relays;
}

async function disposeAll(relays: readonly Relay[]): Promise<void> {
  await Promise.all(relays.map((r) => r.dispose()));
}

class ProxyBench {
  private readonly _reps: number;
  private readonly _socat: string | undefined = socatVersion();
  readonly results: ProxyResults = { streams: [], redis: [], latency: [], memory: [], skipped: [] };

  constructor(
    private readonly _options: ProxyBenchOptions,
    private readonly _load: JsonChild,
  ) {
    this._reps = _options.quick ? 2 : 5;
    if (!this._socat) this.results.skipped.push('socat: not installed (Debian: socat), no row.');
  }

  get socat(): string | undefined {
    return this._socat;
  }

  /**
   * One stream case: `times` blocks of `stream` from the load process's sender to its sink, through
   * each relay; linetap frames on `framing`, recording a capture when asked. The first round is
   * the verification run (SHA-256 at both ends, capture read back), the others are timed.
   */
  async stream(stream: StreamId, times: number, capture: boolean): Promise<void> {
    const { sink } = await ask(this._load, { cmd: 'ports' });
    const title = STREAMS[stream].title;
    const bytes = BLOCK_BYTES * times;
    const lines = streamLines(stream, times);
    progress(`proxy ${title}: ${size(bytes)} a run${capture ? ', linetap with a capture' : ''}`);
    const digest = streamDigest(stream, times);
    const relays = await openRelays(Number(sink), { framing: 'crlf', capture }, !!this._socat);
    const ms = relays.map((): number[] => []);
    const cpu = relays.map((): number[] => []);
    let captureComplete = true;
    try {
      for (let round = -1; round < this._reps; round++) {
        const verify = round < 0;
        for (const [i, relay] of relays.entries()) {
          const port = await relay.begin();
          const run = await ask(this._load, { cmd: 'stream', port, stream, times, hash: verify });
          const end = await relay.end(verify ? { verify: true, stream, times } : {});
          if (run.bytes !== bytes) throw new Error(`${relay.name}: ${run.bytes} of ${bytes} bytes`);
          if (verify && run.digest !== digest) {
            throw new Error(`${relay.name}: the receiver's SHA-256 differs from the sender's`);
          }
          if (capture && relay.name === LINETAP) {
            const ok =
              end.captureFrames === lines && (!verify || end.reply.verifiedFrames === lines);
            if (!ok) {
              captureComplete = false;
              progress(`  capture held ${end.captureFrames} frames of ${lines}`);
            }
          }
          // A capture run is over when the receiver has every byte and the file every frame.
          const t = Number.isFinite(end.flushedEpoch)
            ? Math.max(Number(run.endEpoch), end.flushedEpoch) - Number(run.startEpoch)
            : Number(run.ms);
          if (!verify) {
            ms[i].push(t);
            cpu[i].push(end.cpuMs);
          }
        }
      }
    } finally {
      await disposeAll(relays);
    }
    for (const [i, relay] of relays.entries()) {
      this.results.streams.push({
        caseTitle: title,
        relay: relay.name,
        bytes,
        lines,
        ms: ms[i],
        cpuMs: cpu[i],
        captureComplete: capture && relay.name === LINETAP ? captureComplete : undefined,
      });
    }
  }

  /** redis-benchmark GET/SET, 50 clients, unpipelined and -P 16, through each relay. */
  async redis(): Promise<void> {
    const missing = await redisMissing();
    if (missing) {
      this.results.skipped.push(`redis-benchmark: ${missing}, not run.`);
      return;
    }
    const settings = [
      { pipeline: 1, requests: this._options.quick ? 2_500 : 10_000 },
      { pipeline: 16, requests: this._options.quick ? 25_000 : 100_000 },
    ];
    const rounds = this._options.quick ? 1 : 3;
    progress(
      `proxy redis-benchmark: ${settings.map((s) => `-P ${s.pipeline} -n ${s.requests}`).join(', ')}, ${rounds} runs`,
    );
    const server = await RedisServer.start();
    const relays = await openRelays(server.port, { framing: 'redis' }, !!this._socat);
    const rows = settings.flatMap((s) =>
      relays.map((r): RedisResult => ({ ...s, relay: r.name, set: [], get: [] })),
    );
    try {
      for (let round = -1; round < rounds; round++) {
        for (const [si, s] of settings.entries()) {
          for (const [ri, relay] of relays.entries()) {
            const port = await relay.begin();
            // The warm-up round (JIT, connections) is a quarter of the size.
            const requests = round < 0 ? s.requests / 4 : s.requests;
            const rates = await redisBenchmark(server, port, requests, s.pipeline).catch(
              (e: Error) => Promise.reject(new Error(`${relay.name}: ${e.message}`)),
            );
            await relay.end();
            if (round < 0) continue;
            rows[si * relays.length + ri].set.push(rates.set);
            rows[si * relays.length + ri].get.push(rates.get);
          }
        }
      }
    } finally {
      await disposeAll(relays);
      await server.stop();
    }
    this.results.redis.push(...rows);
  }

  /**
   * Ping-pong of 64-byte lines to an echo server through each relay. The echo server runs in a
   * process of its own, as a real server does: in the client's process, a direct round trip
   * would wake no other process at all, and every relay would be charged for the two wake-ups
   * (echo server, then client) that any client and server pay without it.
   */
  async latency(): Promise<void> {
    const echoHost = startChild('load');
    const { echo } = await ask(echoHost, { cmd: 'ports' });
    const count = this._options.quick ? 2_000 : 5_000;
    const rounds = this._options.quick ? 2 : 4;
    progress(`proxy latency: ${rounds} x ${count} round trips of 64-byte lines a relay`);
    const relays = await openRelays(Number(echo), { framing: 'crlf' }, !!this._socat);
    const samples = relays.map((): number[] => []);
    try {
      for (let round = -1; round < rounds; round++) {
        for (const [i, relay] of relays.entries()) {
          const port = await relay.begin();
          const run = await ask(this._load, { cmd: 'ping', port, count, size: 64 });
          await relay.end();
          if (round >= 0) samples[i].push(...String(run.samples).split(',').map(Number));
        }
      }
    } finally {
      await disposeAll(relays);
      echoHost.dispose();
    }
    for (const [i, relay] of relays.entries()) {
      const sorted = Float64Array.from(samples[i]).sort();
      this.results.latency.push({ relay: relay.name, samples: sorted } satisfies LatencyResult);
    }
  }

  /**
   * RSS of the relay process holding idle connection pairs: IDLE_PAIRS of them, or as many as
   * the open-file limit allows (each pair is two sockets in the proxy).
   */
  async idle(): Promise<void> {
    for (const kind of ['linetap', 'naive'] as const) {
      this.results.memory.push(await this._idleOne(kind));
    }
  }

  private async _idleOne(kind: 'linetap' | 'naive'): Promise<MemoryResult> {
    const clients = startChild('load', { manyFiles: true });
    const holder = startChild('load', { manyFiles: true });
    let relay: NodeRelay | undefined;
    try {
      const { port: upstream } = await ask(holder, { cmd: 'holdServer' });
      relay = new NodeRelay({
        kind,
        upstream: Number(upstream),
        child: { manyFiles: true, nodeFlags: [...RELAY_FLAGS, '--expose-gc'] },
      });
      const port = await relay.begin();
      const before = await relay.stats(true);
      const fdLimit = Number(before.fdLimit);
      const room = Math.floor((fdLimit - Number(before.fds) - FD_RESERVE) / 2);
      const pairs = Math.min(IDLE_PAIRS, room);
      progress(`proxy idle: ${pairs} pairs through ${relay.name} (open-file limit ${fdLimit})`);
      await ask(clients, { cmd: 'open', port, count: pairs });
      for (let i = 0; ; i++) {
        const { connections } = await relay.stats();
        const { held } = await ask(holder, { cmd: 'counts' });
        if (connections === pairs && held === pairs) break;
        if (i > 600) {
          throw new Error(`${relay.name}: ${connections} pairs up, ${held} held, of ${pairs}`);
        }
        await sleep(100);
      }
      await sleep(500);
      const stats = await relay.stats(true);
      await ask(clients, { cmd: 'closeAll' });
      await ask(holder, { cmd: 'closeAll' });
      return {
        relay: relay.name,
        pairs,
        fdLimit,
        rssBefore: Number(before.rss),
        rss: Number(stats.rss),
        heapUsed: Number(stats.heapUsed),
      };
    } finally {
      await relay?.dispose();
      clients.dispose();
      holder.dispose();
    }
  }
}

function environment(socat: string | undefined, loadBefore: number): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const tools = [`Node ${process.version}`, socat ? `socat ${socat}` : 'no socat'];
  try {
    const v = execFileSync('redis-server', ['--version'], { encoding: 'utf8' });
    tools.push(`redis ${/v=(\S+)/.exec(v)?.[1] ?? '?'}`);
  } catch {
    tools.push('no redis');
  }
  const load = `load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after`;
  return `${tools.join(', ')}; ${cpus().length} cores, ${cpu}; ${load}.`;
}

/** Runs the proxy cases; returns the Markdown to print. */
export async function runProxySuite(options: ProxyBenchOptions): Promise<string> {
  const loadBefore = loadavg()[0];
  const want = (id: string) => !options.only || options.only.includes(id);
  const load = startChild('load');
  const bench = new ProxyBench(options, load);
  try {
    if (want('bulk')) await bench.stream('lines4k', options.quick ? 4 : 16, false);
    if (want('capture')) await bench.stream('lines64', options.quick ? 1 : 4, true);
    if (want('redis')) await bench.redis();
    if (want('latency')) await bench.latency();
    if (want('idle')) await bench.idle();
  } finally {
    load.dispose();
  }
  progress('proxy: done');
  const res = bench.results;
  const out = ['## Proxy', '', environment(bench.socat, loadBefore), ''];
  const notes = (lines: readonly string[]) => out.push(...lines.map((l) => `- ${l}`), '');
  if (res.streams.length > 0) {
    out.push('### Relay throughput', '', streamTable(res.streams), '');
    notes([
      'One connection per run from the sender to the receiver (one process), through the relay (another process). MB/s is 10^6 stream bytes per second of wall-clock time from the connection being up to the last byte received; each figure is the median of the timed runs, relays taking turns.',
      'linetap is a ProxySession as the CLI runs it (ring buffer of recent frames) framing `crlf`; on 64-byte lines it also records a capture, and a run ends only when the capture file holds every frame.',
      'Checked: every run delivers exactly the bytes sent (count, and a byte-for-byte comparison); the first, untimed run of each relay compares SHA-256 at both ends, and reads the capture back to check that its frames join into the stream. Every capture is counted: one frame line per line sent.',
      "relay CPU s/GB: the relay process's CPU time (user + system) per 10^9 bytes relayed, for the Node relays.",
    ]);
  }
  if (res.redis.length > 0) {
    out.push('### redis-benchmark', '', redisTable(res.redis), '');
    notes([
      "`redis-benchmark -t get,set -c 50 -n N -q --csv [-P 16]` against a redis-server of our own (no persistence); linetap frames `redis`. Medians of the timed runs; every run must leave N SETs and N GETs in the server's INFO commandstats (or up to 1% more: redis-benchmark overshoots now and then, through socat too).",
    ]);
  }
  if (res.latency.length > 0) {
    out.push('### Latency', '', latencyTable(res.latency), '');
    notes([
      "One client sends a 64-byte line and waits for its echo, one at a time; the echo server runs in a process of its own, as a real server would. Added: the relay's percentile minus the direct connection's.",
    ]);
  }
  if (res.memory.length > 0) {
    out.push('### Memory with idle connections', '', memoryTable(res.memory), '');
    const limited = res.memory.filter((m) => m.pairs < IDLE_PAIRS);
    notes([
      'RSS of the relay process after a forced GC, before any connection and with every pair up (client to relay, relay to upstream) and idle; the clients and the upstream are two other processes.',
      ...(limited.length > 0
        ? [
            `The open-file limit here (${limited[0].fdLimit}, hard) leaves room for ${limited[0].pairs.toLocaleString('en-US')} pairs; the ${IDLE_PAIRS.toLocaleString('en-US')} column adds the growth per pair measured.`,
          ]
        : []),
    ]);
  }
  out.push('### Proxy targets', '', proxyTargetsTable(res), '');
  if (res.skipped.length > 0) notes(res.skipped);
  return out.join('\n');
}
