/**
 * The webview's one handle on VS Code (house style rule 8): acquireVsCodeApi may be called
 * only once per page, so it is called here, at load, and everything else goes through typed
 * helpers. View state holds small UI state only; frames stay with the host.
 */
import type { WebviewToHost } from '../shared/protocol';
import type { TimeMode } from './format';

/** What the panel remembers across hide/show and reloads. */
export interface WebviewState {
  /** The source's title: after a window reload the host re-attaches the panel by it. */
  readonly title?: string;
  readonly filter?: string;
  /** The selected frame: its source index (for getDetail) and id (to check it is still it). */
  readonly selected?: { readonly index: number; readonly id: number };
  /** The list row at the top of the viewport (fractional). */
  readonly first?: number;
  readonly timeMode?: TimeMode;
  /** Follow-tail: keep the newest frame in view. */
  readonly follow?: boolean;
  readonly search?: string;
  /** Height of the detail pane in px. */
  readonly detailHeight?: number;
}

const api = acquireVsCodeApi<WebviewState>();

/** Posts a message to the host; only contract messages type-check. */
export function postToHost(message: WebviewToHost): void {
  api.postMessage(message);
}

/** The saved view state ({} on first open). */
export function getViewState(): WebviewState {
  const state = api.getState();
  return typeof state === 'object' && state !== null ? state : {};
}

/** Merges `patch` into the saved view state. */
export function patchViewState(patch: Partial<WebviewState>): void {
  api.setState({ ...getViewState(), ...patch });
}
