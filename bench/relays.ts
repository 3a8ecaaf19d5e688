/**
 * The relays the proxy benchmarks put between a client and its server, side by side: none (a
 * direct connection), socat, a naive Node relay, and linetap. Each one but direct runs in a
 * process of its own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { ask, type ChildOptions, sleep, startChild } from './benchChildren';
import type { JsonChild, JsonMessage } from './jsonChild';

/** The relays' names, as the tables print them. */
export const DIRECT = 'direct';
export const SOCAT = 'socat';
export const NAIVE = 'Node pipe';
export const LINETAP = 'linetap';

/** What a relay reports about one run. */
export interface RelayRun {
  /** The relay process's CPU time during the run (ms); NaN when not measured (direct, socat). */
  readonly cpuMs: number;
  /** When a linetap capture had every event of the run on disk (epoch ms), else NaN. */
  readonly flushedEpoch: number;
  /** Frame lines in the run's capture, else NaN. */
  readonly captureFrames: number;
  /** The child's full reply to stop, for checks. */
  readonly reply: JsonMessage;
}

/** One relay, towards one upstream port. */
export interface Relay {
  readonly name: string;
  /** Gets ready for a run; returns the port the client connects to. */
  begin(): Promise<number>;
  /** After a run. `verify` asks a capture to be read back and checked against the stream. */
  end(verify?: JsonMessage): Promise<RelayRun>;
  dispose(): Promise<void>;
}

const NOT_MEASURED: RelayRun = { cpuMs: NaN, flushedEpoch: NaN, captureFrames: NaN, reply: {} };

/** No relay: the client connects to the server. */
export function directRelay(upstream: number): Relay {
  return {
    name: DIRECT,
    begin: () => Promise.resolve(upstream),
    end: () => Promise.resolve(NOT_MEASURED),
    dispose: () => Promise.resolve(),
  };
}

/** A free loopback port (free when asked: socat binds it a moment later). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** True when something listens on 127.0.0.1:port (read from /proc, so socat sees no probe). */
function listening(port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'latin1')
    .split('\n')
    .some((line) => {
      const f = line.trim().split(/\s+/);
      return f[1] === local && f[3] === '0A';
    });
}

/** `socat TCP-LISTEN:p,fork,reuseaddr TCP:127.0.0.1:upstream`, bound to loopback. */
export async function socatRelay(upstream: number): Promise<Relay> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'socat',
    [`TCP-LISTEN:${port},fork,reuseaddr,bind=127.0.0.1`, `TCP:127.0.0.1:${upstream}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  for (let i = 0; !listening(port); i++) {
    const failed = await Promise.race([spawnError, sleep(20).then(() => undefined)]);
    if (failed) throw new Error(`socat: ${failed.message}`);
    if (child.exitCode !== null || i > 250) {
      child.kill();
      throw new Error(`socat did not listen on ${port}: ${stderr.trim()}`);
    }
  }
  return {
    name: SOCAT,
    begin: () => Promise.resolve(port),
    end: () => Promise.resolve(NOT_MEASURED),
    async dispose() {
      // Only the listening socat: each forked one ends with its connection.
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** How a Node relay child runs. */
export interface NodeRelayOptions {
  readonly kind: 'naive' | 'linetap';
  readonly upstream: number;
  /** linetap: framing spec for both directions. */
  readonly framing?: string;
  /** linetap: record each run to a capture file (a new session per run). */
  readonly capture?: boolean;
  readonly child?: ChildOptions;
}

/** A naive Node relay or linetap, in a child process. */
export class NodeRelay implements Relay {
  readonly name: string;
  readonly child: JsonChild;
  private _port: number | undefined;
  private _cpuAtBegin = NaN;

  constructor(private readonly _options: NodeRelayOptions) {
    this.name = _options.kind === 'naive' ? NAIVE : LINETAP;
    this.child = startChild('relay', _options.child);
  }

  private _start(): Promise<JsonMessage> {
    const { kind, upstream, framing = 'crlf', capture = false } = this._options;
    return ask(this.child, { cmd: 'start', kind, upstream, framing, capture });
  }

  async begin(): Promise<number> {
    if (this._port === undefined) {
      const started = await this._start();
      this._port = Number(started.port);
      this._cpuAtBegin = Number(started.cpuMs);
    } else {
      this._cpuAtBegin = Number((await this.stats()).cpuMs);
    }
    return this._port;
  }

  /** A capture session ends with its run, so each run has a file of its own. */
  async end(verify: JsonMessage = {}): Promise<RelayRun> {
    if (!this._options.capture) {
      const cpuMs = Number((await this.stats()).cpuMs) - this._cpuAtBegin;
      return { ...NOT_MEASURED, cpuMs };
    }
    this._port = undefined;
    const reply = await ask(this.child, { cmd: 'stop', ...verify });
    return {
      cpuMs: Number(reply.cpuMs) - this._cpuAtBegin,
      flushedEpoch: Number(reply.flushedEpoch),
      captureFrames: Number(reply.frames),
      reply,
    };
  }

  /** Memory, CPU time, open connections and file descriptors of the relay process. */
  stats(gc = false): Promise<JsonMessage> {
    return ask(this.child, { cmd: 'stats', gc });
  }

  async dispose(): Promise<void> {
    if (this._port !== undefined) await ask(this.child, { cmd: 'stop' }).catch(() => undefined);
    this.child.dispose();
  }
}
