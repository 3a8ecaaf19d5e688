/**
 * Finds the recorded answer to a live request for the server mock. Each client plays one
 * recorded connection (the n-th client the n-th connection, round robin) and its requests are
 * looked up in that connection's order, so a request made twice gets each recorded answer in
 * turn. Exact matches win over matches through masks.
 */
import { compareFrames } from './frameCompare';
import type { Mask } from './masks';
import type { ConnectionScript, Exchange } from './replayScript';

/** A recorded exchange that answers a live request. */
export interface MockAnswer {
  /** The recorded connection it comes from. */
  readonly conn: number;
  readonly exchange: Exchange;
  /** Equal only through masks. */
  readonly masked: boolean;
}

/** The exchanges of every recorded connection, indexed by request bytes for exact look-ups. */
export class MockMatcher {
  private readonly _exact = new Map<string, { conn: number; exchange: Exchange }[]>();
  private _clients = 0;

  constructor(
    readonly scripts: readonly ConnectionScript[],
    private readonly _masks: readonly Mask[],
  ) {
    for (const s of scripts) {
      for (const x of s.exchanges) {
        if (!x.request) continue;
        const key = x.request.bytes.toString('latin1');
        let list = this._exact.get(key);
        if (!list) this._exact.set(key, (list = []));
        list.push({ conn: s.conn, exchange: x });
      }
    }
  }

  /** The state of the next client: which recorded connection it plays. */
  nextClient(): MockCursor {
    const script = this.scripts[this._clients++ % this.scripts.length];
    return new MockCursor(this, script);
  }

  /** Recorded requests equal to `request`, in recorded order. */
  exact(request: Buffer): readonly { conn: number; exchange: Exchange }[] {
    return this._exact.get(request.toString('latin1')) ?? [];
  }

  /** Whether a recorded request matches a live one through the masks. */
  maskedEqual(recorded: Buffer, live: Buffer): boolean {
    return this._masks.length > 0 && compareFrames(recorded, live, this._masks).equal;
  }
}

/** One client's place in its recorded connection. */
export class MockCursor {
  /** Exchanges of this connection already played. */
  private readonly _used = new Set<Exchange>();
  /** Index in `script.exchanges` after the last one played. */
  private _pos = 0;

  constructor(
    private readonly _matcher: MockMatcher,
    /** The recorded connection this client plays. */
    readonly script: ConnectionScript,
  ) {}

  /** The server frames to send when the client connects (the recorded greeting). */
  get greeting(): Exchange | undefined {
    const first = this.script.exchanges[0];
    return first && !first.request ? first : undefined;
  }

  /**
   * The answer to a request, looked up in this order: unplayed exchanges of this connection from
   * the last one played on, then those before it, then played ones (a request repeated more
   * often than recorded gets the last recorded answer again), then other connections. The same
   * order is tried for exact matches, then for matches through masks.
   */
  answer(request: Buffer): MockAnswer | undefined {
    const exchanges = this.script.exchanges;
    const exact = new Set(
      this._matcher
        .exact(request)
        .filter((c) => c.conn === this.script.conn)
        .map((c) => c.exchange),
    );
    const own = (test: (x: Exchange) => boolean): Exchange | undefined => {
      const order = [...exchanges.slice(this._pos), ...exchanges.slice(0, this._pos)];
      return (
        order.find((x) => x.request && !this._used.has(x) && test(x)) ??
        [...order].reverse().find((x) => x.request && this._used.has(x) && test(x))
      );
    };
    const hit = own((x) => exact.has(x));
    if (hit) return this._take(hit, false);
    const elsewhere = this._matcher.exact(request).find((c) => c.conn !== this.script.conn);
    if (elsewhere) return { ...elsewhere, masked: false };
    const masked = own((x) => this._matcher.maskedEqual(x.request!.bytes, request));
    if (masked) return this._take(masked, true);
    for (const s of this._matcher.scripts) {
      if (s === this.script) continue;
      const x = s.exchanges.find(
        (e) => e.request && this._matcher.maskedEqual(e.request.bytes, request),
      );
      if (x) return { conn: s.conn, exchange: x, masked: true };
    }
    return undefined;
  }

  private _take(x: Exchange, masked: boolean): MockAnswer {
    this._used.add(x);
    const i = this.script.exchanges.indexOf(x);
    if (i >= this._pos) this._pos = i + 1;
    return { conn: this.script.conn, exchange: x, masked };
  }
}
