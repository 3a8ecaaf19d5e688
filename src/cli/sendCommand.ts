/** `linetap send`: netcat with framing: send messages, print the reply frames. */
import * as net from 'node:net';
import { parseHexBytes, unescapeBytes } from '../core/bytes';
import type { Direction, Frame } from '../core/framing/frame';
import { createConnectionFramers } from '../core/framing/framingSpec';
import { parseHostPort, formatHostPort } from '../core/proxy/address';
import { describeSocketError } from '../core/socketErrors';
import { intOption, UsageError } from './cliOptions';
import { FramePrinter, wantColor } from './framePrinter';
import { printLine, stdoutBehind, stdoutDrained, writeStderr } from './stdout';
import type { Values } from './main';

/** Sends and prints; resolves to the exit code. */
export async function sendCommand(values: Values, positionals: string[]): Promise<number> {
  const [target, ...messages] = positionals;
  if (!target) throw new UsageError('say where to send: linetap send HOST:PORT MESSAGE...');
  const address = parseHostPort(target);
  const waitMs = intOption(values, 'wait', 0) ?? 1000;
  const eol = lineEnding(values.eol as string | undefined);
  const payloads =
    messages.length > 0
      ? messages.map((m) => withEnding(toBytes(m, values.hex === true), eol))
      : [await readStdin()];
  const framers = createConnectionFramers((values.framing as string | undefined) ?? 'line');
  const json = values.json === true;
  const printer = new FramePrinter({
    json,
    color: !json && wantColor(process.stdout),
    maxPayloadChars: values.full ? Infinity : 160,
    write: printLine,
  });
  const start = performance.now();
  const now = () => Math.round((performance.now() - start) * 1000);
  let nextId = 1;
  const requests = new Map<number, { id: number; t: number }>();
  const show = (dir: Direction, frames: readonly Frame[]) => {
    for (const f of frames) {
      const t = now();
      const req = f.ann?.re !== undefined ? requests.get(f.ann.re) : undefined;
      const id = nextId++;
      if (dir === 'c2s') requests.set(f.seq, { id, t });
      printer.frame({
        ...f,
        id,
        conn: 1,
        dir,
        t,
        injected: false,
        held: false,
        re: req?.id,
        latency: req ? t - req.t : undefined,
      });
    }
  };

  const socket = net.connect({ host: address.host, port: address.port, allowHalfOpen: true });
  let lastData = 0;
  let frameCount = 0;
  let ended = false;
  socket.on('data', (chunk: Buffer) => {
    lastData = performance.now();
    const frames = framers.s2c.feed(chunk);
    frameCount += frames.length;
    show('s2c', frames);
    // A server that streams faster than the output's reader takes it waits for the reader.
    if (stdoutBehind()) {
      socket.pause();
      void stdoutDrained().then(() => socket.resume());
    }
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.once('end', () => (ended = true));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', (err) =>
      reject(describeSocketError(err, 'upstream', formatHostPort(address))),
    );
  });
  socket.on('error', (err) =>
    writeStderr(`linetap send: ${describeSocketError(err, 'upstream', target).message}\n`),
  );
  let sent = 0;
  for (const payload of payloads) {
    if (ended) break;
    socket.write(payload);
    sent++;
    show('c2s', framers.c2s.feed(payload));
    // Wait for the reply to this message before the next, as a person at a prompt would.
    const before = frameCount;
    await idle(
      () => ended || frameCount > before,
      () => lastData,
      waitMs,
    );
    // The usual reason for silence: a line protocol waits for the end of a line never sent.
    if (frameCount === before && !ended && eol === undefined && !endsLine(payload)) {
      writeStderr(
        `linetap send: no reply to message ${sent}, which does not end with a line ending: ` +
          `line protocols wait for one. End it with \\r\\n or \\n, or add --eol crlf.\n`,
      );
    }
  }
  if (sent < payloads.length) {
    const left = payloads.length - sent;
    writeStderr(
      `linetap send: the server closed the connection after message ${sent}; ` +
        `${left} message${left === 1 ? ' was' : 's were'} not sent.\n`,
    );
  }
  await idle(
    () => ended,
    () => lastData,
    waitMs,
  );
  socket.end();
  show('c2s', framers.c2s.flush());
  if (!ended) socket.destroy();
  await closed;
  show('s2c', framers.s2c.flush());
  return 0;
}

/** Resolves when `done()` or when nothing has arrived for `ms` (since the later of now and last data). */
async function idle(done: () => boolean, lastData: () => number, ms: number): Promise<void> {
  const since = performance.now();
  while (!done()) {
    if (performance.now() - Math.max(since, lastData()) >= ms) return;
    await new Promise((r) => setTimeout(r, Math.min(20, ms)));
  }
}

/** `--eol`: the ending added to each MESSAGE that does not already end with it. */
function lineEnding(value: string | undefined): Buffer | undefined {
  if (value === undefined || value === 'none') return undefined;
  if (value === 'crlf') return Buffer.from('\r\n');
  if (value === 'lf') return Buffer.from('\n');
  throw new UsageError(`--eol takes crlf, lf or none, not "${value}"`);
}

function withEnding(message: Buffer, eol: Buffer | undefined): Buffer {
  if (eol === undefined || message.subarray(message.length - eol.length).equals(eol)) {
    return message;
  }
  return Buffer.concat([message, eol]);
}

function endsLine(payload: Buffer): boolean {
  return payload.length > 0 && payload[payload.length - 1] === 0x0a;
}

function toBytes(message: string, hex: boolean): Buffer {
  if (!hex) return unescapeBytes(message);
  try {
    return parseHexBytes(message);
  } catch (e) {
    throw new UsageError(`--hex message ${(e as Error).message}`);
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
