/**
 * The framings offered wherever the user chooses one (Start Proxy, Re-frame Capture), and the
 * check of a re-framing given as a command argument. No `vscode` here: unit-tested in plain node.
 */
import { parseFramingSpec } from '../core/framing/framingSpec';

/** Framings offered in pickers; anything else is typed. */
export const FRAMINGS: readonly { readonly spec: string; readonly detail: string }[] = [
  { spec: 'line', detail: 'lines ending in \\n or \\r\\n (the ending is shown)' },
  { spec: 'crlf', detail: 'lines ending in \\r\\n' },
  { spec: 'lf', detail: 'lines ending in \\n' },
  { spec: 'redis', detail: 'RESP2/RESP3, commands and replies' },
  { spec: 'memcached', detail: 'text protocol with data blocks' },
  { spec: 'smtp', detail: 'commands, multi-line replies, DATA' },
  { spec: 'http', detail: 'HTTP/1.x, bodies, WebSocket after upgrade' },
  { spec: 'irc', detail: 'prefix, command, params' },
  { spec: 'stomp', detail: 'NUL-terminated frames' },
];

/** The spec of each direction. */
export interface DirectionSpecs {
  readonly c2s: string;
  readonly s2c: string;
}

/** How a capture viewer frames a capture: as recorded, or its bytes framed anew. */
export type Reframing = 'recorded' | DirectionSpecs;

const USAGE =
  'Re-frame Capture takes a framing spec ("redis"), { c2s: spec, s2c: spec } for one per direction, or "recorded"';

/** A re-framing given as an argument; throws an error that says what to change. */
export function toReframing(value: unknown): Reframing {
  if (value === 'recorded') return value;
  if (typeof value === 'string') {
    const spec = checked(value, '');
    return { c2s: spec, s2c: spec };
  }
  if (typeof value === 'object' && value !== null) {
    const { c2s, s2c } = value as Record<string, unknown>;
    if (typeof c2s === 'string' && typeof s2c === 'string')
      return { c2s: checked(c2s, 'client → server: '), s2c: checked(s2c, 'server → client: ') };
  }
  throw new TypeError(`${USAGE}; got ${JSON.stringify(value) ?? String(value)}`);
}

function checked(spec: string, where: string): string {
  try {
    parseFramingSpec(spec);
  } catch (e) {
    throw new Error(`${where}${(e as Error).message}`, { cause: e });
  }
  return spec.trim();
}

/** `redis`, or `crlf / count:16` when the directions differ (as the panel's header shows it). */
export function describeSpecs(specs: DirectionSpecs): string {
  return specs.c2s === specs.s2c ? specs.c2s : `${specs.c2s} / ${specs.s2c}`;
}
