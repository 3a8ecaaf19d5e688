import * as assert from 'node:assert/strict';
import type { Frame } from '../../../src/core/framing/frame';
import { ircProtocol } from '../../../src/core/framing/protocols/irc';
import { assertPairStable, frameRecord, readFixture } from '../helpers/fixtures';

const make = (maxFrameBytes?: number) => () =>
  ircProtocol.createFramers(maxFrameBytes === undefined ? {} : { maxFrameBytes });
const b = (s: string) => Buffer.from(s, 'latin1');
const text = (frames: readonly Frame[]) => frames.map((f) => f.bytes.toString('latin1'));
const names = (frames: readonly Frame[]) => frames.map((f) => f.ann?.name);
const res = (frames: readonly Frame[]) => frames.map((f) => f.ann?.re);
const warningsOf = (f: Frame) => (f.ann?.warnings ?? []).map((w) => `${w.code}: ${w.message}`);

/** Client side fed whole first, then the server side (how fixtures are fed), at every chunking. */
function offline(c2s: string, s2c = '', sizes?: number[]) {
  return assertPairStable(make(), b(c2s), b(s2c), sizes);
}

/** The two directions interleaved as a live proxy sees them, fed whole and byte by byte. */
function live(steps: readonly (readonly ['c2s' | 's2c', string])[]) {
  const run = (size: number) => {
    const pair = ircProtocol.createFramers();
    const out = { c2s: [] as Frame[], s2c: [] as Frame[] };
    for (const [dir, data] of steps) {
      const bytes = b(data);
      for (let i = 0; i < bytes.length; i += size) {
        out[dir].push(...pair[dir].feed(bytes.subarray(i, i + size)));
      }
    }
    out.c2s.push(...pair.c2s.flush());
    out.s2c.push(...pair.s2c.flush());
    return out;
  };
  const whole = run(Number.MAX_SAFE_INTEGER);
  const bytewise = run(1);
  assert.deepEqual(bytewise.c2s.map(frameRecord), whole.c2s.map(frameRecord));
  assert.deepEqual(bytewise.s2c.map(frameRecord), whole.s2c.map(frameRecord));
  return whole;
}

/** One line alone from the client: its frame. */
function one(line: string): Frame {
  const { c2s } = offline(line);
  assert.equal(c2s.length, 1);
  return c2s[0];
}

