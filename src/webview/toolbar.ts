/**
 * The top bar (what is shown, and the session commands the host runs with VS Code's own UI),
 * the notice banner, and the status line at the bottom with the counts.
 */
import type { SourceInfo, ToolbarCommand, ViewStatus } from '../shared/protocol';
import { clip, el, iconButton, show } from './dom';
import { visibleText } from './escapeSegments';
import { statusText } from './statusText';

/** The bar above everything. */
export class Toolbar {
  readonly element: HTMLElement;
  private readonly title = el('span', { className: 'source-title' });
  private readonly description = el('span', {
    className: 'source-description',
    attrs: { dir: 'ltr' },
  });
  private readonly start: HTMLButtonElement;
  private readonly stop: HTMLButtonElement;
  private readonly save: HTMLButtonElement;
  private readonly clear: HTMLButtonElement;
  private readonly exportButton: HTMLButtonElement;
  private source: SourceInfo | undefined;

  constructor(run: (command: ToolbarCommand) => void) {
    this.start = iconButton('debug-start', 'Start Proxy', () => run('startProxy'));
    this.stop = iconButton('debug-stop', 'Stop Proxy', () => run('stopProxy'));
    this.save = iconButton('save', 'Save Capture…', () => run('saveCapture'));
    this.exportButton = iconButton('export', 'Export pcapng…', () => run('exportPcapng'));
    this.clear = iconButton('clear-all', 'Clear', () => run('clear'));
    this.element = el(
      'header',
      { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Session' } },
      el('div', { className: 'source' }, this.title, this.description),
      el(
        'div',
        { className: 'actions' },
        this.start,
        this.stop,
        this.save,
        this.exportButton,
        this.clear,
      ),
    );
  }

  setSource(source: SourceInfo): void {
    this.source = source;
    this.title.textContent = visibleText(clip(source.title || 'Linetap', 200));
    const framing =
      source.framing.c2s === source.framing.s2c
        ? source.framing.c2s
        : `${source.framing.c2s} / ${source.framing.s2c}`;
    this.description.textContent = visibleText(
      clip([source.description, framing].filter(Boolean).join(' · '), 500),
    );
    this.element.title = this.description.textContent;
    this.setStatus(undefined);
  }

  /**
   * A capture file can only be exported; a live proxy can be stopped, saved and cleared; a
   * replay has no session commands (its traffic is not recorded to a file).
   */
  setStatus(status: ViewStatus | undefined): void {
    const live = this.source?.kind === 'live';
    show(this.exportButton, this.source?.kind !== 'replay');
    const running = live && status?.growing === true;
    show(this.start, live && !running);
    show(this.stop, running);
    show(this.save, live);
    show(this.clear, live && this.source?.interactive === true);
  }
}

/** A dismissible banner for the host's notices (proxy stopped, file failed to load). */
export class NoticeBanner {
  readonly element: HTMLElement;
  private readonly text = el('span', { className: 'notice-text' });

  constructor() {
    this.element = el('div', { className: 'notice', attrs: { role: 'status' } }, this.text);
    this.element.append(iconButton('close', 'Dismiss', () => show(this.element, false)));
    show(this.element, false);
  }

  showNotice(level: 'info' | 'error', message: string): void {
    this.element.classList.toggle('error', level === 'error');
    this.element.setAttribute('role', level === 'error' ? 'alert' : 'status');
    this.text.textContent = visibleText(clip(message, 2000));
    show(this.element, true);
  }
}

/** The counts under the list. */
export class StatusLine {
  readonly element = el('footer', { className: 'status-line', attrs: { 'aria-live': 'off' } });

  set(status: ViewStatus, filtered: boolean, kind: SourceInfo['kind'] = 'live'): void {
    this.element.textContent = statusText(status, filtered, kind);
  }
}
