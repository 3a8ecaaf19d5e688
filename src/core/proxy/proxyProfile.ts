/**
 * Proxy profiles: a proxy described the way settings and quick inputs describe it (strings a
 * person typed), checked field by field with messages that say what to change, and turned into
 * the options of a ProxySession. Shared by the extension and anything else that stores profiles.
 */
import { parseFramingSpec } from '../framing/framingSpec';
import { parseFilter } from '../../shared/filter';
import { LinetapError } from '../socketErrors';
import { formatHostPort, parseHostPort } from './address';
import type { SessionOptions } from './proxySession';

/** One proxy as a person configures it. */
export interface ProxyProfile {
  /** Shown in pickers, the tree and the status bar. */
  readonly name?: string;
  /** `[HOST:]PORT` to listen on; the host defaults to the bind address. */
  readonly listen: string;
  /** `HOST:PORT` of the server. */
  readonly upstream: string;
  /** Framing spec of both directions. */
  readonly framing?: string;
  /** Framing of what the client sends, when it differs from the server's. */
  readonly clientFraming?: string;
  /** Framing of what the server sends. */
  readonly serverFraming?: string;
  /** Connect to the upstream with TLS. */
  readonly upstreamTls?: boolean;
  /** With upstreamTls: accept any certificate (a self-signed test server). */
  readonly upstreamTlsInsecure?: boolean;
  /** PEM certificate file: listen with TLS (with tlsKey). */
  readonly tlsCert?: string;
  /** PEM key file of tlsCert. */
  readonly tlsKey?: string;
  /** Record to this `.linetap` file. */
  readonly capture?: string;
  /** Breakpoint filter: matching frames are held. */
  readonly intercept?: string;
}

/** Limits that apply to every proxy (settings `linetap.limits.*`). */
export interface ProxyLimits {
  readonly maxConnections?: number;
  readonly maxFrameBytes?: number;
  readonly idleFlushMs?: number;
  readonly ringFrames?: number;
}

/** A profile field that is wrong; `field` names it so a UI can point at the setting. */
export class ProfileError extends LinetapError {
  constructor(
    message: string,
    readonly field: keyof ProxyProfile | 'profile',
  ) {
    super(message);
    this.name = 'ProfileError';
  }
}

/** Why `[HOST:]PORT` cannot be listened on, or undefined when it can. */
export function checkListen(text: string, bindAddress = '127.0.0.1'): string | undefined {
  if (!text.trim()) return 'Type a port to listen on, e.g. 7000 (or HOST:PORT, e.g. 0.0.0.0:7000)';
  try {
    parseHostPort(text, bindAddress);
    return undefined;
  } catch (e) {
    return `${(e as Error).message}, e.g. 7000 or 127.0.0.1:7000`;
  }
}

