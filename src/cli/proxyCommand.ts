/** `linetap proxy`: run a proxy in the terminal and print its frames live. */
import * as fs from 'node:fs';
import type { ProxyOptions } from '../core/proxy/chatProxy';
import { ProxySession } from '../core/proxy/proxySession';
import { parseFilter } from '../shared/filter';
import { startInterceptConsole } from './interceptConsole';
import { formatHostPort } from '../core/proxy/address';
import { framingOption, intOption, required, UsageError } from './cliOptions';
import { FramePrinter, wantColor } from './framePrinter';
import { onStdoutClosed, printLine, stdoutBehind, stdoutDrained, writeStderr } from './stdout';
import type { Values } from './main';

/** Runs until SIGINT/SIGTERM; resolves to the exit code. */
export async function proxyCommand(values: Values, positionals: string[]): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const options: ProxyOptions = {
    listen: required(values, 'listen', '7000'),
    upstream: required(values, 'upstream', 'localhost:6379'),
    framing: framingOption(values),
    upstreamTls: values['upstream-tls']
      ? values.insecure
        ? { rejectUnauthorized: false }
        : true
      : undefined,
    listenTls: tlsFiles(values),
    maxConnections: intOption(values, 'max-connections', 1),
    maxFrameBytes: intOption(values, 'max-frame-bytes', 1),
    idleFlushMs: intOption(values, 'idle-flush', 1),
    connectTimeoutMs: intOption(values, 'connect-timeout', 1),
  };
  const filter = parseFilter((values.filter as string | undefined) ?? '');
  const json = values.json === true;
  const printer = new FramePrinter({
    json,
    color: !json && wantColor(process.stdout),
    maxPayloadChars: values.full ? Infinity : 160,
    write: (line) => {
      printLine(line);
      if (stdoutBehind()) holdForOutput();
    },
  });
  const capture = values.capture as string | undefined;
  const session = await ProxySession.start({ ...options, capture, tool: 'linetap 0.1.0' });
  const proxy = session.proxy;
  // Output to a pipe that its reader does not keep up with: the proxy stops reading both sides
  // until the reader has caught up, as it does for a slow capture disk. Memory stays bounded.
  let outputHeld = false;
  function holdForOutput(): void {
    if (outputHeld) return;
    outputHeld = true;
    proxy.pause();
    void stdoutDrained().then(() => {
      outputHeld = false;
      proxy.resume();
    });
  }
  session.onDidCaptureFail((e) =>
    writeStderr(`linetap: the capture stopped, the proxy goes on: ${e.message}\n`),
  );
  proxy.onDidOpen((c) => printer.open(c.id, c.openedAt, c.peer, c.upstream));
  proxy.onDidFrame((f) => {
    if (filter.matches(f)) printer.frame(f);
  });
  proxy.onDidClose((c) => printer.close(c.info.id, proxy.now(), c.reason, c.info.bytes));
  proxy.onDidError((e) => writeStderr(`linetap: ${e.message}\n`));
  const intercept = values.intercept as string | undefined;
  if (intercept) proxy.setIntercept(intercept);
  const framing =
    proxy.framing.c2s.spec === proxy.framing.s2c.spec
      ? proxy.framing.c2s.spec
      : `client ${proxy.framing.c2s.spec}, server ${proxy.framing.s2c.spec}`;
  writeStderr(
    `linetap: listening on ${formatHostPort(proxy.listen)}, forwarding to ${formatHostPort(proxy.upstream)}, framing ${framing}${capture ? `, recording to ${capture}` : ''}. Ctrl+C to stop.\n`,
  );
  const interceptConsole = intercept
    ? startInterceptConsole(proxy, process.stdin, (line) => writeStderr(line + '\n'))
    : undefined;
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // `linetap proxy ... | head`: the output is gone, so the proxy stops as for Ctrl+C (the
    // capture file is finished), and ends with status 0.
    onStdoutClosed(stop);
  });
  const open = proxy.connections().length;
  interceptConsole?.dispose();
  await session.stop();
  writeStderr(
    `linetap: stopped${open ? `, closed ${open} open connection${open > 1 ? 's' : ''}` : ''}${capture && !session.captureError ? `; capture written to ${capture}` : ''}.\n`,
  );
  return 0;
}

function tlsFiles(values: Values): ProxyOptions['listenTls'] {
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if (cert === undefined && key === undefined) return undefined;
  if (typeof cert !== 'string' || typeof key !== 'string') {
    throw new UsageError('--tls-cert and --tls-key go together (PEM files)');
  }
  const read = (file: string, what: string) => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      throw new UsageError(`cannot read the TLS ${what} "${file}": ${(e as Error).message}`);
    }
  };
  return { cert: read(cert, 'certificate'), key: read(key, 'key') };
}
