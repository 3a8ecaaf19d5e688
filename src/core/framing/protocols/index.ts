/** The protocol framers, by spec name. */
import { httpProtocol } from './http';
import { ircProtocol } from './irc';
import { memcachedProtocol } from './memcached';
import type { Protocol } from './protocol';
import { redisProtocol } from './redis';
import { smtpProtocol } from './smtp';
import { stompProtocol } from './stomp';

const all: Protocol[] = [
  redisProtocol,
  memcachedProtocol,
  smtpProtocol,
  httpProtocol,
  ircProtocol,
  stompProtocol,
];

/** Protocol framers by name. */
export const protocols: ReadonlyMap<string, Protocol> = new Map(all.map((p) => [p.name, p]));
