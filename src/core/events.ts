/** Tiny event and disposable primitives, so the core needs nothing from vscode. */

/** Something to release: a listener, a timer, a socket. */
export interface Disposable {
  dispose(): void;
}

/** Subscribes a listener; the returned Disposable unsubscribes it. */
export type Event<T> = (listener: (e: T) => void) => Disposable;

/**
 * A typed event source. A listener that throws does not stop the others: the error goes to
 * `onListenerError` (by default rethrown on a later tick, so it is seen and not swallowed).
 */
export class Emitter<T> {
  private _listeners: ((e: T) => void)[] = [];

  constructor(
    private readonly _onListenerError: (err: unknown) => void = (err) =>
      queueMicrotask(() => {
        throw err;
      }),
  ) {}

  /** The subscribe function to expose. */
  readonly event: Event<T> = (listener) => {
    this._listeners = [...this._listeners, listener];
    return {
      dispose: () => {
        this._listeners = this._listeners.filter((l) => l !== listener);
      },
    };
  };

  /** True when someone listens (lets hot paths skip building events nobody reads). */
  get hasListeners(): boolean {
    return this._listeners.length > 0;
  }

  /** Calls every listener with `e`. */
  fire(e: T): void {
    for (const l of this._listeners) {
      try {
        l(e);
      } catch (err) {
        this._onListenerError(err);
      }
    }
  }

  /** Drops every listener. */
  dispose(): void {
    this._listeners = [];
  }
}
