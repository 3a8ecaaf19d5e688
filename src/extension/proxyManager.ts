/**
 * The proxies running in this window. Each is a core ProxySession that always records: to the
 * profile's capture file, or to a file in the extension's storage that Save Capture copies out.
 * Everything VS Code shows about proxies (tree, status bar, API) reads from here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConnectionInfo } from '../core/proxy/proxyConnection';
import { ProxySession } from '../core/proxy/proxySession';
import {
  profileLabel,
  profileOptions,
  type ProxyLimits,
  type ProxyProfile,
} from '../core/proxy/proxyProfile';
import type { Direction, TrafficFrame } from '../shared/traffic';
import { formatHostPort } from '../core/proxy/address';

/** A proxy started from VS Code. */
export interface RunningProxy {
  /** `p1`, `p2`...: unique in this window. */
  readonly id: string;
  readonly label: string;
  readonly profile: ProxyProfile;
  readonly session: ProxySession;
  /** Where its capture is being written. */
  readonly captureFile: string;
  /** The capture lives in extension storage and goes when the proxy is forgotten. */
  readonly temporaryCapture: boolean;
  /** Frames seen so far. */
  readonly frameCount: number;
}

/** A frame and the proxy that saw it. */
export interface ProxyFrame {
  readonly proxyId: string;
  readonly frame: TrafficFrame;
}

/** Where a manager keeps things and how it starts proxies. */
export interface ProxyManagerOptions {
  readonly log: vscode.LogOutputChannel;
  /** Folder for temporary captures. */
  readonly storageDir: string;
  /** Folder that relative paths in profiles are resolved against. */
  readonly baseDir: () => string | undefined;
}

class Entry implements RunningProxy {
  frameCount = 0;
  readonly disposables: vscode.Disposable[] = [];
  /** Error codes already shown to the user, so a refusing upstream warns once, not per client. */
  readonly warned = new Set<string>();
  constructor(
    readonly id: string,
    readonly label: string,
    readonly profile: ProxyProfile,
    readonly session: ProxySession,
    readonly captureFile: string,
    readonly temporaryCapture: boolean,
  ) {}
}

/** Starts, tracks and stops the window's proxies. */
export class ProxyManager implements vscode.Disposable {
  private readonly _proxies = new Map<string, Entry>();
  private _next = 1;
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  private readonly _onDidFrame = new vscode.EventEmitter<ProxyFrame>();
  private readonly _onDidWarn = new vscode.EventEmitter<{ proxy: RunningProxy; message: string }>();
  /** A proxy started or stopped, or a connection opened or closed. */
  readonly onDidChange = this._onDidChange.event;
  /** Every frame of every proxy. */
  readonly onDidFrame = this._onDidFrame.event;
  /** Something about a running proxy that a person should see (once per kind of error). */
  readonly onDidWarn = this._onDidWarn.event;

  constructor(private readonly _options: ProxyManagerOptions) {}

  /** Proxies running now, oldest first. */
  list(): RunningProxy[] {
    return [...this._proxies.values()];
  }

  /** The proxy with this id; throws an error that lists the running ones. */
  get(id: string): RunningProxy {
    const p = this._proxies.get(id);
    if (!p) {
      const ids = [...this._proxies.keys()].join(', ') || 'none is running';
      throw new Error(`no proxy "${id}" (running: ${ids})`);
    }
    return p;
  }

  /** Open connections of a proxy. */
  connections(id: string): ConnectionInfo[] {
    return this.get(id).session.proxy.connections();
  }

