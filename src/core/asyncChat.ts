/**
 * AsyncChat: Python's `asynchat.async_chat` on a Node `net.Socket`. Input is split on a
 * terminator and handed to `collectIncomingData` / `foundTerminator`; output is queued with
 * `push`, producers and `closeWhenDone`. The behaviour is CPython's (see
 * shared/asynchat-contract.md §1), with its known bugs fixed on purpose (§3). Each fix is marked
 * `FIX(n)` below with the pitfall number of §4 it answers.
 */
import * as net from 'node:net';
import { asBuffer, EMPTY, findPrefixAtEnd, Views } from './bytes';
import { type Terminator, TerminatorScanner } from './terminatorScanner';

export { findPrefixAtEnd };

/** Something that makes output on demand; `more()` returns empty when it is exhausted. */
export interface Producer {
  more(): Uint8Array | string;
}

/** asynchat's `simple_producer`: hands out `data` in slices of at most `bufferSize` bytes. */
export class SimpleProducer implements Producer {
  private _data: Buffer;

  constructor(
    data: Uint8Array | string,
    private readonly _bufferSize = 512,
  ) {
    this._data = typeof data === 'string' ? Buffer.from(data, 'utf8') : asBuffer(data);
  }

  more(): Buffer {
    // The whole remainder when it fits (asynchat's rule), so the last slice may be short.
    const n = this._data.length > this._bufferSize ? this._bufferSize : this._data.length;
    const slice = this._data.subarray(0, n);
    this._data = this._data.subarray(n);
    return slice;
  }
}

/** What AsyncChat accepts as a terminator (setTerminator). */
export type TerminatorInput = string | Uint8Array | number | null;

/** Marker queued by closeWhenDone(). */
const CLOSE = Symbol('close');
type FifoEntry = Buffer | Producer | typeof CLOSE;

/**
 * A channel that frames its input on a terminator and queues its output. Subclass it and
 * override `collectIncomingData` and `foundTerminator`, as with asynchat.
 */
export class AsyncChat {
  /** Most bytes handed to one read event (a bigger chunk from Node is split). */
  acInBufferSize = 65536;
  /** Most bytes in one queued output piece; pushes are split to this size. */
  acOutBufferSize = 65536;
  /** Encoding for string terminators and string output. FIX(10, 11): always applied. */
  encoding: BufferEncoding = 'utf8';
  /** Idle linger after close() before the socket is destroyed even if the peer never reads. */
  closeLingerMs = 5000;
  /** True once the socket is connected and until it closes. */
  connected = false;
  /** Set during the foundTerminator() call made because a message hit maxMessageBytes. */
  messageCut = false;

  /** The socket; set by the constructor or connect(). */
  socket: net.Socket | undefined;
  /**
   * asynchat's `incoming` list, used by storeIncomingData / getData, in two parts: most messages
   * arrive in one piece, and a field costs much less than a list push and a new list per message.
   */
  private _firstPiece: Buffer | undefined;
  private _morePieces: Buffer[] = [];
  private readonly _scanner: TerminatorScanner;
  private _fifo: FifoEntry[] = [];
  private _sending = false;
  private _outputBlocked = false;
  private _closeQueued = false;
  private _closed = false;
  private _eof = false;
  /** Input not yet dispatched because a callback threw: read events still to come. */
  private _unread: Buffer[] = [];
  /** Makes the views collectIncomingData gets; it forgets the chunk when handleRead returns. */
  private readonly _views = new Views();

  /** Wraps a connected socket (e.g. one a server accepted), or none to connect() later. */
  constructor(socket?: net.Socket) {
    this._scanner = new TerminatorScanner({
      collect: (buf, start, end) => this.collectIncomingData(this._views.of(buf, start, end)),
      found: () => this.foundTerminator(),
      limit: () => this.handleMessageLimit(),
    });
    if (socket) this._attach(socket, true);
  }

  /**
   * Longest message (bytes between terminators) before handleMessageLimit runs. FIX(4): asynchat
   * has no bound, so a peer that never sends the terminator grows the consumer without end.
   */
  get maxMessageBytes(): number {
    return this._scanner.maxMessageBytes;
  }
  set maxMessageBytes(value: number) {
    if (!(value >= 1) || !(Number.isInteger(value) || value === Infinity)) {
      throw new RangeError(`maxMessageBytes must be a whole number >= 1, got ${value}`);
    }
    this._scanner.maxMessageBytes = value;
  }

  /** Opens an outgoing connection; `handleConnect` runs when it is up. */
  connect(port: number, host = '127.0.0.1'): void {
    if (this.socket) throw new Error('connect(): this channel already has a socket');
    this._attach(net.connect({ port, host }), false);
  }

