/**
 * Synthetic Ethernet/IPv4/TCP packets for one connection: a handshake, data segments with the
 * receiver's ACKs, and a FIN exchange, with consistent sequence numbers and real checksums, so
 * packet tools reassemble the streams and find nothing to complain about.
 */
import type { Direction } from '../../shared/traffic';

/** One side of a connection. */
export interface Endpoint {
  /** IPv4 address, 4 bytes. */
  readonly ip: Uint8Array;
  readonly port: number;
}

/** An Ethernet frame and when it was seen (microseconds, capture-relative). */
export interface Packet {
  readonly t: number;
  readonly data: Buffer;
}

/** Largest MSS that fits an IPv4 packet (65535 - 20 - 20), the loopback MSS. */
export const MAX_MSS = 65_495;

const ETH = 14;
const IP = 20;
const TCP = 20;
const FIN = 0x01;
const SYN = 0x02;
const PSH = 0x08;
const ACK = 0x10;
/** Window scale shift announced in the handshake: a 65535 window field means 8 MiB. */
const WSCALE = 7;
/** Unacknowledged bytes after which the receiver ACKs in the middle of a large frame. */
const ACK_EVERY = 1 << 20;
const CLIENT_MAC = Buffer.from([0x02, 0, 0, 0, 0, 0x01]);
const SERVER_MAC = Buffer.from([0x02, 0, 0, 0, 0, 0x02]);

interface Half {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly srcMac: Buffer;
  readonly dstMac: Buffer;
  /** Next sequence number this side sends. */
  seq: number;
  /** IPv4 identification counter. */
  ipId: number;
}

/** The packets of one TCP connection, built as its events come. */
export class TcpConversation {
  private readonly _c2s: Half;
  private readonly _s2c: Half;
  private _open = false;
  private _closed = false;

  /**
   * @param isn initial sequence numbers of the two directions (any 32-bit values)
   * @param _mss largest payload per segment, 1 to MAX_MSS
   */
  constructor(
    client: Endpoint,
    server: Endpoint,
    isn: { readonly c2s: number; readonly s2c: number },
    private readonly _mss: number,
  ) {
    if (!(Number.isInteger(_mss) && _mss >= 1 && _mss <= MAX_MSS)) {
      throw new RangeError(`MSS must be a whole number from 1 to ${MAX_MSS}, got ${_mss}`);
    }
    this._c2s = {
      from: client,
      to: server,
      srcMac: CLIENT_MAC,
      dstMac: SERVER_MAC,
      seq: isn.c2s >>> 0,
      ipId: 1,
    };
    this._s2c = {
      from: server,
      to: client,
      srcMac: SERVER_MAC,
      dstMac: CLIENT_MAC,
      seq: isn.s2c >>> 0,
      ipId: 1,
    };
  }

  /** True after the handshake and before the FIN exchange. */
  get isOpen(): boolean {
    return this._open && !this._closed;
  }

  /** The three-way handshake. */
  open(t: number): Packet[] {
    if (this._open) return [];
    this._open = true;
    const c = this._c2s;
    const s = this._s2c;
    const out = [
      this._packet(t, c, SYN, 0, EMPTY, true),
      this._packet(t, s, SYN | ACK, c.seq + 1, EMPTY, true),
    ];
    c.seq = (c.seq + 1) >>> 0;
    s.seq = (s.seq + 1) >>> 0;
    out.push(this._packet(t, c, ACK, s.seq, EMPTY, false));
    return out;
  }

  /** Data in one direction, cut into segments of at most the MSS, then the receiver's ACK. */
  data(dir: Direction, bytes: Uint8Array, t: number): Packet[] {
    if (bytes.length === 0 || this._closed) return [];
    const out = this.open(t);
    const [snd, rcv] = dir === 'c2s' ? [this._c2s, this._s2c] : [this._s2c, this._c2s];
    let unacked = 0;
    for (let i = 0; i < bytes.length; i += this._mss) {
      const end = Math.min(bytes.length, i + this._mss);
      const flags = end === bytes.length ? ACK | PSH : ACK;
      out.push(this._packet(t, snd, flags, rcv.seq, bytes.subarray(i, end), false));
      snd.seq = (snd.seq + end - i) >>> 0;
      unacked += end - i;
      if (unacked >= ACK_EVERY || end === bytes.length) {
        out.push(this._packet(t, rcv, ACK, snd.seq, EMPTY, false));
        unacked = 0;
      }
    }
    return out;
  }

