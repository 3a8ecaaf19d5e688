import * as assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CaptureIndex } from '../../../src/core/capture/captureIndex';
import { readCapture } from '../../../src/core/capture/captureReader';
import { HEAD_BYTES, INLINE_BYTES } from '../../../src/core/capture/frameRecord';
import { BLOCK_FRAMES } from '../../../src/core/capture/frameStore';
import { captureFrames, headerSpecs } from '../../../src/core/capture/reframe';
import { PREVIEW_BYTES } from '../../../src/core/view/frameTable';
import type { TrafficFrame } from '../../../src/shared/traffic';
import { writeBigCapture } from './bigCapture';
import { assertSameFrames, plain } from './sameFrames';

/** More frames than a panel's ring keeps (10,000 by default), by far. */
const FRAMES = 200_000;

/** Every frame of an index, read in order. */
async function allFrames(index: CaptureIndex): Promise<TrafficFrame[]> {
  const out: TrafficFrame[] = [];
  for await (const chunk of index.store.frames(0, index.count)) {
    for (const f of chunk) out.push(plain(f));
  }
  return out;
}

/** The file's chunks, stopping after the first `bytes` until `release` resolves. */
async function* heldBack(file: string, bytes: number, release: Promise<void>) {
  const data = fs.readFileSync(file);
  yield data.subarray(0, bytes);
  await release;
  for (let at = bytes; at < data.length; at += 1 << 20) yield data.subarray(at, at + (1 << 20));
}

