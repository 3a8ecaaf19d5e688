import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCaptureHeader, encodeHeader } from '../../../src/core/capture/captureFormat';
import { readCapture } from '../../../src/core/capture/captureReader';
import { CaptureWriter } from '../../../src/core/capture/captureWriter';
import type { TrafficFrame } from '../../../src/shared/traffic';

const header = createCaptureHeader({
  listen: '127.0.0.1:7000',
  upstream: 'localhost:25',
  framing: { c2s: 'smtp', s2c: 'smtp' },
  tool: 'linetap test',
});

/** Waits, a turn of the event loop at a time, until `cond` holds (or gives up). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 1));
  assert.ok(cond(), `gave up waiting for ${what}`);
}

function lines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

describe('capture writer', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-writer-'));
    file = path.join(dir, 'session.linetap');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the header on open, then events in order on flush and close', async () => {
    const w = await CaptureWriter.open(file, header, { flushIntervalMs: 60_000 });
    assert.deepEqual(lines(file), [encodeHeader(header)]);
    w.recordOpen(1, 0, '127.0.0.1:40000');
    w.recordFrame({ conn: 1, dir: 's2c', t: 5, bytes: Buffer.from('220 hi\r\n') });
    // Batched: nothing is written per event.
    assert.equal(lines(file).length, 1);
    assert.ok(w.bufferedBytes > 0);
    await w.flush();
    assert.equal(lines(file).length, 3);
    assert.equal(w.bufferedBytes, 0);
    w.recordNote(6, 'breakpoint set', 1);
    w.recordClose(1, 9, 'client closed');
    await w.close();
    assert.deepEqual(lines(file).slice(1), [
      '{"e":"open","c":1,"t":0,"peer":"127.0.0.1:40000"}',
      '{"e":"frame","c":1,"d":"<","t":5,"text":"220 hi\\r\\n"}',
      '{"e":"note","c":1,"t":6,"text":"breakpoint set"}',
      '{"e":"close","c":1,"t":9,"reason":"client closed"}',
    ]);
  });

  it('writes a batch on its timer without being asked', async () => {
    const w = await CaptureWriter.open(file, header, { flushIntervalMs: 5 });
    w.recordOpen(1, 0);
    await until(() => lines(file).length === 2, 'the timed batch');
    await w.close();
  });

  it('writes a full batch at once, before its timer', async () => {
    const w = await CaptureWriter.open(file, header, { flushIntervalMs: 60_000, batchBytes: 200 });
    for (let i = 0; i < 10; i++) w.recordNote(i, `note number ${i}`);
    await until(() => lines(file).length >= 5, 'the full batches');
    await w.close();
    assert.equal(lines(file).length, 11);
  });

  it('takes TrafficFrames as they are, with their flags and binary bytes', async () => {
    const w = await CaptureWriter.open(file, header);
    const frame: TrafficFrame = {
      id: 7,
      conn: 2,
      dir: 'c2s',
      seq: 3,
      t: 1234,
      bytes: Uint8Array.of(0xde, 0xad, 0xbe, 0xef),
      term: 'crlf',
      partial: true,
      oversize: false,
      injected: true,
      held: false,
      ann: { name: 'X' },
    };
    w.recordFrame(frame);
    await w.close();
    const capture = await readCapture(file);
    assert.deepEqual(capture.errors, []);
    assert.deepEqual(capture.events, [
      {
        e: 'frame',
        conn: 2,
        dir: 'c2s',
        t: 1234,
        bytes: Buffer.from('deadbeef', 'hex'),
        partial: true,
        oversize: false,
        injected: true,
        held: false,
      },
    ]);
    assert.match(lines(file)[1], /"b64":"3q2\+7w=="/);
  });

  it('signals back-pressure past its high-water mark and never drops an event', async () => {
    const w = await CaptureWriter.open(file, header, { highWaterMark: 4096, batchBytes: 1024 });
    let refused = 0;
    const N = 5000;
    for (let i = 0; i < N; i++) {
      const ok = w.recordFrame({ conn: 1, dir: 'c2s', t: i, bytes: Buffer.from(`line ${i}\n`) });
      if (!ok) {
        refused++;
        await w.drained();
        assert.ok(w.bufferedBytes <= 2048, `drained at ${w.bufferedBytes} bytes`);
      }
    }
    await w.close();
    assert.ok(refused > 0, 'the mark was never reached');
    const capture = await readCapture(file);
    assert.equal(capture.events.length, N);
    capture.events.forEach((e, i) => assert.equal(e.t, i));
  });

  it('refuses events after close, and closes once', async () => {
    const w = await CaptureWriter.open(file, header);
    w.recordOpen(1, 0);
    const closing = w.close();
    assert.equal(w.close(), closing);
    await closing;
    assert.throws(() => w.recordOpen(2, 1), /closed/);
    assert.equal(lines(file).length, 2);
  });

  it('can refuse to replace an existing file', async () => {
    fs.writeFileSync(file, 'keep me');
    await assert.rejects(CaptureWriter.open(file, header, { exclusive: true }), /EEXIST/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'keep me');
    const w = await CaptureWriter.open(file, header);
    await w.close();
    assert.deepEqual(lines(file), [encodeHeader(header)]);
  });

  it('reports a failing disk when opening', async () => {
    // /dev/full accepts the open and fails every write with ENOSPC.
    await assert.rejects(CaptureWriter.open('/dev/full', header), /ENOSPC/);
  });

  it('reports a write that fails later, and then refuses events', async () => {
    const errors: Error[] = [];
    const w = await CaptureWriter.open(file, header, { onError: (e) => errors.push(e) });
    // Swap the file for a read-only descriptor under the writer, as a vanished disk would.
    const handle = (w as unknown as { _file: fs.promises.FileHandle })._file;
    const readOnly = await fs.promises.open(file, 'r');
    (w as unknown as { _file: fs.promises.FileHandle })._file = readOnly;
    w.recordOpen(1, 0);
    await assert.rejects(w.flush(), /EBADF/);
    assert.equal(errors.length, 1);
    assert.throws(() => w.recordOpen(2, 0), /failed: .*EBADF/);
    await assert.rejects(w.close(), /EBADF/);
    await handle.close();
  });
});
