/**
 * Finds the recorded answer to a live request for the server mock. Each client plays one
 * recorded connection (the n-th client the n-th connection, round robin) and its requests are
 * looked up in that connection's order, so a request made twice gets each recorded answer in
 * turn. Exact matches win over matches through masks.
 */
import { compareFrames, type FrameDiff } from './frameCompare';
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

/** A recorded exchange and the connection it is in. */
interface Recorded {
  readonly conn: number;
  readonly exchange: Exchange;
}

/** The exchanges of every recorded connection, indexed by request bytes for exact look-ups. */
export class MockMatcher {
  private readonly _exact = new Map<string, Recorded[]>();
  /** The first requests by first line and by first word, for nearest(); MAX_NEAREST a key. */
  private readonly _byLine = new Map<string, Recorded[]>();
  private readonly _byWord = new Map<string, Recorded[]>();
  private _clients = 0;

  constructor(
    readonly scripts: readonly ConnectionScript[],
    private readonly _masks: readonly Mask[],
  ) {
    for (const s of scripts) {
      for (const x of s.exchanges) {
        if (!x.request) continue;
        const entry = { conn: s.conn, exchange: x };
        add(this._exact, x.request.bytes.toString('latin1'), entry, Infinity);
        const line = firstLine(x.request.bytes);
        add(this._byLine, line, entry, MAX_NEAREST);
        add(this._byWord, firstWord(line), entry, MAX_NEAREST);
      }
    }
  }

  /** The state of the next client: which recorded connection it plays. */
  nextClient(): MockCursor {
    const script = this.scripts[this._clients++ % this.scripts.length];
    return new MockCursor(this, script);
  }

  /** Recorded requests equal to `request`, in recorded order. */
  exact(request: Buffer): readonly Recorded[] {
    return this._exact.get(request.toString('latin1')) ?? [];
  }

  /**
   * For a request nothing matched: the recorded request it differs from least, among those with
   * the same first line (or, failing that, the same first word), with how they differ. An HTTP
   * request whose Host header names the mock's port instead of the recorded one, or a command
   * with a fresh id, is then told apart from one that was never recorded: a mask can hide it.
   */
  nearest(request: Buffer): NearestRequest | undefined {
    const line = firstLine(request);
    const word = firstWord(line);
    // Diffs cost more than look-ups: a request with thousands of look-alikes is diffed with the
    // first ones recorded.
    const candidates =
      this._byLine.get(line) ?? (word === '' ? undefined : this._byWord.get(word)) ?? [];
    let best: NearestRequest | undefined;
    let bestChanged = Infinity;
    for (const c of candidates) {
      const diff = compareFrames(c.exchange.request!.bytes, request, this._masks).diff;
      if (!diff) continue;
      const changed = diff.parts.reduce((n, p) => (p.op === 'same' ? n : n + p.text.length), 0);
      if (changed < bestChanged) {
        bestChanged = changed;
        best = { conn: c.conn, index: c.exchange.index, diff };
      }
    }
    return best;
  }

  /** Whether a recorded request matches a live one through the masks. */
  maskedEqual(recorded: Buffer, live: Buffer): boolean {
    return this._masks.length > 0 && compareFrames(recorded, live, this._masks).equal;
  }
}

/** The recorded request closest to one that matched none, and how they differ. */
export interface NearestRequest {
  readonly conn: number;
  readonly index: number;
  readonly diff: FrameDiff;
}

/** Recorded requests diffed at most, looking for the nearest. */
const MAX_NEAREST = 64;

function add<T>(map: Map<string, T[]>, key: string, value: T, max: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (list.length < max) list.push(value);
}

/** The first line of a request (up to 200 bytes), as latin1 text. */
function firstLine(bytes: Buffer): string {
  const end = bytes.indexOf(0x0a);
  return bytes.toString('latin1', 0, Math.min(end < 0 ? bytes.length : end, 200));
}

function firstWord(line: string): string {
  return /^\S*/.exec(line)![0];
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

  /** For a request that matched none: the recorded request nearest to it (see MockMatcher). */
  nearest(request: Buffer): NearestRequest | undefined {
    return this._matcher.nearest(request);
  }

  private _take(x: Exchange, masked: boolean): MockAnswer {
    this._used.add(x);
    const i = this.script.exchanges.indexOf(x);
    if (i >= this._pos) this._pos = i + 1;
    return { conn: this.script.conn, exchange: x, masked };
  }
}
