/**
 * How the CLI shows traffic: one line per frame for people (direction arrows, escapes visible,
 * protocol fields, warnings, colour unless NO_COLOR), or one JSON object per line with --json.
 */
import { escapeBytes, isValidUtf8 } from '../core/bytes';
import type { TrafficFrame } from '../shared/traffic';

/** Output options. */
export interface PrinterOptions {
  readonly json: boolean;
  readonly color: boolean;
  /** Most characters of escaped payload shown per frame (human output). */
  readonly maxPayloadChars: number;
  readonly write: (line: string) => void;
}

/** Whether to colour: a terminal, and no NO_COLOR (https://no-color.org); FORCE_COLOR wins. */
export function wantColor(stream: { isTTY?: boolean }, env = process.env): boolean {
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

const enum Code {
  Dim = '2',
  Bold = '1',
  Red = '31',
  Green = '32',
  Yellow = '33',
  Blue = '34',
  Magenta = '35',
  Cyan = '36',
}

/** Prints frames and connection events. */
export class FramePrinter {
  constructor(private readonly _o: PrinterOptions) {}

  /** One frame. */
  frame(f: TrafficFrame): void {
    if (this._o.json) {
      this._o.write(JSON.stringify(frameToJson(f)));
      return;
    }
    const c = (code: Code, s: string) => this._paint(code, s);
    const arrow = f.dir === 'c2s' ? c(Code.Cyan, '→') : c(Code.Magenta, '←');
    const size = `${f.bytes.length}B`.padStart(6);
    const flags = [
      f.partial && c(Code.Red, '[partial]'),
      f.oversize && c(Code.Red, '[oversize]'),
      f.injected && c(Code.Yellow, '[injected]'),
      f.held && c(Code.Yellow, '[held]'),
    ].filter(Boolean);
    const ann = f.ann;
    const pairing =
      f.re !== undefined
        ? c(Code.Dim, ` ↩#${f.re}${f.latency !== undefined ? ` ${formatLatency(f.latency)}` : ''}`)
        : '';
    const payload = this._payload(f.bytes);
    const head = `${c(Code.Dim, formatTime(f.t))} ${c(Code.Dim, `c${f.conn}`)} ${arrow} ${c(Code.Dim, size)}`;
    const body = ann?.summary
      ? `${c(Code.Bold, ann.summary)}${pairing}  ${c(Code.Dim, payload)}`
      : `${payload}${pairing}`;
    this._o.write([head, ...flags, body].join(' '));
    for (const w of ann?.warnings ?? []) {
      this._o.write(`${' '.repeat(18)}${c(Code.Yellow, `⚠ ${w.code}: ${w.message}`)}`);
    }
  }

  /** A connection opened. */
  open(conn: number, t: number, peer: string, upstream: string): void {
    if (this._o.json) {
      this._o.write(JSON.stringify({ type: 'open', conn, t, peer, upstream }));
      return;
    }
    this._o.write(
      `${this._paint(Code.Dim, formatTime(t))} ${this._paint(Code.Dim, `c${conn}`)} ${this._paint(Code.Green, `open ${peer} ⇄ ${upstream}`)}`,
    );
  }

  /** A connection closed. */
  close(conn: number, t: number, reason: string, bytes: { c2s: number; s2c: number }): void {
    if (this._o.json) {
      this._o.write(JSON.stringify({ type: 'close', conn, t, reason, bytes }));
      return;
    }
    this._o.write(
      `${this._paint(Code.Dim, formatTime(t))} ${this._paint(Code.Dim, `c${conn}`)} ${this._paint(Code.Blue, `closed: ${reason} (${bytes.c2s}B →, ${bytes.s2c}B ←)`)}`,
    );
  }

  /** A message for the person (status, errors), never mixed into JSON output's frames. */
  note(text: string): void {
    if (this._o.json) this._o.write(JSON.stringify({ type: 'note', text }));
    else this._o.write(this._paint(Code.Dim, text));
  }

  private _payload(bytes: Uint8Array): string {
    const max = this._o.maxPayloadChars;
    // Escape a bounded prefix only: a 1 MiB frame must not cost a 4 MiB string.
    const shown = bytes.length > max * 4 ? bytes.subarray(0, max * 4) : bytes;
    let text = escapeBytes(shown);
    if (text.length > max) text = text.slice(0, max);
    else if (shown.length === bytes.length) return text;
    return `${text}…(${bytes.length} bytes)`;
  }

  private _paint(code: Code, s: string): string {
    return this._o.color ? `\x1b[${code}m${s}\x1b[0m` : s;
  }
}

/** A frame as the JSON object `--json` prints (bytes as text when UTF-8, else base64). */
export function frameToJson(f: TrafficFrame): Record<string, unknown> {
  const b = Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
  const exact = isValidUtf8(b);
  return {
    type: 'frame',
    id: f.id,
    conn: f.conn,
    dir: f.dir,
    seq: f.seq,
    t: f.t,
    size: f.bytes.length,
    ...(exact ? { text: b.toString('utf8') } : { b64: b.toString('base64') }),
    term: f.term,
    ...(f.partial && { partial: true }),
    ...(f.oversize && { oversize: true }),
    ...(f.injected && { injected: true }),
    ...(f.held && { held: true }),
    ...(f.ann && { ann: f.ann }),
    ...(f.re !== undefined && { re: f.re }),
    ...(f.latency !== undefined && { latency: f.latency }),
  };
}

/** µs since start as seconds with µs precision: `   12.345678`. */
export function formatTime(us: number): string {
  return (us / 1e6).toFixed(6).padStart(11);
}

/** A latency in µs as `850us`, `12.3ms` or `1.20s`. */
export function formatLatency(us: number): string {
  if (us < 1000) return `${Math.round(us)}us`;
  if (us < 1e6) return `${(us / 1000).toFixed(1)}ms`;
  return `${(us / 1e6).toFixed(2)}s`;
}
