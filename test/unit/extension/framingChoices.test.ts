import * as assert from 'node:assert/strict';
import { parseFramingSpec } from '../../../src/core/framing/framingSpec';
import { describeSpecs, FRAMINGS, toReframing } from '../../../src/extension/framingChoices';

describe('framing choices (Start Proxy and Re-frame Capture)', () => {
  it('offers only specs the parser accepts, each once', () => {
    for (const f of FRAMINGS) assert.equal(parseFramingSpec(f.spec).spec, f.spec);
    assert.equal(new Set(FRAMINGS.map((f) => f.spec)).size, FRAMINGS.length);
  });

  it('takes a spec for both directions, one per direction, or "recorded"', () => {
    assert.deepEqual(toReframing(' redis '), { c2s: 'redis', s2c: 'redis' });
    assert.deepEqual(toReframing({ c2s: 'crlf', s2c: 'count:16' }), {
      c2s: 'crlf',
      s2c: 'count:16',
    });
    assert.equal(toReframing('recorded'), 'recorded');
  });

  it('rejects a bad spec naming it, the direction, and the accepted forms', () => {
    assert.throws(() => toReframing('rediss'), /bad framing spec "rediss".*Accepted: lf, crlf/);
    assert.throws(
      () => toReframing({ c2s: 'crlf', s2c: 'count:x' }),
      /^Error: server → client: bad framing spec "count:x"/,
    );
  });

  it('rejects arguments of another shape, saying which shapes it takes', () => {
    for (const bad of [42, null, { c2s: 'crlf' }, ['redis']])
      assert.throws(() => toReframing(bad), /takes a framing spec \("redis"\), \{ c2s: spec/);
  });

  it('describes specs as the panel header does', () => {
    assert.equal(describeSpecs({ c2s: 'redis', s2c: 'redis' }), 'redis');
    assert.equal(describeSpecs({ c2s: 'crlf', s2c: 'count:16' }), 'crlf / count:16');
  });
});
