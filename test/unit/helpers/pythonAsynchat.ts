/**
 * Runs CPython's asynchat (test/python/asynchat_oracle.py) on a batch of cases, and replays the
 * same input cases through our AsyncChat, so the two event logs can be compared entry by entry.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as net from 'node:net';
import * as path from 'node:path';
import { AsyncChat, SimpleProducer } from '../../../src/core/asyncChat';
import type { Terminator } from '../../../src/core/terminatorScanner';

const ORACLE = path.resolve(__dirname, '..', '..', 'python', 'asynchat_oracle.py');

/** A terminator as the oracle reads it: null is None, `f` is a float (or "nan"). */
export type TermSpec =
  null | { b: string } | { n: number } | { s: string } | { f: number | string };

/** Something a callback does: switch terminator, throw, discard_buffers or close. */
export type Action = { set: TermSpec } | { raise: string } | { do: 'discard' | 'close' };

/** Chunks fed one handle_read each (split at inSize), then EOF if asked. */
export interface InputCase {
  /** Left out: the terminator is never set. */
  terminator?: TermSpec;
  /** Hex, one read each. */
  chunks: string[];
  eof?: boolean;
  inSize?: number;
  useEncoding?: boolean;
  /** Actions at the n-th found_terminator / collect_incoming_data call. */
  onFound?: Action[][];
  onCollect?: Action[][];
}

/** One step of an output case. */
export type OutputOp =
  | { op: 'push' | 'pushBytearray' | 'pushBytesProducer'; hex: string }
  | { op: 'pushProducer'; hex: string; size: number }
  | { op: 'pushReentrant'; hex: string; inner: string }
  | { op: 'pushStr'; text: string }
  | { op: 'mutate'; index: number; byte: number }
  | { op: 'closeWhenDone' | 'connect' | 'pump' };

/** Output on a fake socket that records each send() (sendLimit makes sends partial). */
export interface OutputCase {
  ops: OutputOp[];
  outSize?: number;
  sendLimit?: number;
  /** False: ops queue until a `connect` op. */
  connected?: boolean;
}

/** simple_producer(hex, size).more() called `calls` times. */
export interface SimpleProducerCase {
  hex: string;
  size: number;
  calls: number;
}

/** find_prefix_at_end on hex bytes, or on text when `text` is set. */
export interface PrefixCase {
  haystack: string;
  needle: string;
  text: boolean;
}

/** What CPython did with an input case: its event log and what was left in ac_in_buffer. */
export interface InputResult {
  log: string[];
  left: string;
}

/** What CPython sent (`send:<hex>` per send call, `close`, `error:`) and what stayed queued. */
export interface OutputResult {
  log: string[];
  fifo: string[];
}

/** Cases of each kind, run together in one Python process. */
export interface OracleJob {
  input?: readonly InputCase[];
  output?: readonly OutputCase[];
  simpleProducer?: readonly SimpleProducerCase[];
  prefix?: readonly PrefixCase[];
}

/** The oracle's answers, kind by kind, in case order. */
export interface OracleAnswers {
  input: InputResult[];
  output: OutputResult[];
  /** The hex slices more() returned. */
  simpleProducer: string[][];
  /** find_prefix_at_end's value. */
  prefix: number[];
}