describe('irc framer', () => {
  describe('the recorded session (a script against ngircd)', () => {
    const c2sData = readFixture('irc-session.c2s');
    const s2cData = readFixture('irc-session.s2c');

    it('frames every line and pairs what answers the client, at every chunk size', () => {
      const { c2s, s2c } = assertPairStable(make(), c2sData, s2cData);
      assert.deepEqual(names(c2s), [
        'NICK',
        'USER',
        'JOIN',
        'PRIVMSG',
        'TOPIC',
        'PING',
        'NOSUCHCOMMAND',
        'PART',
        'QUIT',
      ]);
      assert.ok(c2s.every((f) => f.ann?.kind === 'request' && f.ann.re === undefined));
      assert.deepEqual(names(s2c), [
        ...['001', '002', '003', '004', '005', '005', '251', '254', '255', '265', '266'],
        ...['250', '375', '372', '376', 'JOIN', '353', '366', 'PRIVMSG', 'PRIVMSG', 'TOPIC'],
        ...['PONG', '421', 'QUIT'],
      ]);
      // The burst answers USER (registration completes there), the JOIN echo and NAMES
      // answer JOIN, then the TOPIC echo, PONG and 421.
      assert.deepEqual(res(s2c), [
        ...Array<number>(15).fill(1),
        2,
        2,
        2,
        undefined,
        undefined,
        4,
        5,
        6,
        undefined,
      ]);
      assert.deepEqual(
        s2c.slice(15).map((f) => f.ann?.kind),
        ['reply', 'reply', 'reply', 'push', 'push', 'reply', 'reply', 'reply', 'push'],
      );
      for (const f of [...c2s, ...s2c]) assert.deepEqual(warningsOf(f), [], f.bytes.toString());
    });

    it('annotates prefixes, targets, UTF-8 text and CTCP', () => {
      const { c2s, s2c } = assertPairStable(make(), c2sData, s2cData, [1]);
      assert.equal(c2s[3].ann?.summary, 'PRIVMSG #linetap "hello from alice ✓"');
      assert.deepEqual(c2s[3].ann?.args, ['#linetap', 'hello from alice ✓']);
      assert.deepEqual(c2s[3].ann?.fields, { target: '#linetap' });
      assert.equal(s2c[0].ann?.summary, '001 alice "Welcome to the Internet Relay Network al…"');
      assert.deepEqual(s2c[0].ann?.fields, {
        prefix: 'irc.test.local',
        server: 'irc.test.local',
        target: 'alice',
      });
      assert.equal(s2c[15].ann?.summary, ':alice JOIN #linetap');
      assert.equal(s2c[19].ann?.summary, ':bob PRIVMSG alice CTCP ACTION "waves"');
      assert.deepEqual(s2c[19].ann?.fields, {
        prefix: 'bob!~bob@127.0.0.1',
        nick: 'bob',
        target: 'alice',
        ctcp: 'ACTION',
      });
      assert.equal(s2c[21].ann?.fields?.token, 'irc.test.local');
      assert.equal(s2c[22].ann?.summary, '421 alice NOSUCHCOMMAND "Unknown command"');
    });

    it('keeps parsing and pairing when maxFrameBytes cuts lines', () => {
      const whole = assertPairStable(make(), c2sData, s2cData, [1]);
      const annotated = (fs: Frame[]) => fs.filter((f) => f.ann !== undefined);
      const pairs = (r: typeof whole) =>
        annotated(r.s2c).map((f) => [
          f.ann?.name,
          r.c2s.find((q) => q.seq === f.ann?.re)?.ann?.name,
        ]);
      for (const max of [8, 30]) {
        const cut = assertPairStable(make(max), c2sData, s2cData);
        assert.deepEqual(names(annotated(cut.c2s)), names(whole.c2s), `max ${max}`);
        assert.deepEqual(names(annotated(cut.s2c)), names(whole.s2c), `max ${max}`);
        assert.deepEqual(pairs(cut), pairs(whole), `max ${max}`);
        assert.ok(cut.s2c.some((f) => f.oversize));
        for (const f of [...cut.c2s, ...cut.s2c]) assert.ok(f.bytes.length <= max + 1);
      }
    });
  });

  describe('pairing', () => {
    it('pairs a PING from the server with the client PONG when seen live', () => {
      const { c2s, s2c } = live([
        ['s2c', 'PING :tok123\r\n'],
        ['c2s', 'PONG :tok123\r\n'],
      ]);
      assert.equal(s2c[0].ann?.kind, 'push');
      assert.deepEqual([c2s[0].ann?.kind, c2s[0].ann?.re], ['reply', 0]);
      // Offline the PONG comes before the PING it answers: it stays a request.
      const apart = offline('PONG :tok123\r\n', 'PING :tok123\r\n');
      assert.deepEqual([apart.c2s[0].ann?.kind, apart.c2s[0].ann?.re], ['request', undefined]);
    });

    it('flags a PONG that answers no PING', () => {
      const { s2c } = offline('PING :mine\r\n', ':srv PONG srv :other\r\n:srv PONG srv :mine\r\n');
      assert.deepEqual(warningsOf(s2c[0]), [
        'unpaired: a PONG whose token answers no PING of the client',
      ]);
      assert.equal(s2c[1].ann?.re, 0);
    });

    it('pairs by IRCv3 label, through a labelled batch', () => {
      const { c2s, s2c } = offline(
        '@label=q1 WHOIS bob\r\n@label=q2 MODE #c\r\n',
        '@label=q1 :srv BATCH +b1 labeled-response\r\n' +
          '@batch=b1 :srv 311 me bob ~b host * :Bob\r\n' +
          '@batch=b1 :srv 318 me bob :End\r\n' +
          ':srv BATCH -b1\r\n' +
          '@label=q2 :srv 324 me #c +nt\r\n',
      );
      assert.deepEqual(c2s[0].ann?.fields, { tags: 1, label: 'q1', target: 'bob' });
      assert.deepEqual(res(s2c), [0, 0, 0, 0, 1]);
      assert.ok(s2c.every((f) => f.ann?.kind === 'reply'));
    });

    it('pairs CAP, registration, WHOIS, JOIN per channel, WHO, LIST and NAMES', () => {
      const { s2c } = offline(
        'CAP LS 302\r\nCAP REQ :multi-prefix\r\nCAP END\r\nNICK me\r\nUSER me 0 * :Me\r\n' +
          'WHOIS bob\r\nWHOIS nobody\r\nJOIN #a,#B\r\nWHO #a\r\nLIST\r\nNAMES #a\r\n',
        ':srv CAP * LS * :multi-prefix sasl\r\n:srv CAP * LS :away-notify\r\n' +
          ':srv CAP * ACK :multi-prefix\r\n:srv 001 me :Welcome\r\n:srv 422 me :No MOTD\r\n' +
          ':srv 311 me bob ~bob host * :Bob\r\n:srv 318 me bob :End of WHOIS\r\n' +
          ':srv 401 me nobody :No such nick\r\n:srv 318 me nobody :End of WHOIS\r\n' +
          ':me!~me@h JOIN #a\r\n:srv 353 me = #a :me\r\n:srv 366 me #a :End\r\n' +
          ':srv 473 me #b :Cannot join channel (+i)\r\n' +
          ':srv 352 me #a ~me h srv me H :0 Me\r\n:srv 315 me #a :End of WHO\r\n' +
          ':srv 321 me Channel :Users Name\r\n:srv 322 me #a 1 :\r\n:srv 323 me :End\r\n' +
          ':srv 353 me = #a :me\r\n:srv 366 me #a :End\r\n',
      );
      assert.deepEqual(
        s2c.map((f) => [f.ann?.name, f.ann?.re]),
        [
          ['CAP', 0],
          ['CAP', 0],
          ['CAP', 1],
          ['001', 4],
          ['422', 4],
          ['311', 5],
          ['318', 5],
          ['401', undefined],
          ['318', 6],
          ['JOIN', 7],
          ['353', 7],
          ['366', 7],
          ['473', 7],
          ['352', 8],
          ['315', 8],
          ['321', 9],
          ['322', 9],
          ['323', 9],
          ['353', 10],
          ['366', 10],
        ],
      );
    });

    it('pairs nickname errors with NICK and follows our nick through its changes', () => {
      const { s2c } = live([
        ['c2s', 'NICK taken\r\nNICK other\r\nUSER u 0 * :U\r\n'],
        ['s2c', ':srv 433 * taken :Nickname is already in use\r\n:srv 001 other :Welcome\r\n'],
        ['c2s', 'NICK renamed\r\nPART #x\r\n'],
        ['s2c', ':other!u@h NICK :renamed\r\n:renamed!u@h PART #x\r\n:someone!u@h PART #x\r\n'],
      ]);
      assert.deepEqual(
        s2c.map((f) => [f.ann?.name, f.ann?.kind, f.ann?.re]),
        [
          ['433', 'reply', 0],
          ['001', 'reply', 2],
          ['NICK', 'reply', 3],
          ['PART', 'reply', 4],
          ['PART', 'push', undefined],
        ],
      );
    });

    it('counts tags and reads the nick of a user prefix', () => {
      const f = offline(
        '',
        '@time=2024-01-01T00:00:00.000Z;msgid=abc;+draft/react :nick!u@h PRIVMSG #c :hi\r\n',
      ).s2c[0];
      assert.deepEqual(f.ann?.fields, {
        prefix: 'nick!u@h',
        nick: 'nick',
        tags: 3,
        target: '#c',
      });
      assert.equal(f.ann?.summary, ':nick PRIVMSG #c "hi"');
    });
  });

  describe('warnings', () => {
    it('notes a bare LF, which many servers accept', () => {
      assert.deepEqual(warningsOf(one('PING :x\n')), [
        'bare-lf: line ends with a bare \\n; IRC wants \\r\\n',
      ]);
    });

    it('warns about invalid UTF-8, NUL and CR inside a line', () => {
      assert.deepEqual(warningsOf(one('PRIVMSG #c :\xff\r\n')), [
        'invalid-utf8: line is not valid UTF-8',
      ]);
      assert.deepEqual(warningsOf(one('PRIVMSG #c :a\0b\r\n')), [
        'violation: line holds a NUL byte, which IRC forbids',
      ]);
      assert.deepEqual(warningsOf(one('PRIVMSG #c :a\rb\r\n')), [
        'violation: line holds a \\r before its end',
      ]);
    });

    it('warns about an empty line, a line without a command and a malformed command', () => {
      assert.deepEqual(warningsOf(one('\r\n')), ['violation: empty line (servers ignore it)']);
      assert.deepEqual(warningsOf(one(':only.a.prefix\r\n')), ['violation: line has no command']);
      assert.deepEqual(warningsOf(one('PR1VMSG x\r\n')), [
        'violation: command "PR1VMSG" is neither a word nor a 3-digit numeric',
      ]);
      // A name with control bytes is shown escaped, so filters and lists stay readable.
      assert.equal(one('PR\x01msg x\r\n').ann?.name, 'PR\\x01msg');
    });

    it('warns about more than 15 parameters', () => {
      const params = Array.from({ length: 16 }, (_, i) => `p${i}`).join(' ');
      const f = one(`MODE ${params}\r\n`);
      assert.equal(f.ann?.args?.length, 16);
      assert.deepEqual(warningsOf(f), ['violation: 16 parameters; IRC allows 15']);
    });

    it('limits lines to 512 bytes without their tags, and tags to 8191', () => {
      assert.deepEqual(warningsOf(one(`PRIVMSG #c :${'x'.repeat(600)}\r\n`)), [
        'long-line: line is 614 bytes without its tags; IRC allows 512',
      ]);
      const tagged = `@a=${'t'.repeat(2000)} PRIVMSG #c :${'x'.repeat(490)}\r\n`;
      assert.deepEqual(warningsOf(one(tagged)), []);
      const f = one(`@a=${'t'.repeat(8200)} PING :x\r\n`);
      assert.deepEqual(warningsOf(f), ['long-line: tags are 8204 bytes; IRCv3 allows 8191']);
      assert.equal(f.ann?.name, 'PING');
    });
  });

  describe('cuts and ends', () => {
    it('says a line was cut off when the stream ends inside it', () => {
      const f = one('PRIVMSG #c :hi');
      assert.ok(f.partial);
      assert.equal(f.ann?.name, 'PRIVMSG');
      assert.equal(f.ann?.summary, 'PRIVMSG #c "hi"');
      assert.deepEqual(warningsOf(f), ['truncated: stream ended inside a line, before its \\r\\n']);
    });

    it('reads on after a line longer than maxFrameBytes', () => {
      const data = b(`PRIVMSG #c :${'x'.repeat(600)}\r\nPING :t\r\n`);
      const { c2s } = assertPairStable(make(100), data, b(''));
      const annotated = c2s.filter((f) => f.ann !== undefined);
      assert.deepEqual(names(annotated), ['PRIVMSG', 'PING']);
      assert.deepEqual(warningsOf(annotated[0]), [
        'long-line: line is 614 bytes without its tags; IRC allows 512',
      ]);
      assert.deepEqual(annotated[0].ann?.args, ['#c', 'x'.repeat(600)]);
      assert.equal(text(c2s).join(''), data.toString('latin1'));
    });

    it('parses a line whose start an idle cut() already showed', () => {
      const { c2s } = ircProtocol.createFramers();
      const frames = [...c2s.feed(b('PRIV'))];
      assert.equal(c2s.cut()?.bytes.toString(), 'PRIV');
      frames.push(...c2s.feed(b('MSG #c :hi\r\n')), ...c2s.flush());
      assert.deepEqual(text(frames), ['MSG #c :hi\r\n']);
      assert.equal(frames[0].ann?.summary, 'PRIVMSG #c "hi"');
    });
  });
});
