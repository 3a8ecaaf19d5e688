/** The Markdown the benchmark prints: throughput side by side, and the targets. */
import type { Case } from './cases';
import { markdownTable, num, size } from './report';

/** The asynchat row's name. */
export const ASYNCHAT = 'asynchat';

/** One implementation on one case: throughput at N, and time(4N)/time(N). */
export interface Row {
  readonly case: Case;
  /** The input size N actually used. */
  readonly bytes: number;
  readonly name: string;
  /** NaN when it did not run; `note` then says why. */
  readonly mbps: number;
  readonly msgsPerSec: number;
  readonly linearity: number;
  readonly note?: string;
}

/** How a case reads its input, for the table. */
export function readsLabel(read: number): string {
  return read === Infinity ? 'one feed' : read === 1 ? '1 B' : size(read);
}

function baselineOf(rows: readonly Row[], r: Row): number {
  return rows.find((x) => x.case === r.case && x.name === ASYNCHAT)?.mbps ?? NaN;
}

/** Throughput of every row, with its ratio to asynchat on the same case. */
export function throughputTable(rows: readonly Row[]): string {
  const body = rows.map((r) => {
    const ratio = r.mbps / baselineOf(rows, r);
    let vs = Number.isFinite(ratio) ? `${num(ratio)}x` : 'n/a';
    if (r.name === ASYNCHAT) vs = Number.isFinite(r.mbps) ? '1 (baseline)' : 'n/a';
    return [
      r.case.title,
      size(r.bytes),
      readsLabel(r.case.read),
      r.name,
      num(r.mbps),
      num(r.msgsPerSec),
      vs,
      num(r.linearity),
    ];
  });
  return markdownTable(
    ['workload', 'N', 'reads', 'implementation', 'MB/s', 'messages/s', 'vs asynchat', 't(4N)/t(N)'],
    body,
    [false, true, true, false, true, true, true, true],
  );
}

function verdict(met: boolean, value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return met ? 'yes' : '**no**';
}

/** The targets, each with what was measured and whether it is met. */
export function targetsTable(rows: readonly Row[]): string {
  const ours = rows.filter((r) => r.name !== ASYNCHAT && Number.isFinite(r.mbps));
  const out: string[][] = [];
  for (const r of ours.filter((x) => x.case.id === 'lines64')) {
    const ratio = r.mbps / baselineOf(rows, r);
    const shown = Number.isFinite(ratio) ? `${num(ratio)}x` : 'n/a';
    out.push(['>= 10x asynchat, 64-byte lines', r.name, shown, verdict(ratio >= 10, ratio)]);
  }
  for (const r of ours.filter((x) => x.case.id === 'lines4k')) {
    const gbps = r.mbps / 1000;
    out.push(['>= 1 GB/s, 4 KiB lines', r.name, `${num(gbps)} GB/s`, verdict(gbps >= 1, gbps)]);
  }
  const linear = 'linear: t(4N)/t(N) about 4 (at most 5), every case';
  const bent = ours.filter((r) => !(r.linearity <= 5));
  for (const r of bent) {
    out.push([linear, `${r.name}, ${r.case.id}`, num(r.linearity), verdict(false, r.linearity)]);
  }
  const worst = ours.reduce<Row | undefined>(
    (a, r) => (a && a.linearity >= r.linearity ? a : r),
    undefined,
  );
  if (worst && bent.length === 0) {
    const where = `all ${ours.length} (worst: ${worst.name}, ${worst.case.id})`;
    out.push([linear, where, num(worst.linearity), verdict(true, worst.linearity)]);
  }
  return markdownTable(['target', 'implementation', 'measured', 'met'], out, [
    false,
    false,
    true,
    false,
  ]);
}
