// A replay's traffic as the panel shows it: real replays against loopback servers and a real
// redis-server, fed to ReplayTraffic, read back as rows and details the way the panel asks.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { replayScript } from '../../../src/core/replay/clientReplay';
import { parseMasks } from '../../../src/core/replay/masks';
import { ReplayTraffic } from '../../../src/core/replay/replayTraffic';
import { DIFFERENCES_FILTER, type FrameRow } from '../../../src/shared/protocol';
import type { TestServer } from '../helpers/net';
import { run, startRedis, type Peer } from '../helpers/peers';
import { conversation, lineServer, record, scriptOf, tempDir } from './replayHelpers';

const text = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('latin1');

/** Every row of the table under its filter, as the panel fetches them. */
function allRows(traffic: ReplayTraffic): FrameRow[] {
  return traffic.table.rows(0, traffic.table.matched);
}

describe('replay traffic for the panel', function () {
  this.timeout(30_000);
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  it('lists requests and answers in order, each answer with its outcome, missing ones as placeholders', async () => {
    const server = await lineServer(
      (line) => (line === 'GET' ? 'bye\r\n' : line === 'TWO' ? 'one\r\n' : 'x\r\ny\r\n'),
      (s) => s.write('hi\r\n'),
    );
    servers.push(server);
    const script = await scriptOf(
      conversation(
        1,
        [
          ['GET\r\n', ['hello world\r\n']],
          ['TWO\r\n', ['one\r\n', 'two\r\n']],
          ['ONE\r\n', ['x\r\n']],
        ],
        { greeting: ['hi\r\n'] },
      ),
    );
    const traffic = new ReplayTraffic({ masks: [] });
    await replayScript(script, {
      target: `127.0.0.1:${server.port}`,
      timeoutMs: 300,
      onFrame: traffic.frame,
      onProgress: traffic.progress,
    });
    const rows = allRows(traffic);
    assert.deepEqual(
      rows.map((r) => [r.dir, r.dir === 's2c' ? r.outcome : '-', r.summary]),
      [
        ['s2c', 'matched', 'hi\\r\\n'],
        ['c2s', '-', 'GET\\r\\n'],
        ['s2c', 'differs', 'bye\\r\\n'],
        ['c2s', '-', 'TWO\\r\\n'],
        ['s2c', 'matched', 'one\\r\\n'],
        ['s2c', 'missing', '(not received) two\\r\\n'],
        ['c2s', '-', 'ONE\\r\\n'],
        ['s2c', 'matched', 'x\\r\\n'],
        ['s2c', 'extra', 'y\\r\\n'],
      ],
    );
    assert.ok(
      rows.every((r, i) => i === 0 || r.id > rows[i - 1].id),
      'ids ascend in list order',
    );
    assert.equal(rows[5].size, 0, 'a placeholder has no bytes');
    // Every answer points at the request of its exchange; the greeting at none.
    assert.equal(rows[0].re, undefined);
    assert.equal(rows[2].re, rows[1].id);
    assert.equal(rows[5].re, rows[3].id);
    assert.equal(rows[8].re, rows[6].id);

    // The bytes that crossed, each direction in order, are the rows' bytes.
    const bytesOf = (dir: string) =>
      rows
        .filter((r) => r.dir === dir)
        .map((r) => text(traffic.table.get(r.index)?.bytes))
        .join('');
    assert.equal(bytesOf('c2s'), 'GET\r\nTWO\r\nONE\r\n');
    assert.equal(bytesOf('s2c'), 'hi\r\nbye\r\none\r\nx\r\ny\r\n');

    const differs = traffic.table.detail(rows[2].index);
    assert.equal(differs?.row.outcome, 'differs');
    assert.equal(differs?.replay?.outcome, 'differs');
    assert.equal(differs?.replay?.exchange, 'conn 1 #1');
    assert.equal(text(differs?.replay?.recorded), 'hello world\r\n');
    assert.equal(differs?.replay?.recordedSize, 13);
    assert.equal(Buffer.isBuffer(differs?.replay?.recorded), false, 'plain bytes for postMessage');
    assert.deepEqual(differs?.replay?.diff, [
      { op: 'removed', text: 'hello world' },
      { op: 'added', text: 'bye' },
      { op: 'same', text: '\\r\\n' },
    ]);
    assert.equal(differs?.pair?.id, rows[1].id, 'the request is its pair');
    const missing = traffic.table.detail(rows[5].index);
    assert.equal(text(missing?.replay?.recorded), 'two\r\n');
    assert.match(missing?.replay?.note ?? '', /only 1 of 2 frames after waiting 300 ms/);
    const extra = traffic.table.detail(rows[8].index);
    assert.equal(extra?.replay?.outcome, 'extra');
    assert.equal(extra?.replay?.recorded, undefined);
    assert.equal(
      traffic.table.detail(rows[1].index)?.replay,
      undefined,
      'requests are not compared',
    );

    // The differences, and only them, through the filter the panel's toggle sets.
    traffic.table.setFilter(DIFFERENCES_FILTER);
    assert.deepEqual(
      allRows(traffic).map((r) => r.outcome),
      ['differs', 'missing', 'extra'],
    );
    traffic.table.setFilter('replay:matched');
    assert.equal(traffic.table.matched, 3);

    assert.deepEqual(traffic.connections(), [
      { conn: 1, peer: `127.0.0.1:${server.port}`, open: false, bytes: { c2s: 15, s2c: 20 } },
    ]);
  });

  it('a request never sent leaves its recorded answers as missing rows', async () => {
    const server = await lineServer((line, s) => {
      if (line === 'QUIT') s.end('bye\r\n');
      return undefined;
    });
    servers.push(server);
    const script = await scriptOf(
      conversation(1, [
        ['QUIT\r\n', ['bye\r\n', 'really\r\n']],
        ['AFTER\r\n', ['+AFTER\r\n']],
      ]),
    );
    const traffic = new ReplayTraffic({ masks: [] });
    await replayScript(script, {
      target: `127.0.0.1:${server.port}`,
      onFrame: traffic.frame,
      onProgress: traffic.progress,
    });
    const rows = allRows(traffic);
    assert.deepEqual(
      rows.map((r) => [r.dir, r.outcome, r.summary]),
      [
        ['c2s', undefined, 'QUIT\\r\\n'],
        ['s2c', 'matched', 'bye\\r\\n'],
        ['s2c', 'missing', '(not received) really\\r\\n'],
        ['s2c', 'missing', '(not received) +AFTER\\r\\n'],
      ],
    );
    assert.equal(rows[2].re, rows[0].id);
    assert.match(
      traffic.table.detail(rows[2].index)?.replay?.note ?? '',
      /the server closed the connection after 1 of 2 frames/,
    );
    assert.equal(rows[3].re, undefined, 'its request was never sent');
    const d = traffic.table.detail(rows[3].index);
    assert.match(d?.replay?.note ?? '', /not sent: 127\.0\.0\.1:\d+ closed the connection/);
  });

  describe('against redis-server', () => {
    let redis: Peer;
    const dir = tempDir();
    before(async () => {
      redis = await startRedis();
    });
    after(async () => {
      await redis?.stop();
      dir.cleanup();
    });

    it('answers keep their RESP annotation, pair by the protocol, and compare through masks', async () => {
      const cli = (...args: string[]) => run('redis-cli', ['-p', String(redis.port), ...args]);
      await cli('SET', 'greeting', 'hello');
      const script = await record(
        redis,
        'redis',
        path.join(dir.dir, 'redis.linetap'),
        async (port) => {
          await run('redis-cli', ['-p', String(port), 'GET', 'greeting']);
          await run('redis-cli', ['-p', String(port), 'STRLEN', 'greeting']);
        },
        2,
      );
      await cli('SET', 'greeting', 'bonjour');
      const traffic = new ReplayTraffic({ masks: [':\\d+'] });
      const report = await replayScript(script, {
        target: `127.0.0.1:${redis.port}`,
        masks: parseMasks([':\\d+']),
        onFrame: traffic.frame,
        onProgress: traffic.progress,
      });
      assert.deepEqual(report.counts, {
        exchanges: 2,
        matched: 1,
        differs: 1,
        missing: 0,
        extra: 0,
      });
      const rows = allRows(traffic);
      const get = rows.find((r) => r.dir === 'c2s' && r.name === 'GET');
      const bonjour = rows.find((r) => r.outcome === 'differs');
      assert.ok(get && bonjour, JSON.stringify(rows));
      assert.match(bonjour.summary, /bonjour/);
      assert.equal(bonjour.re, get.id, 'paired by the RESP framer');
      assert.equal(typeof bonjour.latency, 'number');
      const d = traffic.table.detail(bonjour.index);
      assert.equal(text(d?.replay?.recorded), '$5\r\nhello\r\n');
      assert.deepEqual(d?.replay?.masks, [':\\d+']);
      const strlen = rows.find((r) => r.dir === 's2c' && r.outcome === 'matched');
      const masked = traffic.table.detail(strlen!.index);
      assert.equal(masked?.replay?.masked, true, ':5 and :7 match through the mask');
      assert.equal(text(masked?.bytes), ':7\r\n');
    });
  });
});
