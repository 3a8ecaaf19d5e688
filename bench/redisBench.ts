/**
 * redis-benchmark through each relay: a redis-server of our own on a free port (no persistence),
 * and `redis-benchmark -t get,set -c 50 -n N -q --csv` pointed at the relay. Each run is checked
 * on the server: it must have executed N SETs and N GETs (see redisBenchmark for the slack).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as net from 'node:net';
import { promisify } from 'node:util';
import { sleep } from './benchChildren';

const run = promisify(execFile);

/** redis-benchmark's client connections (-c). */
const CLIENTS = 50;

/** Whether redis-server, redis-cli and redis-benchmark are here; else why not. */
export async function redisMissing(): Promise<string | undefined> {
  for (const tool of ['redis-server', 'redis-cli', 'redis-benchmark']) {
    try {
      await run(tool, ['--version']);
    } catch {
      return `${tool} not found (Debian: redis-server, redis-tools)`;
    }
  }
  return undefined;
}

/** Requests per second of each test. */
export interface RedisRates {
  readonly get: number;
  readonly set: number;
}

/** A redis-server started for the benchmark. */
export class RedisServer {
  private constructor(
    private readonly _child: ChildProcess,
    readonly port: number,
  ) {}

  /** Starts redis-server on a free loopback port with no persistence; resolves once it answers. */
  static async start(): Promise<RedisServer> {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const child = spawn(
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        ...['--daemonize', 'no', '--logfile', '', '--loglevel', 'warning'],
      ],
      { stdio: 'ignore' },
    );
    const server = new RedisServer(child, port);
    for (let i = 0; ; i++) {
      try {
        if ((await server.cli('PING')).trim() === 'PONG') return server;
      } catch {
        if (child.exitCode !== null || i > 100) {
          child.kill();
          throw new Error(`redis-server did not start on port ${port}`);
        }
      }
      await sleep(50);
    }
  }

  /** A command through redis-cli; resolves with its output. */
  async cli(...args: string[]): Promise<string> {
    return (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...args])).stdout;
  }

  /** Calls per command since the last resetStats(), from INFO commandstats. */
  async calls(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const m of (await this.cli('INFO', 'commandstats')).matchAll(
      /cmdstat_(\S+?):calls=(\d+)/g,
    )) {
      out[m[1]] = Number(m[2]);
    }
    return out;
  }

  resetStats(): Promise<string> {
    return this.cli('CONFIG', 'RESETSTAT');
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this._child.once('exit', resolve));
    if (this._child.exitCode === null) this._child.kill('SIGTERM');
    await exited;
  }
}

/**
 * One redis-benchmark run against 127.0.0.1:port (a relay in front of `server`), SET then GET,
 * `requests` each from 50 clients, `pipeline` requests at a time per client. Throws unless the
 * server executed `requests` SETs and GETs.
 */
export async function redisBenchmark(
  server: RedisServer,
  port: number,
  requests: number,
  pipeline: number,
): Promise<RedisRates> {
  await server.resetStats();
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', 'get,set', '-c', String(CLIENTS)];
  args.push('-n', String(requests), '-P', String(pipeline), '-q', '--csv');
  const { stdout } = await run('redis-benchmark', args, { timeout: 300_000 });
  const rates: Record<string, number> = {};
  for (const m of stdout.matchAll(/^"(\w+)","([\d.]+)"/gm)) rates[m[1]] = Number(m[2]);
  if (!(rates.GET > 0 && rates.SET > 0)) throw new Error(`redis-benchmark printed: ${stdout}`);
  // redis-benchmark itself sometimes runs a few requests more than N (seen through socat and
  // the Node pipe relay as well, never fewer): allow 1% and a pipeline per client more.
  const calls = await server.calls();
  const most = Math.ceil(requests * 1.01) + CLIENTS * pipeline;
  for (const cmd of ['set', 'get']) {
    const n = calls[cmd] ?? 0;
    if (n < requests || n > most) {
      throw new Error(
        `redis-server ran ${n} ${cmd.toUpperCase()}s for ${requests} through port ${port}`,
      );
    }
  }
  return { get: rates.GET, set: rates.SET };
}
