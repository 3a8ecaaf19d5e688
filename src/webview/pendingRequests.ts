/**
 * Requests to the host that expect an answer (`getRows` → `rows`, `getDetail` → `detail`),
 * matched by requestId. Every pending request settles: with the answer, with an error after a
 * timeout (a host that never answers must not leave a spinner forever), or on dispose (house
 * style rule 5).
 */

interface Pending<T> {
  resolve(value: T): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** How long the host has to answer (ms). */
export const REQUEST_TIMEOUT_MS = 15_000;

/** Open requests of one answer type. */
export class PendingRequests<T> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending<T>>();

  constructor(
    private readonly what: string,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {}

  /** A fresh requestId and the promise of its answer. */
  open(): { id: number; answer: Promise<T> } {
    const id = this.nextId++;
    const answer = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.what} ${id}: no answer after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
    return { id, answer };
  }

  /** Delivers the answer to request `id`; false when no such request is open (late or bogus). */
  settle(id: number, value: T): boolean {
    const p = this.pending.get(id);
    if (!p) return false;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(value);
    return true;
  }

  /** Requests still waiting. */
  get size(): number {
    return this.pending.size;
  }

  /** Rejects every open request. */
  dispose(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`${this.what} ${id}: cancelled`));
    }
    this.pending.clear();
  }
}
