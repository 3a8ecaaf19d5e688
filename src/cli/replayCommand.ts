/** `linetap replay` and `linetap mock`: a capture played against a server, or as one. */
import { formatCaptureError } from '../core/capture/captureDecode';
import { formatHostPort } from '../core/proxy/address';
import { parseTiming, replayScript } from '../core/replay/clientReplay';
import { parseMasks } from '../core/replay/masks';
import { replayExitCode } from '../core/replay/replayReport';
import { loadScript, NO_HEADER, type ReplayScript } from '../core/replay/replayScript';
import { LinetapError } from '../core/socketErrors';
import { ServerMock } from '../core/replay/serverMock';
import { framingOption, intOption, required, UsageError } from './cliOptions';
import { wantColor } from './framePrinter';
import type { Values } from './main';
import { printLine, writeStderr } from './stdout';
import { ReplayPrinter } from './replayPrinter';

/** `linetap replay FILE`: resolves to 0 when every exchange matched, 1 when not, 2 on errors. */
export async function replayCommand(values: Values, positionals: string[]): Promise<number> {
  const file = onlyFile(positionals, 'replay', 'linetap replay FILE --target HOST:PORT');
  const masks = parseMasks(maskValues(values));
  const speed = parseTiming((values.timing as string | undefined) ?? 'asap');
  const timeoutMs = intOption(values, 'timeout', 1) ?? 5000;
  const script = await load(file, values, false);
  reportCaptureErrors(file, script);
  const printer = makePrinter(values);
  const stderr = (line: string) => writeStderr(line + '\n');
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const report = await replayScript(script, {
      target: values.target as string | undefined,
      masks,
      speed,
      concurrent: values.concurrent === true,
      timeoutMs,
      maxFrameBytes: intOption(values, 'max-frame-bytes', 1),
      signal: abort.signal,
      onProgress: (e) => {
        if (e.type === 'exchange') printer.exchange(e.exchange);
        else if (e.type === 'connection-end') printer.connection(e.connection, stderr);
      },
    });
    printer.summary(report);
    return replayExitCode(report);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** `linetap mock FILE --listen PORT`: serves the recorded server side until Ctrl+C. */
export async function mockCommand(values: Values, positionals: string[]): Promise<number> {
  const file = onlyFile(positionals, 'mock', 'linetap mock FILE --listen PORT');
  const listen = required(values, 'listen', '7000');
  const masks = parseMasks(maskValues(values));
  const speed = parseTiming((values.timing as string | undefined) ?? 'asap');
  const unmatched = (values.unmatched as string | undefined) ?? 'close';
  const script = await load(file, values, true);
  const mock = await ServerMock.start(script, {
    listen,
    masks,
    unmatched,
    speed,
    timeoutMs: intOption(values, 'timeout', 1),
    maxFrameBytes: intOption(values, 'max-frame-bytes', 1),
  });
  const printer = makePrinter(values);
  mock.onDidOpen((e) => printer.mockOpen(e));
  mock.onDidExchange((x) => printer.mockExchange(x));
  mock.onDidClose((e) => printer.mockClose(e.client, e.reason));
  mock.onDidError((e) => writeStderr(`linetap mock: ${e.message}\n`));
  const exchanges = script.connections.reduce((n, c) => n + c.exchanges.length, 0);
  const conns = script.connections.length;
  writeStderr(
    `linetap: mock of ${file} listening on ${formatHostPort(mock.listen)}: ${conns} recorded connection${conns === 1 ? '' : 's'}, ${exchanges} exchanges; unmatched requests: ${unmatched}. Ctrl+C to stop.\n`,
  );
  const readErrors = reportCaptureErrors(file, script);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await mock.stop();
  writeStderr('linetap: mock stopped.\n');
  return readErrors > 0 ? 2 : 0;
}

function onlyFile(positionals: string[], command: string, example: string): string {
  const [file, extra] = positionals;
  if (!file) throw new UsageError(`say which capture to ${command}: ${example}`);
  if (extra) throw new UsageError(`unexpected argument "${extra}"`);
  return file;
}

function maskValues(values: Values): string[] {
  const v = (values as Record<string, unknown>).mask;
  return Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : [];
}

/** Reads the capture; a capture with no header needs --framing. */
async function load(
  file: string,
  values: Values,
  keepInjectedReplies: boolean,
): Promise<ReplayScript> {
  const given = ['framing', 'client-framing', 'server-framing'].some(
    (k) => values[k] !== undefined,
  );
  try {
    return await loadScript(file, {
      framing: given ? framingOption(values) : undefined,
      maxFrameBytes: intOption(values, 'max-frame-bytes', 1),
      keepInjectedReplies,
    });
  } catch (e) {
    if (e instanceof LinetapError && e.code === NO_HEADER) {
      throw new LinetapError(`${file} has no capture header: give --framing SPEC to use it anyway`);
    }
    throw e;
  }
}

/** Lines of the capture that could not be read, on stderr; returns how many. */
function reportCaptureErrors(file: string, script: ReplayScript): number {
  for (const e of script.errors) writeStderr(`${file}: ${formatCaptureError(e)}\n`);
  const n = script.errors.length;
  if (n > 0) {
    writeStderr(`${file}: ${n} line${n > 1 ? 's' : ''} could not be read; the rest was used.\n`);
  }
  return n;
}

function makePrinter(values: Values): ReplayPrinter {
  const json = values.json === true;
  return new ReplayPrinter({
    json,
    color: !json && wantColor(process.stdout),
    maxPayloadChars: values.full ? Infinity : 160,
    write: printLine,
  });
}
