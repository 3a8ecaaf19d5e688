/**
 * What the two sides of the `memcached` framer (memcached.ts, memcachedReplies.ts) share: the
 * connection's state, line helpers, and a base framer that reads lines and data blocks.
 */
import type { FramerOptions } from '../framer';
import { checkLine, PendingRequests, quote, quoteText, type WarningBag } from './protocol';
import { type SegmentLine, SegmentFramer } from './segmentFramer';

/** Both sides read lines to `\n` (a bare `\n` is framed and warned about). */
const NL = Buffer.from('\n');
/** Line bytes kept for parsing. */
const LINE_KEEP = 4096;
/** Data block bytes kept for the summary. */
const DATA_KEEP = 256;
const RULES = { crlf: true, protocol: 'memcached' };

/** The retrieval commands, answered by VALUE frames and END. */
export const RETRIEVAL = new Set(['get', 'gets', 'gat', 'gats', 'bget']);

/** Annotation fields. */
export type Fields = Record<string, string | number | boolean>;

/** What a reply needs to know about the request it answers. */
export interface MemcachedRequest {
  readonly verb: string;
  /** A quiet meta command: success is not answered. */
  readonly quiet: boolean;
  readonly opaque?: string;
  readonly key?: string;
  /** VALUE frames paired so far. */
  values: number;
}

/** State the two directions of one connection share. */
export class MemcachedConnection {
  readonly pending = new PendingRequests<MemcachedRequest>();
  /** Requests seen; before the first, a framer is alone (no client side) and cannot pair. */
  requests = 0;
  /** A `watch` was accepted: the server sends log lines from now on. */
  watching = false;
}

/** A line's warnings and its tokens (memcached splits on spaces only). */
export function readLine(line: SegmentLine, w: WarningBag): { text: string; tokens: string[] } {
  if (line.ending !== 'crlf') w.addAll(checkLine(line.content, line, RULES));
  const text = line.content.toString('latin1');
  return { text, tokens: text.split(' ').filter((t) => t !== '') };
}

/** A token read as latin1, shown as UTF-8. */
export const utf8 = (token: string): string => Buffer.from(token, 'latin1').toString('utf8');
/** An unsigned number as memcached's safe_strtoul takes it. */
export const UINT = /^\+?[0-9]{1,20}$/;

/** One side of a memcached connection: lines, and data blocks of a size a line announced. */
export abstract class MemcachedFramer extends SegmentFramer {
  constructor(
    protected readonly conn: MemcachedConnection,
    options: FramerOptions | undefined,
  ) {
    super(NL, 'memcached', options);
    this.segmentKeep = LINE_KEEP;
  }

  /** Reads a data block of `bytes` bytes and its `\r\n` next. */
  protected expectBlock(bytes: number): void {
    this.segmentKeep = DATA_KEEP;
    this.setTerminator(bytes + 2);
  }

  /**
   * Ends the data block just read and goes back to lines; returns the block quoted for a
   * summary. A block not followed by `\r\n` gets a violation saying whose size it did not match
   * and `then`, what memcached does about it.
   */
  protected endBlock(bytes: number, w: WarningBag, whose: string, then: string): string {
    if (!this.endsWithCrlf()) {
      w.add(
        'violation',
        `the data block does not end with \\r\\n after the ${bytes} bytes its ${whose} says ` +
          `(it ends ${quote(this.lastTwoBytes())})${then}`,
      );
    }
    const data = this.blockQuote(bytes);
    this.segmentKeep = LINE_KEEP;
    this.setTerminator(NL);
    return data;
  }

  /** The data block read so far (all of it at its end), quoted for a summary. */
  protected blockQuote(bytes: number): string {
    const head = this.segmentHead();
    return quoteText(head.length > bytes ? head.subarray(0, bytes) : head, bytes, 32);
  }

  /** What the end of the stream cut off of a data block, for the truncated warning. */
  protected blockCutOff(bytes: number, of: string | undefined): string {
    return (
      `the stream ended inside the ${bytes}-byte data block of ${of}: ${this.wholeLength} of ` +
      `its ${bytes + 2} bytes (\\r\\n included) arrived`
    );
  }
}
