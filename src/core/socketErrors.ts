/** Socket errors in words a person can act on: what happened, and what to change. */

/** Where the error happened, to say which setting to change. */
export type SocketErrorContext = 'listen' | 'upstream' | 'client';

/** An error whose message is meant for the person running Linetap. */
export class LinetapError extends Error {
  constructor(
    message: string,
    /** The errno code behind it, when there is one (EADDRINUSE...). */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LinetapError';
  }
}

/**
 * Describes a socket error for `where` (`listen 127.0.0.1:7000`, `upstream localhost:6379`):
 * what went wrong and what to change.
 */
export function describeSocketError(
  err: Error & { code?: string },
  context: SocketErrorContext,
  where: string,
): LinetapError {
  const code = err.code ?? '';
  let message: string;
  switch (code) {
    case 'EADDRINUSE':
      message = `cannot listen on ${where}: the port is already in use. Stop the program using it (e.g. \`ss -ltnp | grep :${portOf(where)}\`) or choose another listen port.`;
      break;
    case 'EACCES':
    case 'EPERM':
      message =
        context === 'listen'
          ? `cannot listen on ${where}: permission denied. Ports below 1024 need privileges; choose a port of 1024 or more.`
          : `cannot connect to ${where}: permission denied (a firewall or policy refused it).`;
      break;
    case 'EADDRNOTAVAIL':
      message = `cannot listen on ${where}: this machine has no such address. Use 127.0.0.1, 0.0.0.0 or one of its own addresses.`;
      break;
    case 'ECONNREFUSED':
      message = `upstream ${where} refused the connection: is the server running and listening on that port? Check the upstream host:port.`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      message = `upstream host of ${where} not found (${code}): check the spelling of the host name, or use an IP address.`;
      break;
    case 'ETIMEDOUT':
      message = `${context === 'upstream' ? 'upstream ' : ''}${where} did not answer in time (${err.message}): check that the host is reachable and the port is not filtered.`;
      break;
    case 'ECONNRESET':
      message = `connection reset by ${context === 'upstream' ? 'the upstream server' : 'the client'} (${where}).`;
      break;
    case 'EPIPE':
      message = `${where} closed the connection while data was still being sent to it.`;
      break;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      message = `no route to ${where}: check the address and the network.`;
      break;
    default:
      if (context === 'upstream' && UNTRUSTED.test(`${code} ${err.message}`)) {
        message =
          `TLS with ${where} failed: ${err.message}: the proxy cannot verify the server's ` +
          `certificate. Trust the CA that signed it (NODE_EXTRA_CA_CERTS=ca.pem), or, for a ` +
          `test server, accept any certificate (linetap proxy --insecure; upstreamTlsInsecure ` +
          `in a profile).`;
      } else if (/certificate|SSL|TLS|self.signed|CERT_/i.test(`${code} ${err.message}`)) {
        message = `TLS with ${where} failed: ${err.message}. Check the certificate, or the TLS settings of the proxy.`;
      } else {
        message = `${context} ${where}: ${err.message}`;
      }
  }
  return new LinetapError(message, code || undefined);
}

/** Certificate checks that fail on a server Node does not trust (self-signed, unknown CA, expired, other name). */
const UNTRUSTED =
  /SELF_SIGNED|UNABLE_TO_(GET_ISSUER|VERIFY)|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ALTNAME_INVALID|self.signed/i;

function portOf(where: string): string {
  return where.slice(where.lastIndexOf(':') + 1);
}
