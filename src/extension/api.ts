/**
 * The API `activate` returns, for other extensions (`extensions.getExtension('linetap.linetap')
 * .exports`) and for the integration tests: start and stop proxies, read their connections,
 * follow their frames, push messages into live connections.
 */
import * as vscode from 'vscode';
import { readSettings } from './config';
import type { ConnectionInfo } from '../core/proxy/proxyConnection';
import { checkProfile, type ProxyProfile } from '../core/proxy/proxyProfile';
import { formatHostPort } from '../core/proxy/address';
import type { Direction } from '../shared/traffic';
import type { ProxyFrame, ProxyManager, RunningProxy } from './proxyManager';
import type { ReplayPanelInfo, ReplayPanels } from './replayPanel';
import { messageBytes } from './sendMessageCommand';

export type { ReplayPanelInfo } from './replayPanel';

/** A running proxy as the API shows it. */
export interface ProxyInfo {
  readonly id: string;
  readonly label: string;
  /** The address it listens on, with the real port (`127.0.0.1:7000`). */
  readonly listen: string;
  readonly upstream: string;
  readonly framing: { readonly c2s: string; readonly s2c: string };
  /** The `.linetap` file it records to. */
  readonly captureFile: string;
  readonly frameCount: number;
}

/** Linetap's public API. */
export interface LinetapApi {
  /** Bumped when the API changes incompatibly. */
  readonly apiVersion: 1;
  /** Starts a proxy; rejects with a message that says what to change. */
  startProxy(profile: ProxyProfile): Promise<ProxyInfo>;
  /** Stops a proxy and closes its connections. */
  stopProxy(id: string): Promise<void>;
  /** Proxies running now. */
  proxies(): ProxyInfo[];
  /** Open connections of a proxy. */
  connections(proxyId: string): ConnectionInfo[];
  /** Pushes bytes (or a message with escapes / `hex:`) into a connection, either way. */
  send(proxyId: string, conn: number, dir: Direction, message: Uint8Array | string): void;
  /** Every frame of every proxy, as it is seen. */
  readonly onDidFrame: vscode.Event<ProxyFrame>;
  /** A proxy started or stopped, or a connection opened or closed. */
  readonly onDidChangeProxies: vscode.Event<void>;
  /** The replays of Replay Capture still kept (the last few), oldest first, with their panels. */
  replays(): ReplayPanelInfo[];
}

/** The API over a manager. */
export function createLinetapApi(manager: ProxyManager, replays: ReplayPanels): LinetapApi {
  return {
    apiVersion: 1,
    async startProxy(profile) {
      const settings = readSettings(vscode.workspace);
      return info(await manager.start(checkProfile(profile, settings.bindAddress), settings));
    },
    stopProxy: (id) => manager.stop(id),
    proxies: () => manager.list().map(info),
    connections: (id) => manager.connections(id),
    send(proxyId, conn, dir, message) {
      manager.send(
        proxyId,
        conn,
        dir,
        typeof message === 'string' ? messageBytes(message) : message,
      );
    },
    // The proxy lends frames' bytes from read buffers it reuses; a listener here may keep them.
    onDidFrame: (listener, thisArg, disposables) =>
      manager.onDidFrame(
        (e) =>
          listener.call(thisArg, {
            ...e,
            frame: { ...e.frame, bytes: Buffer.from(e.frame.bytes) },
          }),
        undefined,
        disposables,
      ),
    onDidChangeProxies: manager.onDidChange,
    replays: () => replays.infos(),
  };
}

function info(p: RunningProxy): ProxyInfo {
  const { proxy } = p.session;
  return {
    id: p.id,
    label: p.label,
    listen: formatHostPort(proxy.listen),
    upstream: formatHostPort(proxy.upstream),
    framing: { c2s: proxy.framing.c2s.spec, s2c: proxy.framing.s2c.spec },
    captureFile: p.captureFile,
    frameCount: p.frameCount,
  };
}
