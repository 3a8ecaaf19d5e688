/**
 * The `irc` protocol framer (RFC 1459/2812, IRCv3 message tags): every line is one frame in both
 * directions, `[@tags] [:prefix] COMMAND params [:trailing]`.
 *
 * Annotations: `name` is the command uppercased or the 3-digit numeric, `args` the parameters
 * with the trailing one last, `fields` prefix, nick (or server), tags (a count), target, ctcp,
 * label and token (PING/PONG). Client lines are requests; server numerics are replies; other
 * server lines are pushes unless paired.
 *
 * Pairing (IrcPairing), only where the protocol makes it certain: PONG to PING by token, both
 * ways (a client's PONG pairs only when the server's PING was seen first, as it is live);
 * IRCv3 `label` tags, batches of a labelled response included; the registration burst (001 to
 * 005, LUSERS and MOTD numerics up to 376/422) to the NICK or USER line that completed
 * registration; WHOIS, WHOWAS, WHO, LIST, MOTD, NAMES and JOIN numerics to the oldest open
 * command of that kind until its end numeric (JOIN and NAMES per channel, errors by channel);
 * the server's echo of our own JOIN, PART, TOPIC and NICK; nickname errors to NICK; CAP
 * LS/LIST/ACK/NAK to CAP; 421 to the unknown command it names.
 */
import type { Annotation, Direction } from '../frame';
import type { FramerOptions } from '../framer';
import { checkLine, type Protocol, quote } from './protocol';
import { SegmentFramer, type SegmentLine, WarningBag } from './segmentFramer';

const NAME = 'irc';
const LF = Buffer.from('\n');
/** RFC 2812 §2.3: 512 bytes with CRLF, tags not counted; IRCv3: tags up to 8191 bytes. */
const LINE_MAX = 512;
const TAGS_MAX = 8191;
const MAX_PARAMS = 15;
/** Enough to parse any line within the limits whole. */
const LINE_KEEP = TAGS_MAX + LINE_MAX + 1;
const SHOWN_PARAMS = 6;
/** Commands whose trailing parameter is a person's text, quoted in summaries. */
const TEXT = new Set(['PRIVMSG', 'NOTICE', 'TOPIC', 'PART', 'QUIT', 'KICK', 'AWAY', 'ERROR']);
/** Where the target is among the parameters, by command. */
const TARGET_AT: Record<string, number> = {
  PRIVMSG: 0,
  NOTICE: 0,
  TAGMSG: 0,
  JOIN: 0,
  PART: 0,
  TOPIC: 0,
  MODE: 0,
  KICK: 0,
  NAMES: 0,
  WHO: 0,
  INVITE: 1,
};

/** A parsed line. */
interface IrcMessage {
  /** Number of tags, and the values of `label` and `batch` as sent (escaped). */
  readonly tags: number;
  readonly label?: string;
  readonly batch?: string;
  /** Bytes of the tag section, its `@` and the spaces after it included. */
  readonly tagBytes: number;
  readonly prefix?: string;
  /** The command as sent (numerics stay digits). */
  readonly command?: string;
  readonly params: readonly string[];
  /** The raw bytes of each parameter. */
  readonly raw: readonly Buffer[];
  /** The last parameter came after a `:`. */
  readonly trailing: boolean;
}

/** Splits a line (without its ending) into tags, prefix, command and parameters. */
function parseMessage(content: Buffer): IrcMessage {
  const n = content.length;
  let i = 0;
  const word = (): Buffer => {
    const start = i;
    while (i < n && content[i] !== 0x20) i++;
    const w = content.subarray(start, i);
    while (i < n && content[i] === 0x20) i++;
    return w;
  };
  let tags = 0;
  let label: string | undefined;
  let batch: string | undefined;
  if (content[0] === 0x40) {
    for (const tag of word().subarray(1).toString('utf8').split(';')) {
      if (tag === '') continue;
      tags++;
      const eq = tag.indexOf('=');
      const key = eq < 0 ? tag : tag.slice(0, eq);
      if (key === 'label') label = tag.slice(eq + 1);
      else if (key === 'batch') batch = tag.slice(eq + 1);
    }
  }
  const tagBytes = i;
  const prefix = content[i] === 0x3a ? word().subarray(1).toString('utf8') : undefined;
  const command = i < n ? word().toString('utf8') : undefined;
  const raw: Buffer[] = [];
  let trailing = false;
  while (i < n) {
    if (content[i] === 0x3a) {
      raw.push(content.subarray(i + 1));
      trailing = true;
      break;
    }
    raw.push(word());
  }
  const params = raw.map((p) => p.toString('utf8'));
  return { tags, label, batch, tagBytes, prefix, command, params, raw, trailing };
}

