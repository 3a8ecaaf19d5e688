/**
 * The `.linetap` capture format (DESIGN.md §6): UTF-8 JSON Lines, a header on line 1, then one
 * event per line. This module holds the types and turns one value into one line;
 * captureDecode.ts reads lines back.
 */
import { isUtf8 } from 'node:buffer';
import { asBuffer } from '../bytes';
import type { Direction } from '../../shared/traffic';

/** The format version this code writes and reads. */
export const CAPTURE_VERSION = 1;

/** Line 1 of a capture. Readers ignore fields they do not know, so the format can grow. */
export interface CaptureHeader {
  readonly linetap: typeof CAPTURE_VERSION;
  /** When the session started, ISO-8601; event times count from here. */
  readonly created: string;
  /** Where the proxy listened, `host:port`. */
  readonly listen: string;
  /** Where it forwarded to, `host:port`. */
  readonly upstream: string;
  /** The framing spec of each direction. */
  readonly framing: { readonly c2s: string; readonly s2c: string };
  /** What wrote the file, e.g. `linetap 0.1.0`. */
  readonly tool?: string;
}

/** A connection was accepted. */
export interface OpenEvent {
  readonly e: 'open';
  readonly conn: number;
  /** Microseconds since `created`. */
  readonly t: number;
  /** The client's address, `host:port`, when known. */
  readonly peer?: string;
}

/** One frame, with its exact bytes and flags. */
export interface FrameEvent {
  readonly e: 'frame';
  readonly conn: number;
  readonly dir: Direction;
  readonly t: number;
  readonly bytes: Buffer;
  readonly partial: boolean;
  readonly oversize: boolean;
  readonly injected: boolean;
  readonly held: boolean;
}

/** A connection ended. */
export interface CloseEvent {
  readonly e: 'close';
  readonly conn: number;
  readonly t: number;
  readonly reason?: string;
}

/** Free text: a user's remark, a proxy message. `conn` when it is about one connection. */
export interface NoteEvent {
  readonly e: 'note';
  readonly t: number;
  readonly text: string;
  readonly conn?: number;
}

/** Any event line. */
export type CaptureEvent = OpenEvent | FrameEvent | CloseEvent | NoteEvent;

/** A frame as the writer takes it: a TrafficFrame fits, flags default to false. */
export interface FrameInput {
  readonly conn: number;
  readonly dir: Direction;
  readonly t: number;
  readonly bytes: Uint8Array;
  readonly partial?: boolean;
  readonly oversize?: boolean;
  readonly injected?: boolean;
  readonly held?: boolean;
}

/** The flag names, in the order they are written. */
export const FRAME_FLAGS = ['partial', 'oversize', 'injected', 'held'] as const;

/** Builds a header for a session starting now (or at `created`). */
export function createCaptureHeader(init: {
  readonly listen: string;
  readonly upstream: string;
  readonly framing: { readonly c2s: string; readonly s2c: string };
  readonly created?: Date;
  readonly tool?: string;
}): CaptureHeader {
  const header: CaptureHeader = {
    linetap: CAPTURE_VERSION,
    created: (init.created ?? new Date()).toISOString(),
    listen: init.listen,
    upstream: init.upstream,
    framing: { c2s: init.framing.c2s, s2c: init.framing.s2c },
  };
  return init.tool === undefined ? header : { ...header, tool: init.tool };
}

/** The header as its line, without the newline. */
export function encodeHeader(header: CaptureHeader): string {
  return escapeLineSeparators(JSON.stringify(header));
}

/** An event as its line, without the newline. */
export function encodeEvent(event: CaptureEvent): string {
  switch (event.e) {
    case 'frame':
      return encodeFrame(event);
    case 'open':
      return (
        `{"e":"open","c":${event.conn},"t":${event.t}` +
        (event.peer === undefined ? '}' : `,"peer":${jsonString(event.peer)}}`)
      );
    case 'close':
      return (
        `{"e":"close","c":${event.conn},"t":${event.t}` +
        (event.reason === undefined ? '}' : `,"reason":${jsonString(event.reason)}}`)
      );
    case 'note':
      return (
        `{"e":"note"${event.conn === undefined ? '' : `,"c":${event.conn}`},"t":${event.t}` +
        `,"text":${jsonString(event.text)}}`
      );
  }
}

/**
 * A frame as its line. Built by hand rather than with JSON.stringify of an object: it is the
 * hot path of a recording proxy, and only the payload needs escaping.
 */
export function encodeFrame(frame: FrameInput): string {
  const b = asBuffer(frame.bytes);
  let line = `{"e":"frame","c":${frame.conn},"d":"${frame.dir === 'c2s' ? '>' : '<'}","t":${frame.t}`;
  if (b.length === 0 || isUtf8(b)) {
    // Well-formed UTF-8 decodes without lone surrogates, so JSON carries it exactly.
    line += ',"text":' + JSON.stringify(b.toString('utf8'));
    // U+2028/U+2029 are valid JSON but some editors and tools break lines at them. 0xe2 starts
    // their UTF-8 form; a native byte search keeps the common case cheap.
    if (b.indexOf(0xe2) >= 0) line = escapeLineSeparators(line);
  } else {
    line += ',"b64":"' + b.toString('base64') + '"';
  }
  if (frame.partial) line += ',"partial":true';
  if (frame.oversize) line += ',"oversize":true';
  if (frame.injected) line += ',"injected":true';
  if (frame.held) line += ',"held":true';
  return line + '}';
}

function jsonString(text: string): string {
  return escapeLineSeparators(JSON.stringify(text));
}

function escapeLineSeparators(json: string): string {
  return json.replace(/[\u2028\u2029]/g, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));
}
