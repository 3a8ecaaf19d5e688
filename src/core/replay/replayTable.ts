/**
 * The frames of a replay's panel: a FrameTable whose rows carry the outcome of each frame the
 * server sent, and whose details carry the recorded frame it was compared with.
 */
import {
  DETAIL_BYTES,
  type FrameDetail,
  type FrameRow,
  type ReplayComparison,
} from '../../shared/protocol';
import type { TrafficFrame } from '../../shared/traffic';
import { FrameTable, type FrameTableLimits } from '../view/frameTable';
import { type ExchangeReport, exchangeLabel, type FrameResult } from './replayReport';

/** What a server frame of the replay was compared with: its place in an exchange's report. */
export interface FrameComparison {
  readonly exchange: ExchangeReport;
  readonly result: FrameResult;
}

/** Comparisons kept for frames no longer held, before they are pruned. */
const PRUNE_SLACK = 1024;

/** A FrameTable of a replay's traffic, with comparisons. */
export class ReplayTable extends FrameTable {
  /** By frame id, ascending (insertion order), so pruning starts at the front. */
  private readonly _compared = new Map<number, FrameComparison>();

  constructor(
    limits: FrameTableLimits,
    /** Names of the masks the replay compared through. */
    private readonly _masks: readonly string[],
  ) {
    super(limits);
  }

  /** Adds a frame, with its comparison when it is a server frame that was compared. */
  pushFrame(frame: TrafficFrame, comparison?: FrameComparison): void {
    if (comparison) this._compared.set(frame.id, comparison);
    this.push(frame);
    if (this._compared.size > this.total + PRUNE_SLACK) this._prune();
  }

  /** What the frame with id `id` was compared with, if it is a compared server frame. */
  comparison(id: number): FrameComparison | undefined {
    return this._compared.get(id);
  }

  override rows(pos: number, count: number): FrameRow[] {
    return super.rows(pos, count).map((r) => this._decorate(r));
  }

  override detail(index: number): FrameDetail | undefined {
    const d = super.detail(index);
    if (!d) return undefined;
    const c = this._compared.get(d.row.id);
    return {
      ...d,
      row: this._decorate(d.row),
      ...(d.pair && { pair: this._decorate(d.pair) }),
      ...(c && { replay: toComparison(c, this._masks) }),
    };
  }

  override clear(): void {
    super.clear();
    this._compared.clear();
  }

  private _decorate(row: FrameRow): FrameRow {
    const c = this._compared.get(row.id);
    return c ? { ...row, outcome: c.result.status } : row;
  }

  /** Drops the comparisons of frames the table no longer holds (ids ascend with insertion). */
  private _prune(): void {
    const oldest = this.get(this.first)?.id ?? Infinity;
    for (const id of this._compared.keys()) {
      if (id >= oldest) break;
      this._compared.delete(id);
    }
  }
}

/** The comparison as the detail pane gets it: plain bytes (not a Buffer), capped. */
function toComparison(c: FrameComparison, masks: readonly string[]): ReplayComparison {
  const { result: r, exchange: x } = c;
  const recorded = r.expected;
  return {
    outcome: r.status,
    exchange: exchangeLabel(x),
    // A copy into a plain Uint8Array: postMessage would send a Buffer as JSON.
    ...(recorded && {
      recorded: new Uint8Array(recorded.subarray(0, DETAIL_BYTES)),
      recordedSize: recorded.length,
    }),
    ...(r.masked && { masked: true }),
    ...(r.diff && { diff: r.diff.parts }),
    ...(x.note !== undefined && r.status !== 'matched' && { note: x.note }),
    masks,
  };
}
