/**
 * Real protocol servers from Debian's packages, started on free loopback ports for a test and
 * stopped after it: redis-server, memcached, ngircd, and Python's smtpd. `.ci/run` installs
 * them; a missing one is a failed setup, not a skipped test.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

/** Runs a program to its end; resolves with stdout (rejects with stderr on failure). */
export const run = promisify(execFile);

/** A server process on a port. */
export interface Peer {
  readonly port: number;
  stop(): Promise<void>;
}

/** A port that was free a moment ago (the kernel hands out a fresh one each time). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts connections on the port. */
async function untilListening(
  port: number,
  proc: ChildProcess,
  name: string,
  output: () => string,
): Promise<void> {
  const until = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null)
      throw new Error(`${name} exited with ${proc.exitCode}: ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until)
      throw new Error(`${name} did not listen on ${port} in 15 s: ${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function start(
  name: string,
  command: string,
  args: string[],
  port: number,
  cwd?: string,
): Promise<Peer> {
  let output = '';
  const proc = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  proc.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  const spawned = new Promise<void>((resolve, reject) => {
    proc.once('spawn', resolve);
    proc.once('error', (e) =>
      reject(new Error(`cannot start ${name} (${command}): ${e.message}; .ci/run installs it`)),
    );
  });
  await spawned;
  await untilListening(port, proc, name, () => output);
  return {
    port,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await gone;
    },
  };
}

/** redis-server with no persistence. */
export async function startRedis(): Promise<Peer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-redis-'));
  return start(
    'redis-server',
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    port,
  );
}

/** memcached on loopback, TCP only. */
export async function startMemcached(): Promise<Peer> {
  const port = await freePort();
  const args = ['-l', '127.0.0.1', '-p', String(port), '-U', '0'];
  if (process.getuid?.() === 0) args.push('-u', 'nobody');
  return start('memcached', 'memcached', args, port);
}

/** Python's asynchat-based smtpd, printing what it receives. */
export async function startSmtpd(): Promise<Peer> {
  const port = await freePort();
  return start(
    'python3 smtpd',
    'python3',
    ['-W', 'ignore', '-m', 'smtpd', '-n', '-c', 'DebuggingServer', `127.0.0.1:${port}`],
    port,
  );
}

/** ngircd in the foreground with a minimal configuration. */
export async function startNgircd(): Promise<Peer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-ngircd-'));
  const conf = path.join(dir, 'ngircd.conf');
  fs.writeFileSync(
    conf,
    [
      '[Global]',
      'Name = irc.linetap.test',
      'Info = Linetap test server',
      `Listen = 127.0.0.1`,
      `Ports = ${port}`,
      `PidFile = ${path.join(dir, 'ngircd.pid')}`,
      ...(process.getuid?.() === 0 ? ['ServerUID = nobody', 'ServerGID = nogroup'] : []),
      '[Limits]',
      'MaxConnectionsIP = 0',
      '[Options]',
      'PAM = no',
      'DNS = no',
      'Ident = no',
      '',
    ].join('\n'),
  );
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(conf, 0o644);
  return start('ngircd', 'ngircd', ['--nodaemon', '--config', conf], port);
}
