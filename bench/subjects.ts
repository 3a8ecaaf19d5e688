/** Our implementations under test, each wrapped as "run these reads, say what you found". */
import type { Frame } from '../src/core/framing/frame';
import { createFramer } from '../src/core/framing/framingSpec';
import { LineChat, RespChat, type Tally } from './chatConsumers';
import type { Workload } from './workloads';

/** Which consumer a case needs: CRLF lines or RESP replies. */
export type Parser = 'lines' | 'resp';

/** One implementation of one case. */
export interface Subject {
  readonly name: string;
  /** Processes every read in order; returns the messages and bytes it delivered. */
  run(reads: readonly Buffer[]): Tally;
  /** What `run` must return for this workload, or the benchmark is wrong. */
  expected(w: Workload): Tally;
}

/** A subject that cannot run here, and why. */
export interface Unavailable {
  readonly name: string;
  readonly reason: string;
}

/**
 * The Framer made by `createFramer(spec, dir)`, fed with feedEach as the product's consumers
 * that take frames at once do; frames count, frame bytes (terminators in).
 */
function framerSubject(spec: string, dir: 'c2s' | 's2c'): Subject {
  return {
    name: `Framer (${spec})`,
    run(reads) {
      const framer = createFramer(spec, dir);
      let messages = 0;
      let payloadBytes = 0;
      const visit = (f: Frame): void => {
        messages++;
        payloadBytes += f.bytes.length;
      };
      for (const read of reads) framer.feedEach(read, visit);
      return { messages, payloadBytes };
    },
    // Frames join back into the stream, so their bytes are the whole input.
    expected: (w) => ({ messages: w.messages, payloadBytes: w.data.length }),
  };
}

/** An AsyncChat subclass fed through handleRead(), one read event per read. */
function chatSubject(make: () => LineChat | RespChat): Subject {
  return {
    name: 'AsyncChat',
    run(reads) {
      const chat = make();
      for (const read of reads) chat.handleRead(read);
      return { messages: chat.messages, payloadBytes: chat.payloadBytes };
    },
    expected: (w) => ({ messages: w.messages, payloadBytes: w.payloadBytes }),
  };
}

/** Our subjects for a parser; a framer that is not registered yet comes back as Unavailable. */
export function ourSubjects(parser: Parser): (Subject | Unavailable)[] {
  if (parser === 'lines') {
    return [framerSubject('crlf', 'c2s'), chatSubject(() => new LineChat())];
  }
  let redis: Subject | Unavailable;
  try {
    createFramer('redis', 's2c');
    redis = framerSubject('redis', 's2c');
  } catch (err) {
    redis = { name: 'Framer (redis)', reason: (err as Error).message.split('.')[0] };
  }
  return [redis, chatSubject(() => new RespChat())];
}

/** Throws unless a subject found exactly what the workload holds. */
export function verify(name: string, got: Tally, want: Tally, what: string): void {
  if (got.messages !== want.messages || got.payloadBytes !== want.payloadBytes) {
    throw new Error(
      `${name} miscounted ${what}: ${got.messages} messages / ${got.payloadBytes} bytes, ` +
        `expected ${want.messages} / ${want.payloadBytes}. The benchmark is invalid.`,
    );
  }
}
