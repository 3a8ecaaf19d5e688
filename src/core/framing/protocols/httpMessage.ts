/**
 * What a complete HTTP/1.x header block means (RFC 9112 §6.3, RFC 9110 §7.8): how its body is
 * delimited, what the connection speaks afterwards, and the annotation of its frame.
 */
import type { Annotation } from '../frame';
import {
  contentLength,
  type HeaderBlock,
  isTchar,
  isTextBody,
  MAX_HEADER_BLOCK,
  shown,
  type StartLine,
  tokens,
  httpWarnings,
} from './httpHead';
import { article, type Line, quote, type WarningBag } from './protocol';
import { type WebSocketSession, websocketAccept } from './websocket';

/** How a message's body ends: no body, a byte count, chunks, or the close. */
export type BodyKind = 'none' | 'length' | 'chunked' | 'close';

/** What a connection speaks after a message. */
export type Mode = 'http' | 'websocket' | 'tunnel';

/**
 * What a direction reads after a message: a mode, an HTTP/2 connection (after the `PRI`
 * preface), or, for the client after an upgrade or CONNECT request, whatever the answer says.
 */
export type Then = Mode | 'h2' | 'decide';

/** What the server side learns about a request, and what the client side learns back. */
export interface RequestInfo {
  readonly method: string;
  /** It asked to switch protocols (Upgrade plus Connection: upgrade). */
  readonly upgrade: 'websocket' | 'other' | undefined;
  readonly wsKey: string | undefined;
  /** Set when its final response is seen: what both sides speak afterwards. */
  outcome: Mode | undefined;
}

/** A request line. */
export type RequestLine = Extract<StartLine, { kind: 'request' }>;
/** A status line. */
export type StatusLine = Extract<StartLine, { kind: 'status' }>;

/** What the framer does with a message whose header block is complete. */
export interface MessagePlan {
  readonly ann: Annotation;
  readonly body: BodyKind;
  /** The Content-Length, for a `length` body. */
  readonly length: number;
  /** Its body is text worth quoting in summaries. */
  readonly text: boolean;
  readonly then: Then;
}

type Fields = Record<string, string | number | boolean>;

const LF = 10;
const CR = 13;
const SP = 32;

const BOTH_LENGTHS =
  'both Content-Length and Transfer-Encoding; Transfer-Encoding wins (RFC 9112 §6.3)';

/** A request's plan, and what its response must know about it. */
export function planRequest(
  head: RequestLine,
  block: HeaderBlock,
  ws: WebSocketSession,
): MessagePlan & { readonly info: RequestInfo } {
  const { method, target, version } = head;
  const w = blockWarnings(block, 'header block');
  if (head.problem !== undefined) w.add('violation', head.problem);
  if (block.hostCount === 0 && version === 'HTTP/1.1') {
    w.add('violation', 'HTTP/1.1 request without a Host header');
  } else if (block.hostCount > 1) {
    w.add('violation', `${block.hostCount} Host headers; one is allowed`);
  }
  const h2 = method === 'PRI' && target === '*' && version === 'HTTP/2.0';
  const te = block.get('transfer-encoding');
  const cl = contentLength(block);
  let body: BodyKind = 'none';
  if (method === 'CONNECT' || h2) {
    // No content: what follows is the tunnel or the HTTP/2 connection.
  } else if (te !== undefined) {
    if (cl.kind !== 'none') w.add('violation', BOTH_LENGTHS);
    body = codingBody(te, w, true);
  } else if (cl.kind === 'invalid') {
    w.add('violation', `${cl.problem}; the request is read as having no body`);
  } else if (cl.kind === 'valid' && cl.value > 0) {
    body = 'length';
  }
  const upgrades = tokens(block.get('upgrade'));
  const asked = upgrades.length > 0 && tokens(block.get('connection')).includes('upgrade');
  const info: RequestInfo = {
    method,
    upgrade: asked ? (upgrades.includes('websocket') ? 'websocket' : 'other') : undefined,
    wsKey: block.get('sec-websocket-key'),
    outcome: undefined,
  };
  if (info.upgrade === 'websocket') ws.offered = block.get('sec-websocket-extensions') ?? '';
  const fields: Fields = { method, target: shown(target), version };
  addFields(fields, block, cl, ['host', 'transfer-encoding', 'content-type', 'upgrade', 'expect']);
  fields.body = body;
  const summary = h2
    ? 'PRI * HTTP/2.0 (HTTP/2 connection preface)'
    : `${method} ${shown(target, 120)} ${version}`;
  return {
    ann: {
      kind: 'request',
      name: method,
      args: [shown(target), version],
      summary,
      fields,
      warnings: w.toArray(),
    },
    body,
    length: cl.kind === 'valid' ? cl.value : 0,
    text: isTextBody(block.get('content-type'), block.get('content-encoding')),
    then: h2 ? 'h2' : method === 'CONNECT' || info.upgrade !== undefined ? 'decide' : 'http',
    info,
  };
}

