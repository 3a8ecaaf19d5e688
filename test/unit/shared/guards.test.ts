import * as assert from 'node:assert/strict';
import { isHostToWebview, isWebviewToHost } from '../../../src/shared/guards';
import { MAX_ROWS } from '../../../src/shared/protocol';

describe('message guards', () => {
  it('accepts every well-formed webview message', () => {
    const bytes = new Uint8Array([1, 2]);
    for (const m of [
      { type: 'ready' },
      { type: 'getRows', requestId: 1, pos: 0, count: MAX_ROWS },
      { type: 'getDetail', requestId: 2, index: 7 },
      { type: 'setFilter', filter: 'c2s name:SET' },
      { type: 'resend', index: 3, newConnection: false },
      { type: 'note', index: 3, text: 'slow here' },
      { type: 'push', conn: 1, dir: 's2c', bytes },
      { type: 'copy', index: 0, format: 'base64' },
      { type: 'openDiff', index: 4, exact: false },
      { type: 'openDiff', index: 0, exact: true },
      { type: 'closeConnection', conn: 2 },
      { type: 'command', command: 'exportPcapng' },
      { type: 'setBreakpoint', filter: '' },
      { type: 'settleHeld', id: 9, action: 'edit', bytes },
      { type: 'settleHeld', id: 9, action: 'drop' },
    ])
      assert.ok(isWebviewToHost(m), JSON.stringify(m));
  });

  it('rejects anything else: unknown types, wrong fields, hostile values', () => {
    for (const m of [
      null,
      'ready',
      [],
      { type: 'eval', code: 'x' },
      { type: 'getRows', requestId: 1, pos: -1, count: 1 },
      { type: 'getRows', requestId: 1, pos: 0, count: MAX_ROWS + 1 },
      { type: 'getRows', requestId: 1.5, pos: 0, count: 1 },
      { type: 'getDetail', requestId: 1, index: '3' },
      { type: 'setFilter', filter: 'x'.repeat(10_001) },
      { type: 'push', conn: 1, dir: 'up', bytes: new Uint8Array() },
      { type: 'push', conn: 1, dir: 'c2s', bytes: [1, 2] },
      { type: 'copy', index: 0, format: 'html' },
      { type: 'command', command: 'workbench.action.terminal.new' },
      { type: 'settleHeld', id: 1, action: 'edit' },
      { type: 'resend', index: 1 },
      { type: 'openDiff', index: 1 },
      { type: 'openDiff', index: -1, exact: false },
      { type: 'openDiff', index: 1, exact: 'yes' },
    ])
      assert.equal(isWebviewToHost(m), false, JSON.stringify(m));
  });

  it('checks host messages on the webview side too', () => {
    assert.ok(isHostToWebview({ type: 'notice', level: 'info', message: 'x' }));
    assert.ok(isHostToWebview({ type: 'rows', requestId: 1, pos: 0, rows: [] }));
    assert.equal(isHostToWebview({ type: 'notice', level: 'debug', message: 'x' }), false);
    assert.equal(isHostToWebview({ type: 'status', status: { total: -1, matched: 0 } }), false);
  });
});