/** The nick of a `nick!user@host` prefix; undefined for a server name. */
function prefixNick(prefix: string | undefined): string | undefined {
  if (prefix === undefined) return undefined;
  const end = prefix.search(/[!@]/);
  if (end >= 0) return prefix.slice(0, end);
  return prefix.includes('.') ? undefined : prefix;
}

function warnings(line: SegmentLine, msg: IrcMessage): WarningBag {
  const w = new WarningBag();
  const c = line.content;
  // A head cut short may end inside a character: check only what surely is whole.
  const whole = c.length === line.length ? c : c.subarray(0, c.length - 3);
  w.addAll(
    checkLine(
      whole,
      { content: whole, ending: line.ending },
      { crlf: true, utf8: true, protocol: 'IRC' },
    ),
  );
  const size = line.length + (line.ending === 'crlf' ? 2 : line.ending === 'lf' ? 1 : 0);
  if (size - msg.tagBytes > LINE_MAX) {
    w.add(
      'long-line',
      `line is ${size - msg.tagBytes} bytes without its tags; IRC allows ${LINE_MAX}`,
    );
  }
  if (msg.tagBytes > TAGS_MAX) {
    w.add('long-line', `tags are ${msg.tagBytes} bytes; IRCv3 allows ${TAGS_MAX}`);
  }
  if (line.length === 0) w.add('violation', 'empty line (servers ignore it)');
  if (c.includes(0)) w.add('violation', 'line holds a NUL byte, which IRC forbids');
  if (c.includes(13)) w.add('violation', 'line holds a \\r before its end');
  if (msg.params.length > MAX_PARAMS) {
    w.add('violation', `${msg.params.length} parameters; IRC allows ${MAX_PARAMS}`);
  }
  if (line.length > 0 && msg.command === undefined) w.add('violation', 'line has no command');
  else if (msg.command !== undefined && !/^(?:[A-Za-z]+|[0-9]{3})$/.test(msg.command)) {
    w.add(
      'violation',
      `command ${quote(Buffer.from(msg.command))} is neither a word nor a 3-digit numeric`,
    );
  }
  return w;
}

/** The CTCP request in a PRIVMSG or NOTICE text (`\x01ACTION waves\x01`). */
function ctcpOf(name: string, msg: IrcMessage): { command: string; rest: Buffer } | undefined {
  const text = msg.trailing ? msg.raw[msg.raw.length - 1] : undefined;
  if ((name !== 'PRIVMSG' && name !== 'NOTICE') || text === undefined || text[0] !== 1) {
    return undefined;
  }
  const body = text.subarray(1, text[text.length - 1] === 1 ? text.length - 1 : text.length);
  const sp = body.indexOf(0x20);
  const command = body
    .subarray(0, sp < 0 ? body.length : sp)
    .toString('utf8')
    .toUpperCase();
  return { command, rest: sp < 0 ? body.subarray(body.length) : body.subarray(sp + 1) };
}

/** The annotation of one line; `pairing` says how it relates to the other direction. */
function annotate(line: SegmentLine, msg: IrcMessage, pairing: Pairing): Annotation {
  const w = warnings(line, msg);
  if (pairing.warning !== undefined) w.add('unpaired', pairing.warning);
  const cmd = msg.command;
  const name =
    cmd === undefined
      ? undefined
      : /^[\x21-\x7e]+$/.test(cmd)
        ? cmd.toUpperCase()
        : shown(Buffer.from(cmd));
  const fields: Record<string, string | number | boolean> = {};
  const nick = prefixNick(msg.prefix);
  if (msg.prefix !== undefined) {
    fields.prefix = msg.prefix;
    if (nick !== undefined) fields.nick = nick;
    else fields.server = msg.prefix;
  }
  if (msg.tags > 0) fields.tags = msg.tags;
  if (msg.label !== undefined) fields.label = msg.label;
  const numeric = name !== undefined && /^[0-9]{3}$/.test(name);
  const at = numeric ? 0 : name === 'WHOIS' ? msg.params.length - 1 : TARGET_AT[name ?? ''];
  if (at !== undefined && msg.params[at] !== undefined) fields.target = msg.params[at];
  if ((name === 'PING' || name === 'PONG') && msg.params.length > 0) {
    fields.token = msg.params[name === 'PING' ? 0 : msg.params.length - 1];
  }
  const ctcp = name === undefined ? undefined : ctcpOf(name, msg);
  if (ctcp !== undefined) fields.ctcp = shown(Buffer.from(ctcp.command));

  let summary = nick !== undefined ? `:${nick} ${name}` : (name ?? quote(line.content));
  const shownCount = msg.trailing ? msg.raw.length - 1 : msg.raw.length;
  for (let i = 0; i < Math.min(shownCount, SHOWN_PARAMS); i++) summary += ' ' + shown(msg.raw[i]);
  if (shownCount > SHOWN_PARAMS) summary += ' …';
  if (msg.trailing) {
    const last = msg.raw[msg.raw.length - 1];
    if (ctcp !== undefined) {
      summary += ` CTCP ${shown(Buffer.from(ctcp.command))}`;
      if (ctcp.rest.length > 0) summary += ' ' + quote(ctcp.rest);
    } else {
      const asText = numeric || TEXT.has(name ?? '') || last.length === 0 || last.includes(0x20);
      summary += ' ' + (asText ? quote(last) : shown(last));
    }
  }
  return {
    kind: pairing.kind,
    name,
    args: msg.params,
    summary,
    fields,
    warnings: w.toArray(),
    re: pairing.re,
  };
}

