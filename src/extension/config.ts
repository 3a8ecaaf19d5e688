/**
 * Linetap's settings, read in one place into plain objects for the core. Defaults live in
 * package.json only; this reads what VS Code resolves. In an untrusted workspace VS Code itself
 * ignores workspace values of the settings package.json lists as restricted (profiles, bind
 * address), so a cloned repository cannot start a proxy towards a host of its choosing.
 */
import type * as vscode from 'vscode';
import { checkProfile, type ProxyLimits, type ProxyProfile } from '../core/proxy/proxyProfile';
import { CONFIG_SECTION, ConfigKeys } from './constants';

/** The settings as the extension uses them. */
export interface LinetapSettings {
  /** Profiles that passed their checks. */
  readonly profiles: readonly ProxyProfile[];
  /** One message per profile that did not, saying what to fix. */
  readonly profileProblems: readonly string[];
  readonly bindAddress: string;
  readonly limits: ProxyLimits;
  /** Names of profiles to start, each with its traffic panel, when the workspace opens. */
  readonly startOnOpen: readonly string[];
}

/** Reads the settings; never throws (bad profiles become problems). */
export function readSettings(workspace: typeof vscode.workspace): LinetapSettings {
  const c = workspace.getConfiguration(CONFIG_SECTION);
  const bindAddress = c.get<string>(ConfigKeys.bindAddress) || '127.0.0.1';
  const raw = c.get<unknown>(ConfigKeys.profiles);
  const profiles: ProxyProfile[] = [];
  const profileProblems: string[] = [];
  if (raw !== undefined && !Array.isArray(raw)) {
    profileProblems.push('"linetap.profiles" must be a list of profiles');
  }
  for (const [i, value] of (Array.isArray(raw) ? raw : []).entries()) {
    try {
      profiles.push(checkProfile(value, bindAddress));
    } catch (e) {
      profileProblems.push(`linetap.profiles[${i}]: ${(e as Error).message}`);
    }
  }
  const positive = (key: string) => {
    const v = c.get<unknown>(key);
    return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
  };
  const startOnOpen = c.get<unknown>(ConfigKeys.startOnOpen);
  return {
    startOnOpen: Array.isArray(startOnOpen)
      ? startOnOpen.filter((n): n is string => typeof n === 'string')
      : [],
    profiles,
    profileProblems,
    bindAddress,
    limits: {
      maxConnections: positive(ConfigKeys.maxConnections),
      maxFrameBytes: positive(ConfigKeys.maxFrameBytes),
      idleFlushMs: positive(ConfigKeys.idleFlushMs),
      ringFrames: positive(ConfigKeys.ringFrames),
    },
  };
}
