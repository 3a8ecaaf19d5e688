/**
 * AsyncChat consumers written as asynchat programs are: list append in collectIncomingData, join
 * at the terminator. They mirror the classes in asynchat_baseline.py line for line.
 */
import { AsyncChat } from '../src/core/asyncChat';

/** What a consumer found: complete messages and their payload bytes. */
export interface Tally {
  messages: number;
  payloadBytes: number;
}

/** Counts CRLF lines. */
export class LineChat extends AsyncChat implements Tally {
  messages = 0;
  payloadBytes = 0;

  constructor() {
    super();
    this.setTerminator('\r\n');
  }

  override collectIncomingData(data: Buffer): void {
    this.storeIncomingData(data);
  }

  override foundTerminator(): void {
    const line = this.getData();
    this.messages++;
    this.payloadBytes += line.length;
  }
}

/** Counts RESP replies: CRLF header lines, then a count of len+2 for each bulk body. */
export class RespChat extends AsyncChat implements Tally {
  messages = 0;
  payloadBytes = 0;
  private _inBulk = false;
  /** Elements still expected by each open array, innermost last. */
  private readonly _pending: number[] = [];

  constructor() {
    super();
    this.setTerminator('\r\n');
  }

  override collectIncomingData(data: Buffer): void {
    this.storeIncomingData(data);
  }

  override foundTerminator(): void {
    const data = this.getData();
    if (this._inBulk) {
      this._inBulk = false;
      this.payloadBytes += data.length - 2;
      this.setTerminator('\r\n');
      this._elementDone();
      return;
    }
    const kind = data[0];
    if (kind === 0x24 /* $ */) {
      const n = parseInt(data.toString('latin1', 1), 10);
      if (n < 0) {
        this._elementDone();
      } else {
        this._inBulk = true;
        this.setTerminator(n + 2);
      }
    } else if (kind === 0x2a /* * */) {
      const n = parseInt(data.toString('latin1', 1), 10);
      if (n <= 0) this._elementDone();
      else this._pending.push(n);
    } else {
      this.payloadBytes += data.length - 1;
      this._elementDone();
    }
  }

  private _elementDone(): void {
    const pending = this._pending;
    while (pending.length > 0) {
      if (--pending[pending.length - 1] > 0) return;
      pending.pop();
    }
    this.messages++;
  }
}