/** True for the 1xx responses after which the final response still comes (not 101). */
export function isInterim(status: number): boolean {
  return status >= 100 && status < 200 && status !== 101;
}

/**
 * A response's plan. `request` is the request it answers, if any; a final response records on
 * it what the connection speaks next, and a WebSocket 101 records the extensions on `ws`.
 */
export function planResponse(
  head: StatusLine,
  block: HeaderBlock,
  request: { readonly seq: number; readonly info: RequestInfo } | undefined,
  ws: WebSocketSession,
): MessagePlan {
  const { status, reason, version } = head;
  const w = blockWarnings(block, 'header block');
  if (head.problem !== undefined) w.add('violation', head.problem);
  const interim = isInterim(status);
  if (request === undefined) {
    w.add('unpaired', `${interim ? 'interim ' : ''}response with no request waiting for it`);
  }
  const info = request?.info;
  const method = info?.method ?? 'GET';
  const cl = contentLength(block);
  let then: Mode = 'http';
  let body: BodyKind = 'none';
  let hint: string;
  if (status === 101) {
    const offered = tokens(block.get('upgrade'));
    if (info?.upgrade === undefined) {
      w.add('violation', '101 Switching Protocols with no Upgrade request before it');
    }
    const isWs =
      info?.upgrade === 'websocket' && (offered.length === 0 || offered.includes('websocket'));
    then = isWs ? 'websocket' : 'tunnel';
    hint = isWs ? ' (WebSocket follows)' : ' (another protocol follows)';
    if (isWs) checkAccept(block, info, w, ws);
  } else if (interim) {
    hint = ' (interim)';
  } else if (method === 'HEAD' || status === 204 || status === 304) {
    hint = method === 'HEAD' ? ' (no body: HEAD)' : '';
  } else if (method === 'CONNECT' && status < 300) {
    then = 'tunnel';
    hint = ' (tunnel follows)';
  } else {
    const te = block.get('transfer-encoding');
    if (te !== undefined) {
      if (cl.kind !== 'none') w.add('violation', BOTH_LENGTHS);
      body = codingBody(te, w, false);
    } else if (cl.kind === 'invalid') {
      w.add('violation', `${cl.problem}; the body is read until the close`);
      body = 'close';
    } else if (cl.kind === 'valid') {
      body = cl.value > 0 ? 'length' : 'none';
    } else {
      body = 'close';
    }
    hint =
      body === 'chunked'
        ? ' (chunked)'
        : body === 'close'
          ? ' (until close)'
          : ` (${cl.kind === 'valid' ? cl.value : 0} bytes)`;
  }
  if (info !== undefined && !interim) info.outcome = then;
  const fields: Fields = { status, reason: shown(reason), version };
  addFields(fields, block, cl, ['transfer-encoding', 'content-type', 'upgrade']);
  fields.body = body;
  const reasonText = reason.length > 0 ? ` ${shown(reason, 80)}` : '';
  return {
    ann: {
      kind: 'reply',
      name: String(status),
      summary: `${status}${reasonText}${hint}`,
      fields,
      warnings: w.toArray(),
      ...(request !== undefined ? { re: request.seq } : {}),
    },
    body,
    length: cl.kind === 'valid' ? cl.value : 0,
    text: isTextBody(block.get('content-type'), block.get('content-encoding')),
    then,
  };
}

