import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CaptureIndex } from '../../../src/core/capture/captureIndex';
import { readCapture } from '../../../src/core/capture/captureReader';
import { BLOCK_FRAMES } from '../../../src/core/capture/frameStore';
import { captureFrames, headerSpecs } from '../../../src/core/capture/reframe';
import { CaptureTable } from '../../../src/core/view/captureTable';
import { FrameTable } from '../../../src/core/view/frameTable';
import { FilterError } from '../../../src/shared/filter';
import { MAX_ROWS, type FrameRow } from '../../../src/shared/protocol';
import type { TrafficFrame } from '../../../src/shared/traffic';
import { writeBigCapture } from '../capture/bigCapture';
import { assertSameFrames } from '../capture/sameFrames';

const FRAMES = 200_000;
/** Filters of every kind: flags, fields, payload text and regex, numbers, pairing. */
const FILTERS = [
  'c2s name:SET',
  'partial or injected or held',
  '"long-1"',
  '/value 1[0-9]*8\\r\\n/',
  'size>=1k',
  're latency>=7us',
  'conn:3,7 s2c',
  'kind:reply -name:+OK',
  'field.argc>=3 arg:/^key:1/',
  'nothing-matches-this',
];

/** Every row of the filtered list, asked for a window at a time as the webview does. */
async function allRows(table: { matched: number; rows(p: number, c: number): unknown }) {
  const out: FrameRow[] = [];
  for (let pos = 0; pos < table.matched; pos += MAX_ROWS) {
    out.push(...((await table.rows(pos, MAX_ROWS)) as FrameRow[]));
  }
  return out;
}

/** The file's chunks, stopping after the first `bytes` until `release` resolves. */
async function* heldBack(file: string, bytes: number, release: Promise<void>) {
  const data = fs.readFileSync(file);
  yield data.subarray(0, bytes);
  await release;
  yield data.subarray(bytes);
}

