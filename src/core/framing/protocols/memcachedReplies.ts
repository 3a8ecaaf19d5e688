/**
 * The server side of the `memcached` framer (see memcached.ts): reply lines, VALUE and VA data
 * blocks, list replies up to END, and the pairing of each with the request it answers. Also
 * the state and line helpers both sides share.
 */
import type { Annotation } from '../frame';
import type { FramerOptions } from '../framer';
import { checkLine, PendingRequests, quote } from './protocol';
import { quoteText, shortText } from './resp';
import { type SegmentLine, SegmentFramer, WarningBag } from './segmentFramer';

/** Both sides read lines to `\n` (a bare `\n` is framed and warned about). */
export const NL = Buffer.from('\n');
/** Line bytes kept for parsing. */
export const LINE_KEEP = 4096;
/** Data block bytes kept for the summary. */
export const DATA_KEEP = 256;
const MAX_STAT_FIELDS = 128;
const RULES = { crlf: true, protocol: 'memcached' };

/** The retrieval commands, answered by VALUE frames and END. */
export const RETRIEVAL = new Set(['get', 'gets', 'gat', 'gats', 'bget']);

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

/** The server side: reply lines, VALUE/VA data blocks, and list replies up to END. */
export class MemcachedReplyFramer extends SegmentFramer {
  private _block:
    { ann: Annotation; w: WarningBag; bytes: number; meta: string[] | undefined } | undefined;
  private _list: McList | undefined;

  constructor(
    private readonly _conn: MemcachedConnection,
    options?: FramerOptions,
  ) {
    super(NL, 'memcached', options);
    this.segmentKeep = LINE_KEEP;
  }

  protected override onSegment(): void {
    const block = this._block;
    if (block !== undefined) {
      this._block = undefined;
      if (!this.endsWithCrlf()) {
        block.w.add(
          'violation',
          `the data block does not end with \\r\\n after the ${block.bytes} bytes its header ` +
            `says (it ends ${quote(this.lastTwoBytes())}); reading on after them`,
        );
      }
      const head = this.segmentHead();
      const data = head.length > block.bytes ? head.subarray(0, block.bytes) : head;
      const ann = {
        ...block.ann,
        summary: `${block.ann.summary} ${quoteText(data, block.bytes, 32)}`,
      };
      this._reply(ann, block.w, block.meta, block.ann.name !== 'VALUE');
      this.segmentKeep = LINE_KEEP;
      this.setTerminator(NL);
      return;
    }
    const line = this.segmentLine();
    const list = this._list;
    const w = list?.w ?? new WarningBag();
    const { text, tokens } = readLine(line, w);
    const word = tokens[0] ?? '';
    if (list !== undefined) {
      if (word === list.word || (list.word === 'METADUMP' && word.startsWith('key='))) {
        this._listLine(list, text, tokens);
      } else {
        this._list = undefined;
        if (word !== 'END' || tokens.length > 1) {
          w.add('violation', `a ${list.word} list must end with END; this line ended it instead`);
        }
        const summary = `${list.lines} ${list.word} lines: ${list.shown}`;
        const fields = { lines: list.lines, ...list.fields };
        this._reply({ name: list.word, summary, fields }, w, undefined, true);
      }
      return;
    }
    if (LIST_WORDS.has(word) || word.startsWith('key=')) {
      const listWord = word.startsWith('key=') ? 'METADUMP' : word;
      const next = { word: listWord, fields: {}, w, lines: 0, shown: '', full: false };
      this._list = next;
      this._listLine(next, text, tokens);
      return;
    }
    const fields: Fields = {};
    const summary = shortText(line.content, line.length, 80);
    if (word === 'VALUE' || word === 'VA') {
      const bytes = this._header(word, tokens, fields, w);
      if (bytes >= 0) {
        const meta = word === 'VA' ? tokens.slice(2) : undefined;
        this._block = { ann: { name: word, summary, fields }, w, bytes, meta };
        this.segmentKeep = DATA_KEEP;
        this.setTerminator(bytes + 2);
        return;
      }
    }
    let name = /^[A-Z][A-Z_]*/.exec(word)?.[0];
    if (/^[0-9]+$/.test(text)) {
      name = 'NUMBER';
      const n = Number(text);
      fields.value = Number.isSafeInteger(n) ? n : text;
    } else if (name === undefined) {
      w.add('violation', 'not a memcached reply line');
    } else if (name === 'VERSION' || name === 'CLIENT_ERROR' || name === 'SERVER_ERROR') {
      fields[name === 'VERSION' ? 'version' : 'message'] = utf8(text.slice(word.length + 1));
    }
    const meta = name !== undefined && name.length === 2 ? tokens.slice(1) : undefined;
    const ann = { ...(name === undefined ? {} : { name }), fields };
    this._reply({ ...ann, summary: line.length === 0 ? '(empty line)' : summary }, w, meta, true);
  }

  protected override describeTruncated(): Annotation {
    const block = this._block;
    const list = this._list;
    const message =
      block !== undefined
        ? `the stream ended inside the ${block.bytes}-byte data block of ${block.ann.summary}: ` +
          `${this.wholeLength} of its ${block.bytes + 2} bytes (\\r\\n included) arrived`
        : list !== undefined
          ? `the stream ended inside a ${list.word} list (${list.lines} lines, no END)`
          : 'the stream ended inside a reply line (no \\n)';
    return { kind: 'reply', warnings: [{ code: 'truncated', message }] };
  }

  /** Parses a VALUE or VA header; returns its data size, or -1 when it is malformed. */
  private _header(word: string, tokens: string[], fields: Fields, w: WarningBag): number {
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

  private _listLine(list: McList, text: string, tokens: string[]): void {
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

  /** Ends a reply frame, paired with its request; `done` when it is the request's last frame. */
  private _reply(ann: Annotation, w: WarningBag, meta: string[] | undefined, done: boolean): void {
    const pending = this._conn.pending;
    const name = ann.name ?? '';
    let head = pending.peek();
    // A quiet meta command that succeeded got no reply: this one is for a later request.
    while (head !== undefined && head.info.quiet && !answers(head.info, name, meta)) {
      pending.shift();
      head = pending.peek();
    }
    const fields: Fields = { ...ann.fields };
    if (head === undefined) {
      if (this._conn.requests > 0) w.add('unpaired', 'a reply with no request waiting for it');
    } else if (done) {
      pending.shift();
      if (name === 'END' && RETRIEVAL.has(head.info.verb)) fields.values = head.info.values;
    } else {
      head.info.values++;
    }
    const re = head === undefined ? {} : { re: head.seq };
    this.endFrame(w.attach({ kind: 'reply', ...ann, fields, ...re }));
  }
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
