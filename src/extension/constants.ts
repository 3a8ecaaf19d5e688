/**
 * Every id Linetap contributes, in one place. A unit test checks them against package.json, so
 * a renamed command or setting cannot drift from its contribution.
 */

/** Command ids (`linetap.verbNoun`). */
export const Commands = {
  startProxy: 'linetap.startProxy',
  stopProxy: 'linetap.stopProxy',
  stopAllProxies: 'linetap.stopAllProxies',
  openPanel: 'linetap.openPanel',
  openCapture: 'linetap.openCapture',
  sendMessage: 'linetap.sendMessage',
  closeConnection: 'linetap.closeConnection',
  saveCapture: 'linetap.saveCapture',
  exportPcapng: 'linetap.exportPcapng',
  clear: 'linetap.clear',
  showLog: 'linetap.showLog',
  runDemo: 'linetap.runDemo',
  replayCapture: 'linetap.replayCapture',
  startMock: 'linetap.startMock',
  stopMock: 'linetap.stopMock',
  reframeCapture: 'linetap.reframeCapture',
} as const;

/** View ids. */
export const Views = {
  container: 'linetap',
  proxies: 'linetap.proxies',
} as const;

/** Webview and custom editor view types. */
export const ViewTypes = {
  trafficPanel: 'linetap.trafficPanel',
  captureViewer: 'linetap.captureViewer',
  replayPanel: 'linetap.replayPanel',
} as const;

/** Context keys set for `when` clauses. */
export const ContextKeys = {
  running: 'linetap.running',
  /** A server mock is running. */
  mocking: 'linetap.mocking',
} as const;

/** Setting keys, under the `linetap` section. */
export const ConfigKeys = {
  profiles: 'profiles',
  bindAddress: 'bindAddress',
  startOnOpen: 'startOnOpen',
  maxConnections: 'limits.maxConnections',
  maxFrameBytes: 'limits.maxFrameBytes',
  idleFlushMs: 'limits.idleFlushMs',
  ringFrames: 'limits.ringFrames',
} as const;

/** The settings section. */
export const CONFIG_SECTION = 'linetap';
