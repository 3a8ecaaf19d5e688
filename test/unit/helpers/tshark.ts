/** Runs the real `tshark` (Wireshark's command line) on files the tests write. */
import { execFileSync } from 'node:child_process';

/** Runs tshark with these arguments and returns its standard output. */
export function tshark(args: readonly string[]): string {
  try {
    return execFileSync('tshark', args, {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') {
      throw new Error('tshark is not installed: apt-get install -y tshark', { cause: e });
    }
    throw new Error(`tshark ${args.join(' ')} failed: ${err.stderr ?? err.message}`, { cause: e });
  }
}

/** The two directions of one TCP stream as `tshark -z follow,tcp,raw` reassembles them. */
export interface FollowedStream {
  /** `host:port` of the side that sent the first packet (the client) and of the other. */
  readonly nodes: readonly [string, string];
  readonly c2s: Buffer;
  readonly s2c: Buffer;
}

/** Follows every given TCP stream of a file, in one tshark run; results in the same order. */
export function followTcpStreams(file: string, streams: readonly number[]): FollowedStream[] {
  const args = ['-r', file, '-q'];
  for (const s of streams) args.push('-z', `follow,tcp,raw,${s}`);
  const found = parseFollow(tshark(args));
  return streams.map((s) => {
    const stream = found.get(s);
    if (!stream) throw new Error(`tshark found no TCP stream ${s} in ${file}`);
    return stream;
  });
}

/**
 * Parses `follow,tcp,raw` output: a block per stream with "Filter: tcp.stream eq N", "Node 0:"
 * and "Node 1:" lines, then a hex line per segment, indented with a tab when node 1 sent it.
 * tshark prints the blocks in no promised order, so they are keyed by stream.
 */
export function parseFollow(output: string): Map<number, FollowedStream> {
  const out = new Map<number, FollowedStream>();
  let stream = -1;
  let nodes: string[] = [];
  let c2s: string[] = [];
  let s2c: string[] = [];
  let inBlock = false;
  for (const line of output.split('\n')) {
    if (line.startsWith('=====')) {
      if (inBlock && nodes.length === 2) {
        out.set(stream, {
          nodes: [nodes[0], nodes[1]],
          c2s: Buffer.from(c2s.join(''), 'hex'),
          s2c: Buffer.from(s2c.join(''), 'hex'),
        });
      }
      inBlock = !inBlock;
      nodes = [];
      c2s = [];
      s2c = [];
    } else if (/^Filter: tcp\.stream eq \d+$/.test(line)) {
      stream = Number(line.slice(line.lastIndexOf(' ') + 1));
    } else if (/^Node [01]: /.test(line)) {
      nodes.push(line.slice(8).trim());
    } else if (inBlock && nodes.length === 2 && line.trim() !== '') {
      (line.startsWith('\t') ? s2c : c2s).push(line.trim());
    }
  }
  return out;
}
