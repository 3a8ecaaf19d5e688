// Masks and frame comparison: the ready-made masks on what real servers print, regexes, errors
// that name the bad mask, and diffs a person can read.
import * as assert from 'node:assert/strict';
import { compareFrames, formatDiff } from '../../../src/core/replay/frameCompare';
import {
  MaskError,
  maskText,
  NAMED_MASKS,
  parseMask,
  parseMasks,
} from '../../../src/core/replay/masks';

/** The text with one mask applied. */
function masked(spec: string, text: string): string {
  return maskText(Buffer.from(text), [parseMask(spec)], 'utf8');
}

/** `compareFrames` of two texts, with the diff as one line. */
function compare(expected: string | Buffer, actual: string | Buffer, masks: string[] = []) {
  const c = compareFrames(Buffer.from(expected), Buffer.from(actual), parseMasks(masks));
  return { equal: c.equal, masked: c.masked, diff: c.diff && formatDiff(c.diff) };
}

describe('replay masks', () => {
  it('date covers ISO 8601, RFC 5322/HTTP, ctime and ngircd dates, with their times', () => {
    const cases: [string, string][] = [
      ['220 mx ESMTP 2026-11-25T03:54:12.123456+00:00 ready', '220 mx ESMTP <date> ready'],
      ['Date: Tue, 25 Nov 2026 03:54:12 +0000\r\n', 'Date: <date>\r\n'],
      ['Date: Tue, 25 Nov 2026 03:54:12 GMT\r\n', 'Date: <date>\r\n'],
      ['Last-Modified: Tue Nov 25 03:54:12 2026', 'Last-Modified: <date>'],
      ['started Sat Dec 05 2026 at 08:42:30 (UTC)', 'started <date> (UTC)'],
      ['day 2026-11-25 only', 'day <date> only'],
    ];
    for (const [text, want] of cases) assert.equal(masked('date', text), want, text);
    assert.equal(masked('date', 'Monitor 12 items'), 'Monitor 12 items', 'no date in words');
  });

  it('time, timestamp, uuid, hex-id, number and ip mask what their names say', () => {
    assert.equal(masked('time', 'at 03:54:12.5 and 7:05'), 'at <time> and <time>');
    assert.equal(
      masked('timestamp', 'uptime 1764042852 ms 1764042852123'),
      'uptime <timestamp> ms <timestamp>',
    );
    assert.equal(masked('uuid', 'id=3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b;'), 'id=<uuid>;');
    assert.equal(
      masked('hex-id', 'Queued as 4F3A9C21B0 (deadface)'),
      'Queued as <hex-id> (deadface)',
    );
    assert.equal(
      masked('number', 'VALUE k 0 5 1234\r\n'),
      'VALUE k <number> <number> <number>\r\n',
    );
    assert.equal(masked('ip', 'from 127.0.0.1:51234 to 10.0.0.2'), 'from <ip> to <ip>');
    assert.deepEqual(Object.keys(NAMED_MASKS).sort(), [
      'date',
      'hex-id',
      'ip',
      'number',
      'time',
      'timestamp',
      'uuid',
    ]);
  });

  it('takes regexes bare or as /regex/flags; names win, /name/ is the literal word', () => {
    assert.equal(masked('Max: \\d+', 'Current users: 3, Max: 17'), 'Current users: 3, <mask>');
    assert.equal(masked('/session=\\w+/i', 'SESSION=abc ok'), '<mask> ok');
    assert.equal(masked('/number/', 'number 5'), '<mask> 5');
    assert.equal(parseMask('NUMBER').name, 'number');
  });

  it('a bad mask is an error that names it and says what is accepted', () => {
    assert.throws(
      () => parseMask('(unclosed'),
      (e: Error) => {
        assert.ok(e instanceof MaskError);
        assert.match(e.message, /bad mask "\(unclosed": Invalid regular expression/);
        assert.match(e.message, /a name \(date, time, timestamp, uuid, hex-id, number, ip\)/);
        return true;
      },
    );
    assert.throws(() => parseMask('/x/g'), /bad mask "\/x\/g": flags may be i, m, s or u/);
    assert.throws(() => parseMask(''), /an empty mask/);
  });
});

describe('frame comparison', () => {
  it('equal bytes match; masks hide volatile fields and say they did', () => {
    assert.deepEqual(compare('+OK\r\n', '+OK\r\n'), {
      equal: true,
      masked: false,
      diff: undefined,
    });
    const a = ':irc 003 tapper :started Sat Dec 05 2026 at 08:42:30 (UTC)\r\n';
    const b = ':irc 003 tapper :started Sat Dec 05 2026 at 09:13:01 (UTC)\r\n';
    assert.equal(compare(a, b).equal, false);
    assert.deepEqual(compare(a, b, ['date']), { equal: true, masked: true, diff: undefined });
  });

  it('diffs word by word, removals before additions, line endings visible', () => {
    assert.equal(
      compare('$5\r\nhello\r\n', '$3\r\nbye\r\n').diff,
      String.raw`$[-5-]{+3+}\r\n[-hello-]{+bye+}\r\n`,
    );
    assert.equal(
      compare('*2\r\n$1\r\na\r\n$1\r\nb\r\n', '*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n').diff,
      String.raw`*[-2-]{+3+}\r\n$1\r\na\r\n$1\r\nb{+\r\n$1\r\nc+}\r\n`,
    );
    // What the masks hid shows as its placeholder, so only real differences stand out.
    assert.equal(
      compare(
        'Date: Tue, 25 Nov 2026 03:54:12 +0000 X\r\n',
        'Date: Wed, 26 Nov 2026 13:04:02 +0000 Y\r\n',
        ['date'],
      ).diff,
      String.raw`Date: <date> [-X-]{+Y+}\r\n`,
    );
  });

  it('shortens long unchanged text, and shows bytes that are not UTF-8 as \\xHH', () => {
    const long = 'word '.repeat(40);
    const d = compare(`${long}old ${long}`, `${long}new ${long}`).diff!;
    assert.match(d, /^….{24}\[-old-\]\{\+new\+\}.{24}…$/);
    assert.equal(
      compare(Buffer.from([0x41, 0xff, 0x0d, 0x0a]), Buffer.from([0x41, 0xfe, 0x0d, 0x0a])).diff,
      'A[-\\xff-]{+\\xfe+}\\r\\n',
    );
  });
});
