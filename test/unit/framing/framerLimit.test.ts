import * as assert from 'node:assert/strict';
import { Framer } from '../../../src/core/framing/framer';
import { feedInChunks } from '../helpers/fixtures';

/** Frames are whole lines, ended only by an empty line: a frame spans many terminators. */
class BlockFramer extends Framer {
  constructor(max: number) {
    super(Buffer.from('\n'), 'block', { maxFrameBytes: max });
  }
  protected override onSegment(): void {
    if (this.segmentLength === 1) this.endFrame(undefined);
  }
}

describe('Framer size limit with multi-terminator frames', () => {
  it('a terminator that passes the limit does not make bytes repeat', () => {
    const data = Buffer.from('abcdefg\nhij\n\nklmnop\n\n');
    for (let max = 1; max <= data.length; max++) {
      for (let size = 1; size <= data.length; size++) {
        const frames = feedInChunks(new BlockFramer(max), data, size);
        assert.deepEqual(
          Buffer.concat(frames.map((f) => f.bytes)),
          data,
          `max ${max}, chunk ${size}`,
        );
        for (const f of frames)
          assert.ok(f.bytes.length <= max + 1, `frame of ${f.bytes.length} > ${max} + 1`);
      }
    }
  });
});
