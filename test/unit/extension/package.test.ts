import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('the packaged extension (vsce)', function () {
  this.timeout(120_000);

  it('ships the bundles, the icon, the manifest, README and LICENSE, and nothing else', () => {
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT });
    const vsce = path.join(ROOT, 'node_modules', '.bin', 'vsce');
    const listed = execFileSync(vsce, ['ls', '--no-dependencies'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('WARNING'))
      .sort();
    assert.deepEqual(listed, [
      'LICENSE',
      'README.md',
      'dist/codicon.ttf',
      'dist/extension.js',
      'dist/webview.css',
      'dist/webview.js',
      'media/linetap.svg',
      'package.json',
    ]);
  });
});
