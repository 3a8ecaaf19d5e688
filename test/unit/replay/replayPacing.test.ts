// Replay pacing and scheduling against a real loopback server: recorded gaps, scaled or not
// kept, connections one after another or overlapping, and cancelling through an AbortSignal.
import * as assert from 'node:assert/strict';
import { replayScript } from '../../../src/core/replay/clientReplay';
import { replayExitCode } from '../../../src/core/replay/replayReport';
import type { TestServer } from '../helpers/net';
import { conversation, lineServer, scriptOf } from './replayHelpers';

describe('replay pacing', function () {
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

  it('paces requests as recorded, scaled, or as fast as the answers come', async () => {
    const server = await serve((line) => `+${line}\r\n`);
    const target = `127.0.0.1:${server.port}`;
    // Requests recorded 150 ms apart.
    const script = await scriptOf(
      conversation(
        1,
        [
          ['A\r\n', ['+A\r\n']],
          ['B\r\n', ['+B\r\n']],
          ['C\r\n', ['+C\r\n']],
        ],
        { step: 150_000 },
      ),
    );
    const time = async (speed?: number) => {
      const started = performance.now();
      const report = await replayScript(script, { target, speed });
      assert.equal(report.counts.matched, 3);
      return performance.now() - started;
    };
    const asap = await time();
    const recorded = await time(1);
    const doubled = await time(2);
    assert.ok(recorded >= 440, `recorded pace keeps the gaps (${recorded} ms)`);
    assert.ok(doubled >= 215 && doubled < recorded - 100, `x2 halves them (${doubled} ms)`);
    assert.ok(asap < doubled, `asap waits only for answers (${asap} ms)`);
  });

  it('runs connections one after another, or overlapping as recorded', async () => {
    let open = 0;
    let most = 0;
    const server = await serve(
      (line) => `+${line}\r\n`,
      (s) => {
        most = Math.max(most, ++open);
        s.on('close', () => open--);
      },
    );
    const target = `127.0.0.1:${server.port}`;
    // Connection 2 opens while connection 1 is still talking.
    const script = await scriptOf([
      ...conversation(
        1,
        [
          ['A\r\n', ['+A\r\n']],
          ['B\r\n', ['+B\r\n']],
        ],
        { step: 200_000 },
      ),
      ...conversation(2, [['C\r\n', ['+C\r\n']]], { t0: 100_000, step: 10_000 }),
    ]);
    const sequential = await replayScript(script, { target, speed: 1 });
    assert.equal(sequential.counts.matched, 3);
    assert.equal(most, 1, 'sequential: one connection at a time');
    most = 0;
    const concurrent = await replayScript(script, { target, speed: 1, concurrent: true });
    assert.equal(concurrent.counts.matched, 3);
    assert.equal(most, 2, 'concurrent: the two overlap as recorded');
    assert.deepEqual(
      concurrent.connections.map((c) => c.conn),
      [1, 2],
    );
  });

  it('cancels on an AbortSignal and resolves with what was done', async () => {
    const server = await serve(() => undefined);
    const script = await scriptOf(
      conversation(1, [
        ['A\r\n', ['a\r\n']],
        ['B\r\n', ['b\r\n']],
      ]),
    );
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const started = performance.now();
    const report = await replayScript(script, {
      target: `127.0.0.1:${server.port}`,
      timeoutMs: 10_000,
      signal: abort.signal,
    });
    assert.ok(performance.now() - started < 2000);
    assert.equal(report.cancelled, true);
    assert.equal(report.connections[0].status, 'cancelled');
    assert.equal(report.connections[0].exchanges[0].note, 'cancelled');
    assert.equal(replayExitCode(report), 2);
  });
});
