import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type CaptureEvent,
  createCaptureHeader,
  encodeEvent,
  encodeFrame,
  encodeHeader,
  type FrameEvent,
} from '../../../src/core/capture/captureFormat';
import {
  type CaptureError,
  decodeLine,
  formatCaptureError,
} from '../../../src/core/capture/captureDecode';

function frame(bytes: Buffer, extra: Partial<FrameEvent> = {}): FrameEvent {
  return {
    e: 'frame',
    conn: 1,
    dir: 'c2s',
    t: 5,
    bytes,
    partial: false,
    oversize: false,
    injected: false,
    held: false,
    ...extra,
  };
}

function decodeEvent(line: string): CaptureEvent {
  const d = decodeLine(line, 2);
  assert.equal(d.kind, 'event', JSON.stringify(d));
  return (d as { event: CaptureEvent }).event;
}

function decodeError(line: string): CaptureError {
  const d = decodeLine(line, 9);
  assert.equal(d.kind, 'error', `expected an error for ${line}`);
  return (d as { error: CaptureError }).error;
}

/** Byte strings that stress the text/base64 choice and JSON escaping. */
const tricky = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => new Uint8Array(Buffer.from(s))),
  fc
    .array(
      fc.constantFrom(
        [0xed, 0xa0, 0x80], // a UTF-16 surrogate encoded as UTF-8: invalid
        [0xed, 0xbf, 0xbf],
        [0xe2, 0x80, 0xa8], // U+2028
        [0xe2, 0x80, 0xa9], // U+2029
        [0x00],
        [0x0d, 0x0a],
        [0x22, 0x5c], // " and \
        [0xc0, 0x80], // overlong NUL
        [0xf0, 0x9f, 0x98, 0x80], // an emoji
        [0xf0, 0x9f], // an emoji cut short
        [0xef, 0xbb, 0xbf], // BOM
        [0x7f, 0xc2, 0x85], // DEL, NEL
        [0x41],
      ),
      { maxLength: 12 },
    )
    .map((parts) => Uint8Array.from(parts.flat())),
);