/** The block's warnings, with those about the block as a whole first so the cap never hides them. */
export function blockWarnings(block: HeaderBlock, what: string): WarningBag {
  const w = block.warnings;
  if (block.bytes > MAX_HEADER_BLOCK) {
    w.addFirst(
      'long-line',
      `${what} is ${block.bytes} bytes; over the ${MAX_HEADER_BLOCK}-byte limit`,
    );
  }
  if (block.bareLf > 0) {
    const lines = `${block.bareLf} of ${block.lines} lines`;
    w.addFirst('bare-lf', `${lines} end with a bare \\n; HTTP wants \\r\\n`);
  }
  return w;
}

/** Checks a WebSocket server's answer to the client's key (RFC 6455 §4.2.2). */
function checkAccept(
  block: HeaderBlock,
  info: RequestInfo | undefined,
  w: WarningBag,
  ws: WebSocketSession,
): void {
  ws.accepted = block.get('sec-websocket-extensions') ?? '';
  const key = info?.wsKey;
  const accept = block.get('sec-websocket-accept');
  if (key === undefined) return;
  if (accept === undefined) {
    w.add('violation', '101 for WebSocket without Sec-WebSocket-Accept');
  } else if (accept !== websocketAccept(key)) {
    w.add('violation', 'Sec-WebSocket-Accept does not match the Sec-WebSocket-Key of the request');
  }
}

/** The body framing a Transfer-Encoding asks for (RFC 9112 §6.3). */
function codingBody(te: string, w: WarningBag, request: boolean): BodyKind {
  const codings = tokens(te);
  if (codings.length > 0 && codings[codings.length - 1] === 'chunked') {
    if (codings.indexOf('chunked') < codings.length - 1) {
      w.add('violation', 'chunked is applied more than once');
    }
    return 'chunked';
  }
  if (request) {
    w.add(
      'violation',
      `Transfer-Encoding "${shown(te, 60)}" does not end in chunked, so the request has no ` +
        'knowable length (a server answers 400 and closes); read until the close',
    );
  }
  return 'close';
}

function addFields(
  fields: Fields,
  block: HeaderBlock,
  cl: ReturnType<typeof contentLength>,
  names: readonly string[],
): void {
  if (cl.kind === 'valid') fields['content-length'] = cl.value;
  else if (cl.kind === 'invalid') fields['content-length'] = shown(block.contentLengths.join(', '));
  for (const name of names) {
    const value = block.get(name);
    if (value !== undefined) fields[name] = shown(value);
  }
}

/** The annotation of a line that starts no message: empty, HTTP/0.9, or unreadable. */
export function strayLineAnnotation(
  parsed: Exclude<StartLine, RequestLine | StatusLine>,
  line: Line,
  total: number,
  c2s: boolean,
): Annotation {
  const w = httpWarnings();
  if (line.ending === 'lf') w.add('bare-lf', 'line ends with a bare \\n; HTTP wants \\r\\n');
  if (total > MAX_HEADER_BLOCK) {
    w.add('long-line', `line is ${total} bytes; over the ${MAX_HEADER_BLOCK}-byte limit`);
  }
  if (parsed.kind === 'http09') {
    const { method, target } = parsed;
    w.add('violation', 'HTTP/0.9 request line (no HTTP version); HTTP/1.x wants one');
    return {
      kind: 'request',
      name: method,
      args: [shown(target)],
      summary: `${method} ${shown(target, 120)} (HTTP/0.9)`,
      fields: { method, target: shown(target), version: 'HTTP/0.9' },
      warnings: w.toArray(),
    };
  }
  if (parsed.kind === 'empty') {
    if (!c2s) w.add('violation', 'empty line where a status line was expected');
    const summary = c2s ? 'empty line before a request (ignored)' : 'empty line';
    return { kind: 'event', summary, warnings: w.toArray() };
  }
  w.add('violation', `${parsed.problem}; reading on from the next line`);
  return { kind: 'event', summary: parsed.problem, warnings: w.toArray() };
}

