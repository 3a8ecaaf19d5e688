/** The child processes of the proxy suite, by role (`--child=ROLE`). */
import { runLoadChild } from './loadChild';
import { runRelayChild } from './relayChild';

/** Runs this process as the proxy-suite child `role`. */
export function runChild(role: string): void {
  if (role === 'load') runLoadChild();
  else if (role === 'relay') runRelayChild();
  else throw new Error(`unknown child role ${role}`);
}
