/**
 * The one message contract between the extension host and the traffic panel / capture viewer
 * webviews (house style rule 3). The host owns the frames; the webview shows a window of them:
 * it learns the counts from `status`, asks for the rows it can see with `getRows`, and for one
 * frame's bytes with `getDetail`. So a million frames cost the webview only the visible rows.
 * Payloads travel as Uint8Array (structured clone), never as base64 or number arrays.
 *
 * Positions: `index` is a frame's position in its source, counted from the first frame the
 * source ever had and never reused (when old frames are dropped, the first index held grows);
 * a row's place in the filtered list is its `pos`, from 0.
 */
import type { Annotation, Direction } from './traffic';

//#region shared shapes

/**
 * How a frame the server sent in a replay compares with the frame recorded in its place:
 * `matched` (equal, maybe through masks), `differs`, `missing` (recorded, not sent: the row is
 * a placeholder with no bytes), `extra` (sent, not recorded).
 */
export type ReplayOutcome = 'matched' | 'differs' | 'missing' | 'extra';

/** The outcomes, for checks and filters. */
export const REPLAY_OUTCOMES: readonly ReplayOutcome[] = ['matched', 'differs', 'missing', 'extra'];

/** The protocol field that holds a replayed frame's outcome, where filters find it. */
export const REPLAY_OUTCOME_FIELD = 'replay';

/** The filter term that lists what a replay did not match: differing, missing, extra frames. */
export const DIFFERENCES_FILTER = `${REPLAY_OUTCOME_FIELD}!=matched`;

/** Bits of FrameRow.flags. */
export const FrameFlag = { partial: 1, oversize: 2, injected: 4, held: 8 } as const;

/** One line of the frame list: everything the list shows, no payload beyond a preview. */
export interface FrameRow {
  /** Position in the source. */
  readonly index: number;
  /** Frame id in its session (what filters and `re` use). */
  readonly id: number;
  readonly conn: number;
  readonly dir: Direction;
  readonly seq: number;
  /** µs since the session started. */
  readonly t: number;
  /** Bytes, terminator included. */
  readonly size: number;
  /** FrameFlag bits. */
  readonly flags: number;
  /** The protocol's one-line summary, or the payload with escapes visible; at most ~200 chars. */
  readonly summary: string;
  /** The annotation's name (`SET`, `+OK`, `250`), for a column of its own. */
  readonly name?: string;
  /** Warning codes of the frame. */
  readonly warnings?: readonly string[];
  /** For a reply: the id of its request, and the µs it took. */
  readonly re?: number;
  readonly latency?: number;
  /** In a replay, for a frame from the server: how it compares with the recording. */
  readonly outcome?: ReplayOutcome;
}

/** A run of a word diff: text both sides have, only the recording has, or only the server sent. */
export interface DiffRun {
  readonly op: 'same' | 'removed' | 'added';
  /** Escaped text (`\r\n` visible); long unchanged runs are shortened with `…`. */
  readonly text: string;
}

/** A frame the server sent in a replay, next to the frame recorded in its place. */
export interface ReplayComparison {
  readonly outcome: ReplayOutcome;
  /** The exchange, as the diff editor's title names it: `conn 1 #2 GET greeting`. */
  readonly exchange: string;
  /** The recorded frame (at most DETAIL_BYTES of it); none for an extra frame. */
  readonly recorded?: Uint8Array;
  /** The recorded frame's whole size. */
  readonly recordedSize?: number;
  /** Equal only because masks hid a difference. */
  readonly masked?: boolean;
  /** How the two differ; the diff editor shows them in full. */
  readonly diff?: readonly DiffRun[];
  /** Why answers are missing, in words: a timeout, the server closing, the request not sent. */
  readonly note?: string;
  /** Names of the masks the replay compared through (none: byte for byte). */
  readonly masks: readonly string[];
}

/** A frame in full, for the detail pane. */
export interface FrameDetail {
  readonly row: FrameRow;
  /** The payload (at most DETAIL_BYTES of it; `truncated` says when there was more). */
  readonly bytes: Uint8Array;
  readonly truncated: boolean;
  readonly term: string;
  readonly ann?: Annotation;
  /** The request this reply answers, or the reply that answered this request. */
  readonly pair?: FrameRow;
  /** In a replay, for a frame from the server: the recorded frame it was compared with. */
  readonly replay?: ReplayComparison;
}

/** Most payload bytes sent for one detail view. */
export const DETAIL_BYTES = 1024 * 1024;

/** A connection as the panel lists it. */
export interface ConnectionSummary {
  readonly conn: number;
  readonly peer: string;
  readonly open: boolean;
  readonly bytes: { readonly c2s: number; readonly s2c: number };
}

/** What the panel is showing. */
export interface SourceInfo {
  /**
   * A running proxy (frames arrive), a capture file (read-only), or a replay of a capture
   * against a server (read-only; the server's frames carry their ReplayOutcome).
   */
  readonly kind: 'live' | 'capture' | 'replay';
  readonly title: string;
  /** `127.0.0.1:7000 → localhost:6379` or the file name. */
  readonly description: string;
  readonly framing: { readonly c2s: string; readonly s2c: string };
  /** Frames can be sent and connections closed (a live proxy). */
  readonly interactive: boolean;
}

