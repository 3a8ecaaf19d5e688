import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ChatServer } from '../../../src/demo/chatServer';
import { linetap } from './linetap';

describe('proxy profiles in an untrusted workspace', function () {
  let chat: ChatServer;
  let settingsFile: string;
  before(async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'this suite runs in the untrusted run');
    chat = await ChatServer.listen(0);
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    settingsFile = path.join(folder, '.vscode', 'settings.json');
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(
      settingsFile,
      JSON.stringify({
        'linetap.profiles': [
          { name: 'from the workspace', listen: '0', upstream: `127.0.0.1:${chat.port}` },
        ],
        'linetap.startOnOpen': ['from the workspace'],
        // Not restricted: it shows when VS Code has read the file.
        'linetap.limits.ringFrames': 1234,
      }),
    );
    // Wait until VS Code has read the file.
    const until = Date.now() + 15_000;
    while (Date.now() < until) {
      if (vscode.workspace.getConfiguration('linetap').get('limits.ringFrames') === 1234) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    fs.rmSync(path.dirname(settingsFile), { recursive: true, force: true });
    await chat.close();
  });

  it('ignores profiles the workspace defines: none starts, even by name', async () => {
    const api = await linetap();
    const config = vscode.workspace.getConfiguration('linetap');
    assert.equal(config.get('limits.ringFrames'), 1234, 'VS Code read the workspace settings');
    assert.deepEqual(config.get('profiles'), [], 'restricted: the workspace value is not used');
    assert.equal(
      await vscode.commands.executeCommand('linetap.startProxy', 'from the workspace'),
      undefined,
    );
    assert.deepEqual(api.proxies(), []);
  });
});
