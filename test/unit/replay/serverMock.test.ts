// The server mock with real loopback clients: greeting first, recorded answers in order,
// matching through masks, and each way of handling a request that was not recorded.
import * as assert from 'node:assert/strict';
import type * as net from 'node:net';
import type { CaptureEvent } from '../../../src/core/capture/captureFormat';
import { type MockExchange, parseUnmatched, ServerMock } from '../../../src/core/replay/serverMock';
import { connect, readAll, startServer, type TestServer, waitFor } from '../helpers/net';
import { frame, scriptOf } from './replayHelpers';

/** A client that sends lines one at a time and gathers what comes back. */
async function client(port: number) {
  const s = await connect(port);
  let got = '';
  s.on('data', (c: Buffer) => (got += c.toString('latin1')));
  const done = readAll(s);
  return {
    socket: s,
    got: () => got,
    /** Sends and waits until the replies end with `until`. */
    ask: async (line: string, until: string | RegExp) => {
      const before = got.length;
      s.write(line);
      await waitFor(
        () =>
          typeof until === 'string'
            ? got.slice(before).endsWith(until)
            : until.test(got.slice(before)),
        `reply to ${JSON.stringify(line)}`,
        5000,
      );
      return got.slice(before);
    },
    end: async () => {
      s.end();
      await done;
      return got;
    },
  };
}

const SMTP_LIKE: CaptureEvent[] = [
  { e: 'open', conn: 1, t: 0 },
  frame(1, 's2c', 100, '220 mx ready\r\n'),
  frame(1, 'c2s', 200, 'HELO a\r\n'),
  frame(1, 's2c', 300, '250 hi a\r\n'),
  frame(1, 'c2s', 400, 'COUNT\r\n'),
  frame(1, 's2c', 500, '1\r\n'),
  frame(1, 'c2s', 600, 'COUNT\r\n'),
  frame(1, 's2c', 700, '2\r\n'),
  frame(1, 'c2s', 800, 'STAMP 2026-11-25T03:54:12Z\r\n'),
  frame(1, 's2c', 900, 'stamped\r\n'),
  frame(1, 'c2s', 1000, 'QUIT\r\n'),
  frame(1, 's2c', 1100, '221 bye\r\n'),
  { e: 'close', conn: 1, t: 1200 },
];

