/**
 * A stand-in for the extension host, for developing the webview in a plain browser: it defines
 * acquireVsCodeApi and answers the message contract with generated frames (hostile ones
 * included), filters them with the real filter language, and can grow like a live proxy with a
 * capped ring. Page options come from the query string; see serve.ts.
 */
import { FilterError, parseFilter, type Filter } from '../../src/shared/filter';
import { isWebviewToHost } from '../../src/shared/guards';
import {
  FrameFlag,
  MAX_ROWS,
  type ConnectionSummary,
  type FrameDetail,
  type FrameRow,
  type HostToWebview,
  type ReplayOutcome,
  type WebviewToHost,
} from '../../src/shared/protocol';
import type { Annotation, TrafficFrame } from '../../src/shared/traffic';
import { escapeBytes } from '../../src/webview/escapeSegments';

const q = new URLSearchParams(location.search);
const total0 = Number(q.get('frames') ?? 2000);
const live = q.get('live') === '1';
const ring = Number(q.get('ring') ?? 0);
const theme = q.get('theme') ?? 'dark';
/** A replay's panel: server frames carry outcomes, details the recorded frame. */
const replay = q.get('replay') === '1';
document.body.className = `vscode-${theme === 'hc' ? 'high-contrast' : theme}`;

const enc = new TextEncoder();
const KEYS = ['greeting', 'user:42', 'session', 'counter', 'queue'];
/** Frames that try to break the page; each shows up early in the list. */
const HOSTILE: ReadonlyArray<[string | Uint8Array, Annotation?]> = [
  ['<script>window.__pwned=1</script>\r\n'],
  [
    '<img src=x onerror="window.__pwned=2">\r\n',
    { name: '<b>bold</b>', summary: '<img src=x onerror="window.__pwned=3">' },
  ],
  ['GET javascript:window.__pwned=4 HTTP/1.1\r\n'],
  [
    'PRIVMSG #chan :\u202Egnp.exe\u202C is safe\r\n',
    { name: 'PRIVMSG', summary: 'PRIVMSG \u202Etxt.exe', args: ['#chan', '\u202Egnp.exe'] },
  ],
  [
    Uint8Array.of(0x2b, 0x4f, 0x4b, 0, 0, 0xff, 0xfe, 0xc3, 0x28, 0x0d, 0x0a),
    { warnings: [{ code: 'invalid-utf8', message: 'bytes 5-8 are not UTF-8' }] },
  ],
  [
    'x'.repeat(1 << 20) + '\r\n',
    {
      name: 'LONG',
      summary: 'y'.repeat(1 << 20),
      warnings: [{ code: 'long-line', message: 'a 1 MiB line' }],
    },
  ],
  ['bare line feed\n', { warnings: [{ code: 'bare-lf', message: 'line ended with \\n alone' }] }],
  ['\x1b[31mANSI red\x1b[0m\t\x07bell\r\n'],
];

/** Frame `id` of the session, generated on demand: a redis-like conversation on 5 connections. */
function frame(id: number): TrafficFrame {
  const conn = 1 + (Math.floor(id / 2) % 5);
  const dir = id % 2 === 0 ? 'c2s' : 's2c';
  const hostile = id >= 20 && id < 20 + HOSTILE.length ? HOSTILE[id - 20] : undefined;
  let ann: Annotation | undefined;
  let text: string | Uint8Array;
  if (hostile) [text, ann] = hostile;
  else if (dir === 'c2s') {
    const key = KEYS[id % KEYS.length];
    text = id % 6 === 0 ? `SET ${key} "hello ${id}"\r\n` : `GET ${key}\r\n`;
    const name = text.split(' ')[0];
    ann = { kind: 'request', name, args: text.trim().split(' ').slice(1), summary: text.trim() };
  } else {
    text = id % 12 === 1 ? '+OK\r\n' : `$11\r\nhello world\r\n`;
    ann = {
      kind: 'reply',
      name: text.startsWith('+') ? '+OK' : '$11',
      summary: text.startsWith('+') ? '+OK' : '$11 "hello world"',
      fields: { length: 11, type: 'bulk' },
    };
  }
  const bytes = typeof text === 'string' ? enc.encode(text) : text;
  const outcome = outcomeOf(id);
  if (outcome) ann = { ...ann, fields: { ...ann?.fields, replay: outcome } };
  return {
    id,
    conn,
    dir,
    seq: Math.floor(id / 10),
    t: id * 1234 + (id % 7) * 17,
    bytes,
    term: 'redis',
    partial: id % 97 === 5,
    oversize: false,
    injected: id % 131 === 7,
    held: false,
    ann,
    re: dir === 's2c' ? id - 1 : undefined,
    latency: dir === 's2c' ? 400 + ((id * 37) % 9000) : undefined,
  };
}

