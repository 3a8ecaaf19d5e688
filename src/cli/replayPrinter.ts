/**
 * How `linetap replay` and `linetap mock` show their results: one line per exchange for people
 * (✓/✗, the request, escapes visible, a diff of what differs; colour unless NO_COLOR), or one
 * JSON object per line with --json.
 */
import { escapeBytes } from '../core/bytes';
import { formatDiff } from '../core/replay/frameCompare';
import {
  bytesToJson,
  type ConnectionReport,
  connectionToJson,
  type ExchangeReport,
  exchangeToJson,
  type ReplayReport,
  replayExitCode,
} from '../core/replay/replayReport';
import type { MockExchange, MockOpen } from '../core/replay/serverMock';

/** Output settings. */
export interface ReplayPrinterOptions {
  readonly json: boolean;
  readonly color: boolean;
  /** Most characters of escaped payload shown per frame. */
  readonly maxPayloadChars: number;
  readonly write: (line: string) => void;
}

const RED = '31';
const GREEN = '32';
const YELLOW = '33';
const DIM = '2';
const BOLD = '1';

/** Prints replay and mock events. */
export class ReplayPrinter {
  constructor(private readonly _o: ReplayPrinterOptions) {}

  /** One replayed exchange, with the frames that did not match. */
  exchange(x: ExchangeReport): void {
    if (this._o.json) return this._o.write(JSON.stringify(exchangeToJson(x)));
    const ok = x.status === 'matched';
    const mark = ok ? this._paint(GREEN, '✓') : this._paint(RED, '✗');
    const label = x.index === 0 ? this._paint(DIM, 'greeting') : this._label(x.request!, x.summary);
    const masked = x.frames.some((f) => f.masked) ? ' (through masks)' : '';
    const n = x.frames.filter((f) => f.expected).length;
    const what = ok
      ? this._paint(DIM, `${n} frame${n === 1 ? '' : 's'}${masked}`)
      : this._paint(x.status === 'extra' ? YELLOW : RED, x.status) + (x.note ? `: ${x.note}` : '');
    this._o.write(
      `${this._paint(DIM, `c${x.conn} #${x.index}`.padEnd(7))} ${mark} ${label}  ${what}`,
    );
    if (ok) return;
    const pad = ' '.repeat(10);
    for (const f of x.frames) {
      if (f.status === 'matched') continue;
      if (f.expected)
        this._o.write(`${pad}${this._paint(DIM, 'expected')}  ${this._payload(f.expected)}`);
      if (f.actual) {
        const tag = f.status === 'extra' ? 'extra   ' : 'actual  ';
        const partial = f.partial ? this._paint(RED, ' [partial]') : '';
        this._o.write(`${pad}${this._paint(DIM, tag)}  ${this._payload(f.actual)}${partial}`);
      }
      if (f.diff) {
        const diff = formatDiff(f.diff, {
          removed: (s) => this._paint(RED, s),
          added: (s) => this._paint(GREEN, s),
        });
        this._o.write(`${pad}${this._paint(DIM, 'diff    ')}  ${diff}`);
      }
    }
  }

  /** A connection's end: its error, or how it ended when that explains missing answers. */
  connection(c: ConnectionReport, stderr: (line: string) => void): void {
    if (this._o.json) this._o.write(JSON.stringify(connectionToJson(c)));
    if (c.error !== undefined) stderr(`linetap replay: connection ${c.conn}: ${c.error}`);
  }

