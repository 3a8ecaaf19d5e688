// Replay and mock with real servers and clients from Debian's packages: sessions recorded
// through a real proxy, replayed against redis-server, Python's smtpd, memcached and ngircd, and
// served to redis-cli and smtplib by the mock.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { replayScript } from '../../../src/core/replay/clientReplay';
import { formatDiff } from '../../../src/core/replay/frameCompare';
import { replayExitCode } from '../../../src/core/replay/replayReport';
import { ServerMock } from '../../../src/core/replay/serverMock';
import { connect, readAll, waitFor } from '../helpers/net';
import { type Peer, startMemcached, startNgircd, startRedis } from '../helpers/peers';
import { record, runProgram, smtplibScript, startDatedSmtpd, tempDir } from './replayHelpers';

/** Sends each step on a raw socket, waiting for `until` in the replies, then ends. */
async function talk(port: number, steps: { send: string; until?: RegExp }[]): Promise<string> {
  const s = await connect(port);
  let got = '';
  s.on('data', (c: Buffer) => (got += c.toString('latin1')));
  for (const step of steps) {
    const before = got.length;
    s.write(step.send);
    if (step.until) await waitFor(() => step.until!.test(got.slice(before)), `${step.until}`);
  }
  s.end();
  await readAll(s);
  return got;
}

/**
 * A redis-cli session, one invocation per command. (Fed commands on stdin, redis-cli first asks
 * for COMMAND DOCS, whose order a fresh redis-server may change between two calls.)
 */
const REDIS_COMMANDS = [
  ['GET', 'greeting'],
  ['LRANGE', 'list', '0', '-1'],
  ['HGETALL', 'h'],
  ['EXISTS', 'greeting'],
  ['GET', 'missing'],
  ['PING'],
];

/** Runs the session against `port`; resolves with what redis-cli printed. */
async function redisSession(port: number): Promise<string> {
  let out = '';
  for (const args of REDIS_COMMANDS) {
    const r = await runProgram('redis-cli', ['-p', String(port), ...args]);
    assert.equal(r.code, 0, r.stderr);
    out += r.stdout;
  }
  return out;
}