/** In replay mode, how a server frame compared: most match, a few do not. */
function outcomeOf(id: number): ReplayOutcome | undefined {
  if (!replay || id % 2 === 0) return undefined;
  return id % 14 === 3
    ? 'differs'
    : id % 38 === 9
      ? 'missing'
      : id % 50 === 11
        ? 'extra'
        : 'matched';
}

let first = 0; // id of the oldest frame still in the ring
let end = total0; // one past the newest id
let filter: Filter = parseFilter('');
let matched: Int32Array | undefined; // source indexes that pass (undefined: all)
let breakpoint = '';
let held: FrameRow[] = [];
// View state survives a reload, as VS Code keeps it across a webview's re-creation.
let state: unknown = JSON.parse(sessionStorage.getItem('state') ?? 'null') ?? undefined;
const sent: WebviewToHost[] = [];
Object.assign(window, { __sent: sent, __cspViolations: [] as string[] });
document.addEventListener('securitypolicyviolation', (e) =>
  (window as unknown as { __cspViolations: string[] }).__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI}`,
  ),
);

function row(f: TrafficFrame): FrameRow {
  const flags =
    (f.partial ? FrameFlag.partial : 0) |
    (f.injected ? FrameFlag.injected : 0) |
    (f.held ? FrameFlag.held : 0);
  return {
    index: f.id, // absolute, as the host's FrameTable gives it
    id: f.id,
    conn: f.conn,
    dir: f.dir,
    seq: f.seq,
    t: f.t,
    size: f.bytes.length,
    flags,
    summary: f.ann?.summary ?? escapeBytes(f.bytes.subarray(0, 200)),
    name: f.ann?.name,
    warnings: f.ann?.warnings?.map((w) => w.code),
    re: f.re,
    latency: f.latency,
    outcome: outcomeOf(f.id),
  };
}

function applyFilter(): void {
  if (filter.empty) return void (matched = undefined);
  const out: number[] = [];
  for (let id = first; id < end; id++) if (filter.matches(frame(id))) out.push(id - first);
  matched = Int32Array.from(out);
}

const count = () => (matched ? matched.length : end - first);
const idAt = (pos: number) => first + (matched ? matched[pos] : pos);

function connections(): ConnectionSummary[] {
  return [1, 2, 3, 4, 5].map((conn) => ({
    conn,
    peer: conn === 4 ? '127.0.0.1:5\u202E1234' : `127.0.0.1:${50000 + conn}`,
    open: conn !== 5,
    bytes: { c2s: conn * 1200, s2c: conn * 34000 },
  }));
}

function post(m: HostToWebview): void {
  // Async like the real thing, so ordering bugs show up here too.
  setTimeout(() => window.dispatchEvent(new MessageEvent('message', { data: m })), 1);
}

function status(): void {
  post({
    type: 'status',
    status: {
      total: end - first,
      matched: count(),
      dropped: first,
      growing: live,
      connections: connections(),
      held,
      breakpoint,
    },
  });
}

function handle(m: WebviewToHost): void {
  sent.push(m);
  switch (m.type) {
    case 'ready':
      post({
        type: 'init',
        source: {
          kind: live ? 'live' : replay ? 'replay' : 'capture',
          title: live
            ? 'redis (dev)'
            : replay
              ? 'Replay of session.linetap against localhost:6379'
              : 'session.linetap',
          description: live ? '127.0.0.1:7000 → localhost:6379' : 'captured 2025-01-01',
          framing: { c2s: 'redis', s2c: 'redis' },
          interactive: live,
        },
        filter: '',
      });
      return status();
    case 'getRows': {
      const rows: FrameRow[] = [];
      for (let p = m.pos; p < Math.min(count(), m.pos + Math.min(m.count, MAX_ROWS)); p++)
        rows.push(row(frame(idAt(p))));
      return post({ type: 'rows', requestId: m.requestId, pos: m.pos, rows });
    }
    case 'getDetail': {
      const id = m.index;
      if (id < first || id >= end) return post({ type: 'detail', requestId: m.requestId });
      const f = frame(id);
      const pairId = f.dir === 's2c' ? id - 1 : id + 1;
      const detail: FrameDetail = {
        row: row(f),
        bytes: f.bytes,
        truncated: false,
        term: f.term,
        ann: f.ann,
        pair: pairId >= first && pairId < end ? row(frame(pairId)) : undefined,
        replay: outcomeOf(id) && {
          outcome: outcomeOf(id)!,
          exchange: `conn ${f.conn} #${id >> 1} GET greeting`,
          recorded: outcomeOf(id) === 'extra' ? undefined : enc.encode('$5\r\nhello\r\n'),
          diff:
            outcomeOf(id) === 'differs'
              ? [
                  { op: 'same', text: '$' },
                  { op: 'removed', text: '5' },
                  { op: 'added', text: '11' },
                  { op: 'same', text: '\\r\\n' },
                  { op: 'removed', text: 'hello' },
                  { op: 'added', text: 'hello world' },
                  { op: 'same', text: '\\r\\n' },
                ]
              : undefined,
          note: outcomeOf(id) === 'missing' ? 'no answer after waiting 5000 ms' : undefined,
          masks: ['dates'],
        },
      };
      return post({ type: 'detail', requestId: m.requestId, detail });
    }
    case 'setFilter':
      try {
        filter = parseFilter(m.filter);
        applyFilter();
        post({ type: 'filter', filter: m.filter });
      } catch (e) {
        const err = e as FilterError;
        return post({
          type: 'filter',
          filter: m.filter,
          error: { message: err.message, column: err.column },
        });
      }
      return status();
    case 'setBreakpoint':
      breakpoint = m.filter;
      held = breakpoint
        ? [end - 3, end - 2, end - 1].map((id) => ({ ...row(frame(id)), flags: FrameFlag.held }))
        : [];
      return status();
    case 'settleHeld':
      held = held.filter((r) => r.id !== m.id);
      return status();
    case 'command':
      if (m.command === 'clear') {
        first = end;
        applyFilter();
      }
      return status();
    case 'openDiff':
      return post({ type: 'notice', level: 'info', message: `diff of frame ${m.index} opened` });
    case 'push':
      return post({
        type: 'notice',
        level: 'info',
        message: `pushed ${m.bytes.length} bytes ${m.dir} into connection ${m.conn}`,
      });
    default:
      return;
  }
}

/** What the webview sees as its VS Code API. */
(window as unknown as { acquireVsCodeApi: unknown }).acquireVsCodeApi = () => ({
  postMessage(m: unknown) {
    if (!isWebviewToHost(m))
      throw new Error(`the webview sent a malformed message: ${JSON.stringify(m)}`);
    handle(m);
  },
  getState: () => state,
  setState: (s: unknown) => {
    state = s;
    sessionStorage.setItem('state', JSON.stringify(s));
    return s;
  },
});

if (live) {
  setInterval(() => {
    end += 3;
    if (ring > 0 && end - first > ring) first = end - ring;
    if (matched) applyFilter();
    status();
  }, 80);
}

// Let tests send raw (even malformed) host messages.
Object.assign(window, {
  __post: (m: unknown) => window.dispatchEvent(new MessageEvent('message', { data: m })),
});
