/**
 * The webview's requests to the host that expect an answer: rows of the list and a frame's
 * detail. Each gets a requestId; answers are checked and matched back, and unanswered requests
 * reject after a timeout or when the page goes away.
 */
import { MAX_ROWS, type FrameDetail, type FrameRow, type HostToWebview } from '../shared/protocol';
import { checkedDetail, checkedRows } from './messageChecks';
import { PendingRequests } from './pendingRequests';
import { postToHost } from './vscodeApi';

/** Rows the host sent from `pos` on. */
export interface RowsAnswer {
  readonly pos: number;
  readonly rows: readonly FrameRow[];
}

type RowsMessage = Extract<HostToWebview, { type: 'rows' }>;
type DetailMessage = Extract<HostToWebview, { type: 'detail' }>;

/** Sends getRows/getDetail and resolves them with the host's answers. */
export class HostLink {
  private readonly rows = new PendingRequests<RowsAnswer>('getRows');
  private readonly details = new PendingRequests<FrameDetail | undefined>('getDetail');

  /** Rows [pos, pos + count) of the filtered list (count is capped at MAX_ROWS). */
  fetchRows(pos: number, count: number): Promise<RowsAnswer> {
    const { id, answer } = this.rows.open();
    postToHost({ type: 'getRows', requestId: id, pos, count: Math.min(count, MAX_ROWS) });
    return answer;
  }

  /** The frame at source index `index`, or undefined when the host no longer has it. */
  fetchDetail(index: number): Promise<FrameDetail | undefined> {
    const { id, answer } = this.details.open();
    postToHost({ type: 'getDetail', requestId: id, index });
    return answer;
  }

  /** Delivers a `rows` message; rows that break the contract are cut off there. */
  onRows(m: RowsMessage): void {
    this.rows.settle(m.requestId, { pos: m.pos, rows: checkedRows(m.rows) });
  }

  /** Delivers a `detail` message. */
  onDetail(m: DetailMessage): void {
    this.details.settle(m.requestId, m.detail === undefined ? undefined : checkedDetail(m.detail));
  }

  dispose(): void {
    this.rows.dispose();
    this.details.dispose();
  }
}
