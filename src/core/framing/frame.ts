/** What a framer produces: one protocol message and what the protocol says about it. */

/** Which way a frame travelled: client to server, or server to client. */
export type Direction = 'c2s' | 's2c';

/** The other direction. */
export function otherDirection(dir: Direction): Direction {
  return dir === 'c2s' ? 's2c' : 'c2s';
}

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

/**
 * One message as the framing rule sees it. `bytes` are exactly the bytes that arrived,
 * terminator included, so the frames of a stream join back into the stream.
 */
export interface Frame {
  /** Position of the frame in its direction's stream, from 0. */
  readonly seq: number;
  /**
   * The exact bytes. They may be a view into the chunk that was fed (no copy): a consumer that
   * keeps frames for long should copy small ones out of large chunks.
   */
  readonly bytes: Buffer;
  /** The rule that ended it: a spec such as `crlf` or `count:7`, or a protocol name. */
  readonly term: string;
  /** Ended by close, idle flush or limit without its terminator. */
  readonly partial: boolean;
  /** Cut at the framer's size limit; the rest of the message follows in later frames. */
  readonly oversize: boolean;
  readonly ann: Annotation | undefined;
}
