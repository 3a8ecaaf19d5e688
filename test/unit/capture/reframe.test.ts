import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { CaptureEvent, FrameEvent } from '../../../src/core/capture/captureFormat';
import { encodeEvent, encodeHeader } from '../../../src/core/capture/captureFormat';
import { CaptureStream } from '../../../src/core/capture/captureReader';
import {
  CaptureFramer,
  captureFrames,
  headerSpecs,
  streamCaptureFrames,
} from '../../../src/core/capture/reframe';
import type { Direction as FramerDirection } from '../../../src/core/framing/frame';
import { Framer, type FramerOptions } from '../../../src/core/framing/framer';
import { type FramingSpec, FramingSpecError } from '../../../src/core/framing/framingSpec';
import { PendingRequests, type Protocol } from '../../../src/core/framing/protocols/protocol';
import type { Direction, TrafficFrame } from '../../../src/shared/traffic';
import { SESSIONS, type SessionName, sessionCapture } from './sessionCaptures';

/** A tiny request/reply protocol over CRLF lines: each reply answers the oldest request. */
class EchoFramer extends Framer {
  constructor(
    private readonly _pending: PendingRequests<string>,
    private readonly _dir: FramerDirection,
    options?: FramerOptions,
  ) {
    super(Buffer.from('\r\n'), 'echo', options);
  }

  protected override onSegment(): void {
    const seq = this.frameCount;
    const name = this.segment().toString('latin1').trim().split(' ')[0];
    if (this._dir === 'c2s') {
      this._pending.push(seq, name);
      this.endFrame({ kind: 'request', name });
      return;
    }
    const request = this._pending.shift();
    this.endFrame(request ? { kind: 'reply', name, re: request.seq } : { kind: 'reply', name });
  }
}

const echoProtocol: Protocol = {
  name: 'echo',
  description: 'test protocol: replies answer requests in order',
  createFramers(options) {
    const pending = new PendingRequests<string>();
    return {
      c2s: new EchoFramer(pending, 'c2s', options),
      s2c: new EchoFramer(pending, 's2c', options),
    };
  },
};
const ECHO: FramingSpec = { kind: 'protocol', spec: 'echo', protocol: echoProtocol };

function f(
  conn: number,
  dir: Direction,
  t: number,
  text: string,
  flags: Partial<FrameEvent> = {},
): FrameEvent {
  return {
    e: 'frame',
    conn,
    dir,
    t,
    bytes: Buffer.from(text, 'latin1'),
    partial: false,
    oversize: false,
    injected: false,
    held: false,
    ...flags,
  };
}

/** Frames as [id, conn, dir, seq, text] for compact comparisons. */
function brief(frames: readonly TrafficFrame[]): [number, number, Direction, number, string][] {
  return frames.map((x) => [x.id, x.conn, x.dir, x.seq, Buffer.from(x.bytes).toString('latin1')]);
}

function joined(frames: readonly TrafficFrame[], conn: number, dir: Direction): Buffer {
  return Buffer.concat(frames.filter((x) => x.conn === conn && x.dir === dir).map((x) => x.bytes));
}

