/** `[HOST:]PORT` and `HOST:PORT` addresses as the CLI and settings write them. */

/** A host and a port. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `PORT`, `HOST:PORT` or `[v6]:PORT`. `defaultHost` fills in a missing host; without
 * one, the host is required. Throws a RangeError that says what is wrong.
 */
export function parseHostPort(text: string, defaultHost?: string): HostPort {
  const s = text.trim();
  let host: string | undefined;
  let port: string;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(s);
  if (v6) {
    host = v6[1];
    port = v6[2];
  } else if (s.includes(':')) {
    const i = s.lastIndexOf(':');
    host = s.slice(0, i);
    port = s.slice(i + 1);
  } else {
    port = s;
  }
  host = host || defaultHost;
  if (!host) throw new RangeError(`"${text}" needs a host: write HOST:PORT, e.g. localhost:6379`);
  if (!/^[0-9]+$/.test(port) || Number(port) > 65535) {
    throw new RangeError(`"${text}": the port must be a number from 0 to 65535`);
  }
  return { host, port: Number(port) };
}

/** Formats an address the way parseHostPort reads it. */
export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
