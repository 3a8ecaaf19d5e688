import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateLinetap, extensionId, workspaceFolder } from '../helpers';

describe('activation (smoke)', () => {
  it('runs inside a real extension host with the fixture folder open', async () => {
    const folder = workspaceFolder();
    const readme = vscode.Uri.joinPath(folder.uri, 'README.md');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(readme));
    assert.match(text, /Linetap test workspace/);
    assert.ok(vscode.version.startsWith('1.'), `vscode.version is ${vscode.version}`);
  });

  it(`activates ${extensionId} and returns API version 1`, async () => {
    const extension = await activateLinetap();
    assert.equal(extension.isActive, true);
    assert.equal(extension.exports.apiVersion, 1);
    assert.equal(extension.packageJSON.publisher, 'linetap');
  });
});