  // ---- terminator ----------------------------------------------------------------------------

  /**
   * Sets where messages end: a delimiter (string or bytes), a byte count, or null for "until
   * close". A string is encoded with `encoding` (FIX 11: no str-breaks-reads trap). A count must
   * be a non-negative integer (RangeError otherwise). 0, '' and empty bytes mean "collect
   * everything", as asynchat's falsy terminators do.
   */
  setTerminator(term: TerminatorInput): void {
    this._scanner.terminator = toTerminator(term, this.encoding);
  }

  /**
   * The terminator in force. A running count shows what is left of it (0 inside
   * foundTerminator), as in asynchat. Throws a clear error before any setTerminator() (FIX 12).
   */
  getTerminator(): Terminator {
    const t = this._scanner.terminator;
    if (t === undefined) throw new Error('no terminator set: call setTerminator() first');
    return t;
  }

  // ---- input ---------------------------------------------------------------------------------

  /** Receives message bytes, never empty. Override it. */
  collectIncomingData(_data: Buffer): void {
    throw new Error('collectIncomingData must be implemented in a subclass');
  }

  /** Called at each terminator. Override it. The terminator may be changed from here. */
  foundTerminator(): void {
    throw new Error('foundTerminator must be implemented in a subclass');
  }

  /** asynchat's `_collect_incoming_data`: keeps data (joined once by getData). */
  protected storeIncomingData(data: Buffer): void {
    if (this._firstPiece === undefined) this._firstPiece = data;
    else this._morePieces.push(data);
  }

  /** asynchat's `_get_data`: the stored data joined, and the store emptied. */
  protected getData(): Buffer {
    const first = this._firstPiece ?? EMPTY;
    this._firstPiece = undefined;
    if (this._morePieces.length === 0) return first;
    const data = Buffer.concat([first, ...this._morePieces]);
    this._morePieces = [];
    return data;
  }

  /**
   * A message reached `maxMessageBytes`. The default ends it there: foundTerminator() runs with
   * `messageCut` set, so the consumer delivers what it holds, flagged. Override to close instead.
   */
  handleMessageLimit(): void {
    this.messageCut = true;
    try {
      this.foundTerminator();
    } finally {
      this.messageCut = false;
    }
  }

  /**
   * Feeds bytes as if read from the socket, one read event per acInBufferSize bytes. If a
   * callback throws, the error propagates and what was not dispatched waits, as in CPython; the
   * next call, even with no data, dispatches it first.
   */
  handleRead(data: Uint8Array): void {
    if (this._closed) return;
    if (data.length > 0) this._unread.push(asBuffer(data));
    const size = Math.max(1, Math.floor(this.acInBufferSize));
    try {
      while (this._unread.length > 0 && !this._closed) {
        const buf = this._unread[0];
        if (buf.length > size) this._unread[0] = buf.subarray(size);
        else this._unread.shift();
        this._scanner.feed(buf.length > size ? buf.subarray(0, size) : buf);
      }
    } catch (err) {
      // What waits may be a view into the caller's buffer, which it may reuse.
      this._unread = this._unread.map((b) => Buffer.from(b));
      throw err;
    } finally {
      this._views.release();
    }
  }

  /**
   * End of input (the socket's 'end'): dispatches what is left, delivers bytes held back as a
   * terminator prefix (FIX 1: CPython loses them), then runs handleClose. Ends a replayed stream.
   */
  endOfInput(): void {
    if (this._endInput()) this.handleClose();
  }

  /**
   * FIX(5): drops the input read after the current message (commands pipelined after STARTTLS
   * must not count as sent over the upgraded channel). Call it from foundTerminator. Unlike
   * discardBuffers it keeps queued output (the reply), and drops all of a big read.
   */
  discardInput(): void {
    this._scanner.discard();
    this._unread = [];
  }

  /** asynchat's `discard_buffers`: drops buffered input and all queued output. Does not close. */
  discardBuffers(): void {
    this._scanner.discard();
    this._firstPiece = undefined;
    this._morePieces = [];
    this._fifo = [];
    // The close marker went with the queue, so pushes are no longer "after closeWhenDone".
    this._closeQueued = false;
  }

  /** Stops reading from the socket (a relay calls this while the other side cannot keep up). */
  pauseReading(): void {
    this.socket?.pause();
  }

  /** Reads again after pauseReading(). */
  resumeReading(): void {
    if (!this._closed) this.socket?.resume();
  }

  // ---- output --------------------------------------------------------------------------------

