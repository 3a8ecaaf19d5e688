/**
 * Talks to one traffic webview for one source of frames (a running proxy or a capture file):
 * answers `ready` with `init`, then sends counts at most every BATCH_MS while frames flood in,
 * and answers the webview's requests for rows and details. Every message from the webview is
 * checked before it is acted on.
 */
import * as vscode from 'vscode';
import { escapeBytes } from '../core/bytes';
import type { FrameTable } from '../core/view/frameTable';
import type { FrameView } from '../core/view/frameView';
import { assertNever, isWebviewToHost } from '../shared/guards';
import {
  BATCH_MS,
  type CopyFormat,
  type HostToWebview,
  type SourceInfo,
  type ToolbarCommand,
  type ViewStatus,
  type WebviewToHost,
} from '../shared/protocol';
import type { Direction, TrafficFrame } from '../shared/traffic';

/** What a live proxy lets the panel do; a capture has none of it. */
export interface LiveActions {
  send(conn: number, dir: Direction, bytes: Uint8Array): void;
  /** Opens a new client connection through the proxy and sends `bytes` on it. */
  sendOnNewConnection(bytes: Uint8Array): Promise<void>;
  closeConnection(conn: number): void;
  setBreakpoint(filter: string): void;
  settleHeld(id: number, action: 'release' | 'drop' | 'edit', bytes?: Uint8Array): void;
  note(frame: TrafficFrame, text: string): void;
  command(command: ToolbarCommand): Thenable<unknown>;
}

/** What a replay's panel lets the user do with a frame it compared. */
export interface ReplayActions {
  /** Opens the frame's exchange in the diff editor: through the masks, or byte for byte. */
  openDiff(frame: TrafficFrame, exact: boolean): Promise<void>;
}

/**
 * Frames and what goes with them, for one panel. A live source holds its frames in a
 * FrameTable; a capture viewer reads them from disk (CaptureTable), so its answers may come later.
 */
export interface PanelSource<T extends FrameView = FrameTable> extends vscode.Disposable {
  readonly info: SourceInfo;
  readonly table: T;
  /** Frames arrived, connections changed, loading progressed, or the source ended. */
  readonly onDidChange: vscode.Event<void>;
  /** Everything of ViewStatus but the table's counts. */
  status(): Omit<ViewStatus, 'total' | 'matched' | 'dropped'>;
  readonly live?: LiveActions;
  readonly replay?: ReplayActions;
}

/** One webview bound to one source. */
export class PanelController implements vscode.Disposable {
  private readonly _disposables: vscode.Disposable[] = [];
  private _timer: NodeJS.Timeout | undefined;
  private _ready = false;
  private _disposed = false;
  /** Notices posted before the webview said `ready`, sent after its `init`. */
  private readonly _pending: HostToWebview[] = [];

  constructor(
    private readonly _webview: vscode.Webview,
    private readonly _source: PanelSource<FrameView>,
    private readonly _log: vscode.LogOutputChannel,
  ) {
    this._disposables.push(
      _webview.onDidReceiveMessage((m: unknown) => this._receive(m)),
      _source.onDidChange(() => this._schedule()),
    );
  }

  /** Sends the counts again (a hidden webview drops messages, so after it shows again). */
  refresh(): void {
    if (this._ready) this._postStatus();
  }

  /**
   * The source's frames and header were replaced (a capture re-framed): the panel takes them
   * as a new init, keeping its filter, and reads its rows anew. Before `ready`, its own init
   * will carry them.
   */
  restart(): void {
    if (!this._ready) return;
    const { info, table } = this._source;
    this._post({ type: 'init', source: info, filter: table.filter.toString() });
    this._postStatus();
  }

  /** Tells the webview something (the proxy stopped...). */
  notice(level: 'info' | 'error', message: string): void {
    this._post({ type: 'notice', level, message });
  }

  private _post(message: HostToWebview): void {
    // Answers read from disk may land after the panel closed.
    if (this._disposed) return;
    if (this._ready) void this._webview.postMessage(message);
    else this._pending.push(message);
  }