/** Why `HOST:PORT` is not a server address, or undefined when it is. */
export function checkUpstream(text: string): string | undefined {
  if (!text.trim()) return 'Type the server address, HOST:PORT, e.g. localhost:6379';
  try {
    const { port } = parseHostPort(text);
    return port === 0 ? `"${text}": the server's port cannot be 0` : undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Why a framing spec is wrong (naming the accepted forms), or undefined when it is right. */
export function checkFraming(text: string): string | undefined {
  try {
    parseFramingSpec(text);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const STRING_FIELDS = [
  'name',
  'listen',
  'upstream',
  'framing',
  'clientFraming',
  'serverFraming',
  'tlsCert',
  'tlsKey',
  'capture',
  'intercept',
] as const;
const BOOLEAN_FIELDS = ['upstreamTls', 'upstreamTlsInsecure'] as const;

/**
 * Checks a profile as it came from settings (any JSON) and returns it typed. Throws a
 * ProfileError naming the first field to fix.
 */
export function checkProfile(value: unknown, bindAddress?: string): ProxyProfile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProfileError(
      'a proxy profile is an object such as {"name": "redis", "listen": "7000", "upstream": "localhost:6379", "framing": "redis"}',
      'profile',
    );
  }
  const p = value as Record<string, unknown>;
  const label = typeof p.name === 'string' && p.name ? `profile "${p.name}"` : 'a profile';
  for (const key of Object.keys(p)) {
    if (
      !(STRING_FIELDS as readonly string[]).includes(key) &&
      !(BOOLEAN_FIELDS as readonly string[]).includes(key)
    ) {
      throw new ProfileError(
        `${label} has an unknown field "${key}"; known fields: ${[...STRING_FIELDS, ...BOOLEAN_FIELDS].join(', ')}`,
        'profile',
      );
    }
  }
  for (const key of STRING_FIELDS) {
    if (p[key] !== undefined && typeof p[key] !== 'string')
      throw new ProfileError(`${label}: "${key}" must be a string`, key);
  }
  for (const key of BOOLEAN_FIELDS) {
    if (p[key] !== undefined && typeof p[key] !== 'boolean')
      throw new ProfileError(`${label}: "${key}" must be true or false`, key);
  }
  const profile = p as unknown as ProxyProfile;
  const fail = (field: keyof ProxyProfile, problem: string | undefined) => {
    if (problem) throw new ProfileError(`${label}, "${field}": ${problem}`, field);
  };
  fail('listen', checkListen(profile.listen ?? '', bindAddress));
  fail('upstream', checkUpstream(profile.upstream ?? ''));
  if (profile.framing !== undefined && (profile.clientFraming ?? profile.serverFraming)) {
    fail('framing', 'give either "framing", or "clientFraming" and "serverFraming", not both');
  }
  for (const key of ['framing', 'clientFraming', 'serverFraming'] as const) {
    if (profile[key] !== undefined) fail(key, checkFraming(profile[key]));
  }
  if ((profile.tlsCert === undefined) !== (profile.tlsKey === undefined)) {
    fail('tlsCert', '"tlsCert" and "tlsKey" go together (PEM files) to listen with TLS');
  }
  if (profile.intercept) {
    try {
      parseFilter(profile.intercept);
    } catch (e) {
      fail('intercept', (e as Error).message);
    }
  }
  return profile;
}

/** What profileOptions needs from its surroundings. */
export interface ProfileContext {
  readonly bindAddress?: string;
  readonly limits?: ProxyLimits;
  /** Reads a TLS file named in the profile (relative paths already resolved). */
  readonly readFile: (path: string) => Buffer;
  /** The capture file to use when the profile names none. */
  readonly defaultCapture?: string;
}

/** The session options of a checked profile. Throws a ProfileError when a TLS file is unreadable. */
export function profileOptions(profile: ProxyProfile, context: ProfileContext): SessionOptions {
  const listen = parseHostPort(profile.listen, context.bindAddress ?? '127.0.0.1');
  const read = (field: 'tlsCert' | 'tlsKey') => {
    const file = profile[field] as string;
    try {
      return context.readFile(file);
    } catch (e) {
      throw new ProfileError(`cannot read "${field}" file ${file}: ${(e as Error).message}`, field);
    }
  };
  const limits = context.limits ?? {};
  return {
    listen: formatHostPort(listen),
    upstream: profile.upstream,
    framing:
      profile.clientFraming !== undefined || profile.serverFraming !== undefined
        ? { c2s: profile.clientFraming ?? 'line', s2c: profile.serverFraming ?? 'line' }
        : (profile.framing ?? 'line'),
    upstreamTls: profile.upstreamTls
      ? profile.upstreamTlsInsecure
        ? { rejectUnauthorized: false }
        : true
      : undefined,
    listenTls: profile.tlsCert ? { cert: read('tlsCert'), key: read('tlsKey') } : undefined,
    maxConnections: limits.maxConnections,
    maxFrameBytes: limits.maxFrameBytes,
    idleFlushMs: limits.idleFlushMs,
    ring: limits.ringFrames ? { frames: limits.ringFrames } : undefined,
    capture: profile.capture ?? context.defaultCapture,
  };
}

/** A short label for a profile: its name, or `listen → upstream`. */
export function profileLabel(profile: ProxyProfile): string {
  return profile.name || `${profile.listen} → ${profile.upstream}`;
}
