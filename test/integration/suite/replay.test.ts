import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ReplayReport } from '../../../src/core/replay/replayReport';
import type { ReplayPanelInfo } from '../../../src/extension/api';
import { connect } from '../../unit/helpers/net';
import { run, startRedis, type Peer } from '../../unit/helpers/peers';
import { resetWindow, waitFor } from '../helpers';
import { linetap, stopAll } from './linetap';

const portOf = (listen: string) => Number(listen.slice(listen.lastIndexOf(':') + 1));

/** redis-cli with the command as arguments; resolves with what it printed. */
async function cli(port: number, ...command: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(port), ...command]);
  return stdout.trim();
}

/** The tab of a diff of two replay documents, in any group (it opens beside the panel). */
function replayDiffTab(): { input: vscode.TabInputTextDiff; label: string } | undefined {
  for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
    const input = tab.input;
    if (input instanceof vscode.TabInputTextDiff && input.original.scheme === 'linetap-replay')
      return { input, label: tab.label };
  }
  return undefined;
}

/** The tab of the replay panel with this title. */
function replayPanelTab(title: string): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .find(
      (t) =>
        t.label === title &&
        t.input instanceof vscode.TabInputWebview &&
        t.input.viewType.endsWith('linetap.replayPanel'),
    );
}

/** The newest replay the API keeps. */
async function lastReplay(): Promise<ReplayPanelInfo> {
  const replays = (await linetap()).replays();
  assert.ok(replays.length > 0, 'a replay is kept');
  return replays[replays.length - 1];
}

/** Rows of a replay's panel as `dir outcome summary`, requests without an outcome. */
function rowsOf(replay: ReplayPanelInfo): string[] {
  return replay.rows().map((r) => `${r.dir} ${r.outcome ?? '-'} ${r.summary}`);
}

