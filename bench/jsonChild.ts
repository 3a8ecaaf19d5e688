/** A child process that answers one JSON request per line on stdin with one JSON line. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A request or a reply: flat JSON. */
export type JsonMessage = Record<string, string | number | boolean>;

/** Talks to one child; requests are answered in order. */
export class JsonChild {
  private readonly _child: ChildProcessWithoutNullStreams;
  private readonly _waiting: ((line: string | undefined) => void)[] = [];
  private _stderr = '';
  private _exited: string | undefined;

  /** Starts `command args`; `name` is used in error messages. */
  constructor(
    private readonly _name: string,
    command: string,
    args: readonly string[],
  ) {
    this._child = spawn(command, args);
    createInterface({ input: this._child.stdout }).on('line', (line) =>
      this._waiting.shift()?.(line),
    );
    this._child.stderr.on('data', (d: Buffer) => (this._stderr += d.toString()));
    this._child.on('exit', (code) => {
      this._exited = `${this._name} exited (${code}): ${this._stderr.trim()}`;
      for (const w of this._waiting.splice(0)) w(undefined);
    });
  }

  /** Sends a request; resolves with the reply, rejects with the child's `error` or its exit. */
  request(req: JsonMessage): Promise<JsonMessage> {
    if (this._exited) return Promise.reject(new Error(this._exited));
    return new Promise((resolve, reject) => {
      this._waiting.push((line) => {
        let reply: JsonMessage;
        try {
          reply = JSON.parse(line ?? '') as JsonMessage;
        } catch {
          reject(new Error(this._exited ?? `bad reply from ${this._name}: ${line}`));
          return;
        }
        if (typeof reply.error === 'string') reject(new Error(`${this._name}: ${reply.error}`));
        else resolve(reply);
      });
      this._child.stdin.write(`${JSON.stringify(req)}\n`);
    });
  }

  /** Closes the child's stdin, which ends it. */
  dispose(): void {
    this._child.stdin.end();
  }
}

/** Serves requests on this process's stdin/stdout (the child side of JsonChild). */
export function serveJson(handle: (req: JsonMessage) => JsonMessage): void {
  createInterface({ input: process.stdin }).on('line', (line) => {
    let reply: JsonMessage;
    try {
      reply = handle(JSON.parse(line) as JsonMessage);
    } catch (err) {
      reply = { error: err instanceof Error ? err.message : String(err) };
    }
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  });
}