/** Escaped text for a summary, without quotes. */
function shown(data: Buffer): string {
  return quote(data, 40).slice(1, -1);
}

// ---- pairing -----------------------------------------------------------------------------------

/** How a line relates to the other direction. */
interface Pairing {
  readonly kind: 'request' | 'reply' | 'push';
  readonly re?: number;
  readonly warning?: string;
}

/** Bound of each table of waiting commands: a client that is never answered cannot grow them. */
const MAX_WAITING = 4096;
const MAX_OPEN = 256;
/** Client commands that no numeric names, left out of the table for 421. */
const CHAT = new Set(['PRIVMSG', 'NOTICE', 'TAGMSG', 'PING', 'PONG']);
/** Numerics of the registration burst: welcome, ISUPPORT, LUSERS, MOTD. */
const REGISTRATION = new Set(
  '001 002 003 004 005 042 250 251 252 253 254 255 265 266 375 372 376 422'.split(' '),
);

type Family =
  'whois' | 'whowas' | 'who' | 'names' | 'list' | 'motd' | 'part' | 'topic' | 'nick' | 'cap';

/** Numerics that answer an open command: its families, whether they end it, the channel's index. */
interface Answer {
  readonly families: readonly Family[];
  readonly end: boolean;
  readonly channelAt?: number;
}

const ANSWERS = new Map<string, Answer>();
function answers(codes: string, families: Family[], end: boolean, channelAt?: number): void {
  for (const code of codes.split(' ')) ANSWERS.set(code, { families, end, channelAt });
}
answers('311 312 313 317 319 307 320 330 338 378 379 671 276', ['whois'], false);
answers('318', ['whois'], true);
answers('314 406', ['whowas'], false);
answers('369', ['whowas'], true);
answers('352 354', ['who'], false);
answers('315', ['who'], true);
answers('321 322', ['list'], false);
answers('323', ['list'], true);
answers('375 372', ['motd'], false);
answers('376 422', ['motd'], true);
answers('332 333', ['names'], false, 1);
answers('353', ['names'], false, 2);
answers('366 405 471 473 474 475 476 477', ['names'], true, 1);
answers('403', ['names', 'part', 'topic'], true, 1);
answers('442', ['part', 'topic'], true, 1);
answers('482', ['topic'], true, 1);
answers('431 432 433 436', ['nick'], true);

/** A client command waiting for what answers it; JOIN, NAMES and PART close channel by channel. */
interface Open {
  readonly seq: number;
  readonly channels: string[];
}

/** Seqs waiting under a key (a PING token, a label, a verb), oldest first, bounded. */
class Waits {
  private readonly _map = new Map<string, number[]>();
  private _size = 0;

  add(key: string, seq: number): void {
    if (this._size >= MAX_WAITING) {
      const first = this._map.keys().next();
      if (first.done !== true) this.take(first.value);
    }
    const q = this._map.get(key);
    if (q === undefined) this._map.set(key, [seq]);
    else q.push(seq);
    this._size++;
  }

  take(key: string): number | undefined {
    const q = this._map.get(key);
    if (q === undefined) return undefined;
    const seq = q.shift();
    this._size--;
    if (q.length === 0) this._map.delete(key);
    return seq;
  }
}

