/**
 * A running proxy as a panel source: its recent frames (the ring) and then every new frame go
 * into the panel's table; sends, closes and breakpoints go to the proxy.
 */
import * as net from 'node:net';
import * as vscode from 'vscode';
import { FrameTable, toRow } from '../core/view/frameTable';
import type { ToolbarCommand } from '../shared/protocol';
import type { ConnectionSummary, SourceInfo, ViewStatus } from '../shared/protocol';
import { Commands } from './constants';
import type { LiveActions, PanelSource } from './panelController';
import { describeProxy } from './pickers';
import type { ProxyManager, RunningProxy } from './proxyManager';

const COMMANDS: Record<ToolbarCommand, string> = {
  startProxy: Commands.startProxy,
  stopProxy: Commands.stopProxy,
  saveCapture: Commands.saveCapture,
  exportPcapng: Commands.exportPcapng,
  clear: Commands.clear,
};

/** The frames of one running proxy. */
export class LiveSource implements PanelSource {
  readonly table: FrameTable;
  readonly info: SourceInfo;
  readonly live: LiveActions;
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private readonly _disposables: vscode.Disposable[] = [this._onDidChange];
  private _running = true;
  private readonly _clients = new Set<net.Socket>();

  constructor(
    _manager: ProxyManager,
    private readonly _proxy: RunningProxy,
    limits: { frames?: number },
  ) {
    const { proxy } = _proxy.session;
    this.table = new FrameTable({ frames: limits.frames });
    for (const f of _proxy.session.ring.snapshot()) this.table.push(f);
    this.info = {
      kind: 'live',
      title: _proxy.label,
      description: describeProxy(_proxy),
      framing: { c2s: proxy.framing.c2s.spec, s2c: proxy.framing.s2c.spec },
      interactive: true,
    };
    this._disposables.push(
      _manager.onDidFrame((e) => {
        if (e.proxyId !== _proxy.id) return;
        this.table.push(e.frame);
        this._onDidChange.fire();
      }),
      _manager.onDidChange(() => {
        this._running = _manager.list().some((p) => p.id === _proxy.id);
        this._onDidChange.fire();
      }),
    );
    const id = _proxy.id;
    this.live = {
      send: (conn, dir, bytes) => _manager.send(id, conn, dir, bytes),
      sendOnNewConnection: (bytes) => this._sendThrough(bytes),
      closeConnection: (conn) => _manager.closeConnection(id, conn),
      setBreakpoint: (filter) => proxy.setIntercept(filter),
      settleHeld: (frameId, action, bytes) =>
        action === 'drop' ? proxy.drop(frameId) : proxy.release(frameId, bytes),
      note: (frame, text) => {
        _proxy.session.capture?.recordNote(proxy.now(), `frame ${frame.id}: ${text}`, frame.conn);
      },
      command: (command) =>
        vscode.commands.executeCommand(
          COMMANDS[command],
          command === 'startProxy' ? undefined : id,
        ),
    };
  }

  /** The proxy still runs. */
  get running(): boolean {
    return this._running;
  }

  status(): Omit<ViewStatus, 'total' | 'matched' | 'dropped'> {
    const { proxy } = this._proxy.session;
    if (!this._running) return { growing: false, connections: [], held: [], breakpoint: '' };
    const connections: ConnectionSummary[] = proxy.connections().map((c) => ({
      conn: c.id,
      peer: c.peer,
      open: c.state === 'open',
      bytes: { c2s: c.bytes.c2s, s2c: c.bytes.s2c },
    }));
    return {
      growing: true,
      connections,
      held: proxy.heldFrames().map((f) => toRow(this.table.indexOfId(f.id) ?? -1, f)),
      breakpoint: proxy.intercept?.toString() ?? '',
    };
  }

  /** Connects to the proxy as a new client would and sends the bytes. */
  private async _sendThrough(bytes: Uint8Array): Promise<void> {
    const { host, port } = this._proxy.session.proxy.listen;
    const local = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
    const socket = net.connect({ host: local, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    // The connection stays open so the server's answer is seen; the user closes it in the
    // panel, and it goes with the panel at the latest.
    this._clients.add(socket);
    socket.on('close', () => this._clients.delete(socket));
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.write(bytes);
  }

  dispose(): void {
    for (const s of this._clients) s.destroy();
    for (const d of this._disposables) d.dispose();
  }
}