describe('CaptureTable: every frame of a capture, filtered, read a window at a time', function () {
  this.timeout(300_000);
  let dir: string;
  let file: string;
  let frames: TrafficFrame[];
  /** The same frames, all in memory: what the capture viewer showed for small files. */
  let memory: FrameTable;
  let index: CaptureIndex;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-table-test-'));
    file = path.join(dir, 'big.linetap');
    await writeBigCapture(file, FRAMES);
    const capture = await readCapture(file);
    frames = captureFrames(capture.events, headerSpecs(capture.header!));
    memory = new FrameTable({ frames: FRAMES });
    for (const f of frames) memory.push(f);
    index = await CaptureIndex.open(file, { cacheFrames: 2000 });
    await index.done;
  });
  after(async () => {
    await index?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists every frame, far past a ring of 10,000: windows at the start, middle and end', async () => {
    const table = new CaptureTable(index);
    assert.equal(table.total, FRAMES);
    assert.equal(table.matched, FRAMES);
    assert.equal(table.dropped, 0);
    for (const pos of [0, 1, BLOCK_FRAMES - 1, FRAMES / 2 - 250, FRAMES - MAX_ROWS, FRAMES - 7]) {
      assert.deepEqual(
        await table.rows(pos, MAX_ROWS),
        memory.rows(pos, MAX_ROWS),
        `rows at ${pos}`,
      );
    }
    assert.deepEqual(await table.rows(FRAMES, 10), []);
    const last = await table.rows(FRAMES - 1, MAX_ROWS);
    assert.equal(last.length, 1);
    assert.equal(last[0].index, FRAMES - 1);
    assert.equal(last[0].id, FRAMES);
    table.dispose();
  });

  it('gives every frame by position, with its exact bytes', async () => {
    const table = new CaptureTable(index);
    const got: TrafficFrame[] = [];
    for (let i = 0; i < FRAMES; i++) got.push((await table.get(i))!);
    assertSameFrames(got, frames);
    assert.equal(await table.get(FRAMES), undefined);
    assert.equal(await table.get(-1), undefined);
    table.dispose();
  });

  it('shows details as the in-memory table does, with the request or reply they pair with', async () => {
    const table = new CaptureTable(index);
    const sample = [
      0,
      1,
      2,
      3,
      4,
      5,
      100,
      101,
      777,
      FRAMES / 2,
      FRAMES / 2 + 1,
      FRAMES - 2,
      FRAMES - 1,
    ];
    for (let i = 0; i < FRAMES; i += 1009) sample.push(i, i + 1);
    let paired = 0;
    for (const i of sample) {
      const got = await table.detail(i);
      const want = memory.detail(i);
      assert.deepEqual(got, want, `detail of ${i}`);
      if (want?.pair) paired++;
    }
    assert.ok(paired > sample.length / 2, `${paired} of ${sample.length} details had a pair`);
    assert.equal(await table.detail(FRAMES), undefined);
    table.dispose();
  });

  it('filters the whole file exactly as filtering all frames in memory does', async () => {
    const table = new CaptureTable(index);
    for (const filter of FILTERS) {
      table.setFilter(filter);
      assert.equal(table.filtering, filter !== '');
      await table.filtered();
      memory.setFilter(filter);
      assert.equal(table.matched, memory.matched, `matches of ${filter}`);
      assert.equal(table.filterFailure, undefined);
      assert.deepEqual(await allRows(table), memory.rows(0, memory.matched), `rows of ${filter}`);
    }
    assert.ok(
      FILTERS.every(
        (f) => f === 'nothing-matches-this' || (memory.setFilter(f), memory.matched > 0),
      ),
    );
    table.setFilter('');
    assert.equal(table.matched, FRAMES);
    assert.equal(table.filtering, false);
    table.dispose();
  });

  it('lists matches as they are found, and a new filter replaces a running one', async () => {
    const table = new CaptureTable(index);
    const seen: number[] = [];
    const sub = table.onDidChange(() => seen.push(table.matched));
    table.setFilter('c2s');
    table.setFilter('s2c name:+OK');
    await table.filtered();
    sub.dispose();
    memory.setFilter('s2c name:+OK');
    assert.equal(table.matched, memory.matched);
    assert.deepEqual(await allRows(table), memory.rows(0, memory.matched));
    // The count grew in steps, never past the end: rows already shown kept their positions.
    const steps = seen.filter((n, k) => k === 0 || n !== seen[k - 1]);
    assert.ok(steps.length > 3, `${steps.length} steps`);
    assert.deepEqual(
      [...steps].sort((a, b) => a - b),
      steps,
    );
    assert.ok(steps.every((n) => n <= memory.matched));
    table.dispose();
  });

  it('refuses a filter that does not parse and keeps the one in force', async () => {
    const table = new CaptureTable(index);
    table.setFilter('s2c');
    await table.filtered();
    const before = table.matched;
    assert.throws(() => table.setFilter('size >'), FilterError);
    assert.equal(table.filter.toString(), 's2c');
    assert.equal(table.matched, before);
    table.dispose();
  });

  it('filters while the file is still being indexed, and ends with every match', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const growing = await CaptureIndex.open(heldBack(file, 512 * 1024, released));
    try {
      while (growing.count === 0) await growing.changed();
      const table = new CaptureTable(growing);
      table.setFilter('name:GET');
      while (table.filterProgress.done < growing.count) await new Promise((r) => setImmediate(r));
      assert.equal(growing.indexing, true);
      assert.equal(table.filtering, true, 'the filter waits for the rest of the file');
      const early = table.matched;
      assert.ok(early > 0 && early < FRAMES / 4);
      assert.deepEqual(
        (await table.rows(0, 3)).map((r) => r.summary.split(' ')[0]),
        ['GET', 'GET', 'GET'],
      );
      release();
      await table.filtered();
      memory.setFilter('name:GET');
      assert.equal(table.matched, memory.matched);
      assert.deepEqual(await allRows(table), memory.rows(0, memory.matched));
      table.dispose();
    } finally {
      release();
      await growing.dispose();
    }
  });

  it('keeps memory bounded: the cache within its limit, 4 bytes per match', async () => {
    const table = new CaptureTable(index);
    const limit = Math.ceil(2000 / BLOCK_FRAMES);
    for (let pos = 0; pos < FRAMES; pos += 3001) {
      await table.rows(pos, MAX_ROWS);
      assert.ok(index.store.cacheUse.blocks <= limit, `${index.store.cacheUse.blocks} blocks`);
    }
    table.setFilter('c2s');
    await table.filtered();
    assert.ok(table.matchBytes <= 4 * 2 * table.matched + 4096, `${table.matchBytes} bytes`);
    assert.ok(index.store.cacheUse.blocks <= limit, 'a filter run goes around the cache');
    table.dispose();
  });
});