  /** The closing line: counts, and what the exit code will say. */
  summary(r: ReplayReport): void {
    const c = r.counts;
    const code = replayExitCode(r);
    if (this._o.json) {
      const { exchanges, matched, differs, missing, extra } = c;
      const line = { type: 'summary', target: r.target, connections: r.connections.length };
      const more = { errors: r.errors, cancelled: r.cancelled, exit: code };
      this._o.write(
        JSON.stringify({ ...line, exchanges, matched, differs, missing, extra, ...more }),
      );
      return;
    }
    const conns = `${r.connections.length} connection${r.connections.length === 1 ? '' : 's'}`;
    const counts =
      c.exchanges === 0
        ? 'no exchanges replayed'
        : c.matched === c.exchanges
          ? this._paint(GREEN, `all ${c.exchanges} exchanges matched`)
          : `${c.exchanges} exchanges: ${c.matched} matched, ` +
            this._paint(c.differs ? RED : DIM, `${c.differs} differ`) +
            ', ' +
            this._paint(c.missing ? RED : DIM, `${c.missing} missing`) +
            ', ' +
            this._paint(c.extra ? YELLOW : DIM, `${c.extra} extra`);
    const errors = r.errors ? `, ${this._paint(RED, `${r.errors} could not run`)}` : '';
    const cancelled = r.cancelled ? ', cancelled' : '';
    this._o.write(
      `${this._paint(BOLD, `replay against ${r.target}`)}: ${conns}, ${counts}${errors}${cancelled}`,
    );
  }

  /** A client connected to the mock. */
  mockOpen(e: MockOpen): void {
    if (this._o.json) return this._o.write(JSON.stringify({ type: 'open', ...e }));
    const greeting = e.greeting
      ? `, greeting ${e.greeting} frame${e.greeting === 1 ? '' : 's'}`
      : '';
    this._o.write(
      `${this._paint(DIM, `c${e.client}`)} ${this._paint(GREEN, `open ${e.peer}`)}, playing recorded connection ${e.recorded}${greeting}`,
    );
  }

  /** A request the mock answered, or not. */
  mockExchange(x: MockExchange): void {
    if (this._o.json) {
      const { request, ...rest } = x;
      return this._o.write(
        JSON.stringify({ type: 'exchange', ...rest, request: bytesToJson(request) }),
      );
    }
    const label = this._label(x.request, x.summary);
    const masked = x.masked ? ' through masks' : '';
    const what =
      x.outcome === 'matched'
        ? `${this._paint(GREEN, '✓')} ${label}  ${this._paint(DIM, `recorded c${x.recorded!.conn} #${x.recorded!.index}${masked}, ${x.replies} frame${x.replies === 1 ? '' : 's'}`)}`
        : `${this._paint(RED, '✗')} ${label}  ${this._paint(RED, 'not recorded')}: ${UNMATCHED[x.outcome]}`;
    this._o.write(`${this._paint(DIM, `c${x.client}`)} ${what}`);
    if (x.nearest) {
      this._o.write(
        `${' '.repeat(10)}${this._paint(DIM, `nearest recorded: c${x.nearest.conn} #${x.nearest.index}, which differs in`)} ${clip(x.nearest.diff, 200)}`,
      );
      this._o.write(`${' '.repeat(10)}${this._paint(DIM, '(a --mask can hide what differs)')}`);
    }
  }

  /** A mock client went away. */
  mockClose(client: number, reason: string): void {
    if (this._o.json) return this._o.write(JSON.stringify({ type: 'close', client, reason }));
    this._o.write(`${this._paint(DIM, `c${client}`)} ${this._paint(DIM, `closed: ${reason}`)}`);
  }

  private _label(request: Buffer, summary: string | undefined): string {
    if (summary !== undefined) return this._paint(BOLD, clip(summary, 60));
    return this._paint(BOLD, clip(escapeBytes(request.subarray(0, 256)), 60));
  }

  private _payload(bytes: Buffer): string {
    const max = this._o.maxPayloadChars;
    const shown = bytes.length > max * 4 ? bytes.subarray(0, max * 4) : bytes;
    const text = escapeBytes(shown);
    if (text.length <= max && shown.length === bytes.length) return text;
    return `${text.slice(0, max)}…(${bytes.length} bytes)`;
  }

  private _paint(code: string, s: string): string {
    return this._o.color ? `\x1b[${code}m${s}\x1b[0m` : s;
  }
}

const UNMATCHED = {
  close: 'closed the connection',
  reply: 'sent the configured reply',
  upstream: 'passed to the upstream',
} as const;

function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
