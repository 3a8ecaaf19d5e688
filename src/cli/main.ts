/**
 * The `linetap` command line: parses the command and hands over to it. Exit 0 ok, 1 replay
 * mismatch, 2 error.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FramingSpecError } from '../core/framing/framingSpec';
import { LinetapError } from '../core/socketErrors';
import { FilterError } from '../shared/filter';
import { MaskError } from '../core/replay/masks';
import { runDemo } from '../demo/runDemo';
import { exportCommand, showCommand } from './captureCommands';
import { flushStdout, watchStdout, writeStderr } from './stdout';
import { proxyCommand } from './proxyCommand';
import { mockCommand, replayCommand } from './replayCommand';
import { sendCommand } from './sendCommand';
import { UsageError } from './cliOptions';
import { HELP } from './usage';

const OPTIONS: Record<string, ParseArgsConfig['options']> = {
  proxy: {
    listen: { type: 'string' },
    upstream: { type: 'string' },
    framing: { type: 'string' },
    'client-framing': { type: 'string' },
    'server-framing': { type: 'string' },
    json: { type: 'boolean' },
    'upstream-tls': { type: 'boolean' },
    insecure: { type: 'boolean' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'max-connections': { type: 'string' },
    'max-frame-bytes': { type: 'string' },
    'idle-flush': { type: 'string' },
    'connect-timeout': { type: 'string' },
    capture: { type: 'string' },
    filter: { type: 'string' },
    intercept: { type: 'string' },
    full: { type: 'boolean' },
  },
  send: {
    framing: { type: 'string' },
    hex: { type: 'boolean' },
    eol: { type: 'string' },
    wait: { type: 'string' },
    json: { type: 'boolean' },
    full: { type: 'boolean' },
  },
  show: {
    framing: { type: 'string' },
    filter: { type: 'string' },
    json: { type: 'boolean' },
    full: { type: 'boolean' },
    'max-frame-bytes': { type: 'string' },
  },
  export: { pcapng: { type: 'string' }, mss: { type: 'string' } },
  demo: { stay: { type: 'boolean' } },
  // Listed after demo: error messages list commands in this order, older ones first.
  replay: {
    target: { type: 'string' },
    mask: { type: 'string', multiple: true },
    timing: { type: 'string' },
    concurrent: { type: 'boolean' },
    timeout: { type: 'string' },
    framing: { type: 'string' },
    'client-framing': { type: 'string' },
    'server-framing': { type: 'string' },
    'max-frame-bytes': { type: 'string' },
    json: { type: 'boolean' },
    full: { type: 'boolean' },
  },
  mock: {
    listen: { type: 'string' },
    unmatched: { type: 'string' },
    mask: { type: 'string', multiple: true },
    timing: { type: 'string' },
    timeout: { type: 'string' },
    framing: { type: 'string' },
    'client-framing': { type: 'string' },
    'server-framing': { type: 'string' },
    'max-frame-bytes': { type: 'string' },
    json: { type: 'boolean' },
    full: { type: 'boolean' },
  },
};

/** Parsed options of one command. */
export type Values = Record<string, string | boolean | undefined>;

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command = '', ...rest] = argv;
  if (command === '' || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP[''] + '\n');
    return command === '' ? 2 : 0;
  }
  if (command === '--version') {
    process.stdout.write('linetap 0.1.0\n');
    return 0;
  }
  const options = OPTIONS[command];
  if (!options) {
    process.stderr.write(
      `linetap: unknown command "${command}". Commands: ${Object.keys(OPTIONS).join(', ')}. See linetap --help.\n`,
    );
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HELP[command] + '\n');
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options,
      allowPositionals: true,
      strict: true,
    });
    switch (command) {
      case 'proxy':
        return await proxyCommand(values as Values, positionals);
      case 'send':
        return await sendCommand(values as Values, positionals);
      case 'show':
        return await showCommand(values as Values, positionals);
      case 'export':
        return await exportCommand(values as Values, positionals);
      case 'replay':
        return await replayCommand(values as Values, positionals);
      case 'mock':
        return await mockCommand(values as Values, positionals);
      default:
        if (positionals.length > 0) throw new UsageError(`demo takes no arguments`);
        await runDemo({ stay: values.stay === true });
        return 0;
    }
  } catch (err) {
    return report(command, err);
  }
}

/** Prints an error the way a person can act on, and gives the exit code. */
function report(command: string, err: unknown): number {
  const e = err as Error & { code?: string };
  if (err instanceof UsageError || e.code?.startsWith('ERR_PARSE_ARGS')) {
    writeStderr(`linetap ${command}: ${e.message}\nSee: linetap ${command} --help\n`);
  } else if (
    err instanceof LinetapError ||
    err instanceof FramingSpecError ||
    err instanceof FilterError ||
    err instanceof MaskError ||
    err instanceof RangeError
  ) {
    writeStderr(`linetap ${command}: ${e.message}\n`);
  } else {
    writeStderr(`linetap ${command}: unexpected error: ${e.stack ?? String(err)}\n`);
  }
  return 2;
}

if (require.main === module) {
  // `linetap show big.linetap | head` closes our stdout early: that is not an error.
  watchStdout();
  main(process.argv.slice(2)).then(
    // Exit once the output is written rather than when the event loop drains: after a proxy
    // stops, a socket its intercept gate held can keep the loop busy (a known bug, being
    // tracked), and a finished command must not hang the terminal or a script.
    (code) => {
      flushStdout();
      process.exitCode = code;
      process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
    },
    (err: unknown) => {
      process.stderr.write(`linetap: ${String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
