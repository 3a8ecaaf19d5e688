/**
 * Helpers for the replay and mock tests: captures written as files, sessions recorded through a
 * real ProxySession, real client programs run with input, and a Python smtpd whose greeting
 * carries the time (a volatile field for masks).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type CaptureEvent,
  createCaptureHeader,
  encodeEvent,
  encodeHeader,
} from '../../../src/core/capture/captureFormat';
import { decodeCapture, readCapture } from '../../../src/core/capture/captureReader';
import { ProxySession } from '../../../src/core/proxy/proxySession';
import { buildScript, type ReplayScript } from '../../../src/core/replay/replayScript';
import type { Direction } from '../../../src/shared/traffic';
import { startServer, type TestServer, waitFor } from '../helpers/net';
import { freePort, type Peer } from '../helpers/peers';

/** A temporary directory, removed by `cleanup`. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-replay-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A frame event, flags off unless given. */
export function frame(
  conn: number,
  dir: Direction,
  t: number,
  bytes: string | Buffer,
  flags: { partial?: boolean; injected?: boolean } = {},
): CaptureEvent {
  return {
    e: 'frame',
    conn,
    dir,
    t,
    bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes,
    partial: flags.partial ?? false,
    oversize: false,
    injected: flags.injected ?? false,
    held: false,
  };
}

/** The text of a capture file with these events (and a header unless `header` is false). */
export function captureText(
  events: readonly CaptureEvent[],
  options: { framing?: string; upstream?: string; header?: boolean } = {},
): string {
  const header = createCaptureHeader({
    listen: '127.0.0.1:7000',
    upstream: options.upstream ?? '127.0.0.1:6379',
    framing: { c2s: options.framing ?? 'crlf', s2c: options.framing ?? 'crlf' },
    created: new Date('2026-11-25T03:54:12.000Z'),
  });
  const lines = events.map(encodeEvent);
  if (options.header !== false) lines.unshift(encodeHeader(header));
  return lines.join('\n') + '\n';
}

/** A script built from events in memory, as a file would give. */
export function scriptOf(
  events: readonly CaptureEvent[],
  options: { framing?: string; upstream?: string } = {},
): Promise<ReplayScript> {
  return Promise.resolve(buildScript(decodeCapture(captureText(events, options))));
}

/** Runs a program with `input` on stdin; resolves with stdout and the exit code. */
export function runProgram(
  cmd: string,
  args: string[],
  input = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(input);
  });
}

/**
 * Records what `client(port)` does through a real ProxySession in front of `peer`, into
 * `file`; resolves once every connection has closed and the capture is written.
 */
export async function record(
  peer: Peer,
  framing: string,
  file: string,
  client: (port: number) => Promise<unknown>,
  connections = 1,
): Promise<ReplayScript> {
  const session = await ProxySession.start({
    listen: '0',
    upstream: `127.0.0.1:${peer.port}`,
    framing,
    capture: file,
  });
  let closed = 0;
  session.proxy.onDidClose(() => closed++);
  try {
    await client(session.proxy.listen.port);
    await waitFor(() => closed >= connections, 'the recorded connections to close');
  } finally {
    await session.stop();
  }
  return buildScript(await readCapture(file));
}

/**
 * Python's smtpd (DebuggingServer) whose greeting carries the time with microseconds, as many
 * real servers carry the date: `220 <host> ESMTP ready at 2026-11-25T03:54:12.123456+00:00`.
 */
export async function startDatedSmtpd(): Promise<Peer> {
  const port = await freePort();
  const script = [
    'import smtpd, asyncore, datetime',
    'class Server(smtpd.DebuggingServer):',
    '    def handle_accepted(self, conn, addr):',
    '        now = datetime.datetime.now(datetime.timezone.utc).isoformat()',
    "        smtpd.__version__ = 'ESMTP ready at ' + now",
    '        super().handle_accepted(conn, addr)',
    `Server(('127.0.0.1', ${port}), None)`,
    'asyncore.loop()',
  ].join('\n');
  const proc = spawn('python3', ['-W', 'ignore', '-c', script], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    proc.once('spawn', resolve);
    proc.once('error', reject);
  });
  const until = Date.now() + 15_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (proc.exitCode !== null || Date.now() > until) throw new Error('dated smtpd did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await gone;
    },
  };
}

/**
 * A Python smtplib session: greeting, EHLO, one mail with a Date header, NOOP, QUIT. The date is
 * now plus `daysLater`, so two runs can be made to differ in it.
 */
export function smtplibScript(port: number, daysLater = 0): string {
  return [
    'import smtplib, email.utils, time',
    `s = smtplib.SMTP('127.0.0.1', ${port})`,
    `date = email.utils.formatdate(time.time() + ${daysLater} * 86400)`,
    "msg = 'Date: ' + date + '\\r\\nSubject: hi\\r\\n\\r\\nline one\\r\\n.dot line\\r\\n'",
    "s.sendmail('ann@example.com', ['bob@example.com'], msg)",
    'print(s.noop()[0])',
    's.quit()',
  ].join('\n');
}

/** A CRLF line server: `answer` gives the reply bytes for each line (or nothing). */
export async function lineServer(
  answer: (line: string, socket: net.Socket) => string | Buffer | undefined,
  onConnect?: (socket: net.Socket) => void,
): Promise<TestServer> {
  return startServer((s) => {
    onConnect?.(s);
    let buf = '';
    s.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const out = answer(line, s);
        if (out !== undefined) s.write(typeof out === 'string' ? Buffer.from(out, 'latin1') : out);
      }
    });
    s.on('end', () => s.end());
  });
}

/** One recorded connection: a greeting (optional) and request/replies pairs. */
export function conversation(
  conn: number,
  pairs: [string, string[]][],
  options: { greeting?: string[]; t0?: number; step?: number } = {},
): CaptureEvent[] {
  let t = options.t0 ?? 0;
  const step = options.step ?? 1000;
  const events: CaptureEvent[] = [{ e: 'open', conn, t }];
  for (const g of options.greeting ?? []) events.push(frame(conn, 's2c', (t += 10), g));
  for (const [req, replies] of pairs) {
    events.push(frame(conn, 'c2s', (t += step), req));
    for (const r of replies) events.push(frame(conn, 's2c', (t += 10), r));
  }
  events.push({ e: 'close', conn, t: t + 10 });
  return events;
}