/** Runs every case of a job in one Python process (one per test file keeps starts few). */
export function runOracle(job: OracleJob): OracleAnswers {
  const kinds = ['input', 'output', 'simpleProducer', 'prefix'] as const;
  const cases = kinds.flatMap((kind) => (job[kind] ?? []).map((c) => ({ ...c, kind })));
  const run = spawnSync('python3', ['-W', 'ignore', ORACLE], {
    input: JSON.stringify({ cases }),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`asynchat oracle failed (${run.status}):\n${run.stderr}`);
  const out = JSON.parse(run.stdout) as { python: string; results: Record<string, unknown>[] };
  if (!out.python.startsWith('3.')) throw new Error(`oracle ran on Python ${out.python}`);
  if (out.results.length !== cases.length) throw new Error('oracle skipped cases');
  const answers: OracleAnswers = { input: [], output: [], simpleProducer: [], prefix: [] };
  cases.forEach((c, i) => {
    const r = out.results[i];
    if (c.kind === 'input') answers.input.push(r as unknown as InputResult);
    else if (c.kind === 'output') answers.output.push(r as unknown as OutputResult);
    else if (c.kind === 'simpleProducer') answers.simpleProducer.push(r.slices as string[]);
    else answers.prefix.push(r.value as number);
  });
  return answers;
}

/** A terminator spec as setTerminator takes it. */
export function termInput(spec: TermSpec): string | Buffer | number | null {
  if (spec === null) return null;
  if ('b' in spec) return Buffer.from(spec.b, 'hex');
  if ('n' in spec) return spec.n;
  if ('s' in spec) return spec.s;
  return Number(spec.f);
}

/** A terminator written the way the oracle writes it. */
export function termRepr(t: Terminator): string {
  if (t === null) return 'none';
  return typeof t === 'number' ? `n:${t}` : `b:${t.toString('hex')}`;
}

/** A thrown error the way the oracle writes it. */
export function errorEntry(err: unknown): string {
  return err instanceof Error ? `error:${err.name}:${err.message}` : `error:${String(err)}`;
}

/** The error a scripted `raise` throws; named as Python names it, so logs compare as they are. */
class RuntimeError extends Error {
  override name = 'RuntimeError';
}

/** How replayInput maps actions that our port splits in two. */
export interface ReplayOptions {
  /** What `{do: 'discard'}` calls: asynchat's discard_buffers, or our discardInput. */
  discard?: 'discardBuffers' | 'discardInput';
  /** Sets maxMessageBytes before the first read. */
  maxMessageBytes?: number;
}

/** An AsyncChat that logs what it is told, in the oracle's words, and runs a case's script. */
export class LoggingChat extends AsyncChat {
  readonly log: string[] = [];
  private _found = 0;
  private _collected = 0;

  constructor(
    private readonly _case: InputCase,
    private readonly _options: ReplayOptions = {},
  ) {
    super();
  }

  /** The terminator as the oracle writes it, or `unset`. */
  termNow(): string {
    try {
      return termRepr(this.getTerminator());
    } catch {
      return 'unset';
    }
  }

  override collectIncomingData(data: Buffer): void {
    this.log.push(`collect:${data.toString('hex')}`);
    this._run(this._case.onCollect, this._collected++);
  }

  override foundTerminator(): void {
    this.log.push(`found:${this.termNow()}${this.messageCut ? ':cut' : ''}`);
    this._run(this._case.onFound, this._found++);
  }

  override handleClose(): void {
    this.log.push('handle_close');
    super.handleClose();
  }

  override close(): void {
    this.log.push('close');
    super.close();
  }

  private _run(script: Action[][] | undefined, index: number): void {
    for (const act of script?.[index] ?? []) {
      if ('set' in act) this.setTerminator(termInput(act.set));
      else if ('raise' in act) throw new RuntimeError(act.raise);
      else if (act.do === 'close') this.close();
      else if (this._options.discard === 'discardInput') this.discardInput();
      else this.discardBuffers();
    }
  }
}

/**
 * Replays an input case the way the oracle drives CPython: each chunk through handleRead, an
 * error logged and the rest of the chunk read on (handle_error that does not close), `term:`
 * after each chunk, then endOfInput() for EOF.
 */
export function replayInput(c: InputCase, options: ReplayOptions = {}): LoggingChat {
  const chat = new LoggingChat(c, options);
  const log = chat.log;
  if (c.inSize !== undefined) chat.acInBufferSize = c.inSize;
  if (c.useEncoding) chat.encoding = 'latin1';
  if (options.maxMessageBytes !== undefined) chat.maxMessageBytes = options.maxMessageBytes;
  if (c.terminator !== undefined) {
    try {
      chat.setTerminator(termInput(c.terminator));
    } catch (err) {
      log.push(errorEntry(err));
    }
  }
  for (const hex of c.chunks) {
    if (chat.closed) break;
    let data = Buffer.from(hex, 'hex');
    for (;;) {
      try {
        chat.handleRead(data);
        break;
      } catch (err) {
        log.push(errorEntry(err));
        data = Buffer.alloc(0);
      }
    }
    log.push(`term:${chat.termNow()}`);
  }
  if (c.eof && !chat.closed) {
    try {
      chat.endOfInput();
    } catch (err) {
      log.push(errorEntry(err));
    }
  }
  return chat;
}

/** An AsyncChat that only sends, logging each socket write the way the oracle logs send(). */
class SendingChat extends AsyncChat {
  readonly log: string[] = [];
  private _onConnect: () => void = () => {};
  /** Resolves at handleConnect (declared after _onConnect, which it overwrites). */
  readonly connectedOnce = new Promise<void>((resolve) => (this._onConnect = resolve));

  override handleConnect(): void {
    this._onConnect();
  }

  override handleClose(): void {
    this.log.push('handle_close');
    super.handleClose();
  }

  override close(): void {
    this.log.push('close');
    super.close();
  }
}

/** What our AsyncChat did with an output case: its log, and the bytes the peer received. */
export interface OutputReplay {
  log: string[];
  wire: string;
}

/**
 * Replays an output case through our AsyncChat on a real loopback connection. Each
 * socket.write() is logged as `send:<hex>`; a `pushReentrant` pushes its inner bytes from inside
 * the first write, as the oracle's fake socket does from inside send(). Ops run once connected,
 * or at once when `connected` is false (a `connect` op then waits for the connection).
 */
export async function replayOutput(c: OutputCase): Promise<OutputReplay> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  let peer: net.Socket | undefined;
  const wire = new Promise<Buffer>((resolve) => {
    server.once('connection', (socket: net.Socket) => {
      peer = socket;
      const parts: Buffer[] = [];
      socket.on('data', (d: Buffer) => parts.push(d));
      socket.on('end', () => resolve(Buffer.concat(parts)));
    });
  });
  const chat = new SendingChat();
  if (c.outSize !== undefined) chat.acOutBufferSize = c.outSize;
  chat.connect((server.address() as net.AddressInfo).port);
  const socket = chat.socket as net.Socket;
  const write = socket.write.bind(socket) as (data: Uint8Array) => boolean;
  let reenter: Buffer | undefined;
  socket.write = ((data: Uint8Array) => {
    if (reenter) {
      const inner = reenter;
      reenter = undefined;
      chat.push(inner);
    }
    chat.log.push(`send:${Buffer.from(data).toString('hex')}`);
    return write(data);
  }) as typeof socket.write;

  try {
    if (c.connected !== false) await chat.connectedOnce;
    let last: Uint8Array = new Uint8Array(0);
    for (const op of c.ops) {
      try {
        if (op.op === 'connect') await chat.connectedOnce;
        else if (op.op === 'push' || op.op === 'pushBytearray') {
          last = new Uint8Array(Buffer.from(op.hex, 'hex'));
          chat.push(last);
        } else if (op.op === 'mutate') last[op.index] = op.byte;
        else if (op.op === 'pushStr') chat.push(op.text);
        else if (op.op === 'pushBytesProducer') chat.pushWithProducer(Buffer.from(op.hex, 'hex'));
        else if (op.op === 'pushProducer') {
          chat.pushWithProducer(new SimpleProducer(Buffer.from(op.hex, 'hex'), op.size));
        } else if (op.op === 'pushReentrant') {
          reenter = Buffer.from(op.inner, 'hex');
          chat.push(Buffer.from(op.hex, 'hex'));
        } else if (op.op === 'closeWhenDone') chat.closeWhenDone();
      } catch (err) {
        chat.log.push(errorEntry(err));
      }
    }
    await chat.connectedOnce;
    // closeWhenDone sends from a microtask; let it run before the log is taken.
    await new Promise((resolve) => setImmediate(resolve));
    const log = [...chat.log];
    if (!chat.closed) chat.close();
    const received = await wire;
    return { log, wire: received.toString('hex') };
  } finally {
    // Nothing may keep the test process alive, whatever failed.
    chat.abort();
    peer?.destroy();
    server.close();
  }
}
