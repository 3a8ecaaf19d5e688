/**
 * pcapng export of a capture: one section, one Ethernet interface, and an Enhanced Packet Block
 * per synthetic packet (see syntheticTcp.ts), timed from the header's `created` plus each
 * event's `t`, so Wireshark's Follow TCP Stream and protocol dissectors work on the session.
 */
import * as fs from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CaptureEvent, CaptureHeader } from './captureFormat';
import { CaptureStream } from './captureReader';
import { type Endpoint, type Packet, TcpConversation } from './syntheticTcp';

/** What to export: a header (for addresses and the start time) and events. */
export interface PcapngSource {
  readonly header: CaptureHeader | undefined;
  readonly events: Iterable<CaptureEvent> | AsyncIterable<CaptureEvent>;
}

/** Export settings. */
export interface PcapngOptions {
  /** Largest TCP payload per packet. Default 1460 (Ethernet); up to 65495 (loopback). */
  readonly mss?: number;
}

/** What was written. */
export interface PcapngStats {
  readonly packets: number;
  readonly connections: number;
}

/** Server port used when the capture has no header to take it from. */
export const FALLBACK_SERVER_PORT = 10_000;

const LINKTYPE_ETHERNET = 1;
const BATCH_BYTES = 1 << 20;

/**
 * Writes a pcapng file to a path, or to a Writable (which is ended when the export is done).
 * Takes a capture (`readCapture`'s result, a CaptureStream, or a header with events) or bare
 * events, which get synthetic addresses. Streams: a capture iterated from disk is never held whole.
 */
export async function exportPcapng(
  capture: PcapngSource | Iterable<CaptureEvent> | AsyncIterable<CaptureEvent>,
  out: string | Writable,
  options: PcapngOptions = {},
): Promise<PcapngStats> {
  const source =
    capture instanceof CaptureStream
      ? { header: capture.header, events: capture }
      : 'events' in capture
        ? capture
        : { header: undefined, events: capture };
  const stats = { packets: 0, connections: 0 };
  const dest = typeof out === 'string' ? fs.createWriteStream(out) : out;
  await pipeline(Readable.from(pcapngChunks(source, options, stats)), dest);
  return stats;
}

/** The bytes of the export, in chunks of about 1 MiB. */
async function* pcapngChunks(
  source: PcapngSource,
  options: PcapngOptions,
  stats: { packets: number; connections: number },
): AsyncGenerator<Buffer> {
  const { header } = source;
  const mss = options.mss ?? 1460;
  const created = header ? Date.parse(header.created) : NaN;
  const base = Number.isNaN(created) ? 0n : BigInt(created) * 1000n;
  const server = serverEndpoint(header?.upstream);
  const conns = new Map<number, TcpConversation>();
  let blocks: Buffer[] = [sectionHeader(header), interfaceDescription()];
  let size = 0;
  const add = (packets: readonly Packet[]): void => {
    for (const p of packets) {
      const block = enhancedPacket(base + BigInt(Math.round(p.t)), p.data);
      blocks.push(block);
      size += block.length;
    }
    stats.packets += packets.length;
  };
  const start = (id: number, peer: string | undefined): TcpConversation => {
    const conn = new TcpConversation(clientEndpoint(id, peer), server, isn(id), mss);
    conns.set(id, conn);
    stats.connections++;
    return conn;
  };

  for await (const event of source.events) {
    switch (event.e) {
      case 'open':
        add(conns.get(event.conn)?.close(event.t) ?? []);
        add(start(event.conn, event.peer).open(event.t));
        break;
      case 'frame': {
        let conn = conns.get(event.conn);
        // A frame of a connection never opened (or already closed) starts one.
        if (!conn?.isOpen) conn = start(event.conn, undefined);
        add(conn.data(event.dir, event.bytes, event.t));
        break;
      }
      case 'close':
        add(
          conns.get(event.conn)?.close(event.t, /server|upstream/i.test(event.reason ?? '')) ?? [],
        );
        break;
      case 'note':
        break;
    }
    if (size >= BATCH_BYTES) {
      yield Buffer.concat(blocks);
      blocks = [];
      size = 0;
    }
  }
  if (blocks.length > 0) yield Buffer.concat(blocks);
}

