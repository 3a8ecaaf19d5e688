/**
 * The demo: the AsyncChat chat server, three scripted clients, and every frame they exchange
 * printed as Linetap frames it (CRLF lines, escapes visible). Until the proxy lands, each
 * client's socket is tapped on the client side.
 */
import { escapeBytes } from '../core/bytes';
import type { Frame } from '../core/framing/frame';
import { createFramer } from '../core/framing/framingSpec';
import { ChatServer } from './chatServer';
import { DEMO_SCRIPTS, ScriptedClient } from './scriptedClient';

const useColor = !process.env.NO_COLOR && process.stdout.isTTY;
const paint = (code: string, s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);

/** Prints one frame: time, client, direction arrow, size, bytes with escapes visible. */
function show(start: bigint, who: string, dir: '→' | '←', frame: Frame): void {
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const arrow = dir === '→' ? paint('36', '→ server') : paint('33', '← server');
  const flags = frame.partial ? paint('31', ' [partial]') : '';
  console.log(
    `${ms.toFixed(3).padStart(9)}ms  ${who.padEnd(5)} ${arrow} ${String(frame.bytes.length).padStart(4)}B  ${escapeBytes(frame.bytes)}${flags}`,
  );
}

/** Wraps a client's socket so both directions go through a Framer on their way. */
function tap(client: ScriptedClient, start: bigint): void {
  const socket = client.socket;
  if (!socket) throw new Error('tap() before connect()');
  const out = createFramer('crlf', 'c2s');
  const inbound = createFramer('crlf', 's2c');
  // Ahead of AsyncChat's own listener, so a reply is shown before what it triggers.
  socket.prependListener('data', (chunk: Buffer) =>
    inbound.feed(chunk).forEach((f) => show(start, client.name, '←', f)),
  );
  const write = socket.write.bind(socket) as (chunk: Uint8Array) => boolean;
  socket.write = ((chunk: Uint8Array) => {
    out.feed(Buffer.from(chunk)).forEach((f) => show(start, client.name, '→', f));
    return write(chunk);
  }) as typeof socket.write;
  socket.on('close', () => {
    for (const f of [...out.flush(), ...inbound.flush()]) show(start, client.name, '←', f);
  });
}

/** Runs the demo and resolves when every client has finished its script. */
export async function runDemo(port = 0): Promise<void> {
  const server = await ChatServer.listen(port);
  console.log(paint('1', `Linetap demo: chat server on 127.0.0.1:${server.port}, framing crlf`));
  const start = process.hrtime.bigint();
  const start1 = (name: string) => {
    const client = new ScriptedClient(name, DEMO_SCRIPTS[name]);
    const done = client.run(server.port);
    tap(client, start);
    return { client, done };
  };
  try {
    const alice = start1('alice');
    await alice.client.when(/^JOINED alice/);
    const bob = start1('bob');
    const carol = start1('carol');
    await Promise.all([alice.done, bob.done, carol.done]);
  } finally {
    await server.close();
  }
  console.log(paint('1', 'demo finished: every script ran to the end'));
}

if (require.main === module) {
  runDemo(Number(process.env.LINETAP_DEMO_PORT ?? 0)).catch((err: Error) => {
    console.error(`demo failed: ${err.message}`);
    process.exit(2);
  });
}
