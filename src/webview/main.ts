/**
 * Entry point of the traffic panel / capture viewer webview (bundled to dist/webview.js). The
 * host's page is `<div id="app"></div>` plus this script; the listener is attached before
 * `ready` is posted, so the host's `init` cannot arrive unheard (house style rule 6).
 */
import { TrafficPanel } from './panel';
import { postToHost } from './vscodeApi';

const root =
  document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
const panel = new TrafficPanel(root);
window.addEventListener('message', (e: MessageEvent<unknown>) => panel.handle(e.data));
window.addEventListener('pagehide', () => panel.link.dispose());
postToHost({ type: 'ready' });
