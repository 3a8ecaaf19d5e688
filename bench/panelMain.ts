/**
 * Entry point of the panel suite, run under tsx by `node dist/bench.js --suite=panel`
 * (bench/panelLauncher.ts): playwright-core cannot be bundled into dist/bench.js, as it reads its
 * own package files at run time. Markdown goes to stdout, progress to stderr.
 */
import { runPanelSuite } from './panelBench';

// Leave through process.exit, so the exit hooks of test/setup kill code-server's process group
// and Chromium; a signal's default action would leave them running.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`panel bench: ${signal}, stopping\n`);
    process.exit(130);
  });
}

runPanelSuite(process.argv.slice(2)).then(
  (markdown) => {
    process.stdout.write(markdown);
    // Playwright may hold handles open once the browser is gone; the result is out.
    setTimeout(() => process.exit(0), 1_000).unref();
  },
  (err: unknown) => {
    process.stderr.write(
      `panel bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1); // the exit hooks of test/setup kill code-server and the browser
  },
);
