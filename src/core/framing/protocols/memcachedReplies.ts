/**
 * The server side of the `memcached` framer (see memcached.ts): reply lines, VALUE and VA data
 * blocks, list replies up to END, the log lines of a watcher, and the pairing of each with the
 * request it answers.
 */
import type { Annotation } from '../frame';
import { article, shortText, WarningBag } from './protocol';
import {
  type Fields,
  MemcachedFramer,
  type MemcachedRequest,
  readLine,
  RETRIEVAL,
  UINT,
  utf8,
} from './memcachedBase';
import type { SegmentLine } from './segmentFramer';

const MAX_STAT_FIELDS = 128;
/** `key=value` fields kept of a watcher's log line. */
const MAX_LOG_FIELDS = 16;

/** Meta replies each meta command may get, and those its `q` flag suppresses. */
const META_ANSWERS: Readonly<Record<string, readonly string[]>> = {
  mg: ['VA', 'HD', 'EN'],
  ms: ['HD', 'NS', 'EX', 'NF'],
  md: ['HD', 'NF', 'EX'],
  ma: ['HD', 'VA', 'NF', 'NS', 'EX'],
};
const QUIET_HIDES: Readonly<Record<string, readonly string[]>> = {
  mg: ['EN'],
  ms: ['HD'],
  md: ['HD'],
  ma: ['HD', 'VA'],
};
const LIST_WORDS = new Set(['STAT', 'ITEM', 'PREFIX']);
const ERRORS = new Set(['ERROR', 'CLIENT_ERROR', 'SERVER_ERROR']);
/** An incr/decr result; memcached may pad a shorter one with spaces (protocol.txt). */
const NUMBER = /^([0-9]+) *$/;

/** A list reply being read: STAT (or ITEM, PREFIX, metadump) lines up to END. */
interface McList {
  readonly word: string;
  readonly fields: Fields;
  readonly w: WarningBag;
  lines: number;
  /** The first lines, for the summary; `full` once it is long enough. */
  shown: string;
  full: boolean;
}

/** A reply line read: its annotation, and the size of the data block it announces (or -1). */
interface ReplyLine {
  readonly ann: Annotation;
  readonly bytes: number;
  readonly meta: string[] | undefined;
}

/** The server side: reply lines, VALUE/VA data blocks, and list replies up to END. */
export class MemcachedReplyFramer extends MemcachedFramer {
  private _block:
    { ann: Annotation; w: WarningBag; bytes: number; meta: string[] | undefined } | undefined;
  private _list: McList | undefined;

  protected override onSegment(): void {
    const block = this._block;
    if (block !== undefined) {
      this._block = undefined;
      const data = this.endBlock(block.bytes, block.w, 'header', '; reading on after them');
      const ann = { ...block.ann, summary: `${block.ann.summary} ${data}` };
      this._reply(ann, block.w, block.meta, block.ann.name !== 'VALUE');
      return;
    }
    const line = this.segmentLine();
    const list = this._list;
    const w = list?.w ?? new WarningBag();
    const { text, tokens } = readLine(line, w);
    const word = tokens[0] ?? '';
    if (this.conn.watching) {
      this.endFrame(w.attach(logLine(line, tokens)));
    } else if (list !== undefined) {
      if (word === list.word || (list.word === 'METADUMP' && word.startsWith('key='))) {
        listLine(list, text, tokens);
        return;
      }
      this._list = undefined;
      if (word !== 'END' || tokens.length > 1) {
        w.add(
          'violation',
          `${article(list.word)} ${list.word} list must end with END; this line ended it instead`,
        );
      }
      this._reply(listAnnotation(list), w, undefined, true);
    } else if (LIST_WORDS.has(word) || word.startsWith('key=')) {
      const listWord = word.startsWith('key=') ? 'METADUMP' : word;
      const next = { word: listWord, fields: {}, w, lines: 0, shown: '', full: false };
      this._list = next;
      listLine(next, text, tokens);
    } else {
      const reply = readReply(line, text, tokens, w);
      if (reply.bytes < 0) return this._reply(reply.ann, w, reply.meta, true);
      this._block = { ann: reply.ann, w, bytes: reply.bytes, meta: reply.meta };
      this.expectBlock(reply.bytes);
    }
  }

  protected override describeTruncated(): Annotation {
    const block = this._block;
    const list = this._list;
    let ann: Annotation;
    let message: string;
    let w: WarningBag;
    if (block !== undefined) {
      w = block.w;
      ann = { ...block.ann, summary: `${block.ann.summary} ${this.blockQuote(block.bytes)}` };
      message = this.blockCutOff(block.bytes, block.ann.summary);
    } else if (list !== undefined) {
      w = list.w;
      ann = listAnnotation(list);
      message = `the stream ended inside ${article(list.word)} ${list.word} list (${list.lines} lines, no END)`;
    } else {
      // The line as far as it came, read as if it ended there; what it lacks is no violation.
      const line = this.segmentLine();
      const { text, tokens } = readLine(line, new WarningBag());
      const watching = this.conn.watching;
      ann = watching ? logLine(line, tokens) : readReply(line, text, tokens, new WarningBag()).ann;
      w = new WarningBag();
      message = 'the stream ended inside a reply line (no \\n)';
    }
    w.add('truncated', message);
    return w.attach({ kind: 'reply', ...ann });
  }

