import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import {
  type CaptureEvent,
  createCaptureHeader,
  encodeEvent,
  encodeHeader,
} from '../../../src/core/capture/captureFormat';
import {
  CaptureStream,
  decodeCapture,
  readCapture,
  readCaptureRecords,
} from '../../../src/core/capture/captureReader';
import { CaptureWriter } from '../../../src/core/capture/captureWriter';
import { sessionCapture } from './sessionCaptures';

const header = createCaptureHeader({
  listen: '127.0.0.1:7000',
  upstream: 'localhost:6379',
  framing: { c2s: 'crlf', s2c: 'crlf' },
  created: new Date('2026-03-04T05:06:07.000Z'),
});

const HEADER_LINE = encodeHeader(header);
const OPEN = '{"e":"open","c":1,"t":0,"peer":"127.0.0.1:5000"}';
const FRAME = '{"e":"frame","c":1,"d":">","t":10,"text":"PING\\r\\n"}';
const REPLY = '{"e":"frame","c":1,"d":"<","t":20,"text":"+PONG\\r\\n"}';
const CLOSE = '{"e":"close","c":1,"t":30,"reason":"client closed"}';

describe('capture reader', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-reader-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string | Buffer): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('reads back exactly what the writer wrote, for a whole recorded session', async () => {
    const session = sessionCapture('http');
    const file = path.join(dir, 'http.linetap');
    const writer = await CaptureWriter.open(file, session.header);
    for (const e of session.events) writer.record(e);
    await writer.close();
    const capture = await readCapture(file);
    assert.deepEqual(capture.errors, []);
    assert.deepEqual(capture.header, session.header);
    assert.deepEqual(capture.events, session.events);
    // The file is also what the in-memory decoder reads.
    assert.deepEqual(decodeCapture(fs.readFileSync(file)), capture);
  });

  it('keeps everything before a torn last line and says it is torn', async () => {
    const file = write('torn.linetap', [HEADER_LINE, OPEN, FRAME, REPLY.slice(0, 30)].join('\n'));
    const capture = await readCapture(file);
    assert.deepEqual(capture.header, header);
    assert.equal(capture.events.length, 2);
    assert.equal(capture.errors.length, 1);
    assert.equal(capture.errors[0].line, 4);
    assert.equal(capture.errors[0].kind, 'torn');
    assert.match(capture.errors[0].message, /cut off/);
  });

  it('reports a torn multi-byte character at the end as torn too', () => {
    const bytes = Buffer.concat([
      Buffer.from(
        [HEADER_LINE, '{"e":"note","t":1,"text":"✓"}', '{"e":"note","t":2,"text":"'].join('\n'),
      ),
      Buffer.from('✓').subarray(0, 2),
    ]);
    const capture = decodeCapture(bytes);
    assert.equal(capture.events.length, 1);
    assert.deepEqual(
      capture.errors.map((e) => [e.line, e.kind]),
      [[3, 'torn']],
    );
  });

  it('accepts a last line without its newline when it is whole', () => {
    const capture = decodeCapture([HEADER_LINE, OPEN, CLOSE].join('\n'));
    assert.deepEqual(capture.errors, []);
    assert.equal(capture.events.length, 2);
  });

  it('reports a malformed middle line by number and keeps the lines around it', async () => {
    const lines = [
      HEADER_LINE,
      OPEN,
      '{"e":"frame","c":1,"d":">","t":3,',
      FRAME,
      '{"e":"warp","t":1}',
      REPLY,
    ];
    const capture = await readCapture(write('bad.linetap', lines.join('\n') + '\n'));
    assert.deepEqual(
      capture.errors.map((e) => [e.line, e.kind]),
      [
        [3, 'not-json'],
        [5, 'unknown-event'],
      ],
    );
    assert.deepEqual(
      capture.events.map((e) => e.e),
      ['open', 'frame', 'frame'],
    );
  });

  it('counts lines through blank lines, CRLF endings and bytes that are not UTF-8', () => {
    const text = Buffer.concat([
      Buffer.from([HEADER_LINE, '', OPEN].join('\r\n') + '\r\n'),
      Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), // line 4: "{\xff}"
      Buffer.from(FRAME + '\r\n'),
    ]);
    const capture = decodeCapture(text);
    assert.deepEqual(
      capture.errors.map((e) => [e.line, e.kind]),
      [[4, 'not-utf8']],
    );
    assert.equal(capture.events.length, 2);
    assert.deepEqual(capture.header, header);
  });

  it('reports an empty file as having no header', async () => {
    const capture = await readCapture(write('empty.linetap', ''));
    assert.equal(capture.header, undefined);
    assert.deepEqual(capture.events, []);
    assert.deepEqual(
      capture.errors.map((e) => [e.line, e.kind]),
      [[1, 'no-header']],
    );
  });

  it('reads a header-only file as a capture with no events', async () => {
    const capture = await readCapture(write('h.linetap', HEADER_LINE + '\n'));
    assert.deepEqual(capture, { header, events: [], errors: [] });
  });

  it('reports a missing header and still reads the events', () => {
    const capture = decodeCapture([OPEN, FRAME].join('\n') + '\n');
    assert.equal(capture.header, undefined);
    assert.deepEqual(
      capture.errors.map((e) => [e.line, e.kind]),
      [[1, 'no-header']],
    );
    assert.equal(capture.events.length, 2);
  });

  it('reports a header of an unknown version, once, and a second header', () => {
    const v2 = '{"linetap":2,"created":"2030-01-01T00:00:00Z","whatever":true}';
    const capture = decodeCapture([v2, OPEN, HEADER_LINE].join('\n') + '\n');
    assert.equal(capture.header, undefined);
    assert.deepEqual(
      capture.errors.map((e) => [e.line, e.kind]),
      [
        [1, 'unknown-version'],
        [3, 'not-record'],
      ],
    );
    assert.equal(capture.events.length, 1);
  });

  it('skips a line over the length limit and reads on', async () => {
    const long = `{"e":"note","t":1,"text":"${'x'.repeat(5000)}"}`;
    const chunks = [HEADER_LINE + '\n' + long.slice(0, 100), long.slice(100), '\n' + CLOSE + '\n'];
    const capture = await readCapture(Readable.from(chunks), { maxLineBytes: 1000 });
    assert.deepEqual(
      capture.errors.map((e) => [e.line, e.kind]),
      [[2, 'too-long']],
    );
    assert.deepEqual(
      capture.events.map((e) => e.e),
      ['close'],
    );
  });

  it('gives the same records whatever the chunking of the input', async () => {
    const text = [HEADER_LINE, OPEN, '{"e":"note","t":4,"text":"héllo ✓"}', 'nope', FRAME].join(
      '\n',
    );
    const bytes = Buffer.from(text + '\n' + REPLY.slice(0, 20));
    const expected = decodeCapture(bytes);
    assert.equal(expected.errors.length, 2);
    for (let size = 1; size <= 40; size++) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      assert.deepEqual(await readCapture(Readable.from(chunks)), expected, `chunk size ${size}`);
    }
  });

  it('streams a large capture: events arrive while the source is still being read', async () => {
    const LINES = 200_000;
    let produced = 0;
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from(HEADER_LINE + '\n');
      for (let i = 0; i < LINES; i += 1000) {
        let chunk = '';
        for (let j = i; j < i + 1000; j++) {
          chunk += encodeEvent({ e: 'note', t: j, text: `line ${j}` }) + '\n';
        }
        produced += 1000;
        yield Buffer.from(chunk);
      }
    }
    const stream = await CaptureStream.open(source());
    assert.deepEqual(stream.header, header);
    let count = 0;
    let producedAtFirst = -1;
    let last: CaptureEvent | undefined;
    for await (const e of stream) {
      if (count === 0) producedAtFirst = produced;
      count++;
      last = e;
    }
    assert.equal(count, LINES);
    assert.deepEqual(last, { e: 'note', t: LINES - 1, text: `line ${LINES - 1}` });
    assert.ok(producedAtFirst <= 2000, `first event after ${producedAtFirst} lines were produced`);
    assert.equal(stream.errorCount, 0);
  });

  it('knows the errors before the header as soon as it is open', async () => {
    const stream = await CaptureStream.open(Readable.from(['oops\n', OPEN + '\n', FRAME + '\n']));
    assert.equal(stream.header, undefined);
    assert.deepEqual(
      stream.errors.map((e) => [e.line, e.kind]),
      [
        [1, 'not-json'],
        [2, 'no-header'],
      ],
    );
    const events: CaptureEvent[] = [];
    for await (const e of stream) events.push(e);
    assert.deepEqual(
      events.map((e) => e.e),
      ['open', 'frame'],
    );
  });

  it('collects errors met while streaming, up to a limit', async () => {
    const lines = [HEADER_LINE, 'x', 'y', 'z', FRAME];
    const stream = await CaptureStream.open(Readable.from([lines.join('\n') + '\n']), {
      maxErrors: 2,
    });
    const events: CaptureEvent[] = [];
    for await (const e of stream) events.push(e);
    assert.equal(events.length, 1);
    assert.equal(stream.errorCount, 3);
    assert.deepEqual(
      stream.errors.map((e) => e.line),
      [2, 3],
    );
  });

  it('yields header, events and errors in file order from a path', async () => {
    const file = write('r.linetap', [HEADER_LINE, OPEN, '{', CLOSE].join('\n') + '\n');
    const kinds: string[] = [];
    for await (const r of readCaptureRecords(file)) {
      kinds.push(r.kind === 'error' ? `error@${r.error.line}` : `${r.kind}@${r.line}`);
    }
    assert.deepEqual(kinds, ['header@1', 'event@2', 'error@3', 'event@4']);
  });

  it('rejects when the file does not exist', async () => {
    await assert.rejects(readCapture(path.join(dir, 'missing.linetap')), /ENOENT/);
  });
});
