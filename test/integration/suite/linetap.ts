/** What the integration tests share: the activated extension's API and small waits. */
import * as vscode from 'vscode';
import type { LinetapApi } from '../../../src/extension/extension';
import type { ProxyFrame } from '../../../src/extension/proxyManager';

/** Activates Linetap (as the first command would) and returns its API. */
export async function linetap(): Promise<LinetapApi> {
  const ext = vscode.extensions.getExtension<LinetapApi>('linetap.linetap');
  if (!ext) throw new Error('the extension linetap.linetap is not installed in this VS Code');
  return ext.activate();
}

/** Collects frames until `done(frames)` holds; rejects after `ms` saying what was awaited. */
export function collectFrames(
  api: LinetapApi,
  proxyId: string,
  done: (frames: ProxyFrame['frame'][]) => boolean,
  what: string,
  ms = 10_000,
): Promise<ProxyFrame['frame'][]> {
  const frames: ProxyFrame['frame'][] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      const seen = frames.map((f) => `${f.dir} ${Buffer.from(f.bytes).toString('latin1')}`);
      reject(new Error(`timed out waiting for ${what}; frames seen: ${JSON.stringify(seen)}`));
    }, ms);
    const sub = api.onDidFrame((e) => {
      if (e.proxyId !== proxyId) return;
      frames.push(e.frame);
      if (done(frames)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(frames);
      }
    });
  });
}

/** The text of a frame's bytes. */
export function text(frame: ProxyFrame['frame']): string {
  return Buffer.from(frame.bytes).toString('latin1');
}

/** Stops every proxy a test left running. */
export async function stopAll(): Promise<void> {
  await vscode.commands.executeCommand('linetap.stopAllProxies');
}