  /** Starts a proxy for a checked profile. Errors say what to change (port in use...). */
  async start(
    profile: ProxyProfile,
    settings: { bindAddress: string; limits: ProxyLimits },
  ): Promise<RunningProxy> {
    const id = `p${this._next++}`;
    const resolve = (file: string) => path.resolve(this._options.baseDir() ?? process.cwd(), file);
    const temporary = profile.capture === undefined;
    const captureFile = temporary
      ? path.join(this._options.storageDir, `${id}-${Date.now()}.linetap`)
      : resolve(profile.capture as string);
    if (temporary) await fs.promises.mkdir(this._options.storageDir, { recursive: true });
    const options = profileOptions(profile, {
      ...settings,
      readFile: (file) => fs.readFileSync(resolve(file)),
    });
    const session = await ProxySession.start({
      ...options,
      capture: captureFile,
      tool: 'linetap vscode',
    });
    const proxy = session.proxy;
    const label = profileLabel(profile);
    const entry = new Entry(id, label, profile, session, captureFile, temporary);
    const log = this._options.log;
    entry.disposables.push(
      proxy.onDidFrame((frame) => {
        entry.frameCount++;
        this._onDidFrame.fire({ proxyId: id, frame });
      }),
      proxy.onDidOpen((c) => {
        log.info(`[${label}] connection ${c.id} from ${c.peer}`);
        this._onDidChange.fire();
      }),
      proxy.onDidClose((c) => {
        log.info(`[${label}] connection ${c.info.id} closed: ${c.reason}`);
        this._onDidChange.fire();
      }),
      proxy.onDidError((e) => {
        log.warn(`[${label}] ${e.message}`);
        const kind = e.code ?? e.message;
        if (entry.warned.has(kind)) return;
        entry.warned.add(kind);
        this._onDidWarn.fire({ proxy: entry, message: e.message });
      }),
      session.onDidCaptureFail((e) => {
        log.error(`[${label}] capture stopped: ${e.message}`);
        this._onDidWarn.fire({
          proxy: entry,
          message: `the capture ${captureFile} stopped (${e.message}); the proxy goes on`,
        });
      }),
    );
    if (profile.intercept) proxy.setIntercept(profile.intercept);
    this._proxies.set(id, entry);
    log.info(
      `[${label}] listening on ${formatHostPort(proxy.listen)}, forwarding to ${formatHostPort(proxy.upstream)}, framing ${proxy.framing.c2s.spec}/${proxy.framing.s2c.spec}, recording to ${captureFile}`,
    );
    this._onDidChange.fire();
    return entry;
  }

  /** Stops a proxy and closes its connections; its temporary capture is deleted. */
  async stop(id: string): Promise<void> {
    const entry = this._proxies.get(id);
    if (!entry) return;
    this._proxies.delete(id);
    await this._shutDown(entry);
    this._onDidChange.fire();
  }

  /** Stops every proxy. */
  async stopAll(): Promise<void> {
    await Promise.all([...this._proxies.keys()].map((id) => this.stop(id)));
  }

  /** Pushes bytes into a live connection, towards the server (`c2s`) or the client (`s2c`). */
  send(id: string, conn: number, dir: Direction, bytes: Uint8Array): void {
    this.get(id).session.proxy.inject(conn, dir, bytes);
  }

  /** Closes one connection of a proxy. */
  closeConnection(id: string, conn: number): void {
    this.get(id).session.proxy.closeConnection(conn, 'closed from VS Code');
  }

  /** Forgets the recent frames kept for views (captures keep everything). */
  clear(): void {
    for (const p of this._proxies.values()) p.session.ring.clear();
    this._onDidChange.fire();
  }

  /** Writes what the capture has buffered, so a copy of the file is complete up to now. */
  async flushCapture(id: string): Promise<string> {
    const p = this.get(id);
    await p.session.capture?.flush();
    return p.captureFile;
  }

  dispose(): void {
    const entries = [...this._proxies.values()];
    this._proxies.clear();
    for (const e of entries) void this._shutDown(e);
    this._onDidChange.dispose();
    this._onDidFrame.dispose();
    this._onDidWarn.dispose();
  }

  private async _shutDown(entry: Entry): Promise<void> {
    try {
      await entry.session.stop();
    } catch (e) {
      this._options.log.error(`[${entry.label}] stopping: ${(e as Error).message}`);
    }
    for (const d of entry.disposables) d.dispose();
    if (entry.temporaryCapture) await fs.promises.rm(entry.captureFile, { force: true });
    this._options.log.info(`[${entry.label}] stopped`);
  }
}
