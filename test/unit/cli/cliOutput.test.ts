// `linetap proxy` printing into a pipe whose reader is slow or gone: real processes and sockets.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as net from 'node:net';
import { buildCli, killAll, runCli, startCli } from '../helpers/cli';
import { connect, startServer, waitFor, type TestServer } from '../helpers/net';

const LINE = Buffer.from(`${'x'.repeat(62)}\r\n`);
const LINES = 131_072; // 8 MiB of 64-byte lines

/** Writes `count` copies of `line`, 1,024 at a time, as fast as the socket takes them. */
async function writeLines(s: net.Socket, line: Buffer, count: number): Promise<void> {
  const chunk = Buffer.concat(new Array<Buffer>(1024).fill(line));
  for (let i = 0; i < count; i += 1024) {
    if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
  }
}

/** Resolves once `value()` has stayed the same over a few looks 200 ms apart. */
async function settled(value: () => number): Promise<number> {
  let last = -1;
  let same = 0;
  while (same < 4) {
    const now = value();
    same = now === last ? same + 1 : 0;
    last = now;
    await new Promise((r) => setTimeout(r, 200));
  }
  return last;
}

describe('linetap proxy output into a pipe', function () {
  this.timeout(120_000);
  let dir: string;
  let sink: TestServer;
  let received = 0;
  before(() => buildCli());
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-out-'));
    received = 0;
    sink = await startServer((s) => {
      s.on('data', (c: Buffer) => (received += c.length));
      s.on('end', () => s.end());
    });
  });
  afterEach(async () => {
    killAll();
    await sink.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops reading while the output waits for its reader, then prints every frame', async () => {
    const proxy = startCli(['proxy', '--listen', '0', '--upstream', `127.0.0.1:${sink.port}`]);
    const [, port] = await proxy.waitFor(/listening on 127\.0\.0\.1:(\d+)/);
    // The reader of the proxy's output takes nothing for now.
    proxy.proc.stdout.pause();
    const client = await connect(Number(port));
    const sent = writeLines(client, LINE, LINES);
    // Without holding, the proxy forwards all 8 MiB at once and buffers the lines it prints.
    const stalledAt = await settled(() => received);
    assert.ok(
      stalledAt < (LINES * LINE.length) / 4,
      `the proxy went on reading: ${stalledAt} of ${LINES * LINE.length} bytes forwarded`,
    );
    proxy.proc.stdout.resume();
    await sent;
    client.end();
    await waitFor(() => received === LINES * LINE.length, 'every byte at the upstream', 60_000);
    await proxy.waitFor(/c1 closed/, 'stdout', 60_000);
    const frames = proxy.stdout().match(/ c1 → +64B x/g) ?? [];
    assert.equal(frames.length, LINES);
    assert.equal(await proxy.interrupt(), 0);
  });

  it('stops cleanly and finishes the capture when the reader of its output goes away', async () => {
    const capture = path.join(dir, 'gone.linetap');
    const proxy = startCli([
      ...['proxy', '--listen', '0', '--upstream', `127.0.0.1:${sink.port}`],
      ...['--framing', 'crlf', '--capture', capture],
    ]);
    const [, port] = await proxy.waitFor(/listening on 127\.0\.0\.1:(\d+)/);
    const client = await connect(Number(port));
    client.write('one\r\ntwo\r\n');
    await waitFor(() => received === 10, 'the first lines at the upstream');
    // `linetap proxy ... | head`: head has exited; the next frame printed finds the pipe closed.
    proxy.proc.stdout.destroy();
    client.write('three\r\n');
    await proxy.waitFor(/stopped, closed 1 open connection; capture written to/, 'stderr');
    const code = await new Promise<number | null>((resolve) =>
      proxy.proc.exitCode !== null ? resolve(proxy.proc.exitCode) : proxy.proc.on('exit', resolve),
    );
    assert.equal(code, 0, proxy.stderr());
    client.destroy();
    const shown = await runCli(['show', capture, '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    const events = shown.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; text?: string; reason?: string });
    // Whether the third line came before the stop or not, the capture holds what was relayed.
    const relayed = ['one\r\n', 'two\r\n', 'three\r\n'].slice(0, received === 10 ? 2 : 3);
    assert.deepEqual(
      events.map((e) => [e.type, e.text ?? e.reason]),
      [['open', undefined], ...relayed.map((text) => ['frame', text]), ['close', 'proxy stopped']],
    );
  });
});