describe('replay and mock with real servers', function () {
  this.timeout(60_000);
  const stops: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0).reverse()) await s();
  });
  /** Stops `p` after the test, once, even if the test stopped it already. */
  const keep = <T extends Peer | ServerMock>(p: T): T => {
    let stopped: Promise<void> | undefined;
    const stop = p.stop.bind(p);
    p.stop = () => (stopped ??= stop());
    stops.push(() => p.stop());
    return p;
  };
  const dir = () => {
    const d = tempDir();
    stops.push(d.cleanup);
    return d.dir;
  };

  it('redis-cli recorded through the proxy replays against redis-server; changed data is reported', async () => {
    const redis = keep(await startRedis());
    const cli = (...args: string[]) => runProgram('redis-cli', ['-p', String(redis.port), ...args]);
    await cli('SET', 'greeting', 'hello world');
    await cli('RPUSH', 'list', 'a', 'b', 'c d');
    await cli('HSET', 'h', 'field', 'value');
    const file = path.join(dir(), 'redis.linetap');
    const n = REDIS_COMMANDS.length;
    const script = await record(redis, 'redis', file, redisSession, n);
    const target = `127.0.0.1:${redis.port}`;
    const same = await replayScript(script, { target });
    // One connection per command, one exchange each, its answer one frame.
    assert.equal(same.connections.length, n);
    assert.deepEqual(same.counts, { exchanges: n, matched: n, differs: 0, missing: 0, extra: 0 });
    assert.equal(replayExitCode(same), 0);

    await cli('SET', 'greeting', 'goodbye');
    await cli('RPUSH', 'list', 'e');
    const changed = await replayScript(script, { target });
    assert.equal(replayExitCode(changed), 1);
    const differing = changed.connections
      .flatMap((c) => c.exchanges)
      .filter((x) => x.status !== 'matched');
    assert.deepEqual(
      differing.map((x) => [x.summary, x.status]),
      [
        ['GET greeting', 'differs'],
        ['LRANGE list 0 -1', 'differs'],
      ],
    );
    assert.equal(
      formatDiff(differing[0].frames[0].diff!),
      String.raw`$[-11-]{+7+}\r\n[-hello world-]{+goodbye+}\r\n`,
    );
    assert.equal(
      formatDiff(differing[1].frames[0].diff!),
      String.raw`*[-3-]{+4+}\r\n$1\r\na\r\n$1\r\nb\r\n$3\r\nc d{+\r\n$1\r\ne+}\r\n`,
    );
  });

  it('a pipelined session: each answer goes with its request, in replay and in the mock', async () => {
    const redis = keep(await startRedis());
    const cli = (...args: string[]) => runProgram('redis-cli', ['-p', String(redis.port), ...args]);
    await cli('SET', 'a', '1');
    await cli('SET', 'b', '2');
    const get = (key: string) => `*2\r\n$3\r\nGET\r\n$1\r\n${key}\r\n`;
    const ping = '*1\r\n$4\r\nPING\r\n';
    // All three requests in one write: the recording has them before any answer.
    const script = await record(redis, 'redis', path.join(dir(), 'pipe.linetap'), (port) =>
      talk(port, [{ send: get('a') + get('b') + ping, until: /PONG/ }]),
    );
    assert.deepEqual(
      script.connections[0].exchanges.map((x) => [
        x.request?.summary,
        x.replies.map((r) => r.bytes.toString()),
      ]),
      [
        ['GET a', ['$1\r\n1\r\n']],
        ['GET b', ['$1\r\n2\r\n']],
        ['PING', ['+PONG\r\n']],
      ],
    );
    await cli('SET', 'b', '3');
    const changed = await replayScript(script, { target: `127.0.0.1:${redis.port}` });
    assert.deepEqual(
      changed.connections[0].exchanges.map((x) => [x.summary, x.status]),
      [
        ['GET a', 'matched'],
        ['GET b', 'differs'],
        ['PING', 'matched'],
      ],
    );
    // A client that waits for each answer before its next request gets them from the mock.
    await redis.stop();
    const mock = keep(await ServerMock.start(script, { listen: '0' }));
    const got = await talk(mock.listen.port, [
      { send: get('a'), until: /1\r\n$/ },
      { send: get('b'), until: /2\r\n$/ },
      { send: ping, until: /PONG/ },
    ]);
    assert.equal(got, '$1\r\n1\r\n$1\r\n2\r\n+PONG\r\n');
  });

  it('redis-cli against the mock of a capture gets the recorded answers', async () => {
    const redis = keep(await startRedis());
    await runProgram('redis-cli', ['-p', String(redis.port), 'SET', 'greeting', 'hello world']);
    const file = path.join(dir(), 'redis.linetap');
    const direct = await redisSession(redis.port);
    const script = await record(redis, 'redis', file, redisSession, REDIS_COMMANDS.length);
    await redis.stop();
    const mock = keep(await ServerMock.start(script, { listen: '0' }));
    const mocked = await redisSession(mock.listen.port);
    assert.equal(mocked, direct);
    assert.match(mocked, /hello world/);
  });

  it("SMTP: greeting-first replay against Python's smtpd, with a date mask", async () => {
    const smtpd = keep(await startDatedSmtpd());
    const file = path.join(dir(), 'smtp.linetap');
    const script = await record(smtpd, 'smtp', file, (port) =>
      runProgram('python3', ['-W', 'ignore', '-'], smtplibScript(port)),
    );
    const greeting = script.connections[0].exchanges[0];
    assert.equal(greeting.index, 0);
    assert.match(greeting.replies[0].bytes.toString(), /^220 .* ESMTP ready at \d{4}-/);
    const target = `127.0.0.1:${smtpd.port}`;
    const unmasked = await replayScript(script, { target });
    const first = unmasked.connections[0].exchanges[0];
    assert.equal(first.status, 'differs', 'the greeting carries a new time');
    assert.match(formatDiff(first.frames[0].diff!), /T\d\d:\d\d:.*\[-\d+-\]\{\+\d+\+\}\+00:00/);
    const masked = await replayScript(script, { target, masks: ['date'] });
    assert.equal(replayExitCode(masked), 0, JSON.stringify(masked.counts));
    assert.ok(masked.connections[0].exchanges[0].frames[0].masked);
    // QUIT's 221 is the last answer; the server closes after it.
    assert.ok(masked.counts.exchanges >= 6);
  });

  it('SMTP: smtplib sends a mail to the mock; its Date header matches through the date mask', async () => {
    const smtpd = keep(await startDatedSmtpd());
    const file = path.join(dir(), 'smtp.linetap');
    const script = await record(smtpd, 'smtp', file, (port) =>
      runProgram('python3', ['-W', 'ignore', '-'], smtplibScript(port)),
    );
    await smtpd.stop();
    const mock = keep(await ServerMock.start(script, { listen: '0', masks: ['date'] }));
    const outcomes: string[] = [];
    mock.onDidExchange((x) => outcomes.push(`${x.outcome}${x.masked ? ' (masked)' : ''}`));
    // A day later: the message's Date header is not the recorded one.
    const run = await runProgram(
      'python3',
      ['-W', 'ignore', '-'],
      smtplibScript(mock.listen.port, 1),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), '250');
    assert.ok(outcomes.includes('matched (masked)'), outcomes.join());
    assert.ok(
      outcomes.every((o) => o.startsWith('matched')),
      outcomes.join(),
    );

    const strict = keep(await ServerMock.start(script, { listen: '0' }));
    const failed = await runProgram(
      'python3',
      ['-W', 'ignore', '-'],
      smtplibScript(strict.listen.port, 1),
    );
    assert.notEqual(failed.code, 0, 'without the mask the message is not recorded: closed');
    assert.match(failed.stderr, /SMTPServerDisconnected|Connection unexpectedly closed/);
  });

  it('memcached: a session replays against a fresh server with a number mask for CAS and stats', async () => {
    const first = keep(await startMemcached());
    const file = path.join(dir(), 'mc.linetap');
    const steps = [
      { send: 'set k 0 0 5\r\nhello\r\n', until: /STORED\r\n/ },
      { send: 'gets k\r\n', until: /END\r\n/ },
      { send: 'stats\r\n', until: /END\r\n/ },
      { send: 'incr n 1\r\n', until: /NOT_FOUND\r\n/ },
    ];
    const script = await record(first, 'memcached', file, (port) => talk(port, steps));
    await first.stop();
    const second = keep(await startMemcached());
    // Another item first, so the CAS values differ too.
    await talk(second.port, [{ send: 'set other 0 0 1\r\nx\r\n', until: /STORED/ }]);
    const target = `127.0.0.1:${second.port}`;
    const strict = await replayScript(script, { target });
    assert.deepEqual(
      strict.connections[0].exchanges.filter((x) => x.status !== 'matched').map((x) => x.summary),
      ['gets k', 'stats'],
    );
    const masked = await replayScript(script, { target, masks: ['number'] });
    assert.deepEqual(masked.counts, { exchanges: 4, matched: 4, differs: 0, missing: 0, extra: 0 });
  });

  it('IRC: an ngircd session replays against a fresh ngircd with a date mask', async () => {
    const first = keep(await startNgircd());
    const file = path.join(dir(), 'irc.linetap');
    const script = await record(first, 'irc', file, (port) =>
      talk(port, [
        { send: 'NICK tapper\r\nUSER tapper 0 * :Linetap Test\r\n', until: / 376 | 422 / },
        { send: 'JOIN #linetap\r\n', until: / 366 / },
        { send: 'PING :tok42\r\n', until: /PONG/ },
        { send: 'QUIT :bye\r\n' },
      ]),
    );
    await first.stop();
    // A second later, so the server's start time in its 003 reply is another one.
    await new Promise((r) => setTimeout(r, 1100));
    const second = keep(await startNgircd());
    const target = `127.0.0.1:${second.port}`;
    const strict = await replayScript(script, { target });
    const user = strict.connections[0].exchanges.find((x) => x.summary?.startsWith('USER'));
    assert.equal(user?.status, 'differs');
    assert.match(
      formatDiff(user!.frames.find((f) => f.diff)!.diff!),
      /\[-\d+-\]\{\+\d+\+\} \(UTC\)/,
    );
    // The server counts connections: this replay is its second client. A regex masks that.
    const masks = ['date', String.raw`connection count: \d+ \(\d+ connections received\)`];
    const masked = await replayScript(script, { target, masks });
    const left = masked.connections[0].exchanges.filter((x) => x.status !== 'matched');
    assert.deepEqual(
      left.map((x) => x.summary),
      [],
    );
    assert.equal(replayExitCode(masked), 0);
    assert.ok(user!.frames.length > 20, 'the whole registration burst is compared frame by frame');
  });
});
