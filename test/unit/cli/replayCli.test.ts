// `linetap replay` and `linetap mock` as a person runs them: a redis-cli session recorded with
// `linetap proxy --capture`, replayed against redis-server, served to redis-cli, and bad input.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildCli, killAll, runCli, startCli } from '../helpers/cli';
import { startServer, type TestServer } from '../helpers/net';
import { type Peer, startRedis } from '../helpers/peers';
import { captureText, frame, runProgram } from '../replay/replayHelpers';

/** A redis-cli session, one invocation (one connection) per command. */
const COMMANDS = [['GET', 'greeting'], ['LRANGE', 'list', '0', '-1'], ['PING']];

async function session(port: string | number): Promise<string> {
  let out = '';
  for (const args of COMMANDS)
    out += (await runProgram('redis-cli', ['-p', String(port), ...args])).stdout;
  return out;
}

describe('linetap replay and mock', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => buildCli());
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-replay-cli-'))));
  afterEach(() => {
    killAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('--help explains both; bad calls exit 2 and say what to change', async () => {
    for (const cmd of ['replay', 'mock']) {
      const r = await runCli([cmd, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`linetap ${cmd} FILE`));
    }
    const help = await runCli(['--help']);
    assert.match(help.stdout, /linetap replay FILE[\s\S]*linetap mock FILE/);
    assert.match(help.stdout, /1 replay found differences/);
    const file = path.join(dir, 'c.linetap');
    fs.writeFileSync(file, captureText([frame(1, 'c2s', 1, 'A\r\n'), frame(1, 's2c', 2, 'a\r\n')]));
    const cases: [string[], RegExp][] = [
      [['replay'], /say which capture to replay/],
      [['replay', file, '--mask', '(oops'], /bad mask "\(oops": Invalid regular expression/],
      [['replay', file, '--timing', 'fast'], /bad timing "fast": use asap, recorded, or xN/],
      [
        ['replay', path.join(dir, 'none.linetap')],
        /cannot read the capture ".*none\.linetap": no such file/,
      ],
      [['mock', file], /--listen is required, e\.g\. --listen 7000/],
      [['mock', file, '--listen', '0', '--unmatched', 'drop'], /bad unmatched policy "drop"/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
    }
  });

  describe('with redis-server', () => {
    let redis: Peer;
    let capture: string;
    const cli = (...args: string[]) => runProgram('redis-cli', ['-p', String(redis.port), ...args]);

    beforeEach(async () => {
      redis = await startRedis();
      await cli('SET', 'greeting', 'hello');
      await cli('RPUSH', 'list', 'a', 'b');
      capture = path.join(dir, 'redis.linetap');
      const proxy = startCli([
        'proxy',
        '--listen',
        '0',
        '--upstream',
        `127.0.0.1:${redis.port}`,
        '--framing',
        'redis',
        '--capture',
        capture,
      ]);
      const [, port] = await proxy.waitFor(/listening on 127\.0\.0\.1:(\d+)/);
      assert.equal(await session(port), 'hello\na\nb\nPONG\n');
      await proxy.waitFor(/c3 closed/, 'stdout');
      assert.equal(await proxy.interrupt(), 0);
    });
    afterEach(() => redis.stop());

    it('replays against the recorded upstream: 0 when the answers match, 1 with a diff when not', async () => {
      const same = await runCli(['replay', capture]);
      assert.equal(same.code, 0, same.stdout + same.stderr);
      assert.match(same.stdout, /c1 #1 +✓ GET greeting +1 frame/);
      assert.match(same.stdout, /c3 #1 +✓ PING +1 frame/);
      assert.match(
        same.stdout,
        /replay against 127\.0\.0\.1:\d+: 3 connections, all 3 exchanges matched/,
      );

      await cli('SET', 'greeting', 'bye');
      const changed = await runCli(['replay', capture, '--target', `127.0.0.1:${redis.port}`]);
      assert.equal(changed.code, 1, changed.stderr);
      assert.match(changed.stdout, /c1 #1 +✗ GET greeting +differs/);
      assert.match(changed.stdout, /expected +\$5\\r\\nhello\\r\\n/);
      assert.match(changed.stdout, /actual +\$3\\r\\nbye\\r\\n/);
      assert.match(changed.stdout, /diff +\$\[-5-\]\{\+3\+\}\\r\\n\[-hello-\]\{\+bye\+\}\\r\\n/);
      assert.match(changed.stdout, /3 exchanges: 2 matched, 1 differ, 0 missing, 0 extra/);

      const json = await runCli(['replay', capture, '--json']);
      assert.equal(json.code, 1);
      const lines = json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(
        lines.map((l) => [l.type, l.status ?? l.exit]),
        [
          ['exchange', 'differs'],
          ['connection', 'differs'],
          ['exchange', 'matched'],
          ['connection', 'matched'],
          ['exchange', 'matched'],
          ['connection', 'matched'],
          ['summary', 1],
        ],
      );
      const get = lines[0] as { frames: { expected: { text: string }; diff: string }[] };
      assert.equal(get.frames[0].expected.text, '$5\r\nhello\r\n');
      assert.equal(get.frames[0].diff, String.raw`$[-5-]{+3+}\r\n[-hello-]{+bye+}\r\n`);

      const masked = await runCli(['replay', capture, '--mask', String.raw`\$\d+\r\n\w+`]);
      assert.equal(masked.code, 0, masked.stdout);
      assert.match(masked.stdout, /GET greeting +1 frame \(through masks\)/);
    });

    it('mock serves the recorded answers to redis-cli, with no server behind it', async () => {
      await redis.stop();
      const mock = startCli(['mock', capture, '--listen', '0']);
      const [, port] = await mock.waitFor(/listening on 127\.0\.0\.1:(\d+)/);
      assert.match(mock.stderr(), /3 recorded connections, 3 exchanges; unmatched requests: close/);
      assert.equal(await session(port), 'hello\na\nb\nPONG\n');
      const other = await runProgram('redis-cli', ['-p', port, 'GET', 'other']);
      assert.match(other.stderr + other.stdout, /Server closed the connection/);
      await mock.waitFor(/c4 ✗ GET other +not recorded: closed the connection/, 'stdout');
      // The recorded request nearest to it, and how they differ: the key.
      await mock.waitFor(
        /nearest recorded: c1 #1, which differs in .*\[-greeting-\]\{\+other\+\}/,
        'stdout',
      );
      assert.match(mock.stdout(), /c1 ✓ GET greeting +recorded c1 #1, 1 frame/);
      assert.match(mock.stdout(), /c2 ✓ LRANGE list 0 -1 +recorded c2 #1, 1 frame/);
      assert.equal(await mock.interrupt(), 0);

      const replying = startCli([
        'mock',
        capture,
        '--listen',
        '0',
        '--unmatched',
        String.raw`reply:-ERR not recorded\r\n`,
      ]);
      const [, port2] = await replying.waitFor(/listening on 127\.0\.0\.1:(\d+)/);
      const answered = await runProgram('redis-cli', ['-p', port2, 'GET', 'other']);
      assert.match(answered.stdout, /ERR not recorded/);
      assert.equal(await replying.interrupt(), 0);
    });
  });

  describe('bad input', () => {
    let hang: TestServer;
    beforeEach(async () => {
      // Answers the first line, then never again: a server that hangs.
      hang = await startServer((s) => {
        let answered = false;
        s.on('data', () => {
          if (!answered) s.write('+OK\r\n');
          answered = true;
        });
      });
    });
    afterEach(() => hang.close());

    const write = (name: string, text: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return file;
    };

    it('a capture with no client frames, and a target that refuses, exit 2', async () => {
      const serverOnly = write('s.linetap', captureText([frame(1, 's2c', 1, '220 hi\r\n')]));
      const none = await runCli(['replay', serverOnly, '--target', `127.0.0.1:${hang.port}`]);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /has no client frames: nothing to send, so nothing to replay/);

      const file = write(
        'c.linetap',
        captureText([frame(1, 'c2s', 1, 'A\r\n'), frame(1, 's2c', 2, 'a\r\n')]),
      );
      const port = hang.port;
      await hang.close();
      const refused = await runCli(['replay', file, '--target', `127.0.0.1:${port}`]);
      assert.equal(refused.code, 2);
      assert.match(
        refused.stderr,
        /connection 1: upstream 127\.0\.0\.1:\d+ refused the connection/,
      );
      assert.match(refused.stdout, /1 could not run/);
      hang = await startServer(() => undefined);
    });

    it('a server that hangs: the timeout names the exchange; exit 1', async () => {
      const file = write(
        'h.linetap',
        captureText(
          [
            frame(1, 'c2s', 1, 'PING\r\n'),
            frame(1, 's2c', 2, '+OK\r\n'),
            frame(1, 'c2s', 3, 'GET k\r\n'),
            frame(1, 's2c', 4, '$1\r\nv\r\n'),
            frame(1, 'c2s', 5, 'QUIT\r\n'),
            frame(1, 's2c', 6, '+OK\r\n'),
          ],
          { framing: 'redis' },
        ),
      );
      const r = await runCli([
        'replay',
        file,
        '--target',
        `127.0.0.1:${hang.port}`,
        '--timeout',
        '300',
      ]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /c1 #1 +✓ PING/);
      assert.match(r.stdout, /c1 #2 +✗ GET k +missing: no answer after waiting 300 ms/);
      assert.match(r.stdout, /c1 #3 +✗ QUIT +missing: not sent: no answer to exchange 2 in 300 ms/);
    });

    it('a torn capture: the lines read are replayed, the torn one reported; exit 2', async () => {
      const text = captureText([frame(1, 'c2s', 1, 'PING\r\n'), frame(1, 's2c', 2, '+OK\r\n')]);
      const file = write('t.linetap', text + '{"e":"frame","c":1,"d":">","t":3,"text":"GE');
      const r = await runCli(['replay', file, '--target', `127.0.0.1:${hang.port}`]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /t\.linetap: line 4: the last line is cut off/);
      assert.match(r.stderr, /1 line could not be read; the rest was used/);
      assert.match(r.stdout, /c1 #1 +✓ PING/);
    });
  });
});