describe('Replay Capture and Start Mock, against redis-server', function () {
  let redis: Peer;
  let dir: string;
  let capture: string;

  // Records `GET greeting` and `STRLEN greeting`, each from its own redis-cli, through a proxy.
  before(async function () {
    redis = await startRedis();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-it-replay-'));
    assert.equal(await cli(redis.port, 'SET', 'greeting', 'hello'), 'OK');
    const api = await linetap();
    const proxy = await api.startProxy({
      name: 'redis to replay',
      listen: '0',
      upstream: `127.0.0.1:${redis.port}`,
      framing: 'redis',
    });
    assert.equal(await cli(portOf(proxy.listen), 'GET', 'greeting'), 'hello');
    assert.equal(await cli(portOf(proxy.listen), 'STRLEN', 'greeting'), '5');
    await waitFor(() => api.connections(proxy.id).length === 0, { what: 'both clients closed' });
    capture = path.join(dir, 'redis.linetap');
    assert.equal(
      await vscode.commands.executeCommand('linetap.saveCapture', {
        proxyId: proxy.id,
        target: capture,
      }),
      capture,
    );
    await stopAll();
  });
  after(async () => {
    await redis?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await resetWindow();
  });

  it('replays the capture of the active viewer: every exchange matches', async () => {
    await linetap();
    assert.ok(await vscode.commands.executeCommand('linetap.openCapture', capture));
    await waitFor(
      () =>
        vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputCustom,
      { what: 'the capture viewer' },
    );
    // No capture argument: the command takes the active viewer's file.
    const report = await vscode.commands.executeCommand<ReplayReport>('linetap.replayCapture', {
      target: `127.0.0.1:${redis.port}`,
    });
    assert.ok(report, 'the command returns the report');
    assert.equal(report.target, `127.0.0.1:${redis.port}`);
    assert.equal(report.errors, 0);
    assert.equal(report.cancelled, false);
    assert.equal(report.connections.length, 2);
    assert.deepEqual(report.counts, {
      exchanges: 2,
      matched: 2,
      differs: 0,
      missing: 0,
      extra: 0,
    });

    // Its panel: titled with the capture and the target, each answer marked matched.
    const replay = await lastReplay();
    const title = `Replay of redis.linetap against 127.0.0.1:${redis.port}`;
    assert.equal(replay.title, title);
    assert.ok(replay.open, 'the panel is open');
    await waitFor(() => replayPanelTab(title), { what: 'the replay panel tab' });
    assert.deepEqual(rowsOf(replay), [
      'c2s - GET greeting',
      's2c matched $5 "hello"',
      'c2s - STRLEN greeting',
      's2c matched :5',
    ]);
    assert.match(
      replay.summary ?? '',
      /^Replay of redis\.linetap against .*: all 2 exchanges matched\.$/,
    );
  });

  it('reports the changed value as a difference and opens its diff, masks applied', async () => {
    assert.equal(await cli(redis.port, 'SET', 'greeting', 'bonjour'), 'OK');
    try {
      const report = await vscode.commands.executeCommand<ReplayReport>('linetap.replayCapture', {
        capture,
        target: `127.0.0.1:${redis.port}`,
        masks: [':\\d+'],
      });
      assert.ok(report);
      assert.deepEqual(
        report.counts,
        { exchanges: 2, matched: 1, differs: 1, missing: 0, extra: 0 },
        'GET differs; STRLEN (:5 then :7) matches through the mask',
      );
      const get = report.connections
        .flatMap((c) => c.exchanges)
        .find((x) => x.status !== 'matched');
      assert.equal(get?.summary?.startsWith('GET'), true, get?.summary);
      assert.equal(get?.frames[0].expected?.toString('latin1'), '$5\r\nhello\r\n');
      assert.equal(get?.frames[0].actual?.toString('latin1'), '$7\r\nbonjour\r\n');

      // The panel marks the GET's answer as differing and STRLEN's as matching through the mask.
      const replay = await lastReplay();
      assert.deepEqual(rowsOf(replay), [
        'c2s - GET greeting',
        's2c differs $7 "bonjour"',
        'c2s - STRLEN greeting',
        's2c matched :7',
      ]);
      assert.match(replay.summary ?? '', /1 of 2 exchanges do not match \(1 differ\)/);
      const [, bonjour, , seven] = replay.rows();
      const detail = replay.detail(bonjour.index);
      assert.equal(Buffer.from(detail!.bytes).toString('latin1'), '$7\r\nbonjour\r\n');
      assert.equal(detail?.replay?.outcome, 'differs');
      assert.equal(Buffer.from(detail!.replay!.recorded!).toString('latin1'), '$5\r\nhello\r\n');
      assert.equal(detail?.pair?.summary, 'GET greeting', 'its request is its pair');
      assert.equal(replay.detail(seven.index)?.replay?.masked, true);

      // From the differing frame, as its Open Diff button does: the diff editor, masks applied.
      await replay.openDiff(bonjour.index);
      const diff = await waitFor(() => replayDiffTab(), { what: 'the diff of the GET exchange' });
      await waitFor(
        () =>
          vscode.window.visibleTextEditors.filter((e) => e.document.uri.scheme === 'linetap-replay')
            .length === 2,
        { what: 'both sides of the diff shown' },
      );
      assert.match(diff.label, /GET/);
      assert.match(diff.label, /masks applied: :\\d\+/);
      const recorded = await vscode.workspace.openTextDocument(diff.input.original);
      const live = await vscode.workspace.openTextDocument(diff.input.modified);
      assert.match(recorded.getText(), /^← \$5\\r\\n$/m, 'escapes visible, one protocol line each');
      assert.match(recorded.getText(), /^ {2}hello\\r\\n$/m);
      assert.match(live.getText(), /^ {2}bonjour\\r\\n$/m);
      assert.match(live.getText(), /^→ \*2\\r\\n\$3\\r\\nGET\\r\\n/m, 'the request heads both');
      // A request was not compared: there is no diff to open from it.
      await assert.rejects(replay.openDiff(replay.rows()[0].index), /only a frame from the server/);
    } finally {
      await cli(redis.port, 'SET', 'greeting', 'hello');
    }
  });

  it('serves the capture as a mock: redis-cli gets the recorded answers, the rest goes upstream', async () => {
    assert.equal(await cli(redis.port, 'SET', 'other', 'from the real server'), 'OK');
    const listen = await vscode.commands.executeCommand<string>('linetap.startMock', {
      capture,
      listen: '0',
      unmatched: `upstream:127.0.0.1:${redis.port}`,
    });
    assert.match(listen ?? '', /^127\.0\.0\.1:\d+$/);
    const port = portOf(listen!);
    assert.notEqual(port, 0);
    // The real server now answers otherwise; the mock answers what was recorded.
    await cli(redis.port, 'SET', 'greeting', 'changed on the server');
    try {
      assert.equal(await cli(port, 'GET', 'greeting'), 'hello');
      assert.equal(await cli(port, 'STRLEN', 'greeting'), '5');
      assert.equal(await cli(port, 'GET', 'other'), 'from the real server');
    } finally {
      await cli(redis.port, 'SET', 'greeting', 'hello');
    }
    assert.equal(await vscode.commands.executeCommand('linetap.stopMock', listen), listen);
    await assert.rejects(connect(port), /ECONNREFUSED/);
  });

  it('refuses a bad target or mask with an error, and sends nothing', async () => {
    assert.equal(
      await vscode.commands.executeCommand('linetap.replayCapture', {
        capture,
        target: 'no-port-here',
      }),
      undefined,
    );
    assert.equal(
      await vscode.commands.executeCommand('linetap.replayCapture', {
        capture,
        target: `127.0.0.1:${redis.port}`,
        masks: ['(unclosed'],
      }),
      undefined,
    );
    assert.equal(
      await vscode.commands.executeCommand('linetap.startMock', {
        capture,
        listen: '0',
        unmatched: 'shrug',
      }),
      undefined,
    );
  });
});

describe('Replay Capture in an untrusted workspace (npm run test:integration -- --untrusted)', function () {
  before(function () {
    assert.equal(vscode.workspace.isTrusted, false, 'this suite runs in the untrusted run');
  });

  it('asks before contacting a target, even one given as an argument; cancelled, sends nothing', async () => {
    let contacted = 0;
    const server = net.createServer((s) => {
      contacted++;
      s.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linetap-it-untrusted-'));
    const file = path.join(dir, 'ping.linetap');
    fs.writeFileSync(
      file,
      [
        `{"linetap":1,"created":"2026-01-01T00:00:00.000Z","listen":"127.0.0.1:7000","upstream":"127.0.0.1:${port}","framing":{"c2s":"line","s2c":"line"}}`,
        '{"e":"open","c":1,"t":0,"peer":"127.0.0.1:50000"}',
        '{"e":"frame","c":1,"d":">","t":10,"text":"PING\\n"}',
        '{"e":"frame","c":1,"d":"<","t":20,"text":"PONG\\n"}',
        '{"e":"close","c":1,"t":30}',
        '',
      ].join('\n'),
    );
    try {
      // Under test, VS Code answers modal dialogs itself with their cancel button.
      const report = await vscode.commands.executeCommand('linetap.replayCapture', {
        capture: file,
        target: `127.0.0.1:${port}`,
      });
      assert.equal(report, undefined, 'not confirmed, so not replayed');
      const mock = await vscode.commands.executeCommand('linetap.startMock', {
        capture: file,
        listen: '0',
        unmatched: `upstream:127.0.0.1:${port}`,
      });
      assert.equal(mock, undefined, 'a hybrid mock is confirmed too');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(contacted, 0, 'no connection before the user confirms');
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
