/** The benchmark cases: which input, read how, at what size. */
import type { Parser } from './subjects';
import { crlfLines, respPipeline, type Workload } from './workloads';

/** One input shape, read in one way. */
export interface Case {
  readonly id: string;
  readonly title: string;
  readonly parser: Parser;
  /** Bytes per read; Infinity hands our side the whole input at once. */
  readonly read: number;
  /** The input size N; linearity is measured against the same input four times over. */
  readonly size: number;
  readonly make: (bytes: number) => Workload;
}

const KiB = 1024;
const MiB = 1024 * KiB;
/** asynchat's ac_in_buffer_size: the most one read event hands over. */
export const READ_SIZE = 64 * KiB;

const lines64 = (n: number): Workload => crlfLines(n, 64);
const lines4k = (n: number): Workload => crlfLines(n, 4096);

const LINES64 = { title: '64-byte CRLF lines', parser: 'lines', make: lines64 } as const;
const LINES4K = { title: '4 KiB CRLF lines', parser: 'lines', make: lines4k } as const;
const RESP = { title: 'RESP reply pipeline', parser: 'resp', make: respPipeline } as const;

function c(
  id: string,
  shape: Pick<Case, 'title' | 'parser' | 'make'>,
  read: number,
  size: number,
): Case {
  return { id, ...shape, read, size };
}

/** Every case, in the order they run and print. */
export const CASES: readonly Case[] = [
  c('lines64', LINES64, READ_SIZE, 4 * MiB),
  c('lines4k', LINES4K, READ_SIZE, 16 * MiB),
  c('resp', RESP, READ_SIZE, 2 * MiB),
  c('bytewise', LINES64, 1, 64 * KiB),
  // Our side only: asynchat never reads more than 64 KiB at once, and slices per message, so one
  // big read makes it quadratic (contract §4 item 2); ours must stay linear. Framer.feed returns
  // every frame of a read at once, so at 16 MiB they outgrow V8's young generation: the second
  // size shows the cost per frame after that step.
  c('lines64-onefeed', LINES64, Infinity, 4 * MiB),
  c('lines64-onefeed-16m', LINES64, Infinity, 16 * MiB),
  c('resp-onefeed', RESP, Infinity, 2 * MiB),
];