describe('capture format', () => {
  it('writes the header as the design shows it and reads it back', () => {
    const header = createCaptureHeader({
      listen: '127.0.0.1:7000',
      upstream: 'localhost:6379',
      framing: { c2s: 'redis', s2c: 'redis' },
      created: new Date('2026-01-02T03:04:05.678Z'),
    });
    const line = encodeHeader(header);
    assert.equal(
      line,
      '{"linetap":1,"created":"2026-01-02T03:04:05.678Z","listen":"127.0.0.1:7000",' +
        '"upstream":"localhost:6379","framing":{"c2s":"redis","s2c":"redis"}}',
    );
    assert.deepEqual(decodeLine(line, 1), { kind: 'header', header });
  });

  it('ignores header and event fields it does not know', () => {
    const d = decodeLine(
      '{"linetap":1,"created":"2026-01-02T03:04:05Z","listen":"a:1","upstream":"b:2",' +
        '"framing":{"c2s":"lf","s2c":"crlf","x":1},"tool":"t 1","future":[1,2]}',
      1,
    );
    assert.equal(d.kind, 'header');
    assert.deepEqual(d.kind === 'header' && d.header, {
      linetap: 1,
      created: '2026-01-02T03:04:05Z',
      listen: 'a:1',
      upstream: 'b:2',
      framing: { c2s: 'lf', s2c: 'crlf' },
      tool: 't 1',
    });
    const e = decodeEvent('{"e":"open","c":3,"t":7,"peer":"127.0.0.1:5","colour":"red"}');
    assert.deepEqual(e, { e: 'open', conn: 3, t: 7, peer: '127.0.0.1:5' });
  });

  it('writes each event kind in its documented shape', () => {
    const events: [CaptureEvent, string][] = [
      [
        { e: 'open', conn: 1, t: 0, peer: '127.0.0.1:51234' },
        '{"e":"open","c":1,"t":0,"peer":"127.0.0.1:51234"}',
      ],
      [
        frame(Buffer.from('SET k v\r\n')),
        '{"e":"frame","c":1,"d":">","t":5,"text":"SET k v\\r\\n"}',
      ],
      [
        frame(Buffer.from('+OK\r\n'), { dir: 's2c', partial: true, held: true }),
        '{"e":"frame","c":1,"d":"<","t":5,"text":"+OK\\r\\n","partial":true,"held":true}',
      ],
      [frame(Buffer.from([0xff, 0x00])), '{"e":"frame","c":1,"d":">","t":5,"b64":"/wA="}'],
      [
        { e: 'close', conn: 1, t: 9, reason: 'client closed' },
        '{"e":"close","c":1,"t":9,"reason":"client closed"}',
      ],
      [{ e: 'note', t: 10, text: 'hi "there"' }, '{"e":"note","t":10,"text":"hi \\"there\\""}'],
      [{ e: 'note', t: 11, text: 'x', conn: 2 }, '{"e":"note","c":2,"t":11,"text":"x"}'],
    ];
    for (const [event, line] of events) {
      assert.equal(encodeEvent(event), line);
      assert.deepEqual(decodeEvent(line), event);
    }
  });

  it('chooses text for valid UTF-8 and base64 otherwise', () => {
    assert.match(encodeFrame(frame(Buffer.from('héllo ✓\0'))), /"text":"héllo ✓\\u0000"/);
    assert.match(encodeFrame(frame(Buffer.alloc(0))), /"text":""/);
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0x80]]) {
      assert.match(encodeFrame(frame(Buffer.from(bad))), /"b64":"/, `bytes ${bad}`);
    }
  });

  it('never writes a raw line or paragraph separator, which editors take for a line break', () => {
    const line = encodeFrame(frame(Buffer.from('a\u2028b\u2029c')));
    assert.ok(!/[\u2028\u2029]/.test(line), line);
    assert.match(line, /a\\u2028b\\u2029c/);
    assert.ok(!/[\u2028\u2029]/.test(encodeEvent({ e: 'note', t: 0, text: '\u2028' })));
  });

  it('takes a TrafficFrame-like input with typed-array bytes', () => {
    // A window into a pooled buffer: the encoder must honour its byteOffset.
    const backing = Buffer.from('xxhi\nyy');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 2, 3);
    const line = encodeFrame({ conn: 4, dir: 's2c', t: 1, bytes: view, injected: true });
    assert.equal(line, '{"e":"frame","c":4,"d":"<","t":1,"text":"hi\\n","injected":true}');
  });

  it('round-trips any bytes exactly, in text or base64', () => {
    fc.assert(
      fc.property(tricky, fc.boolean(), fc.boolean(), (bytes, partial, injected) => {
        const event = frame(Buffer.from(bytes), { partial, injected });
        const line = encodeEvent(event);
        assert.ok(!line.includes('\n') && !line.includes('\r'), 'one line');
        assert.ok(!/[\u2028\u2029]/.test(line), 'no line separators');
        const back = decodeEvent(line) as FrameEvent;
        assert.deepEqual(back.bytes, Buffer.from(bytes));
        assert.deepEqual(back, event);
        // Text iff the bytes are valid UTF-8, so diffs stay readable.
        assert.equal(line.includes('"text":'), isUtf8(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('reports what is wrong with a bad line, with its line number', () => {
    const cases: [string, string, RegExp][] = [
      ['{"e":"frame"', 'not-json', /not JSON/],
      ['[1,2]', 'not-record', /not a JSON object/],
      ['{"x":1}', 'not-record', /neither a header/],
      ['{"e":"bogus","c":1,"t":0}', 'unknown-event', /unknown event "bogus"/],
      ['{"e":"open","t":0}', 'missing-field', /"c"/],
      ['{"e":"open","c":0,"t":0}', 'bad-field', /"c" must be/],
      ['{"e":"open","c":1}', 'missing-field', /"t"/],
      ['{"e":"open","c":1,"t":-1}', 'bad-field', /"t" must be/],
      ['{"e":"frame","c":1,"t":0,"text":"x"}', 'missing-field', /"d"/],
      ['{"e":"frame","c":1,"t":0,"d":"?","text":"x"}', 'bad-field', /"d" must be/],
      ['{"e":"frame","c":1,"t":0,"d":">"}', 'missing-field', /neither "text" nor "b64"/],
      ['{"e":"frame","c":1,"t":0,"d":">","text":"x","b64":"eA=="}', 'bad-field', /both/],
      ['{"e":"frame","c":1,"t":0,"d":">","b64":"eA"}', 'bad-base64', /base64/],
      ['{"e":"frame","c":1,"t":0,"d":">","b64":"e!A="}', 'bad-base64', /base64/],
      ['{"e":"frame","c":1,"t":0,"d":">","text":"x","partial":1}', 'bad-field', /"partial"/],
      ['{"e":"note","t":0}', 'missing-field', /"text"/],
      ['{"e":"close","c":1,"t":0,"reason":5}', 'bad-field', /"reason"/],
      ['{"linetap":2,"created":"2026-01-01T00:00:00Z"}', 'unknown-version', /version 2/],
      ['{"linetap":1,"listen":"a","upstream":"b","framing":{}}', 'missing-field', /"created"/],
      [
        '{"linetap":1,"created":"yesterday","listen":"a","upstream":"b","framing":{"c2s":"lf","s2c":"lf"}}',
        'bad-field',
        /ISO-8601/,
      ],
      [
        '{"linetap":1,"created":"2026-01-01T00:00:00Z","listen":"a","upstream":"b"}',
        'missing-field',
        /framing/,
      ],
    ];
    for (const [line, kind, message] of cases) {
      const error = decodeError(line);
      assert.equal(error.kind, kind, line);
      assert.match(error.message, message, line);
      assert.equal(error.line, 9);
      assert.match(formatCaptureError(error), /^line 9: /);
    }
  });
});

/** An oracle independent of node:buffer's isUtf8: only valid UTF-8 survives a decode. */
function isUtf8(bytes: Uint8Array): boolean {
  return Buffer.from(Buffer.from(bytes).toString('utf8'), 'utf8').equals(Buffer.from(bytes));
}
