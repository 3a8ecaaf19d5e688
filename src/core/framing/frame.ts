/** What a framer produces: one protocol message and what the protocol says about it. */

import type { Annotation } from '../../shared/traffic';

export type { Annotation, Direction, FrameWarning, WarningCode } from '../../shared/traffic';
export { otherDirection } from '../../shared/traffic';

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