  /** Ends a reply frame, paired with its request; `done` when it is the request's last frame. */
  private _reply(ann: Annotation, w: WarningBag, meta: string[] | undefined, done: boolean): void {
    const pending = this.conn.pending;
    const name = ann.name ?? '';
    let head = pending.peek();
    // A quiet meta command that succeeded got no reply: this one is for a later request.
    while (head !== undefined && head.info.quiet && !answers(head.info, name, meta)) {
      pending.shift();
      head = pending.peek();
    }
    const fields: Fields = { ...ann.fields };
    if (head === undefined) {
      if (this.conn.requests > 0) w.add('unpaired', 'a reply with no request waiting for it');
    } else if (done) {
      pending.shift();
      if (name === 'END' && RETRIEVAL.has(head.info.verb)) fields.values = head.info.values;
      if (name === 'OK' && head.info.verb === 'watch') this.conn.watching = true;
    } else {
      head.info.values++;
    }
    const re = head === undefined ? {} : { re: head.seq };
    this.endFrame(w.attach({ kind: 'reply', ...ann, fields, ...re }));
  }
}

/** Reads a reply line that starts no list: its name, fields and summary, and any data block. */
function readReply(line: SegmentLine, text: string, tokens: string[], w: WarningBag): ReplyLine {
  const word = tokens[0] ?? '';
  const fields: Fields = {};
  const summary = line.length === 0 ? '(empty line)' : shortText(line.content, line.length, 80);
  if (word === 'VALUE' || word === 'VA') {
    const bytes = valueHeader(word, tokens, fields, w);
    if (bytes >= 0) {
      const meta = word === 'VA' ? tokens.slice(2) : undefined;
      return { ann: { name: word, summary, fields }, bytes, meta };
    }
  }
  let name = /^[A-Z][A-Z_]*/.exec(word)?.[0];
  const number = NUMBER.exec(text);
  if (number !== null) {
    name = 'NUMBER';
    const n = Number(number[1]);
    fields.value = Number.isSafeInteger(n) ? n : number[1];
  } else if (name === undefined) {
    w.add('violation', 'not a memcached reply line');
  } else if (name === 'VERSION' || name === 'CLIENT_ERROR' || name === 'SERVER_ERROR') {
    fields[name === 'VERSION' ? 'version' : 'message'] = utf8(text.slice(word.length + 1));
  }
  const meta = name !== undefined && name.length === 2 ? tokens.slice(1) : undefined;
  return { ann: { ...(name === undefined ? {} : { name }), summary, fields }, bytes: -1, meta };
}

/** Parses a VALUE or VA header; returns its data size, or -1 when it is malformed. */
function valueHeader(word: string, tokens: string[], fields: Fields, w: WarningBag): number {
  if (word === 'VA') {
    const size = tokens[1];
    if (size !== undefined && UINT.test(size)) {
      fields.bytes = Number(size);
      if (tokens.length > 2) fields.flags = tokens.slice(2).join(' ');
      return Number(size);
    }
    w.add('violation', 'VA takes <size> <flags>*; reading on from the next line');
    return -1;
  }
  const [, key, flags, bytes, cas] = tokens;
  if ((tokens.length === 4 || tokens.length === 5) && UINT.test(flags) && UINT.test(bytes)) {
    fields.key = utf8(key);
    fields.flags = Number(flags);
    fields.bytes = Number(bytes);
    if (cas !== undefined) fields.cas = cas;
    return Number(bytes);
  }
  w.add(
    'violation',
    'VALUE takes <key> <flags> <bytes> [<cas unique>]; reading on from the next line',
  );
  return -1;
}

/** A watcher's log line (`ts=… gid=… type=item_get key=foo …`): a push, its pairs as fields. */
function logLine(line: SegmentLine, tokens: string[]): Annotation {
  const fields: Fields = {};
  for (const token of tokens.slice(0, MAX_LOG_FIELDS)) {
    const pair = /^([a-z_]{1,16})=(.*)$/.exec(token);
    if (pair !== null) fields[pair[1]] = utf8(pair[2]);
  }
  return { kind: 'push', name: 'LOG', summary: shortText(line.content, line.length, 80), fields };
}

/** Counts a line of a list, keeping the first for the summary and STAT values as fields. */
function listLine(list: McList, text: string, tokens: string[]): void {
  list.lines++;
  const rest = list.word === 'METADUMP' ? text : text.slice(tokens[0].length + 1);
  if (list.word === 'STAT' && tokens.length >= 2 && list.lines <= MAX_STAT_FIELDS) {
    list.fields[`stat:${utf8(tokens[1])}`] = utf8(rest.slice(tokens[1].length + 1, 256));
  }
  if (list.full) return;
  const item = list.word === 'STAT' ? rest.replace(' ', '=') : rest;
  const s = utf8(item.length > 40 ? item.slice(0, 40) + '…' : item);
  if (list.shown !== '' && list.shown.length + 2 + s.length > 60) {
    list.shown += ', …';
    list.full = true;
  } else {
    list.shown = list.shown === '' ? s : `${list.shown}, ${s}`;
  }
}

/** The annotation of a list reply (before pairing). */
function listAnnotation(list: McList): Annotation {
  const summary = `${list.lines} ${list.word} lines: ${list.shown}`;
  return { name: list.word, summary, fields: { lines: list.lines, ...list.fields } };
}

/** Whether a reply can be the answer to a quiet meta command (see META_ANSWERS). */
function answers(request: MemcachedRequest, name: string, meta: string[] | undefined): boolean {
  if (ERRORS.has(name)) return true;
  const verb = request.verb;
  if (!META_ANSWERS[verb]?.includes(name) || QUIET_HIDES[verb]?.includes(name)) return false;
  // memcached echoes the opaque token in every meta reply to a command that had one.
  if (meta?.find((t) => t.startsWith('O'))?.slice(1) !== request.opaque) return false;
  const key = meta?.find((t) => t.startsWith('k'));
  return key === undefined || request.key === undefined || utf8(key.slice(1)) === request.key;
}