/** A chunk of a chunked body, as its frame shows it. */
export interface Chunk {
  readonly size: number;
  readonly ext: string;
  /** A quote of its data, when the body is text and the data was seen whole. */
  preview: string | undefined;
  /** Frame cuts split its data. */
  cut: boolean;
  readonly warnings: WarningBag;
}

/** The annotation of a chunk frame, `end` being the line read after its data. */
export function chunkAnnotation(chunk: Chunk, end: Line, re: number | undefined): Annotation {
  const w = chunk.warnings;
  if (end.content.length > 0) {
    const what = `chunk data is followed by ${quote(end.content)} instead of CRLF`;
    w.add('violation', `${what} (is the chunk longer than its size line says?)`);
  } else if (end.ending === 'lf') {
    w.add('bare-lf', 'chunk data ends with a bare \\n instead of CRLF');
  }
  const ext = chunk.ext.length > 0 ? ` ${shown(chunk.ext, 60)}` : '';
  const preview = chunk.preview !== undefined ? ` ${chunk.preview}` : chunk.cut ? ' (cut)' : '';
  const fields: Fields = { size: chunk.size };
  if (chunk.ext.length > 0) fields.ext = shown(chunk.ext);
  return {
    kind: 'data',
    name: 'chunk',
    re,
    summary: `chunk ${chunk.size} bytes${ext}${preview}`,
    fields,
    warnings: w.toArray(),
  };
}

/** The annotation of the last chunk with its trailers (`block`, which counts the `0` line). */
export function lastChunkAnnotation(
  block: HeaderBlock,
  ext: string,
  chunks: number,
  bytes: number,
  re: number | undefined,
): Annotation {
  const w = blockWarnings(block, 'last chunk with its trailers');
  const fields: Fields = { size: 0, trailers: block.fields, chunks, 'body-length': bytes };
  if (ext.length > 0) fields.ext = shown(ext);
  const names = block.names.map((n) => shown(n, 40)).join(', ');
  const more = block.fields > block.names.length ? ', …' : '';
  const trailers = block.fields > 0 ? `, trailers ${names}${more}` : '';
  const count = `${chunks} chunk${chunks === 1 ? '' : 's'}`;
  return {
    kind: 'data',
    name: 'last-chunk',
    re,
    summary: `last chunk${trailers} (${count}, ${bytes} bytes in all)`,
    fields,
    warnings: w.toArray(),
  };
}

/** `a 5-byte body`, `an 8-byte chunk`. */
export function sized(bytes: number | undefined, what: string): string {
  return `${article(bytes ?? 0)} ${bytes}-byte ${what}`;
}

/** `N bytes`, saying how many are in this frame when cuts sent the rest to earlier ones. */
export function sizeNote(total: number, here: number): string {
  return here < total ? `${total} bytes (last ${here} here)` : `${total} bytes`;
}

/**
 * What a client speaks after an upgrade or CONNECT request whose answer is not known yet,
 * judged from its first bytes; undefined when one more byte is needed.
 */
export function guessMode(bytes: Buffer, websocket: boolean): Mode | undefined {
  const b0 = bytes[0];
  if (b0 === CR || b0 === LF) return 'http';
  if (bytes.length < 2) return isTchar(b0) || websocket ? undefined : 'tunnel';
  const b1 = bytes[1];
  if (isTchar(b0) && (isTchar(b1) || b1 === SP)) return 'http';
  return websocket ? 'websocket' : 'tunnel';
}