describe('server mock', function () {
  this.timeout(20_000);
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0).reverse()) await s();
  });
  const start = async (events: CaptureEvent[], options: Parameters<typeof ServerMock.start>[1]) => {
    const mock = await ServerMock.start(await scriptOf(events), options);
    stops.push(() => mock.stop());
    const seen: MockExchange[] = [];
    mock.onDidExchange((x) => seen.push(x));
    return { mock, seen };
  };

  it('greets first, then answers in recorded order: a repeated request gets each answer', async () => {
    const { mock, seen } = await start(SMTP_LIKE, { listen: '0', masks: ['date'] });
    const c = await client(mock.listen.port);
    await waitFor(() => c.got() === '220 mx ready\r\n', 'the greeting');
    assert.equal(await c.ask('HELO a\r\n', '\r\n'), '250 hi a\r\n');
    assert.equal(await c.ask('COUNT\r\n', '\r\n'), '1\r\n');
    assert.equal(await c.ask('COUNT\r\n', '\r\n'), '2\r\n');
    // Asked more often than recorded: the last recorded answer again.
    assert.equal(await c.ask('COUNT\r\n', '\r\n'), '2\r\n');
    // Another date than recorded: matches through the date mask.
    assert.equal(await c.ask('STAMP 2027-01-02T10:11:12Z\r\n', '\r\n'), 'stamped\r\n');
    assert.equal(await c.ask('QUIT\r\n', '\r\n'), '221 bye\r\n');
    await c.end();
    assert.deepEqual(
      seen.map((x) => [x.outcome, x.recorded?.index, x.masked === true]),
      [
        ['matched', 1, false],
        ['matched', 2, false],
        ['matched', 3, false],
        ['matched', 3, false],
        ['matched', 4, true],
        ['matched', 5, false],
      ],
    );
  });

  it('unmatched requests: close by default, or a configured reply', async () => {
    const closing = await start(SMTP_LIKE, { listen: '0' });
    const c = await client(closing.mock.listen.port);
    await waitFor(() => c.got().length > 0, 'the greeting');
    c.socket.write('BOGUS\r\n');
    assert.equal(await c.end(), '220 mx ready\r\n', 'closed without an answer');
    assert.equal(closing.seen[0].outcome, 'close');

    const replying = await start(SMTP_LIKE, {
      listen: '0',
      unmatched: parseUnmatched('reply:500 not recorded\\r\\n'),
    });
    const r = await client(replying.mock.listen.port);
    await waitFor(() => r.got().length > 0, 'the greeting');
    assert.equal(await r.ask('BOGUS\r\n', '\r\n'), '500 not recorded\r\n');
    assert.equal(await r.ask('HELO a\r\n', '\r\n'), '250 hi a\r\n', 'and goes on');
    // Unmatched, it names the recorded request it differs from least, and how.
    await r.ask('STAMP 2026-12-05T20:00:00Z\r\n', '\r\n');
    const stamp = replying.seen.find((x) => x.request.toString().startsWith('STAMP'));
    assert.deepEqual(stamp?.nearest, {
      conn: 1,
      index: 4,
      diff: 'STAMP 2026-[-11-]{+12+}-[-25T03-]{+05T20+}:[-54-]{+00+}:[-12Z-]{+00Z+}\\r\\n',
    });
    assert.equal(replying.seen[0].nearest, undefined, 'BOGUS looks like nothing recorded');
    await r.end();
  });

  it('hybrid: unrecorded requests go to a real upstream, whose greeting is dropped', async () => {
    let upstreamLines: string[] = [];
    const upstream: TestServer = await startServer((s: net.Socket) => {
      s.write('220 real server\r\n');
      s.on('data', (d: Buffer) => {
        for (const line of d.toString().split('\r\n').filter(Boolean)) {
          upstreamLines.push(line);
          s.write(`250 real ${line}\r\n`);
        }
      });
    });
    stops.push(() => upstream.close());
    const { mock, seen } = await start(SMTP_LIKE, {
      listen: '0',
      unmatched: `upstream:127.0.0.1:${upstream.port}`,
    });
    const c = await client(mock.listen.port);
    await waitFor(() => c.got() === '220 mx ready\r\n', 'the recorded greeting');
    assert.equal(await c.ask('HELO a\r\n', '\r\n'), '250 hi a\r\n');
    assert.equal(await c.ask('VRFY bob\r\n', '\r\n'), '250 real VRFY bob\r\n');
    assert.equal(await c.ask('COUNT\r\n', '\r\n'), '1\r\n');
    assert.equal(await c.ask('EXPN x\r\n', '\r\n'), '250 real EXPN x\r\n');
    const all = await c.end();
    assert.ok(!all.includes('220 real server'), 'the upstream greeting never reaches the client');
    assert.deepEqual(upstreamLines, ['VRFY bob', 'EXPN x']);
    assert.deepEqual(
      seen.map((x) => x.outcome),
      ['matched', 'upstream', 'matched', 'upstream'],
    );
    upstreamLines = [];
  });

  it('hybrid with an upstream that refuses: the error is reported, the client closed', async () => {
    const gone = await startServer(() => undefined);
    const port = gone.port;
    await gone.close();
    const { mock } = await start(SMTP_LIKE, {
      listen: '0',
      unmatched: `upstream:127.0.0.1:${port}`,
    });
    const errors: string[] = [];
    mock.onDidError((e) => errors.push(e.message));
    const c = await client(mock.listen.port);
    await waitFor(() => c.got().length > 0, 'the greeting');
    c.socket.write('VRFY bob\r\n');
    assert.equal(await c.end(), '220 mx ready\r\n');
    assert.equal(errors.length, 1);
    assert.match(errors[0], /refused the connection/);
  });

  it('each new client plays the next recorded connection; --timing recorded waits', async () => {
    const events: CaptureEvent[] = [
      { e: 'open', conn: 1, t: 0 },
      frame(1, 'c2s', 10, 'WHO\r\n'),
      frame(1, 's2c', 200_000, 'first\r\n'),
      { e: 'open', conn: 2, t: 50 },
      frame(2, 'c2s', 60, 'WHO\r\n'),
      frame(2, 's2c', 70, 'second\r\n'),
    ];
    const { mock } = await start(events, { listen: '0', speed: 1 });
    const one = await client(mock.listen.port);
    const started = performance.now();
    assert.equal(await one.ask('WHO\r\n', '\r\n'), 'first\r\n');
    assert.ok(performance.now() - started >= 180, 'answered after the recorded latency');
    const two = await client(mock.listen.port);
    assert.equal(await two.ask('WHO\r\n', '\r\n'), 'second\r\n');
    const three = await client(mock.listen.port);
    assert.equal(await three.ask('WHO\r\n', '\r\n'), 'first\r\n', 'round robin');
    await Promise.all([one.end(), two.end(), three.end()]);
  });

  it('refuses what it cannot serve, and says why', async () => {
    await assert.rejects(
      scriptOf([frame(1, 'c2s', 1, 'A\r\n')]).then((s) => ServerMock.start(s, { listen: '0' })),
      /the capture has no server frames: nothing to answer with/,
    );
    await assert.rejects(
      scriptOf([]).then((s) => ServerMock.start(s, { listen: '0' })),
      /holds no frames: nothing to serve/,
    );
    assert.throws(
      () => parseUnmatched('drop'),
      /bad unmatched policy "drop": use close, reply:TEXT/,
    );
    const { mock } = await start(SMTP_LIKE, { listen: '0' });
    await assert.rejects(
      scriptOf(SMTP_LIKE).then((s) => ServerMock.start(s, { listen: String(mock.listen.port) })),
      /already in use/,
    );
  });
});
