/**
 * Serves the traffic panel webview against the fake host, for development in a browser:
 *
 *   npm run build && npx tsx test/webview-dev/serve.ts        # then open the printed URL
 *
 * Query options: theme=dark|light|hc, frames=N (default 2000; try 1000000), live=1 (grows by
 * 3 frames per batch, like a proxy), ring=N (with live: keep N frames, drop older ones),
 * replay=1 (a replay: server frames with outcomes, details with the recorded frame).
 * The page has the same CSP and markup as the host's, so a violation shows up here first.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(__dirname, '../..');

/** Starts the server on `port` (0: any free port); resolves with its base URL. */
export async function serveDevPage(port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const fake = await esbuild.build({
    entryPoints: [path.join(__dirname, 'fakeHost.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  });
  const files: Record<string, [string, () => Buffer | string]> = {
    '/fakeHost.js': ['text/javascript', () => fake.outputFiles[0].text],
    '/themes.css': ['text/css', () => fs.readFileSync(path.join(__dirname, 'themes.css'))],
    '/dist/webview.js': [
      'text/javascript',
      () => fs.readFileSync(path.join(root, 'dist/webview.js')),
    ],
    '/dist/webview.css': ['text/css', () => fs.readFileSync(path.join(root, 'dist/webview.css'))],
    '/dist/codicon.ttf': ['font/ttf', () => fs.readFileSync(path.join(root, 'dist/codicon.ttf'))],
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      const nonce = crypto.randomBytes(16).toString('base64');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(page(nonce));
    }
    if (url.pathname === '/favicon.ico') return res.writeHead(204).end();
    const file = files[url.pathname];
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[0] });
    res.end(file[1]());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// The same CSP and body as src/extension/webviewHtml.ts builds ('self' stands for cspSource).
function page(nonce: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self'; img-src 'self' data:; font-src 'self'">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="/themes.css">
<link rel="stylesheet" href="/dist/webview.css">
<title>Linetap webview (dev)</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="/fakeHost.js"></script>
<script nonce="${nonce}" src="/dist/webview.js"></script>
</body>
</html>`;
}

if (require.main === module) {
  void serveDevPage(Number(process.env.PORT ?? 5173)).then(({ url }) => {
    console.log(
      `${url}?theme=dark  ·  ${url}?theme=light&frames=1000000  ·  ${url}?live=1&ring=5000`,
    );
  });
}
