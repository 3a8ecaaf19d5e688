/**
 * Demo clients that follow a script against the chat server: send a line, or wait for a line
 * that matches. Each client is an AsyncChat too, so the demo exercises both ends of the port.
 */
import { AsyncChat } from '../core/asyncChat';

/** One step: send a line, or wait until a received line matches. */
export type Step = { send: string } | { expect: RegExp };

/** Runs one script over a connection; resolves when the server has closed it. */
export class ScriptedClient extends AsyncChat {
  private _step = 0;
  private readonly _done: Promise<void>;
  private _resolve!: () => void;
  private _reject!: (err: Error) => void;
  private readonly _watchers: { pattern: RegExp; resolve: () => void }[] = [];

  constructor(
    readonly name: string,
    private readonly _script: readonly Step[],
  ) {
    super();
    this.setTerminator('\r\n');
    this._done = new Promise((resolve, reject) => {
      this._resolve = resolve;
      this._reject = reject;
    });
  }

  /** Connects and runs the script; resolves when the connection has closed. */
  run(port: number, host = '127.0.0.1'): Promise<void> {
    this.connect(port, host);
    return this._done;
  }

  /** Resolves when a received line matches `pattern` (to start other clients in order). */
  when(pattern: RegExp): Promise<void> {
    return new Promise((resolve) => this._watchers.push({ pattern, resolve }));
  }

  override handleConnect(): void {
    this._advance();
  }

  override collectIncomingData(data: Buffer): void {
    this.storeIncomingData(data);
  }

  override foundTerminator(): void {
    const line = this.getData().toString('utf8');
    for (const w of this._watchers) if (w.pattern.test(line)) w.resolve();
    const step = this._script[this._step];
    if (step && 'expect' in step && step.expect.test(line)) {
      this._step++;
      this._advance();
    }
  }

  override handleClose(): void {
    this.close();
    if (this._step < this._script.length) {
      this._reject(new Error(`${this.name}: server closed at step ${this._step + 1}`));
    }
  }

  override handleClosed(): void {
    this._resolve();
  }

  override handleError(err: Error): void {
    this.close();
    this._reject(new Error(`${this.name}: ${err.message}`));
  }

  /** Sends lines until the next step that waits. */
  private _advance(): void {
    let step = this._script[this._step];
    while (step && 'send' in step) {
      this.push(step.send + '\r\n');
      this._step++;
      step = this._script[this._step];
    }
  }
}

/** The demo's three users. */
export const DEMO_SCRIPTS: Record<string, Step[]> = {
  alice: [
    { expect: /^HELLO/ },
    { send: 'NICK alice' },
    { expect: /^OK NICK/ },
    { send: 'JOIN #lobby' },
    { expect: /^JOINED bob #lobby/ },
    { send: 'MSG #lobby hi bob, welcome to the lobby' },
    { expect: /^FROM bob #lobby/ },
    { send: 'PRIV bob psst: the café opens at 9 ☕' },
    { expect: /^OK PRIV/ },
    { expect: /^LEFT bob/ },
    { send: 'WHO #lobby' },
    { expect: /^USERS #lobby alice$/ },
    { send: 'QUIT see you' },
    { expect: /^BYE/ },
  ],
  bob: [
    { expect: /^HELLO/ },
    { send: 'NICK bob' },
    { expect: /^OK NICK/ },
    { send: 'JOIN #lobby' },
    { expect: /^FROM alice #lobby/ },
    { send: 'MSG #lobby hello alice' },
    { expect: /^PRIV alice/ },
    { send: 'QUIT' },
    { expect: /^BYE/ },
  ],
  carol: [
    { expect: /^HELLO/ },
    { send: 'JOIN #lobby' },
    { expect: /^ERR 451/ },
    { send: 'NICK c@rol' },
    { expect: /^ERR 432/ },
    { send: 'NICK carol' },
    { expect: /^OK NICK/ },
    { send: 'DANCE' },
    { expect: /^ERR 421/ },
    { send: 'QUIT' },
    { expect: /^BYE/ },
  ],
};
