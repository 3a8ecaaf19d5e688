/** The sentence under the list: counts, what is not shown and why, progress. */
import type { SourceInfo, ViewStatus } from '../shared/protocol';
import { visibleText } from './escapeSegments';
import { clip, formatCount } from './format';

export function statusText(
  status: ViewStatus,
  filtered: boolean,
  kind: SourceInfo['kind'],
): string {
  const parts = [`${formatCount(status.total)} frames`];
  if (filtered) parts.push(`${formatCount(status.matched)} match the filter`);
  if (status.dropped > 0) {
    // A proxy records everything to its capture; a replay keeps only its outcome counts.
    const where =
      kind === 'replay'
        ? 'no longer shown (the replay summary counts them)'
        : 'only in the capture file';
    parts.push(`${formatCount(status.dropped)} older ones ${where}`);
  }
  const open = status.connections.filter((c) => c.open).length;
  parts.push(`${formatCount(open)} open connection${open === 1 ? '' : 's'}`);
  if (status.progress && status.progress.total > 0) {
    const pct = Math.floor((100 * status.progress.done) / status.progress.total);
    parts.push(`${status.progress.what ?? 'reading'} ${Math.min(100, pct)}%`);
  }
  if (status.breakpoint) parts.push(`breakpoint: ${visibleText(clip(status.breakpoint, 200))}`);
  return parts.join(' · ');
}