/** Counts the list needs, sent whenever they change (at most every BATCH_MS). */
export interface ViewStatus {
  /** Frames the source holds. */
  readonly total: number;
  /** Frames the filter lets through (the list's length). */
  readonly matched: number;
  /** Frames gone from memory (older than the ring), still in the capture file. */
  readonly dropped: number;
  /** The source still receives frames (a running proxy) or is still being read (a file). */
  readonly growing: boolean;
  /**
   * For a file being read: bytes read and the file's size; for a filter running over a whole
   * capture (`filtering`): frames looked at and the capture's frames.
   */
  readonly progress?: {
    readonly done: number;
    readonly total: number;
    readonly what?: 'reading' | 'filtering';
  };
  readonly connections: readonly ConnectionSummary[];
  /** Frames held at the breakpoint now (`index` -1 for one older than the table holds). */
  readonly held: readonly FrameRow[];
  /** The breakpoint filter in force ('' for none). */
  readonly breakpoint: string;
}

/** How often the host sends status and frame batches, at most (ms). */
export const BATCH_MS = 80;

/** Ways to copy a frame. */
export type CopyFormat = 'text' | 'escaped' | 'hex' | 'base64';

/** Toolbar commands the host runs with VS Code's own UI. */
export type ToolbarCommand = 'startProxy' | 'stopProxy' | 'saveCapture' | 'exportPcapng' | 'clear';

//#endregion

//#region host → webview

/** Messages the host posts to the webview. */
export type HostToWebview =
  /** The answer to `ready`: what is shown and the filter to restore. */
  | { readonly type: 'init'; readonly source: SourceInfo; readonly filter: string }
  /** Counts changed (new frames, a new filter, connections...). */
  | { readonly type: 'status'; readonly status: ViewStatus }
  /** The rows asked for with `getRows`, from `pos` on (fewer at the end of the list). */
  | {
      readonly type: 'rows';
      readonly requestId: number;
      readonly pos: number;
      readonly rows: readonly FrameRow[];
    }
  /** The frame asked for with `getDetail`, or none when it is gone. */
  | { readonly type: 'detail'; readonly requestId: number; readonly detail?: FrameDetail }
  /** The filter was applied, or could not be parsed (`error`, with the column). */
  | {
      readonly type: 'filter';
      readonly filter: string;
      readonly error?: { readonly message: string; readonly column?: number };
    }
  /** The source is gone (proxy stopped) or failed to load. */
  | { readonly type: 'notice'; readonly level: 'info' | 'error'; readonly message: string };

//#endregion

//#region webview → host

/** Messages the webview posts to the host. */
export type WebviewToHost =
  /** The webview's listener is attached: send `init`, then status. */
  | { readonly type: 'ready' }
  /** Rows of the filtered list from `pos`, at most `count` (≤ MAX_ROWS). */
  | {
      readonly type: 'getRows';
      readonly requestId: number;
      readonly pos: number;
      readonly count: number;
    }
  /** The frame at source position `index`, in full. */
  | { readonly type: 'getDetail'; readonly requestId: number; readonly index: number }
  /** Applies a filter ('' for all). */
  | { readonly type: 'setFilter'; readonly filter: string }
  /** Sends the frame at `index` again the same way: on its connection, or a new one. */
  | { readonly type: 'resend'; readonly index: number; readonly newConnection: boolean }
  /** Records a note about the frame at `index` in the capture. */
  | { readonly type: 'note'; readonly index: number; readonly text: string }
  /** Pushes bytes into a connection, towards the server (`c2s`) or the client. */
  | {
      readonly type: 'push';
      readonly conn: number;
      readonly dir: Direction;
      readonly bytes: Uint8Array;
    }
  /**
   * Opens the exchange of the replayed frame at `index` in VS Code's diff editor: recorded
   * against received, through the replay's masks, or byte for byte when `exact`.
   */
  | { readonly type: 'openDiff'; readonly index: number; readonly exact: boolean }
  /** Copies a frame to the clipboard in a format. */
  | { readonly type: 'copy'; readonly index: number; readonly format: CopyFormat }
  /** Closes a connection of the live proxy. */
  | { readonly type: 'closeConnection'; readonly conn: number }
  /** Runs a toolbar command. */
  | { readonly type: 'command'; readonly command: ToolbarCommand }
  /** Sets the breakpoint filter ('' clears it and lets held frames go). */
  | { readonly type: 'setBreakpoint'; readonly filter: string }
  /** Lets a held frame go, drops it, or sends `bytes` instead. */
  | {
      readonly type: 'settleHeld';
      readonly id: number;
      readonly action: 'release' | 'drop' | 'edit';
      readonly bytes?: Uint8Array;
    };

/** Most rows one `getRows` may ask for. */
export const MAX_ROWS = 500;

//#endregion
