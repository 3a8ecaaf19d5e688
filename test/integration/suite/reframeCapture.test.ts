import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { createCaptureHeader } from '../../../src/core/capture/captureFormat';
import { readCapture } from '../../../src/core/capture/captureReader';
import { CaptureWriter } from '../../../src/core/capture/captureWriter';
import { captureFrames } from '../../../src/core/capture/reframe';
import {
  PROBE_COMMAND,
  type ViewerProbe,
  type ViewerProbeResult,
} from '../../../src/extension/captureEditor';
import { writeBigCapture } from '../../unit/capture/bigCapture';
import { resetWindow, waitFor } from '../helpers';
import { linetap } from './linetap';

const EXCHANGES = 50;

function probe(file: string, what: ViewerProbe = {}): Thenable<ViewerProbeResult | undefined> {
  return vscode.commands.executeCommand<ViewerProbeResult | undefined>(
    PROBE_COMMAND,
    vscode.Uri.file(file).toString(),
    what,
  );
}

/** Once the viewer of `file` has read it all (and run its filter). */
function indexed(file: string, what: ViewerProbe = {}): Promise<ViewerProbeResult> {
  return waitFor(
    async () => {
      const p = await probe(file, what);
      return p && !p.growing && p;
    },
    { timeout: 120_000, what: `the viewer to index ${path.basename(file)}` },
  );
}

function reframe(arg: unknown): Thenable<boolean> {
  return vscode.commands.executeCommand<boolean>('linetap.reframeCapture', arg);
}

/** redis traffic recorded by a proxy framing it as `line`: each RESP line is a frame. */
async function writeRespAsLines(file: string): Promise<void> {
  const header = createCaptureHeader({
    listen: '127.0.0.1:7000',
    upstream: 'localhost:6379',
    framing: { c2s: 'line', s2c: 'line' },
    created: new Date('2026-11-25T03:54:12.000Z'),
    tool: 'linetap-test',
  });
  const w = await CaptureWriter.open(file, header);
  let t = 0;
  const lines = (dir: 'c2s' | 's2c', resp: string) => {
    for (const line of resp.split(/(?<=\r\n)/))
      w.recordFrame({ conn: 1, dir, t: (t += 5), bytes: Buffer.from(line) });
  };
  w.recordOpen(1, 0, '127.0.0.1:51234');
  for (let k = 0; k < EXCHANGES; k++) {
    const key = `key:${k}`;
    const value = `value-${k}`;
    lines('c2s', `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`);
    lines('s2c', '+OK\r\n');
    lines('c2s', `*2\r\n$3\r\nGET\r\n$${key.length}\r\n${key}\r\n`);
    lines('s2c', `$${value.length}\r\n${value}\r\n`);
  }
  w.recordClose(1, (t += 5));
  await w.close();
}

describe('Re-frame Capture, in the capture viewer', function () {
  this.timeout(180_000);
  let dir: string;

  before(async () => {
    await linetap();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-it-reframe-'));
  });
  after(async () => {
    await resetWindow();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows RESP recorded as lines as redis commands and replies, then as recorded again', async () => {
    const file = path.join(dir, 'resp-as-lines.linetap');
    await writeRespAsLines(file);
    const { events } = await readCapture(file);
    const asRedis = captureFrames(events, 'redis', { mode: 'reframe' });
    assert.equal(asRedis.length, 4 * EXCHANGES, 'one frame per command and per reply');

    assert.equal(await vscode.commands.executeCommand('linetap.openCapture', file), true);
    await indexed(file);
    await probe(file, { filter: 'name:SET' });
    const recorded = await indexed(file, { rows: [0, 3] });
    assert.equal(recorded.rows?.length, 0);
    assert.equal(recorded.total, EXCHANGES * (7 + 1 + 5 + 2));
    assert.equal(recorded.matched, 0, 'lines have no command names');
    assert.deepEqual(recorded.source.framing, { c2s: 'line', s2c: 'line' });
    assert.deepEqual(recorded.problems, []);

    assert.equal(await reframe('redis'), true);
    const redis = await indexed(file, { rows: [0, 4] });
    assert.equal(redis.total, asRedis.length);
    assert.equal(redis.matched, EXCHANGES, 'the filter applies to the new frames');
    assert.deepEqual(redis.source.framing, { c2s: 'redis', s2c: 'redis' });
    assert.match(redis.source.description, /re-framed \(recorded as line\)/);
    assert.deepEqual(
      redis.rows?.map((r) => [r.name, r.summary]),
      [
        ['SET', 'SET key:0 "value-0"'],
        ['SET', 'SET key:1 "value-1"'],
        ['SET', 'SET key:2 "value-2"'],
        ['SET', 'SET key:3 "value-3"'],
      ],
    );
    await probe(file, { filter: '' });
    const all = await probe(file, { rows: [0, 4] });
    assert.deepEqual(
      all?.rows?.map((r) => r.name),
      ['SET', '+OK', 'GET', '$'],
      JSON.stringify(all?.rows),
    );

    assert.equal(await reframe({ c2s: 'redis', s2c: 'line' }), true);
    const mixed = await indexed(file);
    assert.equal(mixed.total, EXCHANGES * (1 + 1 + 1 + 2));
    assert.deepEqual(mixed.source.framing, { c2s: 'redis', s2c: 'line' });

    assert.equal(await reframe('recorded'), true);
    const back = await indexed(file);
    assert.equal(back.total, recorded.total);
    assert.deepEqual(back.source.framing, { c2s: 'line', s2c: 'line' });
    assert.doesNotMatch(back.source.description, /re-framed/);
  });

  it('refuses a bad spec, saying what to change, and keeps the frames shown', async () => {
    const file = path.join(dir, 'resp-as-lines.linetap');
    const before = await indexed(file);
    assert.equal(await reframe('rediss'), false);
    const after = await indexed(file);
    assert.equal(after.total, before.total);
    assert.deepEqual(after.source, before.source);
  });

  it('re-frames while the first indexing still runs: that one stops, the new one is whole', async () => {
    const file = path.join(dir, 'big.linetap');
    await writeBigCapture(file, 40_000);
    const { events } = await readCapture(file);
    const want = captureFrames(events, 'crlf', { mode: 'reframe' }).length;
    await vscode.commands.executeCommand('linetap.openCapture', file);
    const first = await probe(file);
    assert.equal(first?.growing, true, 'the first indexing has not ended yet');
    assert.equal(await reframe({ capture: file, framing: 'crlf' }), true);
    const reframed = await indexed(file);
    assert.deepEqual(reframed.problems, []);
    assert.equal(reframed.total, want);
    assert.deepEqual(reframed.source.framing, { c2s: 'crlf', s2c: 'crlf' });
  });
});