  /**
   * Queues bytes (or a string, encoded with `encoding`) in pieces of at most acOutBufferSize and
   * starts sending. FIX(18): the bytes are copied, so changing the array afterwards changes
   * nothing (use pushBuffer to hand over a buffer without the copy). FIX(16): an empty push
   * sends nothing. FIX(8): a clear TypeError for anything else.
   */
  push(data: Uint8Array | string): void {
    if (typeof data === 'string') this.pushBuffer(Buffer.from(data, this.encoding));
    else if (data instanceof Uint8Array) this.pushBuffer(Buffer.from(data));
    else throw new TypeError(`push() takes bytes or a string, got ${describe(data)}`);
  }

  /** push() without the copy: the caller must not change `data` afterwards. */
  pushBuffer(data: Buffer): void {
    this._refuseAfterClose('push');
    if (this._closed) return;
    for (const piece of this._pieces(data)) this._fifo.push(piece);
    this.initiateSend();
  }

  /** Queues a producer (or bytes, taken as they are) and starts sending. */
  pushWithProducer(producer: Producer | Uint8Array): void {
    this._refuseAfterClose('pushWithProducer');
    if (this._closed) return;
    if (producer instanceof Uint8Array) {
      // asynchat sends such bytes in acOutBufferSize slices too.
      for (const piece of this._pieces(Buffer.from(producer))) this._fifo.push(piece);
    } else if (producer && typeof producer.more === 'function') {
      this._fifo.push(producer);
    } else {
      throw new TypeError(
        `pushWithProducer() takes a producer with more() or bytes, got ${describe(producer)}`,
      );
    }
    this.initiateSend();
  }

  /** Closes the channel once everything queued before this call has been written. */
  closeWhenDone(): void {
    if (this._closeQueued || this._closed) return;
    this._closeQueued = true;
    this._fifo.push(CLOSE);
    // asynchat waits for the next write event; Node has none, so send now if we can.
    queueMicrotask(() => this._guard(() => this.initiateSend()));
  }

  /** Bytes queued but not yet handed to the socket (producers count as 0 until drawn). */
  get queuedOutputBytes(): number {
    let n = 0;
    for (const e of this._fifo) if (Buffer.isBuffer(e)) n += e.length;
    return n;
  }

  /** Number of queued output entries (pieces, producers and the close marker). */
  get queuedOutputEntries(): number {
    return this._fifo.length;
  }

  /** True while the socket's write side is full: a relay stops reading until handleDrain. */
  get outputBlocked(): boolean {
    return this._outputBlocked;
  }

  /**
   * Moves queued output to the socket until it is full. FIX(6): each entry is removed from the
   * queue before it is written, and a call made while one is running (a push from a producer or
   * a callback) only adds to the queue, so nothing is sent twice or dropped.
   */
  initiateSend(): void {
    if (this._sending) return;
    this._sending = true;
    try {
      const socket = this.socket;
      while (this._fifo.length > 0 && this.connected && socket && !this._outputBlocked) {
        const head = this._fifo[0];
        if (head === CLOSE) {
          this._fifo.shift();
          // asynchat calls handle_close(); ours means the input ended (a proxy relays it as FIN).
          this.close();
          return;
        }
        if (!Buffer.isBuffer(head)) {
          const more = head.more();
          const chunk =
            typeof more === 'string' ? Buffer.from(more, this.encoding) : asBuffer(more);
          // Producer output bigger than a piece goes out in acOutBufferSize slices.
          if (chunk.length === 0) this._fifo.shift();
          else this._fifo = [...this._pieces(chunk), ...this._fifo];
          continue;
        }
        this._fifo.shift();
        if (!socket.write(head)) {
          this._outputBlocked = true;
          this.handleWriteBlocked();
        }
      }
    } finally {
      this._sending = false;
    }
  }

  // ---- lifecycle hooks -----------------------------------------------------------------------

  /** An outgoing connection (connect()) is up. */
  handleConnect(): void {}

  /**
   * The peer finished sending (or the connection dropped). The default closes, as asynchat does.
   * FIX(1): held-back input was delivered before this.
   */
  handleClose(): void {
    this.close();
  }

  /** A socket error or an exception from a callback. The default closes the channel. */
  handleError(_err: Error): void {
    this.close();
  }

  /** The socket's write side filled up (see outputBlocked). */
  handleWriteBlocked(): void {}

  /** The socket's write side drained and the queue has been moved to it. */
  handleDrain(): void {}

  /** The socket is fully closed: no more events will come. */
  handleClosed(): void {}

  /**
   * Closes now. Output already handed to the socket is still flushed (then FIN); output still in
   * the queue is dropped, as in asynchat (use closeWhenDone to send it). No more input is read.
   */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    this.connected = false;
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    socket.pause();
    socket.end();
    const timer = setTimeout(() => socket.destroy(), this.closeLingerMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }

