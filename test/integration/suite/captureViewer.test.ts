import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readCapture } from '../../../src/core/capture/captureReader';
import { captureFrames, headerSpecs } from '../../../src/core/capture/reframe';
import {
  PROBE_COMMAND,
  type ViewerProbe,
  type ViewerProbeResult,
} from '../../../src/extension/captureEditor';
import { toRow } from '../../../src/core/view/frameTable';
import type { TrafficFrame } from '../../../src/shared/traffic';
import { writeBigCapture } from '../../unit/capture/bigCapture';
import { resetWindow, waitFor } from '../helpers';
import { linetap } from './linetap';

/** What the open viewer of `file` shows, as its panel reads it. */
function probe(file: string, what: ViewerProbe = {}): Thenable<ViewerProbeResult | undefined> {
  return vscode.commands.executeCommand<ViewerProbeResult | undefined>(
    PROBE_COMMAND,
    vscode.Uri.file(file).toString(),
    what,
  );
}

describe('the capture viewer, on a capture with more frames than the panel ring keeps', function () {
  this.timeout(180_000);
  let dir: string;
  let file: string;
  let frames: TrafficFrame[];
  let ring: number;

  before(async () => {
    await linetap();
    ring = vscode.workspace.getConfiguration('linetap').get<number>('limits.ringFrames') ?? 0;
    assert.ok(ring > 0, 'linetap.limits.ringFrames has a value');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-it-viewer-'));
    file = path.join(dir, 'big.linetap');
    await writeBigCapture(file, 3 * ring + 17);
    const capture = await readCapture(file);
    frames = captureFrames(capture.events, headerSpecs(capture.header!));
  });
  after(async () => {
    await resetWindow();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists every frame: the first and the last are both there, with their bytes', async () => {
    assert.ok(frames.length > ring);
    assert.equal(await vscode.commands.executeCommand('linetap.openCapture', file), true);
    const loaded = await waitFor(
      async () => {
        const p = await probe(file);
        return p && !p.growing && p;
      },
      { timeout: 120_000, what: 'the viewer to index the capture' },
    );
    assert.deepEqual(loaded.problems, []);
    assert.equal(loaded.total, frames.length);
    assert.equal(loaded.matched, frames.length);

    const last = frames.length - 1;
    const ends = await probe(file, { rows: [last - 1, 5], detail: last });
    assert.deepEqual(
      ends?.rows,
      frames.slice(-2).map((f, k) => toRow(last - 1 + k, f)),
    );
    assert.deepEqual(Buffer.from(ends!.detail!.bytes), Buffer.from(frames[last].bytes));
    assert.equal(ends?.detail?.row.index, last);

    const start = await probe(file, { rows: [0, 3], detail: 0 });
    assert.deepEqual(
      start?.rows,
      frames.slice(0, 3).map((f, k) => toRow(k, f)),
    );
    assert.deepEqual(Buffer.from(start!.detail!.bytes), Buffer.from(frames[0].bytes));
  });
});

describe('the capture viewer, on a malformed capture', function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    await linetap();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-it-malformed-'));
  });
  after(async () => {
    await resetWindow();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows every frame it could read and names the lines it could not', async () => {
    const file = path.join(dir, 'damaged.linetap');
    const header = {
      linetap: 1,
      created: '2026-01-01T00:00:00.000Z',
      listen: '127.0.0.1:7000',
      upstream: 'localhost:6667',
      framing: { c2s: 'crlf', s2c: 'crlf' },
    };
    const lines = [
      JSON.stringify(header),
      '{"e":"open","c":1,"t":0,"peer":"127.0.0.1:50000"}',
      '{"e":"frame","c":1,"d":">","t":10,"text":"NICK a\\r\\n"}',
      '{"e":"frame","c":1,"d":"<","t":20,"te', // line 4: cut in the middle
      '{"e":"frame","c":1,"d":"<","t":30,"text":"PING :x\\r\\n"}',
      'not json at all', // line 6
      '{"e":"frame","c":1,"d":">","t":40,"text":"PONG :x\\r\\n"}',
    ];
    fs.writeFileSync(file, lines.join('\n') + '\n');
    assert.equal(await vscode.commands.executeCommand('linetap.openCapture', file), true);
    const loaded = await waitFor(
      async () => {
        const p = await probe(file, { rows: [0, 10] });
        return p && !p.growing && p;
      },
      { timeout: 30_000, what: 'the viewer to read the capture' },
    );
    assert.deepEqual(
      loaded.rows?.map((r) => r.summary),
      ['NICK a\\r\\n', 'PING :x\\r\\n', 'PONG :x\\r\\n'],
    );
    const notice = loaded.problems.join('\n');
    assert.match(notice, /2 lines could not be read/);
    assert.match(notice, /line 4: /);
    assert.match(notice, /line 6: /);
  });
});
