/** The protocol framers, by spec name. */
import { httpProtocol } from './http';
import type { Protocol } from './protocol';

const all: Protocol[] = [httpProtocol];

/** Protocol framers by name. */
export const protocols: ReadonlyMap<string, Protocol> = new Map(all.map((p) => [p.name, p]));
