/**
 * Standard output as the commands print to it, line by line.
 *
 * A terminal or a file takes each write at once (Node writes them synchronously), but a pipe is
 * written asynchronously: when its reader is slower than the traffic (`| less` left on a page,
 * `| grep` on a busy machine), Node keeps every line not yet taken in memory, and a proxy in
 * front of a busy server grew by gigabytes. So commands look at `stdoutBehind()` after printing
 * and wait for `stdoutDrained()`: `show` stops reading its file, `proxy` and `send` stop reading
 * the network.
 *
 * When the reader goes away (`linetap show big.linetap | head`), writes fail with EPIPE. That is
 * not an error: by default the process ends at once, with status 0; a command that has work to
 * finish first (the proxy's capture file) says what to do instead with `onStdoutClosed`.
 */

let gone = false;

/**
 * Lines are written in batches: a file or /dev/null takes each write as a system call of its
 * own, and `linetap show` of half a million frames spent more time in them than in everything
 * else. A batch goes out at 64 KiB, or at the end of the current turn of the event loop, so a
 * person watching a terminal sees each line as soon as before.
 */
const BATCH_CHARS = 64 * 1024;
let batch: string[] = [];
let batchChars = 0;
let flushQueued = false;

/** Prints one line; nothing once the reader has gone. */
export function printLine(line: string): void {
  if (gone) return;
  batch.push(line);
  batchChars += line.length + 1;
  if (batchChars >= BATCH_CHARS) flushStdout();
  else if (!flushQueued) {
    flushQueued = true;
    setImmediate(flushStdout);
  }
}

/** Writes the lines printed so far (before exiting, or before writing past printLine). */
export function flushStdout(): void {
  flushQueued = false;
  if (batch.length === 0) return;
  const text = batch.join('\n') + '\n';
  batch = [];
  batchChars = 0;
  if (!gone) process.stdout.write(text);
}

/** Whether lines printed are waiting for the reader of standard output. */
export function stdoutBehind(): boolean {
  return !gone && process.stdout.writableNeedDrain;
}

/** Resolves when the reader has taken what was printed (at once if it has), or is gone. */
export function stdoutDrained(): Promise<void> {
  const out = process.stdout;
  if (gone || !out.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}

let closedHandler: (() => void) | undefined;

/** What to do when the reader of standard output goes away, instead of exiting at once. */
export function onStdoutClosed(handler: () => void): void {
  closedHandler = handler;
}

/** Watches standard output for its reader going away (main calls this once). */
export function watchStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // Once the reader is gone, later writes fail too (the stream is destroyed): not news.
    if (gone) return;
    if (err.code !== 'EPIPE') throw err;
    gone = true;
    if (closedHandler === undefined) process.exit(0);
    const handler = closedHandler;
    closedHandler = undefined;
    handler();
  });
}

/** Writes to standard error after the lines printed so far, so a terminal shows them in order. */
export function writeStderr(text: string): void {
  flushStdout();
  process.stderr.write(text);
}
