/**
 * The traffic model shared by the core, the CLI, the extension host and the webview: what a
 * frame is once a proxy has seen it (DESIGN.md §3). No Node, DOM or vscode types here.
 */

/** Which way a frame travelled: client to server, or server to client. */
export type Direction = 'c2s' | 's2c';

/** Machine-readable warning kinds, so filters and the UI can match on them. */
export type WarningCode =
  | 'bare-lf' // a line ended with \n alone where the protocol wants \r\n
  | 'mixed-endings' // a stream switched between \n and \r\n line endings
  | 'invalid-utf8' // text that is not well-formed UTF-8
  | 'long-line' // a line over the protocol's limit
  | 'violation' // anything else the protocol does not allow
  | 'unpaired' // a reply with no request to answer, or similar
  | 'truncated'; // the stream ended inside this message

/** A problem found in a frame, worded for the person reading the traffic. */
export interface FrameWarning {
  readonly code: WarningCode;
  readonly message: string;
}

/** What a protocol framer says about a frame. Every field is optional. */
export interface Annotation {
  /** The frame's role in the conversation. */
  readonly kind?: 'request' | 'reply' | 'push' | 'data' | 'event';
  /** The command, verb or reply name: `SET`, `+OK`, `250`, `PRIVMSG`, `GET`. */
  readonly name?: string;
  /** The arguments as text, in order. */
  readonly args?: readonly string[];
  /** One line to show in a list: `SET greeting "hello"`, `$11 "hello world"`, `200 OK`. */
  readonly summary?: string;
  /** Protocol-specific fields: status, key, length, ending, opcode... */
  readonly fields?: Readonly<Record<string, string | number | boolean>>;
  readonly warnings?: readonly FrameWarning[];
  /** For a reply: the `seq` of the request frame it answers, in the other direction. */
  readonly re?: number;
}

/** A frame as a proxy, a capture file or the panel knows it. */
export interface TrafficFrame {
  /** Monotonic over the whole session. */
  readonly id: number;
  /** Connection id, from 1. */
  readonly conn: number;
  readonly dir: Direction;
  /** Position in its connection and direction, from 0. */
  readonly seq: number;
  /** Microseconds since the session started. */
  readonly t: number;
  /** Exactly the bytes of the message, terminator included. */
  readonly bytes: Uint8Array;
  /** The rule that ended it: a spec (`crlf`, `count:7`), a protocol name, or `close`. */
  readonly term: string;
  /** Ended by idle flush or close without its terminator. */
  readonly partial: boolean;
  /** Cut at the size limit. */
  readonly oversize: boolean;
  /** Pushed by the user, not sent by a peer. */
  readonly injected: boolean;
  /** Held at a breakpoint when it was recorded. */
  readonly held: boolean;
  readonly ann?: Annotation;
  /** For a reply: the id of the request frame it answers. */
  readonly re?: number;
  /** For a reply: microseconds from the request to this frame. */
  readonly latency?: number;
}

/** The other direction. */
export function otherDirection(dir: Direction): Direction {
  return dir === 'c2s' ? 's2c' : 'c2s';
}
