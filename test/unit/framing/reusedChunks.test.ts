/**
 * The proxy reads each socket into one buffer it reuses from read to read, so a framer must not
 * keep any view of a chunk once feed() returns. Every recorded session is fed twice, in the same
 * chunks and order: once in fresh buffers, once in a single buffer overwritten with junk after
 * each feed. The frames, taken as plain data the moment they come out, must be the same.
 */
import * as assert from 'node:assert/strict';
import type { Direction, Frame } from '../../../src/core/framing/frame';
import { createConnectionFramers } from '../../../src/core/framing/framingSpec';
import { frameRecord, readFixture } from '../helpers/fixtures';

const SESSIONS = ['redis', 'memcached', 'smtp', 'irc', 'http'] as const;
const CHUNKS = [1, 7, 64, 1000, 4096];

/** Frames of both directions, fed alternately in `size`-byte chunks, as plain data. */
function frameBoth(spec: string, session: string, size: number, reuse: boolean): object[] {
  const data = {
    c2s: readFixture(`${session}-session.c2s`),
    s2c: readFixture(`${session}-session.s2c`),
  };
  // A small limit makes frames cut mid-segment, so carried state spans many chunks.
  const framers = createConnectionFramers(spec, { maxFrameBytes: 300 });
  const shared = Buffer.alloc(size);
  const out: object[] = [];
  const take = (frames: readonly Frame[]): void => {
    for (const f of frames) out.push(JSON.parse(JSON.stringify(frameRecord(f))) as object);
  };
  for (let at = 0; at < Math.max(data.c2s.length, data.s2c.length); at += size) {
    for (const dir of ['c2s', 's2c'] as Direction[]) {
      const part = data[dir].subarray(at, at + size);
      if (part.length === 0) continue;
      let chunk: Buffer;
      if (reuse) {
        part.copy(shared);
        chunk = shared.subarray(0, part.length);
      } else {
        chunk = Buffer.from(part);
      }
      take(framers[dir].feed(chunk));
      if (reuse) shared.fill(0xee);
    }
  }
  take(framers.c2s.flush());
  take(framers.s2c.flush());
  return out;
}

describe('framers fed from a reused read buffer', () => {
  for (const session of SESSIONS) {
    for (const spec of [session, 'line', 'crlf', 'count:100', 'delim:\\r\\n\\r\\n', 'length:2be']) {
      it(`${spec} on the ${session} session keeps no view of a chunk after feed`, () => {
        for (const size of CHUNKS) {
          const fresh = frameBoth(spec, session, size, false);
          const reused = frameBoth(spec, session, size, true);
          assert.ok(fresh.length > 0);
          assert.deepEqual(reused, fresh, `${size}-byte chunks`);
        }
      });
    }
  }
});