describe('CaptureIndex: a capture on disk, framed and read back by position', function () {
  this.timeout(120_000);
  let dir: string;
  let file: string;
  let expected: TrafficFrame[];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-index-test-'));
    file = path.join(dir, 'big.linetap');
    await writeBigCapture(file, FRAMES);
    const capture = await readCapture(file);
    assert.deepEqual(capture.errors, []);
    expected = captureFrames(capture.events, headerSpecs(capture.header!)).map(plain);
    assert.equal(expected.length, FRAMES);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps every frame of a big capture, exactly as framing the whole file in memory gives', async () => {
    const index = await CaptureIndex.open(file, { cacheFrames: 1000 });
    await index.done;
    assert.equal(index.failure, undefined);
    assert.equal(index.errorCount, 0);
    assert.equal(index.count, FRAMES);
    assert.ok(index.bytesRead >= fs.statSync(file).size - 1);
    const frames = await allFrames(index);
    assertSameFrames(frames, expected);
    // Positions are ids minus one, which is how a reply's `re` finds its request.
    assert.ok(frames.every((f, i) => f.id === i + 1));
    // Long payloads (past the record's inline part) and binary ones were among them.
    assert.ok(frames.some((f) => f.bytes.length > INLINE_BYTES));
    assert.ok(frames.some((f) => !isUtf8(f.bytes)));
    await index.dispose();
  });

  it('reads any frame by position: the start, the middle, the end, with their exact bytes', async () => {
    const index = await CaptureIndex.open(file, { cacheFrames: 1000 });
    await index.done;
    const store = index.store;
    const positions = [0, 1, 31, 32, 33, FRAMES / 2 - 1, FRAMES / 2, FRAMES - 33, FRAMES - 1];
    for (let i = 0; i < FRAMES; i += 997) positions.push(i);
    positions.sort((a, b) => a - b);
    const records = await store.records(positions);
    for (const [k, r] of records.entries()) {
      const want = expected[positions[k]];
      const bytes = await store.payload(r);
      assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype, 'bytes post as bytes');
      assertSameFrames([{ ...r.head, bytes }], [want]);
      assert.equal(r.size, want.bytes.length);
      // A long payload's record holds its head: what a row shows.
      assert.deepEqual(
        Buffer.from(r.head.bytes),
        want.bytes.subarray(0, INLINE_BYTES < r.size ? HEAD_BYTES : r.size),
      );
    }
    const cut = await store.payload(records[0], 3);
    assert.deepEqual(Buffer.from(cut), expected[positions[0]].bytes.subarray(0, 3));
    await index.dispose();
  });

  it('keeps memory bounded: a few offsets per block of frames, and a cache within its limits', async () => {
    const index = await CaptureIndex.open(file, { cacheFrames: 2000, cacheBytes: 1 << 20 });
    await index.done;
    const store = index.store;
    // One 8-byte offset per block of frames, in an array that doubles as it grows.
    assert.ok(store.indexBytes <= (2 * 8 * FRAMES) / BLOCK_FRAMES + 8192, `${store.indexBytes}`);
    const maxBlocks = Math.ceil(2000 / BLOCK_FRAMES);
    let seen = 0;
    // Windows all over the file, as a person scrolling and jumping would ask for them.
    for (let i = 0; i < FRAMES; i += 4999) {
      const window = Array.from({ length: 500 }, (_, k) => Math.min(FRAMES - 1, i + k));
      const records = await store.records([...new Set(window)]);
      seen += records.length;
      const use = store.cacheUse;
      assert.ok(use.blocks <= maxBlocks, `${use.blocks} blocks cached`);
      assert.ok(use.bytes <= 1 << 20, `${use.bytes} bytes cached`);
    }
    assert.ok(seen > 10 * 2000, 'far more frames were read than the cache holds');
    assert.ok(store.cacheUse.blocks > 0);
    await index.dispose();
  });

  it('reports malformed lines with their numbers and a torn last line, keeping the rest', async () => {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.pop(); // the empty string after the last newline
    // Garbage at known places, then the last line cut in the middle of its JSON.
    lines.splice(10, 0, '{"e":"frame","c":1,"d":">","text":"no time"}');
    lines.splice(5000, 0, 'not json at all');
    lines.splice(123_456, 0, '{"e":"unheard-of","t":1}');
    const last = lines.length - 1;
    lines[last] = lines[last].slice(0, 20);
    const damaged = path.join(dir, 'damaged.linetap');
    fs.writeFileSync(damaged, lines.join('\n'));
    const index = await CaptureIndex.open(damaged);
    await index.done;
    assert.deepEqual(
      index.errors.map((e) => [e.line, e.kind]),
      [
        [11, 'missing-field'],
        [5001, 'not-json'],
        [123_457, 'unknown-event'],
        [lines.length, 'torn'],
      ],
    );
    assert.equal(index.errorCount, 4);
    const capture = await readCapture(damaged);
    const want = captureFrames(capture.events, headerSpecs(capture.header!)).map(plain);
    assert.ok(want.length >= FRAMES - 2);
    assertSameFrames(await allFrames(index), want);
    await index.dispose();
  });

  it('re-frames a capture under another spec, as captureFrames does', async () => {
    const small = path.join(dir, 'small.linetap');
    await writeBigCapture(small, 20_000);
    const index = await CaptureIndex.open(small, { specs: 'crlf', mode: 'reframe' });
    await index.done;
    const capture = await readCapture(small);
    const want = captureFrames(capture.events, 'crlf', { mode: 'reframe' }).map(plain);
    assert.ok(want.length > 20_000, 'crlf cuts RESP messages into more frames');
    assertSameFrames(await allFrames(index), want);
    await index.dispose();
  });

  it('lets the first frames be read while the rest of the file is still being indexed', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const index = await CaptureIndex.open(heldBack(file, 256 * 1024, released));
    while (index.count === 0) await index.changed();
    assert.equal(index.indexing, true, 'the rest of the file has not been given yet');
    const first = await index.store.records([0, 1, 2]);
    const whole = await Promise.all(
      first.map(async (r) => ({ ...r.head, bytes: await index.store.payload(r) })),
    );
    assertSameFrames(whole, expected.slice(0, 3));
    release();
    await index.done;
    assert.equal(index.count, FRAMES);
    await index.dispose();
  });

  it('removes its scratch files when disposed, and stops early when disposed while indexing', async () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-scratch-'));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const index = await CaptureIndex.open(heldBack(file, 256 * 1024, released), { dir: scratch });
    while (index.count === 0) await index.changed();
    const disposed = index.dispose();
    release();
    await disposed;
    assert.ok(index.count < FRAMES, 'indexing stopped');
    assert.deepEqual(fs.readdirSync(scratch), []);
    await assert.rejects(index.store.records([0]));
    fs.rmSync(scratch, { recursive: true });
  });

  it('keeps in a record at least the bytes a row previews', () => {
    assert.ok(HEAD_BYTES >= PREVIEW_BYTES && INLINE_BYTES >= HEAD_BYTES);
  });
});
