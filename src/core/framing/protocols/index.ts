/** The protocol framers, by spec name. */
import type { Protocol } from './protocol';

const all: Protocol[] = [];

/** Protocol framers by name. */
export const protocols: ReadonlyMap<string, Protocol> = new Map(all.map((p) => [p.name, p]));