  /** Closes at once, resetting the connection; queued output is lost. */
  abort(): void {
    this._closed = true;
    this.connected = false;
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    // Once end() has begun sending FIN, libuv refuses to reset (uv_tcp_close_reset) and Node
    // then never emits 'close': such a socket is closed plainly.
    if (socket.writableEnded) socket.destroy();
    else socket.resetAndDestroy();
  }

  /** True after close() or abort(). */
  get closed(): boolean {
    return this._closed;
  }

  // ---- internals -----------------------------------------------------------------------------

  /** Dispatches the rest of the input, held bytes included; false if there is nothing to end. */
  private _endInput(): boolean {
    if (this._eof) return false;
    this._eof = true;
    if (this._closed) return false;
    this.handleRead(EMPTY);
    if (this._closed) return false;
    this._scanner.end();
    return !this._closed;
  }

  /** `data` as pieces of at most acOutBufferSize; none for empty data (FIX 16). */
  private _pieces(data: Buffer): Buffer[] {
    const size = Math.max(1, Math.floor(this.acOutBufferSize));
    const pieces: Buffer[] = [];
    for (let i = 0; i < data.length; i += size) pieces.push(data.subarray(i, i + size));
    return pieces;
  }

  /**
   * One read from the socket: the 'data' event's handler, and what a socket made with Node's
   * `onread` calls instead.
   */
  receive(chunk: Buffer): void {
    if (this._closed) return;
    this._guard(() => this.handleRead(chunk));
    // A callback threw and handleError kept the channel open: CPython's next read event would
    // take the rest of this chunk, so do the same. Each pass dispatches at least one piece.
    while (this._unread.length > 0 && !this._closed) this._guard(() => this.handleRead(EMPTY));
  }

  private _attach(socket: net.Socket, connected: boolean): void {
    this.socket = socket;
    this.connected = connected && !socket.connecting && !socket.destroyed;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.connected = true;
      this._guard(() => {
        this.handleConnect();
        this.initiateSend();
      });
    });
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('end', () => this._guard(() => this.endOfInput()));
    socket.on('drain', () => {
      this._outputBlocked = false;
      this._guard(() => {
        this.initiateSend();
        if (!this._outputBlocked) this.handleDrain();
      });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.connected = false;
      if (this._closed) return;
      // A dropped connection ends the input, so what was held back is delivered first (FIX 1).
      // Unlike asyncore, which calls handle_close for these errnos, the error itself still goes
      // to handleError: a debugging proxy must see a reset to pass it on.
      if (DISCONNECTED.has(err.code ?? '')) this._guard(() => this._endInput());
      if (!this._closed) this._guard(() => this.handleError(err), true);
    });
    socket.on('close', () => {
      this.connected = false;
      // Closed with no FIN and no error seen: still deliver what was held back.
      if (!this._eof && !this._closed) this._guard(() => this.endOfInput(), true);
      this._closed = true;
      this._guard(() => this.handleClosed(), true);
    });
  }

  /** Runs a callback; an exception goes to handleError (once), never to the event loop. */
  private _guard(fn: () => void, inErrorPath = false): void {
    try {
      fn();
    } catch (err) {
      if (inErrorPath) {
        this.abort();
        return;
      }
      try {
        this.handleError(err instanceof Error ? err : new Error(String(err)));
      } catch {
        this.abort();
      }
    }
  }

  /** FIX(15): a push after closeWhenDone() would never be sent, so it throws (not after close). */
  private _refuseAfterClose(what: string): void {
    if (this._closeQueued && !this._closed) {
      throw new Error(`${what}() after closeWhenDone(): the data would never be sent`);
    }
  }
}

/** The errnos asyncore takes for a dropped connection (it calls handle_close for them). */
const DISCONNECTED = new Set('ECONNRESET ENOTCONN ESHUTDOWN ECONNABORTED EPIPE EBADF'.split(' '));

/** Validates and converts a terminator (FIX 11, and clear RangeErrors for bad counts). */
function toTerminator(term: TerminatorInput, encoding: BufferEncoding): Terminator {
  if (term === null) return null;
  if (typeof term === 'number') {
    if (!Number.isInteger(term) || term < 0) {
      throw new RangeError(`a count terminator must be a whole number of bytes >= 0, got ${term}`);
    }
    return term;
  }
  if (typeof term === 'string') return Buffer.from(term, encoding);
  if (term instanceof Uint8Array) return Buffer.from(term);
  throw new TypeError(
    `setTerminator() takes a string, bytes, a count or null, got ${describe(term)}`,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}
