/**
 * The byte streams the proxy benchmarks send through each relay, and the receiver's check that
 * it got exactly them. A stream is one block of CRLF lines (bench/workloads.ts) sent `times`
 * over, so sender and receiver make the same bytes from a name and a count.
 */
import { createHash, type Hash } from 'node:crypto';
import { crlfLines } from './workloads';

/** The streams, by id. */
export const STREAMS = {
  lines4k: { title: '4 KiB CRLF lines', lineBytes: 4096 },
  lines64: { title: '64-byte CRLF lines', lineBytes: 64 },
} as const;

export type StreamId = keyof typeof STREAMS;

/** Bytes of one block: the unit a stream repeats (a whole number of lines of either size). */
export const BLOCK_BYTES = 16 * 1024 * 1024;

const blocks = new Map<StreamId, Buffer>();

/** The block of `id`, made once per process. */
export function streamBlock(id: StreamId): Buffer {
  let block = blocks.get(id);
  if (!block) {
    block = crlfLines(BLOCK_BYTES, STREAMS[id].lineBytes).data;
    blocks.set(id, block);
  }
  return block;
}

/** Lines in a stream of `id` sent `times` over. */
export function streamLines(id: StreamId, times: number): number {
  return (BLOCK_BYTES / STREAMS[id].lineBytes) * times;
}

/** SHA-256 of the block repeated `times` times, as hex. */
export function streamDigest(id: StreamId, times: number): string {
  const block = streamBlock(id);
  const hash = createHash('sha256');
  for (let i = 0; i < times; i++) hash.update(block);
  return hash.digest('hex');
}

/**
 * What a receiver got, checked as it arrives: every byte is compared with the stream it must be
 * (a native memcmp, cheap enough for every timed run), the count must come out exact, and, when
 * asked (the untimed verification runs: SHA-256 costs about as much as the loopback copy), a
 * SHA-256 of everything received is kept to compare with the sender's.
 */
export class StreamCheck {
  private readonly _block: Buffer;
  private readonly _total: number;
  private readonly _hash: Hash | undefined;
  private _received = 0;

  constructor(
    readonly id: StreamId,
    readonly times: number,
    hash: boolean,
  ) {
    this._block = streamBlock(id);
    this._total = this._block.length * times;
    this._hash = hash ? createHash('sha256') : undefined;
  }

  /** Bytes received so far. */
  get received(): number {
    return this._received;
  }

  /** True once every byte of the stream has arrived. */
  get complete(): boolean {
    return this._received === this._total;
  }

  /** Checks the next chunk received; throws at the first byte that differs or is one too many. */
  take(chunk: Uint8Array): void {
    if (this._received + chunk.length > this._total) {
      throw new Error(
        `received ${this._received + chunk.length} bytes of a ${this._total}-byte stream`,
      );
    }
    this._hash?.update(chunk);
    const block = this._block;
    let done = 0;
    while (done < chunk.length) {
      const at = (this._received + done) % block.length;
      const n = Math.min(chunk.length - done, block.length - at);
      if (Buffer.compare(chunk.subarray(done, done + n), block.subarray(at, at + n)) !== 0) {
        throw new Error(
          `received bytes differ from the stream within ${this._received + done}+${n}`,
        );
      }
      done += n;
    }
    this._received += chunk.length;
  }

  /** The SHA-256 of what was received (only when made with `hash`). */
  digest(): string | undefined {
    return this._hash?.digest('hex');
  }
}
