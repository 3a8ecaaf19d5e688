import * as assert from 'node:assert/strict';
import { hexDumpLines } from '../../../src/webview/hexDump';

describe('hexDumpLines', () => {
  it('writes offset, sixteen hex bytes with a gap after eight, and ASCII with dots', () => {
    const bytes = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n');
    const lines = hexDumpLines(bytes);
    assert.equal(lines.length, 2);
    assert.deepEqual(lines[0], {
      offset: '00000000',
      hex: '47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a',
      ascii: 'GET / HTTP/1.1..',
    });
    assert.equal(lines[1].offset, '00000010');
    assert.equal(lines[1].ascii, 'Host: x..');
    // The short last line is padded so that the ASCII column lines up.
    assert.equal(lines[1].hex.length, lines[0].hex.length);
  });

  it('dumps a range from its line boundary, and nothing for no bytes', () => {
    const bytes = new Uint8Array(40).map((_, i) => i);
    const lines = hexDumpLines(bytes, 20, 40);
    assert.deepEqual(
      lines.map((l) => l.offset),
      ['00000010', '00000020'],
    );
    assert.equal(lines[1].ascii, ` !"#$%&'`);
    assert.deepEqual(hexDumpLines(new Uint8Array(0)), []);
  });
});