  private _schedule(): void {
    if (!this._ready) return;
    this._timer ??= setTimeout(() => {
      this._timer = undefined;
      this._postStatus();
    }, BATCH_MS);
  }

  private _postStatus(): void {
    const { table } = this._source;
    this._post({
      type: 'status',
      status: {
        total: table.total,
        matched: table.matched,
        dropped: table.dropped,
        ...this._source.status(),
      },
    });
  }

  private _receive(m: unknown): void {
    if (!isWebviewToHost(m)) {
      this._log.warn(
        `webview.msg: dropped a malformed message: ${JSON.stringify(m)?.slice(0, 200)}`,
      );
      return;
    }
    this._handle(m).catch((e: Error) => this.notice('error', e.message));
  }

  private async _handle(m: WebviewToHost): Promise<void> {
    const { table, live } = this._source;
    switch (m.type) {
      case 'ready':
        this._ready = true;
        this._post({ type: 'init', source: this._source.info, filter: table.filter.toString() });
        for (const p of this._pending.splice(0)) this._post(p);
        this._postStatus();
        return;
      case 'getRows':
        this._post({
          type: 'rows',
          requestId: m.requestId,
          pos: m.pos,
          rows: await table.rows(m.pos, m.count),
        });
        return;
      case 'getDetail':
        this._post({
          type: 'detail',
          requestId: m.requestId,
          detail: await table.detail(m.index),
        });
        return;
      case 'setFilter':
        try {
          table.setFilter(m.filter);
          this._post({ type: 'filter', filter: m.filter });
        } catch (e) {
          const column = (e as { column?: number }).column;
          this._post({
            type: 'filter',
            filter: m.filter,
            error: { message: (e as Error).message, column },
          });
        }
        this._postStatus();
        return;
      case 'copy':
        void vscode.env.clipboard.writeText(
          formatBytes((await this._frame(m.index)).bytes, m.format),
        );
        return;
      case 'openDiff': {
        const replay = this._source.replay;
        if (!replay) throw new Error('only a replay has recorded frames to compare with');
        void replay
          .openDiff(await this._frame(m.index), m.exact)
          .catch((e: Error) => this.notice('error', e.message));
        return;
      }
      case 'resend': {
        const f = await this._frame(m.index);
        if (m.newConnection) {
          if (f.dir !== 'c2s')
            throw new Error('only frames sent by a client can open a new connection');
          void this._need(live)
            .sendOnNewConnection(f.bytes)
            .catch((e: Error) => this.notice('error', e.message));
        } else this._need(live).send(f.conn, f.dir, f.bytes);
        return;
      }
      case 'push':
        this._need(live).send(m.conn, m.dir, m.bytes);
        return;
      case 'note':
        this._need(live).note(await this._frame(m.index), m.text);
        return;
      case 'closeConnection':
        this._need(live).closeConnection(m.conn);
        return;
      case 'command':
        void this._need(live).command(m.command);
        return;
      case 'setBreakpoint':
        this._need(live).setBreakpoint(m.filter);
        this._postStatus();
        return;
      case 'settleHeld':
        this._need(live).settleHeld(m.id, m.action, m.bytes);
        this._postStatus();
        return;
      default:
        assertNever(m);
    }
  }

  private async _frame(index: number): Promise<TrafficFrame> {
    const f = await this._source.table.get(index);
    if (!f)
      throw new Error(`frame ${index} is no longer held (older frames are in the capture file)`);
    return f;
  }

  private _need(live: LiveActions | undefined): LiveActions {
    if (!live) throw new Error('a capture is read-only: start a proxy to send');
    return live;
  }

  dispose(): void {
    this._disposed = true;
    clearTimeout(this._timer);
    for (const d of this._disposables) d.dispose();
  }
}

/** A frame's bytes as text for the clipboard. */
export function formatBytes(bytes: Uint8Array, format: CopyFormat): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (format) {
    case 'text':
      return new TextDecoder().decode(b);
    case 'escaped':
      return escapeBytes(b);
    case 'hex':
      return b.toString('hex').replace(/(..)(?!$)/g, '$1 ');
    case 'base64':
      return b.toString('base64');
  }
}
