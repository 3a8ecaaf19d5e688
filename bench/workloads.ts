/** Deterministic benchmark inputs: the same bytes go to our side and to asynchat's. */

/** A benchmark input and what a correct consumer must find in it. */
export interface Workload {
  readonly data: Buffer;
  /** Complete messages: lines, or top-level RESP replies. */
  readonly messages: number;
  /** Message bytes without framing: line contents, or RESP bulk bodies and simple-reply texts. */
  readonly payloadBytes: number;
}

/** A seeded pseudo-random generator (mulberry32) returning numbers in [0, 1). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills `buf[start, end)` with printable ASCII, so no CR or LF appears by accident. */
function fillPrintable(buf: Buffer, start: number, end: number, rand: () => number): void {
  for (let i = start; i < end; i++) buf[i] = 0x20 + Math.floor(rand() * 95);
}

/** CRLF lines of exactly `lineBytes` bytes (ending included), about `totalBytes` in all. */
export function crlfLines(totalBytes: number, lineBytes: number, seed = 1): Workload {
  const lines = Math.max(1, Math.round(totalBytes / lineBytes));
  const data = Buffer.allocUnsafe(lines * lineBytes);
  const rand = prng(seed);
  // One random line body, rotated per line: varied bytes without a PRNG call per byte.
  const pattern = Buffer.allocUnsafe(lineBytes * 2);
  fillPrintable(pattern, 0, pattern.length, rand);
  const body = lineBytes - 2;
  for (let l = 0; l < lines; l++) {
    const at = l * lineBytes;
    const shift = l % lineBytes;
    pattern.copy(data, at, shift, shift + body);
    data[at + body] = 13;
    data[at + body + 1] = 10;
  }
  return { data, messages: lines, payloadBytes: lines * body };
}

/** Builds RESP2 replies; tracks what a parser must report. */
class RespWriter {
  readonly parts: Buffer[] = [];
  bytes = 0;
  payloadBytes = 0;

  constructor(private readonly _rand: () => number) {}

  int(max: number): number {
    return Math.floor(this._rand() * max);
  }

  simple(type: '+' | '-' | ':', text: string): void {
    this.payloadBytes += Buffer.byteLength(text);
    this.put(Buffer.from(`${type}${text}\r\n`, 'latin1'));
  }

  /** A bulk string; binary bodies contain CR, LF and "\r\n$" on purpose (framing by count). */
  bulk(length: number, binary: boolean): void {
    const body = Buffer.allocUnsafe(length);
    if (binary) for (let i = 0; i < length; i++) body[i] = this.int(256);
    else fillPrintable(body, 0, length, this._rand);
    if (binary && length >= 3) body.write('\r\n$', this.int(length - 2), 'latin1');
    this.payloadBytes += length;
    this.put(Buffer.from(`$${length}\r\n`, 'latin1'));
    this.put(body);
    this.put(Buffer.from('\r\n', 'latin1'));
  }

  header(type: '*' | '$', n: number): void {
    this.put(Buffer.from(`${type}${n}\r\n`, 'latin1'));
  }

  private put(b: Buffer): void {
    this.parts.push(b);
    this.bytes += b.length;
  }
}

/**
 * Replies a Redis server sends to a pipelining client, about `totalBytes` of them: +OK, integers,
 * errors, nil, short and long bulk strings (some binary), MGET/LRANGE arrays, empty arrays, and
 * SCAN-style nested arrays.
 */
export function respPipeline(totalBytes: number, seed = 7): Workload {
  const w = new RespWriter(prng(seed));
  let messages = 0;
  while (w.bytes < totalBytes) {
    const pick = w.int(100);
    if (pick < 20) w.simple('+', 'OK');
    else if (pick < 35) w.simple(':', String(w.int(1_000_000)));
    else if (pick < 40) w.simple('-', 'ERR wrong number of arguments for command');
    else if (pick < 45) w.header('$', -1);
    else if (pick < 70) w.bulk(5 + w.int(60), false);
    else if (pick < 78) w.bulk(100 + w.int(1900), w.int(2) === 0);
    else if (pick < 93) {
      const n = 1 + w.int(10);
      w.header('*', n);
      for (let i = 0; i < n; i++) {
        if (w.int(10) === 0) w.header('$', -1);
        else w.bulk(3 + w.int(40), false);
      }
    } else if (pick < 95) w.header('*', 0);
    else {
      const keys = w.int(8);
      w.header('*', 2);
      w.bulk(String(w.int(100_000)).length, false);
      w.header('*', keys);
      for (let i = 0; i < keys; i++) w.bulk(8 + w.int(24), false);
    }
    messages++;
  }
  return { data: Buffer.concat(w.parts, w.bytes), messages, payloadBytes: w.payloadBytes };
}

/** The same workload `times` times over, back to back: the same case at a bigger size. */
export function repeat(w: Workload, times: number): Workload {
  return {
    data: Buffer.concat(Array.from({ length: times }, () => w.data)),
    messages: w.messages * times,
    payloadBytes: w.payloadBytes * times,
  };
}

/** Splits input into reads of at most `size` bytes (views, no copies). */
export function chunk(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}
