/**
 * A running proxy wired to its sinks: the ring of recent frames for UIs, and the capture file
 * when one is asked for. The CLI and the extension start, feed and stop proxies through this one
 * object, so both record the same way.
 */
import { CaptureWriter } from '../capture/captureWriter';
import { createCaptureHeader } from '../capture/captureFormat';
import { Emitter, type Disposable, type Event } from '../events';
import { LinetapError } from '../socketErrors';
import type { TrafficFrame } from '../../shared/traffic';
import { formatHostPort } from './address';
import { ChatProxy, type ProxyOptions } from './chatProxy';
import { FrameRing, type FrameRingLimits } from './frameRing';

/** A proxy's options plus where its sinks go. */
export interface SessionOptions extends ProxyOptions {
  /** Record every event to this `.linetap` file. */
  readonly capture?: string;
  /** Limits of the ring of recent frames. */
  readonly ring?: FrameRingLimits;
  /** Written into the capture header. */
  readonly tool?: string;
}

/** A proxy with its ring buffer and optional capture file. */
export class ProxySession {
  private readonly _subscriptions: Disposable[] = [];
  private _stopping: Promise<void> | undefined;
  private _waitingForDisk = false;
  private _captureError: Error | undefined;
  private readonly _onDidCaptureFail = new Emitter<Error>();
  /** The capture file could not be written (disk full...); the proxy goes on without it. */
  readonly onDidCaptureFail: Event<Error> = this._onDidCaptureFail.event;

  private constructor(
    readonly proxy: ChatProxy,
    readonly ring: FrameRing,
    readonly capture: CaptureWriter | undefined,
  ) {
    this._subscriptions.push(proxy.onDidFrame((f) => ring.push(f)));
    if (capture) {
      const record = (write: () => boolean) => this._record(write);
      this._subscriptions.push(
        proxy.onDidOpen((c) => record(() => capture.recordOpen(c.id, c.openedAt, c.peer))),
        // Every frame: a method, not a closure per frame as for the rarer events.
        proxy.onDidFrame((f) => this._recordFrame(capture, f)),
        proxy.onDidClose((c) =>
          record(() => capture.recordClose(c.info.id, proxy.now(), c.reason)),
        ),
        proxy.onDidError((e) => record(() => capture.recordNote(proxy.now(), e.message))),
      );
    }
  }

  /** Why the capture stopped, if it did. */
  get captureError(): Error | undefined {
    return this._captureError;
  }

  /** Starts the proxy, then opens the capture file (its header names the proxy's real port). */
  static async start(options: SessionOptions): Promise<ProxySession> {
    const proxy = await ChatProxy.start(options);
    let capture: CaptureWriter | undefined;
    if (options.capture) {
      try {
        capture = await CaptureWriter.open(
          options.capture,
          createCaptureHeader({
            listen: formatHostPort(proxy.listen),
            upstream: formatHostPort(proxy.upstream),
            framing: { c2s: proxy.framing.c2s.spec, s2c: proxy.framing.s2c.spec },
            created: proxy.startedAt,
            tool: options.tool ?? 'linetap',
          }),
        );
      } catch (e) {
        await proxy.stop();
        throw new LinetapError(
          `cannot write the capture file "${options.capture}": ${(e as Error).message}`,
          (e as { code?: string }).code,
          { cause: e },
        );
      }
    }
    return new ProxySession(proxy, new FrameRing(options.ring), capture);
  }

  /** Stops the proxy (closing every connection) and finishes the capture file. */
  stop(): Promise<void> {
    this._stopping ??= (async () => {
      await this.proxy.stop();
      for (const s of this._subscriptions) s.dispose();
      if (!this._captureError)
        await this.capture?.close().catch((e: Error) => this._captureFailed(e));
      this._onDidCaptureFail.dispose();
    })();
    return this._stopping;
  }

  /** Records one event; on a write error the capture stops and the proxy goes on. */
  private _record(write: () => boolean): void {
    if (this._captureError) return;
    let accepted: boolean;
    try {
      accepted = write();
    } catch (e) {
      this._captureFailed(e as Error);
      return;
    }
    if (!accepted) this._waitForDisk();
  }

  private _recordFrame(capture: CaptureWriter, frame: TrafficFrame): void {
    if (this._captureError) return;
    let accepted: boolean;
    try {
      accepted = capture.recordFrame(frame);
    } catch (e) {
      this._captureFailed(e as Error);
      return;
    }
    if (!accepted) this._waitForDisk();
  }

  private _captureFailed(error: Error): void {
    if (this._captureError) return;
    this._captureError = error;
    this._onDidCaptureFail.fire(error);
    if (this._waitingForDisk) {
      this._waitingForDisk = false;
      this.proxy.resume();
    }
  }

  /** The capture fell behind the network: stop reading until it has written its backlog. */
  private _waitForDisk(): void {
    if (this._waitingForDisk || !this.capture) return;
    this._waitingForDisk = true;
    this.proxy.pause();
    void this.capture.drained().then(
      () => {
        this._waitingForDisk = false;
        this.proxy.resume();
      },
      (e: Error) => this._captureFailed(e),
    );
  }
}
