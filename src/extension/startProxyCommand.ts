/**
 * Start Proxy: from a profile in settings, or from listen/upstream/framing typed into quick
 * inputs that check each field as it is typed. Several proxies may run at once.
 */
import * as vscode from 'vscode';
import {
  checkListen,
  checkProfile,
  checkUpstream,
  profileLabel,
  type ProxyProfile,
} from '../core/proxy/proxyProfile';
import { readSettings } from './config';
import { CONFIG_SECTION, ConfigKeys } from './constants';
import { pickFraming } from './framingPicker';
import { describeProxy } from './pickers';
import type { ProxyManager, RunningProxy } from './proxyManager';

/**
 * Runs the command. `arg` is a profile object or the name of a profile in settings (for
 * keybindings, other extensions and tests); without it, the user picks or types one.
 * Returns the proxy id, or undefined when cancelled or failed (the error was shown).
 */
export async function startProxyCommand(
  manager: ProxyManager,
  arg?: unknown,
): Promise<string | undefined> {
  const settings = readSettings(vscode.workspace);
  let profile: ProxyProfile | undefined;
  let fromSettings = false;
  try {
    if (typeof arg === 'string') {
      profile = settings.profiles.find((p) => p.name === arg);
      fromSettings = true;
      if (!profile) {
        const problem = settings.profileProblems.find((p) => p.includes(`"${arg}"`));
        throw new Error(
          problem ??
            `no profile named "${arg}" in "linetap.profiles" (known: ${settings.profiles.map((p) => p.name ?? '(unnamed)').join(', ') || 'none'})`,
        );
      }
    } else if (arg !== undefined) {
      profile = checkProfile(arg, settings.bindAddress);
    } else {
      const chosen = await chooseProfile(settings.profiles, settings.profileProblems);
      if (!chosen) return undefined;
      ({ profile, fromSettings } = chosen);
    }
    const started = await manager.start(profile, settings);
    vscode.window.setStatusBarMessage(`$(radio-tower) Linetap: ${describeProxy(started)}`, 5000);
    if (!fromSettings && arg === undefined) void offerToSave(started);
    return started.id;
  } catch (e) {
    const label = profile ? ` "${profileLabel(profile)}"` : '';
    const actions = fromSettings ? ['Open Settings', 'Show Log'] : ['Show Log'];
    void vscode.window
      .showErrorMessage(`Linetap: cannot start proxy${label}: ${(e as Error).message}`, ...actions)
      .then((action) => runAction(action));
    return undefined;
  }
}

function runAction(action: string | undefined): void {
  if (action === 'Open Settings')
    void vscode.commands.executeCommand('workbench.action.openSettings', 'linetap.profiles');
  if (action === 'Show Log') void vscode.commands.executeCommand('linetap.showLog');
}

type Choice = { profile: ProxyProfile; fromSettings: boolean };

async function chooseProfile(
  profiles: readonly ProxyProfile[],
  problems: readonly string[],
): Promise<Choice | undefined> {
  type Item = vscode.QuickPickItem & { action: 'new' | 'settings' | ProxyProfile };
  const items: Item[] = [
    ...profiles.map((p) => ({
      label: `$(radio-tower) ${profileLabel(p)}`,
      description: `${p.listen} → ${p.upstream} · ${p.framing ?? `${p.clientFraming ?? 'line'}/${p.serverFraming ?? 'line'}`}`,
      action: p,
    })),
    ...problems.map((message) => ({
      label: '$(warning) A profile in settings has a problem',
      detail: message,
      action: 'settings' as const,
    })),
    {
      label: '$(add) New proxy…',
      description: 'type listen port, server and framing',
      action: 'new',
    },
    { label: '$(gear) Edit profiles in settings', action: 'settings' },
  ];
  if (profiles.length === 0 && problems.length === 0) return askProfile();
  const picked = await vscode.window.showQuickPick(items, {
    placeHolder: 'Start which proxy?',
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.action === 'new') return askProfile();
  if (picked.action === 'settings') {
    runAction('Open Settings');
    return undefined;
  }
  return { profile: picked.action, fromSettings: true };
}

async function askProfile(): Promise<Choice | undefined> {
  const { bindAddress } = readSettings(vscode.workspace);
  const listen = await vscode.window.showInputBox({
    title: 'Start Proxy (1/3): listen',
    prompt: `Port to listen on, or HOST:PORT (a port alone listens on ${bindAddress})`,
    value: '7000',
    validateInput: (v) => checkListen(v, bindAddress),
    ignoreFocusOut: true,
  });
  if (listen === undefined) return undefined;
  const upstream = await vscode.window.showInputBox({
    title: 'Start Proxy (2/3): server',
    prompt: 'The server to forward to, HOST:PORT',
    placeHolder: 'localhost:6379',
    validateInput: checkUpstream,
    ignoreFocusOut: true,
  });
  if (upstream === undefined) return undefined;
  const framing = await pickFraming({
    title: 'Start Proxy (3/3): framing',
    placeHolder: 'How to split the traffic into frames',
  });
  if (framing === undefined) return undefined;
  return {
    profile: { listen: listen.trim(), upstream: upstream.trim(), framing },
    fromSettings: false,
  };
}

/** After a proxy typed by hand starts, offers to keep it as a profile in user settings. */
async function offerToSave(p: RunningProxy): Promise<void> {
  const action = await vscode.window.showInformationMessage(
    `Linetap: proxy ${describeProxy(p)} is running.`,
    'Save as Profile',
  );
  if (action !== 'Save as Profile') return;
  const name = await vscode.window.showInputBox({
    prompt: 'Name of the profile',
    value: `${p.profile.framing ?? 'proxy'} ${p.profile.listen}`,
    validateInput: (v) => (v.trim() ? undefined : 'Type a name'),
  });
  if (!name) return;
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const current = config.inspect<unknown[]>(ConfigKeys.profiles)?.globalValue ?? [];
  await config.update(
    ConfigKeys.profiles,
    [...current, { ...p.profile, name: name.trim() }],
    vscode.ConfigurationTarget.Global,
  );
}