  /** FIN from one side, FIN-ACK from the other, the last ACK. */
  close(t: number, serverFirst = false): Packet[] {
    if (!this._open || this._closed) return [];
    this._closed = true;
    const [a, b] = serverFirst ? [this._s2c, this._c2s] : [this._c2s, this._s2c];
    const out = [this._packet(t, a, FIN | ACK, b.seq, EMPTY, false)];
    a.seq = (a.seq + 1) >>> 0;
    out.push(this._packet(t, b, FIN | ACK, a.seq, EMPTY, false));
    b.seq = (b.seq + 1) >>> 0;
    out.push(this._packet(t, a, ACK, b.seq, EMPTY, false));
    return out;
  }

  private _packet(
    t: number,
    h: Half,
    flags: number,
    ack: number,
    payload: Uint8Array,
    synOptions: boolean,
  ): Packet {
    // SYNs carry MSS, NOP, window scale: 8 bytes of options.
    const tcpLen = synOptions ? TCP + 8 : TCP;
    const ipLen = IP + tcpLen + payload.length;
    const buf = Buffer.alloc(ETH + ipLen);
    h.dstMac.copy(buf, 0);
    h.srcMac.copy(buf, 6);
    buf.writeUInt16BE(0x0800, 12);

    const ip = ETH;
    buf[ip] = 0x45;
    buf.writeUInt16BE(ipLen, ip + 2);
    buf.writeUInt16BE(h.ipId, ip + 4);
    h.ipId = (h.ipId + 1) & 0xffff;
    buf.writeUInt16BE(0x4000, ip + 6); // don't fragment
    buf[ip + 8] = 64;
    buf[ip + 9] = 6;
    buf.set(h.from.ip, ip + 12);
    buf.set(h.to.ip, ip + 16);
    buf.writeUInt16BE(checksum(buf, ip, ip + IP, 0), ip + 10);

    const tcp = ip + IP;
    buf.writeUInt16BE(h.from.port, tcp);
    buf.writeUInt16BE(h.to.port, tcp + 2);
    buf.writeUInt32BE(h.seq >>> 0, tcp + 4);
    buf.writeUInt32BE(flags & ACK ? ack >>> 0 : 0, tcp + 8);
    buf[tcp + 12] = (tcpLen / 4) << 4;
    buf[tcp + 13] = flags;
    buf.writeUInt16BE(0xffff, tcp + 14);
    if (synOptions) {
      buf.set([2, 4, (this._mss >> 8) & 0xff, this._mss & 0xff, 1, 3, 3, WSCALE], tcp + TCP);
    }
    buf.set(payload, tcp + tcpLen);
    // The pseudo-header: addresses, protocol, TCP length.
    let sum = checksumPartial(buf, ip + 12, ip + 20, 0);
    sum += 6 + tcpLen + payload.length;
    buf.writeUInt16BE(checksum(buf, tcp, buf.length, sum), tcp + 16);
    return { t, data: buf };
  }
}

const EMPTY = new Uint8Array(0);

/** The Internet checksum (RFC 1071) of buf[start, end), starting from a partial sum. */
export function checksum(buf: Uint8Array, start: number, end: number, initial: number): number {
  let sum = checksumPartial(buf, start, end, initial);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function checksumPartial(buf: Uint8Array, start: number, end: number, initial: number): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) {
    sum += (buf[i] << 8) | buf[i + 1];
    // Fold now and then so the sum stays a small integer.
    if (sum > 0x7fffffff) sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (i < end) sum += buf[i] << 8;
  return sum;
}
