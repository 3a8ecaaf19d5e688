/**
 * The extension host's V8, reached through Node's inspector: its heap, a forced GC before a
 * memory figure, and CPU profiles. VS Code's server strips NODE_OPTIONS from the extension host
 * and code-server has no switch for `--inspect-extensions` that the test helpers pass, so the
 * inspector is opened the way Node allows for any running process: SIGUSR1, which listens on
 * 127.0.0.1:9229. The port is then read from the process's own listening sockets. Node 20 has no
 * WebSocket client, hence the few lines of RFC 6455 below (text frames only, as CDP needs).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { sleep } from './benchChildren';

/** One CDP connection to a Node process. */
export class Inspector {
  private _next = 1;
  private readonly _waiting = new Map<number, (reply: CdpReply) => void>();
  private _pending: Buffer = Buffer.alloc(0);
  private _message: Buffer[] = [];

  private constructor(private readonly _socket: Socket) {
    _socket.on('data', (chunk: Buffer) => this._read(chunk));
    _socket.on('close', () => {
      for (const w of this._waiting.values()) w({ error: { message: 'inspector closed' } });
      this._waiting.clear();
    });
    _socket.on('error', () => undefined);
  }

  /**
   * Opens the inspector of process `pid` (SIGUSR1) and connects. Returns the reason instead when
   * it cannot: 9229 taken by another process, or no inspector after 5 s.
   */
  static async attach(pid: number): Promise<Inspector | string> {
    try {
      return await Inspector._attach(pid);
    } catch (e) {
      return `no inspector: ${(e as Error).message}`;
    }
  }

  private static async _attach(pid: number): Promise<Inspector | string> {
    const before = listeningPorts(pid);
    process.kill(pid, 'SIGUSR1');
    let port: number | undefined;
    for (let i = 0; i < 50 && port === undefined; i++) {
      await sleep(100);
      port = [...listeningPorts(pid)].find((p) => !before.has(p));
    }
    if (port === undefined) return 'no inspector opened (is 127.0.0.1:9229 taken?)';
    const list = JSON.parse(await httpGet(port, '/json/list')) as {
      webSocketDebuggerUrl: string;
    }[];
    const url = new URL(list[0].webSocketDebuggerUrl);
    return new Inspector(await upgrade(port, url.pathname));
  }

  /** Sends a CDP command and resolves with its result. */
  async send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this._next++;
    const reply = await new Promise<CdpReply>((resolve) => {
      this._waiting.set(id, resolve);
      this._write(JSON.stringify({ id, method, params }));
    });
    if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
    return reply.result as T;
  }

  /** Used and total V8 heap in bytes; `gc` first collects garbage, for a steady figure. */
  async heap(gc = false): Promise<{ used: number; total: number }> {
    if (gc) await this.send('HeapProfiler.collectGarbage');
    const h = await this.send<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage');
    return { used: h.usedSize, total: h.totalSize };
  }

  close(): void {
    this._socket.destroy();
  }

  /** A masked text frame (clients must mask, RFC 6455 §5.3). */
  private _write(text: string): void {
    const payload = Buffer.from(text);
    const mask = randomBytes(4);
    const n = payload.length;
    const head =
      n < 126
        ? Buffer.from([0x81, 0x80 | n])
        : n < 65536
          ? Buffer.from([0x81, 0x80 | 126, n >> 8, n & 255])
          : Buffer.concat([Buffer.from([0x81, 0x80 | 127]), u64(n)]);
    for (let i = 0; i < n; i++) payload[i] ^= mask[i & 3];
    this._socket.write(Buffer.concat([head, mask, payload]));
  }

  /** Unmasked frames from the server; a message may come in several (continuation) frames. */
  private _read(chunk: Buffer): void {
    this._pending = this._pending.length ? Buffer.concat([this._pending, chunk]) : chunk;
    for (;;) {
      const b = this._pending;
      if (b.length < 2) return;
      let len = b[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      if (b.length < at + len) return;
      const opcode = b[0] & 0x0f;
      const fin = (b[0] & 0x80) !== 0;
      const payload = b.subarray(at, at + len);
      this._pending = b.subarray(at + len);
      if (opcode === 0x8) return void this._socket.end();
      if (opcode !== 0x1 && opcode !== 0x0) continue; // pings: Node's inspector sends none
      this._message.push(payload);
      if (!fin) continue;
      const text = Buffer.concat(this._message).toString('utf8');
      this._message = [];
      const reply = JSON.parse(text) as CdpReply & { id?: number };
      if (reply.id !== undefined) {
        this._waiting.get(reply.id)?.(reply);
        this._waiting.delete(reply.id);
      }
    }
  }
}

interface CdpReply {
  readonly result?: unknown;
  readonly error?: { readonly message: string };
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** TCP ports process `pid` listens on, from its socket inodes and /proc/net/tcp{,6}. */
function listeningPorts(pid: number): Set<number> {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed while we looked
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols: sl, local address, remote address, state (0A = LISTEN), ..., inode at 9
      if (cols[3] === '0A' && inodes.has(cols[9])) {
        ports.add(parseInt(cols[1].split(':')[1], 16));
      }
    }
  }
  return ports;
}

function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

function upgrade(port: number, path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const req = http.get({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Version': '13',
      },
    });
    req.on('upgrade', (_res, socket) => resolve(socket));
    req.on('response', (res) => reject(new Error(`inspector refused: HTTP ${res.statusCode}`)));
    req.on('error', reject);
  });
}
