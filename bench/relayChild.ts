/**
 * A relay under test in a Node process of its own (`--child=relay`), so its CPU time and memory
 * are its own: linetap (a ProxySession, the way the CLI and the extension run a proxy: ring
 * buffer always, capture file when asked) or a naive Node relay (`pipe` both ways).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCaptureRecords } from '../src/core/capture/captureReader';
import { ProxySession } from '../src/core/proxy/proxySession';
import { epochMs, serveJsonAsync } from './benchChildren';
import { type JsonMessage } from './jsonChild';
import { StreamCheck, streamDigest, type StreamId } from './proxyWorkloads';

/** What one relay child runs. */
interface Running {
  readonly port: number;
  /** Connections open now (both legs up, for linetap). */
  connections(): number;
  /** Stops it; for a capture, returns what the file holds. */
  stop(req: JsonMessage): Promise<JsonMessage>;
}

/** `pipe` both ways: what a relay written in five minutes looks like. */
async function startNaive(upstream: number): Promise<Running> {
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const up = net.connect({ port: upstream, host: '127.0.0.1' });
    client.setNoDelay(true);
    up.setNoDelay(true);
    client.pipe(up);
    up.pipe(client);
    const kill = (): void => {
      client.destroy();
      up.destroy();
    };
    client.on('error', kill);
    up.on('error', kill);
    up.once('connect', () => open.add(client));
    client.on('close', () => open.delete(client));
  });
  server.maxConnections = 20_000;
  server.listen(0, '127.0.0.1', 4096);
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => open.size,
    async stop() {
      for (const s of open) s.destroy();
      await new Promise((resolve) => server.close(resolve));
      return {};
    },
  };
}

let captures = 0;

/** linetap: a ProxySession with framing `framing`, recording to a temp file when `capture`. */
async function startLinetap(upstream: number, req: JsonMessage): Promise<Running> {
  const capture = req.capture
    ? join(tmpdir(), `linetap-bench-${process.pid}-${++captures}.linetap`)
    : undefined;
  const session = await ProxySession.start({
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${upstream}`,
    framing: String(req.framing),
    capture,
    maxConnections: 20_000,
  });
  return {
    port: session.proxy.listen.port,
    connections: () => session.proxy.connections().filter((c) => c.state === 'open').length,
    async stop(stopReq) {
      // The capture is part of the run: it must hold every frame before the run is over.
      await session.capture?.flush();
      const flushedEpoch = epochMs();
      await session.stop();
      if (!capture) return { flushedEpoch };
      try {
        const frames = await countFrameLines(capture);
        const out: JsonMessage = { flushedEpoch, frames };
        if (stopReq.verify) Object.assign(out, await verifyCapture(capture, stopReq));
        return out;
      } finally {
        await fsp.rm(capture, { force: true });
      }
    },
  };
}

const FRAME_PREFIX = Buffer.from('{"e":"frame"');

/**
 * Frame lines in a capture, counted on the bytes (a payload cannot hold `{"e":"frame"`: its
 * quotes are escaped), so a million frames take a fraction of a second.
 */
async function countFrameLines(path: string): Promise<number> {
  const file = await fsp.open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    const keep = FRAME_PREFIX.length - 1;
    let carry = 0;
    let frames = 0;
    for (;;) {
      const { bytesRead } = await file.read(buf, carry, buf.length - carry);
      if (bytesRead === 0) break;
      const end = carry + bytesRead;
      const view = buf.subarray(0, end);
      for (let at = view.indexOf(FRAME_PREFIX); at >= 0;) {
        frames++;
        at = view.indexOf(FRAME_PREFIX, at + FRAME_PREFIX.length);
      }
      carry = Math.min(keep, end);
      buf.copy(buf, 0, end - carry, end);
    }
    return frames;
  } finally {
    await file.close();
  }
}

/**
 * Reads the capture back with the product's reader: the client-to-server frames must join back
 * into exactly the stream sent (same SHA-256), with one frame per line.
 */
async function verifyCapture(path: string, req: JsonMessage): Promise<JsonMessage> {
  const id = req.stream as StreamId;
  const times = Number(req.times);
  const check = new StreamCheck(id, times, true);
  let frames = 0;
  let other = 0;
  for await (const r of readCaptureRecords(path)) {
    if (r.kind === 'error') throw new Error(`capture line ${r.error.line}: ${r.error.message}`);
    if (r.kind !== 'event' || r.event.e !== 'frame') continue;
    if (r.event.dir !== 'c2s') {
      other++;
      continue;
    }
    frames++;
    check.take(r.event.bytes);
  }
  if (!check.complete) throw new Error(`capture holds ${check.received} bytes of the stream`);
  if (other > 0) throw new Error(`capture holds ${other} server-to-client frames; none were sent`);
  const digest = check.digest();
  if (digest !== streamDigest(id, times)) throw new Error('capture bytes differ from the stream');
  return { verifiedFrames: frames, captureDigest: digest ?? '' };
}

/** The soft limit on open files of this process, from /proc. */
function openFileLimit(): number {
  const line = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'latin1'));
  return line ? Number(line[1]) : NaN;
}

function stats(req: JsonMessage, running: Running | undefined): JsonMessage {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (req.gc && gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    cpuMs: (cpu.user + cpu.system) / 1000,
    connections: running?.connections() ?? 0,
    fds: readdirSync('/proc/self/fd').length,
    fdLimit: openFileLimit(),
    gcDone: Boolean(req.gc && gc),
  };
}

/** The child side. Requests: start {kind, upstream, framing, capture}, stop {verify...}, stats. */
export function runRelayChild(): void {
  let running: Running | undefined;
  serveJsonAsync(async (req): Promise<JsonMessage> => {
    switch (req.cmd) {
      case 'start': {
        if (running) throw new Error('a relay is already running');
        const upstream = Number(req.upstream);
        running =
          req.kind === 'naive' ? await startNaive(upstream) : await startLinetap(upstream, req);
        return { port: running.port, cpuMs: stats({}, running).cpuMs };
      }
      case 'stop': {
        const r = running;
        running = undefined;
        if (!r) throw new Error('no relay running');
        const out = await r.stop(req);
        return { ...out, cpuMs: stats({}, undefined).cpuMs };
      }
      case 'stats':
        return stats(req, running);
      default:
        throw new Error(`unknown command ${String(req.cmd)}`);
    }
  });
}
