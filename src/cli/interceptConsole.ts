/**
 * The terminal side of `linetap proxy --intercept`: held frames are announced on stderr and
 * settled with one-letter commands read from standard input (a terminal or a script).
 */
import * as readline from 'node:readline';
import { escapeBytes, unescapeBytes } from '../core/bytes';
import type { ChatProxy } from '../core/proxy/chatProxy';
import type { Disposable } from '../core/events';

const HELP =
  'held frames wait: Enter or r [ID] release, d [ID] drop, e [ID] TEXT edit (escapes \\r\\n \\xHH), a release all, l list';

/** Reads intercept commands until disposed. */
export function startInterceptConsole(
  proxy: ChatProxy,
  input: NodeJS.ReadableStream,
  say: (line: string) => void,
): Disposable {
  const rl = readline.createInterface({ input, terminal: false });
  say(`linetap: intercept on (${proxy.intercept?.toString() ?? ''}). ${HELP}`);
  const sub = proxy.onDidFrame((f) => {
    if (f.held) say(`linetap: held #${f.id} (c${f.conn} ${f.dir === 'c2s' ? '→' : '←'}). ${HELP}`);
  });
  rl.on('line', (line) => {
    try {
      say(run(proxy, line.trim()));
    } catch (e) {
      say(`linetap: ${(e as Error).message}`);
    }
  });
  return {
    dispose: () => {
      sub.dispose();
      rl.close();
    },
  };
}

/** Runs one command; returns what to tell the person. */
function run(proxy: ChatProxy, line: string): string {
  const m = /^([rdeal]?)\s*(\d+)?\s*(.*)$/s.exec(line);
  if (!m) return `linetap: not a command: ${JSON.stringify(line)}. ${HELP}`;
  const [, verb, idText, rest] = m;
  const held = proxy.heldFrames();
  if (verb === 'l') {
    return held.length
      ? held
          .map((f) => {
            const what = f.ann?.summary ?? `"${escapeBytes(f.bytes.subarray(0, 40))}"`;
            return `#${f.id} c${f.conn} ${f.dir === 'c2s' ? '→' : '←'} ${f.bytes.length}B ${what}`;
          })
          .join('\n')
      : 'linetap: nothing is held';
  }
  if (verb === 'a') {
    for (const f of held) proxy.release(f.id);
    return `linetap: released ${held.length} frame${held.length === 1 ? '' : 's'}`;
  }
  const id = idText ? Number(idText) : held[0]?.id;
  if (id === undefined) return 'linetap: nothing is held';
  switch (verb) {
    case '':
    case 'r':
      proxy.release(id);
      return `linetap: released #${id}`;
    case 'd':
      proxy.drop(id);
      return `linetap: dropped #${id}`;
    default: {
      const bytes = unescapeBytes(rest);
      proxy.release(id, bytes);
      return `linetap: sent ${bytes.length} edited bytes for #${id}`;
    }
  }
}