const lower = (s: string | undefined) => s?.toLowerCase();
const channelList = (param: string) =>
  param
    .toLowerCase()
    .split(',')
    .filter((c) => c !== '');

/** The pairing state of one connection (the module comment says what pairs). */
class IrcPairing {
  /** Our nick as the server knows it (from 001 and NICK echoes; the first NICK before). */
  private _nick: string | undefined;
  private readonly _pings = { c2s: new Waits(), s2c: new Waits() };
  private readonly _labels = new Waits();
  private readonly _batches = new Map<string, number>();
  private readonly _verbs = new Waits();
  private readonly _open = new Map<Family, Open[]>();
  private _sawNick = false;
  private _sawUser = false;
  private _registration: { readonly seq: number; open: boolean } | undefined;

  fromClient(seq: number, msg: IrcMessage): Pairing {
    const cmd = msg.command?.toUpperCase() ?? '';
    const p = msg.params;
    if (msg.label !== undefined) this._labels.add(msg.label, seq);
    let re: number | undefined;
    switch (cmd) {
      case 'NICK':
        this._sawNick = true;
        this._nick ??= p[0];
        this._expect('nick', seq, []);
        break;
      case 'USER':
        this._sawUser = true;
        break;
      case 'JOIN':
        if (p[0] !== undefined && p[0] !== '0') this._expect('names', seq, channelList(p[0]));
        break;
      case 'NAMES':
      case 'PART':
        if (p[0] !== undefined || cmd === 'NAMES') {
          this._expect(cmd === 'PART' ? 'part' : 'names', seq, channelList(p[0] ?? ''));
        }
        break;
      case 'TOPIC':
        if (p.length >= 2) this._expect('topic', seq, channelList(p[0]));
        break;
      case 'CAP':
        if (/^(?:LS|LIST|REQ)$/i.test(p[0] ?? '')) this._expect('cap', seq, []);
        break;
      case 'WHOIS':
      case 'WHOWAS':
      case 'WHO':
      case 'LIST':
      case 'MOTD':
        this._expect(cmd.toLowerCase() as Family, seq, []);
        break;
      case 'PING':
        this._pings.c2s.add(p[0] ?? '', seq);
        break;
      case 'PONG':
        re = this._pings.s2c.take(p[p.length - 1] ?? '');
        break;
    }
    if (this._sawNick && this._sawUser && this._registration === undefined) {
      this._registration = { seq, open: true };
    }
    if (cmd !== '' && !CHAT.has(cmd)) this._verbs.add(cmd, seq);
    return re === undefined ? { kind: 'request' } : { kind: 'reply', re };
  }

  fromServer(seq: number, msg: IrcMessage): Pairing {
    const cmd = msg.command?.toUpperCase() ?? '';
    const numeric = /^[0-9]{3}$/.test(cmd);
    let re = numeric ? this._numeric(cmd, msg.params) : this._command(seq, cmd, msg);
    re = this._labelled(cmd, msg) ?? re;
    const kind = numeric || re !== undefined ? 'reply' : 'push';
    if (cmd === 'PONG' && re === undefined) {
      return { kind, warning: 'a PONG whose token answers no PING of the client' };
    }
    return { kind, re };
  }

  private _numeric(code: string, p: readonly string[]): number | undefined {
    const reg = this._registration;
    if (code === '001') {
      this._nick = p[0] ?? this._nick;
      // The NICKs of registration are answered by the welcome, not echoed.
      const nicks = this._open.get('nick');
      if (reg !== undefined && nicks !== undefined) {
        this._open.set(
          'nick',
          nicks.filter((o) => o.seq > reg.seq),
        );
      }
    }
    if (reg?.open === true && REGISTRATION.has(code)) {
      if (code === '376' || code === '422') reg.open = false;
      return reg.seq;
    }
    if (code === '421') return this._verbs.take((p[1] ?? '').toUpperCase());
    const answer = ANSWERS.get(code);
    if (answer === undefined) return undefined;
    const at = answer.channelAt;
    return this._answer(answer.families, at === undefined ? undefined : lower(p[at]), answer.end);
  }

