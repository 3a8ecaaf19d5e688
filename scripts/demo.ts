/**
 * `npm run demo`: the demo chat server, and a real VS Code (code-server, provisioned like the
 * tests) with Linetap installed and a proxy in front of the chat server that starts with the
 * window, its traffic panel open. Scripted clients chat through the proxy every few seconds, so
 * there is live traffic to look at. Prints the URL to open; Ctrl+C stops everything.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ChatServer } from '../src/demo/chatServer';
import { runDemoScripts } from '../src/demo/runDemo';
import { installBuiltExtension, startCodeServer } from '../test/setup/codeServer';
import { repoRoot } from '../test/setup/toolchain';

const ROUND_MS = 8000;

async function main(): Promise<void> {
  const chat = await ChatServer.listen(0);
  const proxyPort = await freePort();
  const workspace = path.join(repoRoot, '.cache', 'demo-workspace');
  fs.rmSync(workspace, { recursive: true, force: true });
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(
    path.join(workspace, '.vscode', 'settings.json'),
    JSON.stringify(
      {
        'linetap.profiles': [
          {
            name: 'demo chat',
            listen: String(proxyPort),
            upstream: `127.0.0.1:${chat.port}`,
            framing: 'crlf',
          },
        ],
        'linetap.startOnOpen': ['demo chat'],
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(
    path.join(workspace, 'README.md'),
    `# Linetap demo\n\nA chat server on 127.0.0.1:${chat.port}; Linetap's proxy "demo chat" on 127.0.0.1:${proxyPort} (see .vscode/settings.json). Scripted clients talk through it every few seconds.\n\nTry: \`nc -C 127.0.0.1 ${proxyPort}\`, then \`NICK you\` and \`JOIN #lobby\`; or "Linetap: Send Message" from the command palette.\n`,
  );
  const server = await startCodeServer({ workspace });
  installBuiltExtension(server.extensionsDir);
  const say = (line: string) => process.stdout.write(`linetap demo: ${line}\n`);
  say(`chat server on 127.0.0.1:${chat.port}`);
  say(`VS Code with Linetap: open ${server.url()}`);
  say(
    `the proxy "demo chat" starts on 127.0.0.1:${proxyPort} when the window opens. Ctrl+C to stop.`,
  );

  let stopping = false;
  const stop = new Promise<void>((resolve) => {
    const end = () => {
      stopping = true;
      resolve();
    };
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
  });
  const loop = (async () => {
    let round = 0;
    let waiting = true;
    while (!stopping) {
      if (await listening(proxyPort)) {
        if (waiting) say('the proxy is up: scripted clients chat through it every few seconds');
        waiting = false;
        await runDemoScripts(proxyPort).catch((e: Error) => say(`round ${round}: ${e.message}`));
        round++;
        await Promise.race([stop, new Promise((r) => setTimeout(r, ROUND_MS))]);
      } else {
        await Promise.race([stop, new Promise((r) => setTimeout(r, 500))]);
      }
    }
  })();
  await stop;
  await loop;
  await server.stop();
  await chat.close();
  say('stopped');
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

main().catch((e: Error) => {
  process.stderr.write(`linetap demo: ${e.message}\n`);
  process.exit(2);
});
