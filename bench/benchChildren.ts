/**
 * The processes of the proxy benchmarks: this bench script started again with `--child=ROLE`,
 * answering JSON requests on stdin (bench/jsonChild.ts), one at a time and in order, each handler
 * free to take its time (a transfer, a proxy stopping).
 */
import { createInterface } from 'node:readline';
import { JsonChild, type JsonMessage } from './jsonChild';

const CHILD_FLAG = '--child=';

/** The role of this process when it is a proxy-bench child. */
export function childRole(argv: readonly string[]): string | undefined {
  return argv.find((a) => a.startsWith(CHILD_FLAG))?.slice(CHILD_FLAG.length);
}

/** How to start a child. */
export interface ChildOptions {
  /**
   * Raise the open-file limit as far as it goes (65536, or the hard limit when that is lower):
   * 10,000 connection pairs need 20,000 sockets in the proxy.
   */
  readonly manyFiles?: boolean;
  /** Node flags for this child only, e.g. `--expose-gc` or `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
}

/** The shell line that raises the open-file limit, then runs the command given after it. */
const RAISE_FD_LIMIT = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"';

/** Starts this script as a child in `role`. */
export function startChild(role: string, options: ChildOptions = {}): JsonChild {
  const node = [...(options.nodeFlags ?? []), process.argv[1], `${CHILD_FLAG}${role}`];
  if (options.manyFiles) {
    return new JsonChild(role, 'bash', ['-c', RAISE_FD_LIMIT, process.execPath, ...node]);
  }
  return new JsonChild(role, process.execPath, node);
}

/** Sends a request; rejects if no reply comes within `ms` (a hung child must not hang the run). */
export function ask(child: JsonChild, req: JsonMessage, ms = 120_000): Promise<JsonMessage> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no reply within ${ms / 1000} s to ${JSON.stringify(req)}`)),
      ms,
    );
  });
  return Promise.race([child.request(req), timeout]).finally(() => clearTimeout(timer));
}

/** Serves requests on stdin/stdout, one after the other; a handler may be async. */
export function serveJsonAsync(
  handle: (req: JsonMessage) => JsonMessage | Promise<JsonMessage>,
): void {
  let chain = Promise.resolve();
  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    chain = chain.then(async () => {
      let reply: JsonMessage;
      try {
        reply = await handle(JSON.parse(line) as JsonMessage);
      } catch (err) {
        reply = { error: err instanceof Error ? err.message : String(err) };
      }
      process.stdout.write(`${JSON.stringify(reply)}\n`);
    });
  });
  // The parent closed our stdin: it is done with us (or gone). Exit even if sockets are open.
  input.on('close', () => void chain.then(() => process.exit(0)));
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Milliseconds since the epoch, to the microsecond: comparable between processes of one machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