describe('frames from a capture', () => {
  describe('with the recorded boundaries', () => {
    for (const name of Object.keys(SESSIONS) as SessionName[]) {
      it(`rebuilds every frame of the ${name} session as recorded`, () => {
        const capture = sessionCapture(name);
        const recorded = capture.events.filter((e): e is FrameEvent => e.e === 'frame');
        const frames = captureFrames(capture.events, headerSpecs(capture.header));
        assert.equal(frames.length, recorded.length);
        const seqs = { c2s: 0, s2c: 0 };
        frames.forEach((x, i) => {
          const r = recorded[i];
          assert.equal(x.id, i + 1);
          assert.deepEqual(
            [x.conn, x.dir, x.t, x.partial, x.oversize, x.injected, x.held],
            [r.conn, r.dir, r.t, r.partial, r.oversize, r.injected, r.held],
          );
          assert.ok(Buffer.from(x.bytes).equals(r.bytes), `frame ${x.id} bytes`);
          assert.equal(x.seq, seqs[x.dir]++);
          assert.equal(x.term, 'crlf');
        });
        assert.deepEqual(joined(frames, 1, 'c2s'), capture.c2s);
        assert.deepEqual(joined(frames, 1, 's2c'), capture.s2c);
      });
    }

    it('annotates with another spec where its frames end where recorded frames end', () => {
      const events: CaptureEvent[] = [
        f(1, 'c2s', 1, 'ab\r\ncd'),
        f(1, 'c2s', 2, 'ef\n'),
        f(1, 'c2s', 3, 'gh'), // no line ending, flushed at close
        { e: 'close', conn: 1, t: 4 },
      ];
      const frames = captureFrames(events, 'line');
      assert.deepEqual(brief(frames), [
        [1, 1, 'c2s', 0, 'ab\r\ncd'],
        [2, 1, 'c2s', 1, 'ef\n'],
        [3, 1, 'c2s', 2, 'gh'],
      ]);
      // "ab\r\n" ends inside the first recorded frame: no annotation there.
      assert.equal(frames[0].ann, undefined);
      assert.equal(frames[0].term, 'line');
      assert.deepEqual(frames[1].ann?.fields, { ending: 'lf' });
      assert.ok(frames[1].ann?.warnings?.some((w) => w.code === 'mixed-endings'));
      assert.equal(frames[2].ann, undefined);
    });

    it('cuts the framer where the proxy cut a frame on idle, so boundaries stay', () => {
      const events: CaptureEvent[] = [
        { e: 'open', conn: 1, t: 0 },
        f(1, 'c2s', 10, 'GE', { partial: true }),
        f(1, 's2c', 11, 'HELLO\r\n'),
        f(1, 'c2s', 12, 'T a\r\n'),
        f(1, 's2c', 30, 'A\r\n'),
        { e: 'close', conn: 1, t: 40 },
      ];
      const framer = new CaptureFramer(ECHO);
      const pushed = events.map((e) => brief(framer.push(e)).map((x) => x[0]));
      // The reply waits until the cut is known, so frames still come out in recorded order.
      assert.deepEqual(pushed, [[], [], [], [1, 2, 3], [4], []]);
      assert.deepEqual(framer.end(), []);
      const frames = captureFrames(events, ECHO);
      // After the cut the framer sees "T a", as the live framer did.
      assert.deepEqual(
        frames.map((x) => [x.id, x.partial, x.ann?.kind, x.ann?.name, x.ann?.re, x.re, x.latency]),
        [
          [1, true, undefined, undefined, undefined, undefined, undefined],
          [2, false, 'reply', 'HELLO', undefined, undefined, undefined],
          [3, false, 'request', 'T', undefined, undefined, undefined],
          [4, false, 'reply', 'A', 1, 3, 18],
        ],
      );
    });

    it('pairs replies with requests across the two directions, fed in recorded order', () => {
      const events: CaptureEvent[] = [
        { e: 'open', conn: 1, t: 0, peer: '127.0.0.1:4000' },
        { e: 'open', conn: 2, t: 1 },
        f(1, 'c2s', 10, 'GET a\r\n'),
        f(2, 'c2s', 12, 'GET z\r\n'),
        f(1, 'c2s', 20, 'GET b\r\n'),
        f(1, 's2c', 50, 'A\r\n'),
        f(2, 's2c', 55, 'Z\r\n'),
        f(1, 's2c', 70, 'B\r\n'),
        { e: 'note', t: 71, text: 'done' },
      ];
      for (const mode of ['recorded', 'reframe'] as const) {
        const frames = captureFrames(events, { c2s: ECHO, s2c: ECHO }, { mode });
        assert.deepEqual(
          frames.map((x) => [x.id, x.conn, x.dir, x.seq, x.ann?.re, x.re, x.latency]),
          [
            [1, 1, 'c2s', 0, undefined, undefined, undefined],
            [2, 2, 'c2s', 0, undefined, undefined, undefined],
            [3, 1, 'c2s', 1, undefined, undefined, undefined],
            [4, 1, 's2c', 0, 0, 1, 40],
            [5, 2, 's2c', 0, 0, 2, 43],
            [6, 1, 's2c', 1, 1, 3, 50],
          ],
          mode,
        );
      }
    });

    it('flushes connections still open at the end, and starts afresh on a reused id', () => {
      const events: CaptureEvent[] = [
        f(1, 'c2s', 1, 'a\r\nb'),
        { e: 'open', conn: 1, t: 2 },
        f(1, 'c2s', 3, 'c\r\n'),
        f(1, 'c2s', 4, 'd'),
      ];
      const frames = captureFrames(events, 'crlf', { mode: 'reframe' });
      assert.deepEqual(brief(frames), [
        [1, 1, 'c2s', 0, 'a\r\n'],
        [2, 1, 'c2s', 1, 'b'],
        [3, 1, 'c2s', 0, 'c\r\n'],
        [4, 1, 'c2s', 1, 'd'],
      ]);
      assert.deepEqual(
        frames.map((x) => x.partial),
        [false, true, false, true],
      );
    });

    it('refuses a bad spec at once, naming it', () => {
      assert.throws(() => new CaptureFramer('nonsense:1'), FramingSpecError);
      assert.throws(() => captureFrames([], { c2s: 'crlf', s2c: 'count:x' }), /count:x/);
    });
  });

  describe('re-framed under another spec', () => {
    it('frames the redis session anew in fixed-size frames, timed by their last byte', () => {
      const capture = sessionCapture('redis');
      const recorded = capture.events.filter((e): e is FrameEvent => e.e === 'frame');
      const frames = captureFrames(capture.events, 'count:100', { mode: 'reframe' });
      assert.deepEqual(joined(frames, 1, 'c2s'), capture.c2s);
      assert.deepEqual(joined(frames, 1, 's2c'), capture.s2c);
      frames.forEach((x, i) => assert.equal(x.id, i + 1));
      for (const dir of ['c2s', 's2c'] as const) {
        const mine = frames.filter((x) => x.dir === dir);
        const total = dir === 'c2s' ? capture.c2s.length : capture.s2c.length;
        assert.equal(mine.length, Math.ceil(total / 100));
        mine.forEach((x, seq) => {
          assert.equal(x.seq, seq);
          assert.equal(x.term, 'count:100');
          assert.equal(x.partial, seq === mine.length - 1 && total % 100 !== 0);
        });
        // The recorded frame holding each new frame's last byte gives its time.
        const recs = recorded.filter((r) => r.dir === dir);
        let offset = 0;
        let r = 0;
        let end = recs[0].bytes.length;
        for (const x of mine) {
          offset += x.bytes.length;
          while (end < offset) end += recs[++r].bytes.length;
          assert.equal(x.t, recs[r].t, `${dir} frame ${x.seq}`);
        }
      }
    });

    it('keeps injected and held only where boundaries coincide', () => {
      const events: CaptureEvent[] = [
        f(1, 'c2s', 1, 'A\r\n', { injected: true }),
        f(1, 'c2s', 2, 'B\r', { injected: true, held: true }),
        f(1, 'c2s', 3, '\n'),
        f(1, 'c2s', 4, 'C\r\n', { held: true }),
      ];
      const frames = captureFrames(events, 'crlf', { mode: 'reframe' });
      assert.deepEqual(
        frames.map((x) => [Buffer.from(x.bytes).toString(), x.injected, x.held, x.t]),
        [
          ['A\r\n', true, false, 1],
          ['B\r\n', false, false, 3],
          ['C\r\n', false, true, 4],
        ],
      );
    });

    it('makes one frame per direction under "close"', () => {
      const capture = sessionCapture('smtp');
      const frames = captureFrames(capture.events, 'close', { mode: 'reframe' });
      assert.deepEqual(
        frames.map((x) => [x.dir, x.term, x.partial, Buffer.from(x.bytes)]),
        [
          ['c2s', 'close', false, capture.c2s],
          ['s2c', 'close', false, capture.s2c],
        ],
      );
    });
  });

  it('streams frames from a capture file read as a stream', async () => {
    const capture = sessionCapture('memcached');
    const text = [encodeHeader(capture.header), ...capture.events.map(encodeEvent)].join('\n');
    const stream = await CaptureStream.open(Readable.from([text + '\n']));
    assert.ok(stream.header);
    const streamed: TrafficFrame[] = [];
    for await (const x of streamCaptureFrames(stream, headerSpecs(stream.header))) {
      streamed.push(x);
    }
    assert.deepEqual(streamed, captureFrames(capture.events, 'crlf'));
    assert.equal(streamed.length, capture.events.length - 2);
  });
});