  private _command(seq: number, cmd: string, msg: IrcMessage): number | undefined {
    const p = msg.params;
    switch (cmd) {
      case 'PING':
        this._pings.s2c.add(p[0] ?? '', seq);
        return undefined;
      case 'PONG':
        return this._pings.c2s.take(p[p.length - 1] ?? '');
      case 'CAP': {
        const sub = (p[1] ?? '').toUpperCase();
        if (!/^(?:LS|LIST|ACK|NAK)$/.test(sub)) return undefined;
        return this._answer(
          ['cap'],
          undefined,
          !((sub === 'LS' || sub === 'LIST') && p[2] === '*'),
        );
      }
    }
    // What follows are echoes of our own commands.
    const from = lower(prefixNick(msg.prefix));
    if (from === undefined || from !== lower(this._nick)) return undefined;
    switch (cmd) {
      case 'JOIN':
        return this._answer(['names'], lower(p[0]), false);
      case 'PART':
        return this._answer(['part'], lower(p[0]), true);
      case 'TOPIC':
        return this._answer(['topic'], lower(p[0]), true);
      case 'NICK': {
        if (p[0] !== undefined) this._nick = p[0];
        return this._answer(['nick'], undefined, true);
      }
    }
    return undefined;
  }

  /** IRCv3 labeled-response: the label, or the batch that carries it. */
  private _labelled(cmd: string, msg: IrcMessage): number | undefined {
    const first = msg.params[0] ?? '';
    if (msg.label !== undefined) {
      const re = this._labels.take(msg.label);
      if (re !== undefined && cmd === 'BATCH' && first.startsWith('+')) {
        if (this._batches.size >= MAX_OPEN)
          this._batches.delete(this._batches.keys().next().value ?? '');
        this._batches.set(first.slice(1), re);
      }
      return re;
    }
    if (msg.batch !== undefined) return this._batches.get(msg.batch);
    if (cmd === 'BATCH' && first.startsWith('-')) {
      const re = this._batches.get(first.slice(1));
      this._batches.delete(first.slice(1));
      return re;
    }
    return undefined;
  }

  private _expect(family: Family, seq: number, channels: string[]): void {
    let list = this._open.get(family);
    if (list === undefined) this._open.set(family, (list = []));
    if (list.length >= MAX_OPEN) list.shift();
    list.push({ seq, channels });
  }

  /**
   * The oldest open command of these families (for that channel, if given) that a line answers;
   * `end` closes it, or for commands on several channels, that channel of it.
   */
  private _answer(
    families: readonly Family[],
    channel: string | undefined,
    end: boolean,
  ): number | undefined {
    let best: { list: Open[]; i: number } | undefined;
    for (const family of families) {
      const list = this._open.get(family) ?? [];
      const i = list.findIndex(
        (o) => channel === undefined || o.channels.length === 0 || o.channels.includes(channel),
      );
      if (i >= 0 && (best === undefined || list[i].seq < best.list[best.i].seq)) best = { list, i };
    }
    if (best === undefined) return undefined;
    const open = best.list[best.i];
    if (end) {
      const c = channel === undefined ? -1 : open.channels.indexOf(channel);
      if (c >= 0) open.channels.splice(c, 1);
      if (c < 0 || open.channels.length === 0) best.list.splice(best.i, 1);
    }
    return open.seq;
  }
}

class IrcFramer extends SegmentFramer {
  constructor(
    private readonly _dir: Direction,
    private readonly _pairing: IrcPairing,
    options?: FramerOptions,
  ) {
    super(LF, NAME, options);
    this.segmentKeep = LINE_KEEP;
  }

  protected override onSegment(): void {
    const line = this.segmentLine();
    const msg = parseMessage(line.content);
    const seq = this.frameCount;
    const pairing =
      this._dir === 'c2s' ? this._pairing.fromClient(seq, msg) : this._pairing.fromServer(seq, msg);
    this.endFrame(annotate(line, msg, pairing));
  }

  protected override describeTruncated(): Annotation {
    const line = this.segmentLine();
    const ann = annotate(line, parseMessage(line.content), {
      kind: this._dir === 'c2s' ? 'request' : 'push',
    });
    const message = 'stream ended inside a line, before its \\r\\n';
    return { ...ann, warnings: [...(ann.warnings ?? []), { code: 'truncated', message }] };
  }
}

/** IRC: one frame per line, tags, prefixes, CTCP, and the pairings the protocol makes certain. */
export const ircProtocol: Protocol = {
  name: NAME,
  description: 'IRC (RFC 1459/2812, IRCv3 tags): one frame per line, PING/PONG and replies paired',
  createFramers(options?: FramerOptions) {
    const pairing = new IrcPairing();
    return {
      c2s: new IrcFramer('c2s', pairing, options),
      s2c: new IrcFramer('s2c', pairing, options),
    };
  },
};
