import * as assert from 'node:assert/strict';
import { Framer } from '../../../src/core/framing/framer';
import type { Frame } from '../../../src/core/framing/frame';
import { createFramer } from '../../../src/core/framing/framingSpec';
import { assertFramingStable, feedAtCuts, feedInChunks } from '../helpers/fixtures';

const text = (frames: readonly Frame[]) => frames.map((f) => f.bytes.toString('latin1'));

describe('Framer', () => {
  describe('delimiter rules', () => {
    it('ends frames at the delimiter and keeps it in the bytes', () => {
      const f = createFramer('crlf', 'c2s');
      assert.deepEqual(text(f.feed(Buffer.from('a\r\nbc\r\n'))), ['a\r\n', 'bc\r\n']);
      assert.equal(f.frameCount, 2);
    });

    it('finds a delimiter split across chunks, at every split point', () => {
      const data = Buffer.from('hello\r\nworld\r\n\r\nlast');
      for (let cut = 0; cut <= data.length; cut++) {
        for (let cut2 = cut; cut2 <= data.length; cut2++) {
          const frames = feedAtCuts(createFramer('crlf', 'c2s'), data, [cut, cut2]);
          assert.deepEqual(
            text(frames),
            ['hello\r\n', 'world\r\n', '\r\n', 'last'],
            `cuts ${cut},${cut2}`,
          );
          assert.deepEqual(
            frames.map((fr) => fr.partial),
            [false, false, false, true],
          );
        }
      }
    });

    it('handles overlapping delimiters the way asynchat does (abab in xababab)', () => {
      const frames = feedInChunks(createFramer('delim:abab', 'c2s'), Buffer.from('xabababab'), 1);
      // First match ends at "xabab"; the rest "abab" is a second full match.
      assert.deepEqual(text(frames), ['xabab', 'abab']);
    });

    it('a false prefix at a chunk end is not a terminator', () => {
      const frames = feedAtCuts(createFramer('crlf', 'c2s'), Buffer.from('ab\rx\r\n'), [3]);
      assert.deepEqual(text(frames), ['ab\rx\r\n']);
    });

    it('empty messages are frames of the delimiter alone', () => {
      assert.deepEqual(text(createFramer('lf', 'c2s').feed(Buffer.from('\n\na\n'))), [
        '\n',
        '\n',
        'a\n',
      ]);
    });

    it('nul and delim: with escapes', () => {
      assert.deepEqual(text(createFramer('nul', 'c2s').feed(Buffer.from('a\0b\0'))), [
        'a\0',
        'b\0',
      ]);
      const smtpEnd = createFramer('delim:\\r\\n.\\r\\n', 'c2s');
      assert.deepEqual(text(smtpEnd.feed(Buffer.from('line\r\n..dot\r\n.\r\nnext'))), [
        'line\r\n..dot\r\n.\r\n',
      ]);
      assert.deepEqual(
        text(createFramer('delim:\\xff\\xfe', 'c2s').feed(Buffer.from([1, 0xff, 0xfe, 2]))),
        ['\x01\xff\xfe'],
      );
    });

    it('frames inside one chunk share its memory; frames across chunks are joined', () => {
      const chunk = Buffer.from('abc\ndef');
      const f = createFramer('lf', 'c2s');
      const [first] = f.feed(chunk);
      assert.equal(first.bytes.buffer, chunk.buffer, 'no copy for a frame within a chunk');
      const [second] = f.feed(Buffer.from('\n'));
      assert.equal(second.bytes.toString(), 'def\n');
    });
  });

  describe('flush and cut', () => {
    it('flush returns the rest as a partial frame, then nothing', () => {
      const f = createFramer('lf', 'c2s');
      f.feed(Buffer.from('no end'));
      const [rest] = f.flush();
      assert.equal(rest.bytes.toString(), 'no end');
      assert.equal(rest.partial, true);
      assert.deepEqual(f.flush(), []);
      assert.throws(() => f.feed(Buffer.from('x')), /after flush/);
    });

    it('flush delivers a held-back terminator prefix (asynchat loses it)', () => {
      const f = createFramer('crlf', 'c2s');
      assert.deepEqual(f.feed(Buffer.from('abc\r')), []);
      assert.equal(f.pendingBytes, 4);
      assert.deepEqual(text(f.flush()), ['abc\r']);
    });

    it('close: one frame per direction, ended by close, not partial', () => {
      const f = createFramer('close', 's2c');
      assert.deepEqual(f.feed(Buffer.from('a\r\nb')), []);
      assert.deepEqual(f.feed(Buffer.from('c')), []);
      const [all] = f.flush();
      assert.equal(all.bytes.toString(), 'a\r\nbc');
      assert.equal(all.partial, false);
      assert.equal(all.term, 'close');
    });

    it('cut() shows an unfinished frame as partial and the rest follows', () => {
      const f = createFramer('crlf', 'c2s');
      f.feed(Buffer.from('slow li'));
      const cut = f.cut();
      assert.equal(cut?.bytes.toString(), 'slow li');
      assert.equal(cut?.partial, true);
      assert.equal(f.cut(), undefined);
      assert.deepEqual(text(f.feed(Buffer.from('ne\r\n'))), ['ne\r\n']);
    });
  });

  describe('feedEach', () => {
    it('visits the frames feed() would return, as views of the chunk', () => {
      const chunk = Buffer.from('a\r\nbc\r\n\r\nd');
      const got: Frame[] = [];
      const f = createFramer('crlf', 'c2s');
      f.feedEach(chunk, (frame) => got.push(frame));
      assert.deepEqual(got, createFramer('crlf', 'c2s').feed(chunk));
      assert.equal(got[0].bytes.buffer, chunk.buffer, 'no copy for a frame within a chunk');
      assert.deepEqual(text(f.flush()), ['d']);
    });

    it('a throwing visitor keeps the rest of the chunk for the next call', () => {
      const f = createFramer('lf', 'c2s');
      const got: string[] = [];
      const visit = (frame: Frame) => {
        got.push(frame.bytes.toString());
        if (got.length === 2) throw new Error('consumer failed');
      };
      assert.throws(() => f.feedEach(Buffer.from('a\nb\nc\nd'), visit), /consumer failed/);
      assert.deepEqual(got, ['a\n', 'b\n']);
      f.feedEach(Buffer.from('\n'), visit);
      assert.deepEqual(got, ['a\n', 'b\n', 'c\n', 'd\n']);
    });

    it('frames a throwing feed() made come first in the next call', () => {
      const onFrame = (frame: Frame) => {
        if (frame.seq === 1) throw new Error('hook failed');
      };
      const f = createFramer('lf', 'c2s', { onFrame });
      assert.throws(() => f.feed(Buffer.from('a\nb\nc\n')), /hook failed/);
      const got: Frame[] = [];
      f.feedEach(Buffer.from('d\n'), (frame) => got.push(frame));
      assert.deepEqual(text(got), ['a\n', 'b\n', 'c\n', 'd\n']);
    });
  });

  describe('count rules', () => {
    it('count:n makes fixed-size frames and re-arms', () => {
      const frames = feedInChunks(createFramer('count:3', 'c2s'), Buffer.from('abcdefgh'), 2);
      assert.deepEqual(text(frames), ['abc', 'def', 'gh']);
      assert.deepEqual(
        frames.map((f) => f.partial),
        [false, false, true],
      );
    });
  });

  describe('length-prefixed rules', () => {
    it('length:2be frames prefix + body', () => {
      const data = Buffer.from([0, 2, 0x61, 0x62, 0, 0, 0, 1, 0x63]);
      const frames = feedInChunks(createFramer('length:2be', 'c2s'), data, 1);
      assert.deepEqual(
        frames.map((f) => f.bytes.toString('hex')),
        ['00026162', '0000', '000163'],
      );
      assert.deepEqual(
        frames.map((f) => f.ann?.fields?.length),
        [2, 0, 1],
      );
    });

    it('length:4le-4 counts the prefix itself', () => {
      const data = Buffer.from([6, 0, 0, 0, 0x61, 0x62, 4, 0, 0, 0]);
      const frames = feedInChunks(createFramer('length:4le-4', 'c2s'), data, 3);
      assert.deepEqual(
        frames.map((f) => f.bytes.toString('hex')),
        ['060000006162', '04000000'],
      );
    });

    it('a prefix that makes a negative body is flagged, and framing goes on', () => {
      const frames = feedInChunks(
        createFramer('length:1be-4', 'c2s'),
        Buffer.from([1, 5, 0x61]),
        1,
      );
      assert.equal(frames[0].bytes.toString('hex'), '01');
      assert.equal(frames[0].ann?.warnings?.[0].code, 'violation');
      assert.equal(frames[1].bytes.toString('hex'), '0561');
    });

    it('8-byte prefixes work', () => {
      const data = Buffer.from([0, 0, 0, 0, 0, 0, 0, 1, 0x7a]);
      assert.deepEqual(text(createFramer('length:8be', 'c2s').feed(data)).length, 1);
    });
  });

  describe('line rule', () => {
    it('accepts \\n and \\r\\n, records the ending and warns when it changes', () => {
      const frames = createFramer('line', 'c2s').feed(Buffer.from('a\r\nb\nc\r\n'));
      assert.deepEqual(text(frames), ['a\r\n', 'b\n', 'c\r\n']);
      assert.deepEqual(
        frames.map((f) => f.ann?.fields?.ending),
        ['crlf', 'lf', 'crlf'],
      );
      assert.equal(frames[0].ann?.warnings, undefined);
      assert.equal(frames[1].ann?.warnings?.[0].code, 'mixed-endings');
    });
  });

  describe('limits', () => {
    it('cuts an endless line at maxFrameBytes, flags it, and loses nothing', () => {
      const f = createFramer('lf', 'c2s', { maxFrameBytes: 1000 });
      const frames: Frame[] = [];
      let fed = 0;
      for (let i = 0; i < 100; i++) {
        frames.push(...f.feed(Buffer.alloc(777, 0x61)));
        fed += 777;
        assert.ok(f.pendingBytes <= 1000, 'pending bytes stay under the limit');
      }
      frames.push(...f.feed(Buffer.from('\nok\n')), ...f.flush());
      assert.ok(frames.slice(0, -2).every((fr) => fr.oversize && fr.bytes.length <= 1000 + 1));
      assert.equal(Buffer.concat(frames.map((fr) => fr.bytes)).length, fed + 4);
      assert.equal(frames.at(-1)?.bytes.toString(), 'ok\n');
    });

    it('rejects a limit below 1', () => {
      assert.throws(() => createFramer('lf', 'c2s', { maxFrameBytes: 0 }), /at least 1/);
    });
  });

  describe('changing the rule from frame handling', () => {
    it('onFrame may switch rules mid-chunk, like found_terminator', () => {
      // A header line "LEN n" followed by n raw bytes, then lines again.
      const onFrame = (frame: Frame, framer: Framer) => {
        const m = /^LEN (\d+)\r\n$/.exec(frame.bytes.toString('latin1'));
        framer.setTerminator(m ? Number(m[1]) : Buffer.from('\r\n'));
      };
      const data = Buffer.from('LEN 5\r\n\r\n\r\nxhi\r\nLEN 2\r\nab');
      const expected = ['LEN 5\r\n', '\r\n\r\nx', 'hi\r\n', 'LEN 2\r\n', 'ab'];
      for (let size = 1; size <= data.length; size++) {
        const frames = feedInChunks(createFramer('crlf', 'c2s', { onFrame }), data, size);
        assert.deepEqual(text(frames), expected, `chunk size ${size}`);
      }
    });
  });

  describe('stability', () => {
    for (const spec of [
      'lf',
      'crlf',
      'line',
      'count:7',
      'length:2be',
      'delim:\\r\\n.\\r\\n',
      'close',
    ]) {
      it(`${spec}: same frames at every chunk size, bytes join back`, () => {
        const data = Buffer.from(
          'EHLO x\r\nDATA\r\nline\r\n.\r\n\r\n..\r\n\n\r\r\n' +
            '\x00\x05hello\x00\x00\x01\x02' +
            'tail',
        );
        assertFramingStable(() => createFramer(spec, 'c2s'), data);
      });
    }
  });
});
