/**
 * How the proxy reads its plain TCP sockets. Node's default read path allocates a fresh 64 KiB
 * Buffer for every read; at loopback speed the allocator's churn (page faults as the heap grows
 * and shrinks between collections) costs more than the relaying itself. With `onread`, reads go
 * into buffers the proxy reuses:
 *
 * - Every leg starts on one buffer shared by the whole process. What is read there is copied out
 *   at once (small reads: a few bytes from Node's pool), so no socket's data outlives its read.
 * - A leg whose read fills the shared buffer carries bulk traffic: it gets a buffer of its own
 *   (four times bigger when its frames are big: fewer, bigger reads), lent to the connection for
 *   the duration of the read and reused for the next one. Whoever keeps bytes past that copies
 *   them (framers, the ring, captures, sinks); the one exception is the write to the other side,
 *   when the socket queues it: then the buffer is left to the write and the leg gets a new one.
 * - A leg back to small reads returns to the shared buffer, and the number of own buffers is
 *   capped, so 10,000 idle connections cost no read memory at all.
 */
import * as net from 'node:net';

/** The buffer every leg starts on (Node's own read size). */
const SHARED_BYTES = 64 * 1024;
/**
 * A leg's own buffer, for bulk traffic: 256 KiB when its frames are big (fewer, bigger reads
 * cut the per-read work, which dominates), the shared size when they are small (then the work
 * per frame dominates, and a read's frames and their capture lines stay in the CPU's cache:
 * 64-byte lines with a capture ran at 1.5 to 2.3 M frames/s with 64 KiB reads and 1.0 to 1.7 M
 * with 256 KiB ones, on the machine of BENCHMARKS.md).
 */
const OWN_BYTES = 256 * 1024;
/** Frames at least this big on average get the big own buffer. */
const BIG_FRAMES = 1024;
/** Own buffers in the process at most (64 MiB); legs past it stay on the shared buffer. */
const MAX_OWN = 256;
/** A read this short on an own buffer means the burst is over. */
const SMALL_READ = 4 * 1024;

/**
 * Test aid: LINETAP_CHECK_READS=1 overwrites each reused buffer after its read has been
 * handled, so a consumer that kept a view of it shows junk at once instead of by chance.
 */
const CHECK_READS = process.env.LINETAP_CHECK_READS === '1';
const JUNK = 0xee;

const shared = Buffer.allocUnsafeSlow(SHARED_BYTES);
let ownCount = 0;

/** Where a leg's reads go. */
export interface ReadTarget {
  /** Handles one read; `chunk` is valid only during the call unless retained() says so. */
  receive(chunk: Buffer): void;
  /** True when the last chunk is still referenced by a write queued towards the other side. */
  retained(): boolean;
  /** Average frame size of what this leg reads so far (bytes), to size its own buffer. */
  averageFrameBytes(): number;
}

/** The `onread` of one socket, and the buffer it reads into. */
export class LegReader {
  private _target: ReadTarget | undefined;
  private _own: Buffer | undefined;
  /** The buffer the socket reads into next. */
  private _current: Buffer = shared;

  /**
   * For `net.connect({ onread })` and `new net.Socket({ onread })`. The callback never asks Node
   * to pause: the leg pauses its socket itself when the other side is full.
   */
  readonly onread: net.OnReadOpts = {
    buffer: (): Buffer => (this._current = this._own ?? shared),
    callback: (n: number): boolean => {
      this._read(n);
      return true;
    },
  };

  /** Sets where reads go; must happen before the socket's first read (the next tick). */
  bind(target: ReadTarget): void {
    this._target = target;
  }

  /** Lets an own buffer go (the socket is closed). */
  dispose(): void {
    if (this._own) this._dropOwn();
  }

  private _read(n: number): void {
    const target = this._target;
    const buf = this._current;
    if (!target) throw new Error('a proxy socket read before its connection was set up');
    if (buf === shared) {
      const chunk = Buffer.allocUnsafe(n);
      shared.copy(chunk, 0, 0, n);
      if (CHECK_READS) shared.fill(JUNK, 0, n);
      target.receive(chunk);
      if (n === SHARED_BYTES && ownCount < MAX_OWN) this._newOwn(target);
      return;
    }
    target.receive(buf.subarray(0, n));
    if (target.retained()) {
      // The queued write holds this buffer now; read on into a new one (or the shared one).
      this._dropOwn();
      if (n >= SMALL_READ) this._newOwn(target);
      return;
    }
    if (CHECK_READS) buf.fill(JUNK, 0, n);
    if (n < SMALL_READ) this._dropOwn();
  }

  private _newOwn(target: ReadTarget): void {
    ownCount++;
    const big = target.averageFrameBytes() >= BIG_FRAMES;
    this._own = Buffer.allocUnsafeSlow(big ? OWN_BYTES : SHARED_BYTES);
  }

  private _dropOwn(): void {
    if (!this._own) return;
    this._own = undefined;
    ownCount--;
  }
}

/**
 * A server's sockets come without `onread` (Node offers it only to sockets made by connect), so
 * the proxy's server pauses new sockets on connect and their handle moves to a new Socket made
 * with it. The first Socket object, left without a handle, stays only for the server's count of
 * connections, and is destroyed when the new one closes. Should a Node version change these
 * internals, the accepted socket is used as it is, reading the default way.
 */
export function adoptAccepted(accepted: net.Socket, reader: LegReader): net.Socket {
  const internals = accepted as unknown as { _handle?: { useUserBuffer?: unknown } | null };
  const handle = internals._handle;
  if (!handle || typeof handle.useUserBuffer !== 'function' || accepted.destroyed) {
    accepted.resume();
    return accepted;
  }
  internals._handle = null;
  const socket = new net.Socket({
    handle,
    allowHalfOpen: true,
    readable: true,
    writable: true,
    onread: reader.onread,
  } as net.SocketConstructorOpts);
  socket.once('close', () => accepted.destroy());
  return socket;
}