/** `a.b.c.d:port` or `[v6]:port` or `name:port` into host and port. */
export function splitHostPort(address: string): { host: string; port: number | undefined } {
  const m = /^\[?(.*?)\]?:(\d{1,5})$/.exec(address.trim());
  if (!m) return { host: address.trim(), port: undefined };
  const port = Number(m[2]);
  return { host: m[1], port: port <= 0xffff ? port : undefined };
}

/** The four bytes of a dotted IPv4 literal, or undefined. */
export function parseIpv4(host: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const bytes = m.slice(1).map(Number);
  return bytes.every((b) => b <= 255) ? Uint8Array.from(bytes) : undefined;
}

function serverEndpoint(upstream: string | undefined): Endpoint {
  const { host, port } = splitHostPort(upstream ?? '');
  return { ip: parseIpv4(host) ?? Uint8Array.of(10, 0, 0, 2), port: port ?? FALLBACK_SERVER_PORT };
}

function clientEndpoint(conn: number, peer: string | undefined): Endpoint {
  const { host, port } = splitHostPort(peer ?? '');
  return {
    ip: parseIpv4(host) ?? Uint8Array.of(10, 0, 0, 1),
    // Synthetic ports differ per connection, so tools never see a port pair reused.
    port: port ?? 49_152 + ((conn - 1) % 16_384),
  };
}

/** Initial sequence numbers that look random but make the same file every time. */
function isn(conn: number): { c2s: number; s2c: number } {
  const h = Math.imul(conn, 0x9e3779b1) >>> 0;
  return { c2s: h, s2c: (h ^ 0x5bd1e995) >>> 0 };
}

// ---- blocks ------------------------------------------------------------------------------

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Options as pcapng lays them out: code, length, value padded to 32 bits, end marker. */
function encodeOptions(options: readonly (readonly [number, Buffer])[]): Buffer {
  const parts: Buffer[] = [];
  for (const [code, value] of options) {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(code, 0);
    head.writeUInt16LE(value.length, 2);
    parts.push(head, value, Buffer.alloc(pad4(value.length) - value.length));
  }
  parts.push(Buffer.alloc(4)); // opt_endofopt
  return Buffer.concat(parts);
}

/** A block: type, total length, body, total length again. */
function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const buf = Buffer.alloc(total);
  buf.writeUInt32LE(type, 0);
  buf.writeUInt32LE(total, 4);
  body.copy(buf, 8);
  buf.writeUInt32LE(total, total - 4);
  return buf;
}

function sectionHeader(header: CaptureHeader | undefined): Buffer {
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32LE(0x1a2b3c4d, 0); // byte-order magic
  fixed.writeUInt16LE(1, 4);
  fixed.writeUInt16LE(0, 6);
  fixed.writeBigInt64LE(-1n, 8); // section length not given
  const comment = header
    ? `linetap capture ${header.listen} -> ${header.upstream}, framing ${header.framing.c2s}/${header.framing.s2c}`
    : 'linetap capture';
  const opts = encodeOptions([
    [1, Buffer.from(comment, 'utf8')], // opt_comment
    [4, Buffer.from(header?.tool ?? 'linetap', 'utf8')], // shb_userappl
  ]);
  return block(0x0a0d0d0a, Buffer.concat([fixed, opts]));
}

function interfaceDescription(): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16LE(LINKTYPE_ETHERNET, 0);
  fixed.writeUInt32LE(0, 4); // no snap length limit
  const opts = encodeOptions([
    [2, Buffer.from('linetap', 'utf8')], // if_name
    [9, Buffer.of(6)], // if_tsresol: microseconds
  ]);
  return block(1, Buffer.concat([fixed, opts]));
}

function enhancedPacket(micros: bigint, data: Buffer): Buffer {
  const total = 32 + pad4(data.length);
  const buf = Buffer.alloc(total);
  buf.writeUInt32LE(6, 0);
  buf.writeUInt32LE(total, 4);
  buf.writeUInt32LE(0, 8); // interface 0
  buf.writeUInt32LE(Number(micros >> 32n) >>> 0, 12);
  buf.writeUInt32LE(Number(micros & 0xffffffffn), 16);
  buf.writeUInt32LE(data.length, 20);
  buf.writeUInt32LE(data.length, 24);
  data.copy(buf, 28);
  buf.writeUInt32LE(total, total - 4);
  return buf;
}
