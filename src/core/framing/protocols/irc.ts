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
import { IrcPairing, prefixNick } from './ircPairing';
import { checkLine, type Pairing, type Protocol, quote, WarningBag } from './protocol';
import { SegmentFramer, type SegmentLine } from './segmentFramer';

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
export interface IrcMessage {
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
