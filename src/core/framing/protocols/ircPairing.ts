/**
 * The pairing of IRC lines for the irc framer (see irc.ts): which client line a server line
 * answers, only where the protocol makes it certain.
 */
import type { IrcMessage } from './irc';
import { type Pairing, Waits } from './protocol';

/** The nick of a `nick!user@host` prefix; undefined for a server name. */
export function prefixNick(prefix: string | undefined): string | undefined {
  if (prefix === undefined) return undefined;
  const end = prefix.search(/[!@]/);
  if (end >= 0) return prefix.slice(0, end);
  return prefix.includes('.') ? undefined : prefix;
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

const lower = (s: string | undefined) => s?.toLowerCase();
const channelList = (param: string) =>
  param
    .toLowerCase()
    .split(',')
    .filter((c) => c !== '');

/** The pairing state of one connection (the module comment says what pairs). */
export class IrcPairing {
  /** Our nick as the server knows it (from 001 and NICK echoes; the first NICK before). */
  private _nick: string | undefined;
  private readonly _pings = { c2s: new Waits(MAX_WAITING), s2c: new Waits(MAX_WAITING) };
  private readonly _labels = new Waits(MAX_WAITING);
  private readonly _batches = new Map<string, number>();
  private readonly _verbs = new Waits(MAX_WAITING);
  private readonly _open = new Map<Family, Open[]>();
  private _sawNick = false;
  private _sawUser = false;
  private _registration: { readonly seq: number; open: boolean } | undefined;

  /** A client line: what it asks for, and what it answers (a PONG). */
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

  /** A server line: the client line it answers, if the protocol makes that certain. */
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
