/**
 * The demo: the AsyncChat chat server, a Linetap proxy in front of it, three scripted clients
 * talking through the proxy, and every frame printed as it passes (CRLF framing, escapes
 * visible, direction arrows). With `stay`, the proxy keeps running afterwards for you to try.
 */
import { FramePrinter, wantColor } from '../cli/framePrinter';
import { formatHostPort } from '../core/proxy/address';
import { ChatProxy } from '../core/proxy/chatProxy';
import { ChatServer } from './chatServer';
import { DEMO_SCRIPTS, ScriptedClient } from './scriptedClient';

/** Options of the demo. */
export interface DemoOptions {
  /** Proxy port (0 = any free port). */
  readonly port?: number;
  /** Keep server and proxy running after the scripts, until SIGINT/SIGTERM. */
  readonly stay?: boolean;
  readonly write?: (line: string) => void;
  readonly color?: boolean;
}

/** Runs the demo; resolves when the scripts are done (and, with `stay`, after Ctrl+C). */
export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const server = await ChatServer.listen(0);
  const proxy = await ChatProxy.start({
    listen: { host: '127.0.0.1', port: options.port ?? 0 },
    upstream: { host: '127.0.0.1', port: server.port },
    framing: 'crlf',
  });
  const printer = new FramePrinter({
    json: false,
    color: options.color ?? wantColor(process.stdout),
    maxPayloadChars: 160,
    write,
  });
  proxy.onDidOpen((c) => printer.open(c.id, c.openedAt, c.peer, c.upstream));
  proxy.onDidFrame((f) => printer.frame(f));
  proxy.onDidClose((c) => printer.close(c.info.id, proxy.now(), c.reason, c.info.bytes));
  printer.note(
    `Linetap demo: chat server on 127.0.0.1:${server.port}, proxy on ${formatHostPort(proxy.listen)} (framing crlf); three scripted clients talk through the proxy.`,
  );
  try {
    await runDemoScripts(proxy.listen.port);
    // Let the proxy report the last closes before the summary.
    await new Promise((r) => setTimeout(r, 50));
    printer.note('demo scripts finished: every client ran its script to the end.');
    if (options.stay) {
      printer.note(
        `Still running. Try it: nc -C 127.0.0.1 ${proxy.listen.port}  then type  NICK you  and  JOIN #lobby. Ctrl+C to stop.`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
  } finally {
    await proxy.stop();
    await server.close();
  }
}

/** Runs the three scripted clients against a chat server (or a proxy of one) on `port`. */
export async function runDemoScripts(port: number, host = '127.0.0.1'): Promise<void> {
  const run = (name: string) => {
    const client = new ScriptedClient(name, DEMO_SCRIPTS[name]);
    return { client, done: client.run(port, host) };
  };
  const alice = run('alice');
  // bob and carol talk to alice in the channel, so she must be in it first.
  await alice.client.when(/^JOINED alice/);
  const others = [run('bob'), run('carol')];
  await Promise.all([alice.done, ...others.map((o) => o.done)]);
}
