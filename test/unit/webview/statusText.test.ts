import * as assert from 'node:assert/strict';
import type { ViewStatus } from '../../../src/shared/protocol';
import { statusText } from '../../../src/webview/statusText';

const base: ViewStatus = {
  total: 12_000,
  matched: 40,
  dropped: 0,
  growing: false,
  connections: [],
  held: [],
  breakpoint: '',
};

describe('statusText (the line under the frame list)', () => {
  it('says where the frames older than the panel keeps are, by source', () => {
    const status = { ...base, dropped: 2_000 };
    assert.match(statusText(status, false, 'live'), /2,000 older ones only in the capture file/);
    assert.match(statusText(status, false, 'capture'), /only in the capture file/);
    const replay = statusText(status, false, 'replay');
    assert.match(replay, /2,000 older ones no longer shown \(the replay summary counts them\)/);
    assert.doesNotMatch(replay, /capture file/);
  });

  it('names what a progress is: reading the file, or a filter going over it', () => {
    assert.match(
      statusText({ ...base, progress: { done: 50, total: 200 } }, false, 'capture'),
      /reading 25%/,
    );
    const filtering = statusText(
      { ...base, progress: { done: 3, total: 4, what: 'filtering' } },
      true,
      'capture',
    );
    assert.match(filtering, /40 match the filter/);
    assert.match(filtering, /filtering 75%/);
    assert.doesNotMatch(filtering, /reading/);
  });

  it('shows a breakpoint filter with control characters visible', () => {
    assert.match(
      statusText({ ...base, breakpoint: 'name:GET\n' }, false, 'live'),
      /breakpoint: name:GET\\n/,
    );
  });
});
