/**
 * Run-time checks of every message that crosses between host and webview (house style rule 4):
 * `postMessage` hands over `unknown`, and the webview renders bytes from the network, so nothing
 * is acted on before it has been checked field by field.
 */
import {
  MAX_ROWS,
  type CopyFormat,
  type HostToWebview,
  type ToolbarCommand,
  type WebviewToHost,
} from './protocol';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStr = (v: unknown, max = 1 << 20): v is string => typeof v === 'string' && v.length <= max;
const isDir = (v: unknown) => v === 'c2s' || v === 's2c';
const isBytes = (v: unknown) => v instanceof Uint8Array;

const COPY: readonly CopyFormat[] = ['text', 'escaped', 'hex', 'base64'];
const COMMANDS: readonly ToolbarCommand[] = [
  'startProxy',
  'stopProxy',
  'saveCapture',
  'exportPcapng',
  'clear',
];

/** True when `m` is a well-formed WebviewToHost message. */
export function isWebviewToHost(m: unknown): m is WebviewToHost {
  if (!isObj(m)) return false;
  switch (m.type) {
    case 'ready':
      return true;
    case 'getRows':
      return isIndex(m.requestId) && isIndex(m.pos) && isIndex(m.count) && m.count <= MAX_ROWS;
    case 'getDetail':
      return isIndex(m.requestId) && isIndex(m.index);
    case 'setFilter':
    case 'setBreakpoint':
      return isStr(m.filter, 10_000);
    case 'resend':
      return isIndex(m.index) && typeof m.newConnection === 'boolean';
    case 'note':
      return isIndex(m.index) && isStr(m.text, 10_000);
    case 'push':
      return isIndex(m.conn) && isDir(m.dir) && isBytes(m.bytes);
    case 'copy':
      return isIndex(m.index) && COPY.includes(m.format as CopyFormat);
    case 'openDiff':
      return isIndex(m.index) && typeof m.exact === 'boolean';
    case 'closeConnection':
      return isIndex(m.conn);
    case 'command':
      return COMMANDS.includes(m.command as ToolbarCommand);
    case 'settleHeld':
      return (
        isIndex(m.id) &&
        (m.action === 'release' || m.action === 'drop' || (m.action === 'edit' && isBytes(m.bytes)))
      );
    default:
      return false;
  }
}

/** True when `m` looks like a HostToWebview message (the host is trusted; this catches bugs). */
export function isHostToWebview(m: unknown): m is HostToWebview {
  if (!isObj(m)) return false;
  switch (m.type) {
    case 'init':
      return isObj(m.source) && isStr(m.filter);
    case 'status':
      return isObj(m.status) && isIndex(m.status.total) && isIndex(m.status.matched);
    case 'rows':
      return isIndex(m.requestId) && isIndex(m.pos) && Array.isArray(m.rows);
    case 'detail':
      return isIndex(m.requestId) && (m.detail === undefined || isObj(m.detail));
    case 'filter':
      return isStr(m.filter) && (m.error === undefined || isObj(m.error));
    case 'notice':
      return (m.level === 'info' || m.level === 'error') && isStr(m.message);
    default:
      return false;
  }
}

/** For exhaustive switches: a message type the code does not handle is a compile error. */
export function assertNever(m: never): never {
  throw new Error(`unhandled message ${JSON.stringify(m)}`);
}
