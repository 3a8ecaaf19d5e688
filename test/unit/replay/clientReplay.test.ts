// Client replay against real loopback servers: what matches, what differs, what is missing or
// extra, timeouts, refusals, a server closing early, and bytes kept exact.
import * as assert from 'node:assert/strict';
import type * as net from 'node:net';
import { type ReplayProgress, replayScript } from '../../../src/core/replay/clientReplay';
import { replayExitCode } from '../../../src/core/replay/replayReport';
import type { TestServer } from '../helpers/net';
import { conversation, frame, lineServer, scriptOf } from './replayHelpers';

describe('client replay', function () {
  this.timeout(20_000);
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  const serve = async (...args: Parameters<typeof lineServer>) => {
    const s = await lineServer(...args);
    servers.push(s);
    return s;
  };

  it('a server that answers as recorded matches, exchange by exchange, with progress', async () => {
    const server = await serve(
      (line) => (line === 'LIST' ? 'a\r\nb\r\n' : `+${line}\r\n`),
      (s) => s.write('hello\r\n'),
    );
    const script = await scriptOf(
      conversation(
        1,
        [
          ['PING\r\n', ['+PING\r\n']],
          ['LIST\r\n', ['a\r\n', 'b\r\n']],
        ],
        {
          greeting: ['hello\r\n'],
        },
      ),
    );
    const progress: ReplayProgress[] = [];
    const report = await replayScript(script, {
      target: `127.0.0.1:${server.port}`,
      onProgress: (e) => progress.push(e),
    });
    assert.deepEqual(report.counts, { exchanges: 3, matched: 3, differs: 0, missing: 0, extra: 0 });
    assert.equal(replayExitCode(report), 0);
    assert.deepEqual(
      progress.map((e) => (e.type === 'exchange' ? `x${e.exchange.index}` : e.type)),
      ['connection-start', 'x0', 'x1', 'x2', 'connection-end'],
    );
    assert.equal(report.connections[0].status, 'matched');
  });

  it('reports differs with a diff, missing and extra frames, and exits 1', async () => {
    const server = await serve((line) =>
      line === 'GET' ? 'bye\r\n' : line === 'TWO' ? 'one\r\n' : 'x\r\ny\r\n',
    );
    const script = await scriptOf(
      conversation(1, [
        ['GET\r\n', ['hello world\r\n']],
        ['TWO\r\n', ['one\r\n', 'two\r\n']],
        ['ONE\r\n', ['x\r\n']],
      ]),
    );
    const report = await replayScript(script, {
      target: `127.0.0.1:${server.port}`,
      timeoutMs: 300,
    });
    const [get, two, one] = report.connections[0].exchanges;
    assert.equal(get.status, 'differs');
    assert.equal(get.summary, undefined);
    assert.equal(get.request?.toString(), 'GET\r\n');
    assert.deepEqual(get.frames[0].expected, Buffer.from('hello world\r\n'));
    assert.deepEqual(get.frames[0].actual, Buffer.from('bye\r\n'));
    assert.deepEqual(get.frames[0].diff?.parts, [
      { op: 'removed', text: 'hello world' },
      { op: 'added', text: 'bye' },
      { op: 'same', text: '\\r\\n' },
    ]);
    assert.equal(two.status, 'missing');
    assert.equal(two.timedOut, true);
    assert.match(two.note!, /only 1 of 2 frames after waiting 300 ms/);
    assert.deepEqual(
      two.frames.map((f) => f.status),
      ['matched', 'missing'],
    );
    assert.equal(one.status, 'extra');
    assert.deepEqual(
      one.frames.map((f) => [f.status, f.actual?.toString()]),
      [
        ['matched', 'x\r\n'],
        ['extra', 'y\r\n'],
      ],
    );
    assert.deepEqual(report.counts, { exchanges: 3, matched: 0, differs: 1, missing: 1, extra: 1 });
    assert.equal(replayExitCode(report), 1);
  });

  it('waits for the greeting before sending, as the recording did', async () => {
    // The server greets late and rejects anything said before its greeting.
    const server = await serve(
      (line, s) =>
        (s as net.Socket & { greeted?: boolean }).greeted ? `250 ${line}\r\n` : '554 too early\r\n',
      (s) =>
        setTimeout(() => {
          (s as net.Socket & { greeted?: boolean }).greeted = true;
          s.write('220 ready\r\n');
        }, 150),
    );
    const script = await scriptOf(
      conversation(1, [['HELO x\r\n', ['250 HELO x\r\n']]], { greeting: ['220 ready\r\n'] }),
    );
    const report = await replayScript(script, { target: `127.0.0.1:${server.port}` });
    assert.equal(report.counts.matched, 2, JSON.stringify(report.connections[0].exchanges));
  });

  it('a server that hangs: the timeout names the exchange, the rest is not sent', async () => {
    const server = await serve((line) => (line === 'FIRST' ? 'ok\r\n' : undefined));
    const script = await scriptOf(
      conversation(1, [
        ['FIRST\r\n', ['ok\r\n']],
        ['SECOND\r\n', ['ok\r\n']],
        ['THIRD\r\n', ['ok\r\n']],
        ['FOURTH\r\n', ['ok\r\n']],
      ]),
    );
    const started = performance.now();
    const report = await replayScript(script, {
      target: `127.0.0.1:${server.port}`,
      timeoutMs: 250,
    });
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 1500, `waits one timeout, not one per exchange (${elapsed} ms)`);
    const x = report.connections[0].exchanges;
    assert.deepEqual(
      x.map((e) => [e.index, e.status, e.note]),
      [
        [1, 'matched', undefined],
        [2, 'missing', 'no answer after waiting 250 ms'],
        [3, 'missing', 'not sent: no answer to exchange 2 in 250 ms'],
        [4, 'missing', 'not sent: no answer to exchange 2 in 250 ms'],
      ],
    );
    assert.equal(x[1].timedOut, true);
    assert.equal(x[2].notSent, true);
  });

  it('an answer cut off mid-frame shows what came, flagged partial; no byte is lost', async () => {
    // Ends inside what could be a CRLF: the framer holds the \r back, and it is still reported.
    const sent = Buffer.from([0x6f, 0x6b, 0x0d, 0x0a, 0x56, 0xff, 0x00, 0x0d]);
    const server = await serve((line) => (line === 'A' ? sent : undefined));
    const script = await scriptOf(conversation(1, [['A\r\n', ['ok\r\n', 'V\r\n']]]));
    const report = await replayScript(script, {
      target: `127.0.0.1:${server.port}`,
      timeoutMs: 200,
    });
    const frames = report.connections[0].exchanges[0].frames;
    assert.deepEqual(
      frames.map((f) => [f.status, f.partial === true]),
      [
        ['matched', false],
        ['differs', true],
      ],
    );
    assert.deepEqual(Buffer.concat(frames.map((f) => f.actual!)), sent);
  });

  it('a target that refuses is an error of that connection, in words; exit 2', async () => {
    const closed = await serve(() => undefined);
    const port = closed.port;
    await closed.close();
    servers.splice(0);
    const script = await scriptOf(conversation(1, [['A\r\n', ['a\r\n']]]), {
      upstream: `127.0.0.1:${port}`,
    });
    // No target given: the recorded upstream is used.
    const report = await replayScript(script);
    assert.equal(report.target, `127.0.0.1:${port}`);
    assert.equal(report.connections[0].status, 'error');
    assert.match(report.connections[0].error!, /refused the connection: is the server running/);
    assert.equal(report.errors, 1);
    assert.equal(replayExitCode(report), 2);
  });

  it('a server that closes early: its last answers are missing, later requests not sent', async () => {
    const server = await serve((line, s) => {
      if (line === 'QUIT') s.end('bye\r\n');
      return line === 'QUIT' ? undefined : `+${line}\r\n`;
    });
    const script = await scriptOf(
      conversation(1, [
        ['QUIT\r\n', ['bye\r\n', 'really\r\n']],
        ['AFTER\r\n', ['+AFTER\r\n']],
      ]),
    );
    const report = await replayScript(script, { target: `127.0.0.1:${server.port}` });
    const [quit, after] = report.connections[0].exchanges;
    assert.equal(quit.status, 'missing');
    assert.match(quit.note!, /the server closed the connection after 1 of 2 frames/);
    assert.equal(after.notSent, true);
    assert.match(after.note!, /not sent: 127\.0\.0\.1:\d+ closed the connection/);
    assert.match(report.connections[0].note!, /closed the connection/);
  });

  it('a capture with no client frames is an error that says so', async () => {
    const greetingOnly = await scriptOf([
      { e: 'open', conn: 1, t: 0 },
      frame(1, 's2c', 1, 'hi\r\n'),
    ]);
    await assert.rejects(
      replayScript(greetingOnly, { target: '127.0.0.1:1' }),
      /the capture has no client frames: nothing to send, so nothing to replay/,
    );
    const empty = await scriptOf([]);
    await assert.rejects(replayScript(empty, { target: '127.0.0.1:1' }), /holds no frames/);
  });
});
