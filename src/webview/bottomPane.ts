/**
 * The resizable pane under the list that holds the detail view or, while it is open, the push
 * editor; and the sash above it. Its height is view state.
 */
import { el, show } from './dom';

/** Smallest heights (px) of the pane and of the list above it. */
const MIN_PANE = 80;
const MIN_LIST = 66;

/** The sash and the pane below it. */
export class BottomPane {
  readonly sash: HTMLElement;
  readonly element: HTMLElement;
  private height: number;

  constructor(
    private readonly detail: HTMLElement,
    private readonly editor: HTMLElement,
    height: number | undefined,
    private readonly onResize: (height: number) => void,
  ) {
    this.height = height ?? 260;
    this.sash = el('div', {
      className: 'sash',
      attrs: {
        role: 'separator',
        'aria-orientation': 'horizontal',
        'aria-label': 'Resize the detail pane',
        tabindex: '0',
      },
    });
    this.element = el('div', { className: 'bottom-pane' }, detail, editor);
    this.sash.addEventListener('pointerdown', (e) => this.drag(e));
    this.sash.addEventListener('keydown', (e) => {
      const step = e.key === 'ArrowUp' ? 20 : e.key === 'ArrowDown' ? -20 : 0;
      if (step) {
        e.preventDefault();
        this.resize(this.height + step);
      }
    });
    this.update();
  }

  /** Shows the pane (when a frame is selected or the editor is open) or hides it. */
  update(): void {
    const detailShown = !this.detail.hidden;
    const editorShown = !this.editor.hidden;
    const visible = detailShown || editorShown;
    // The editor covers the detail while open; closing it brings the detail back.
    this.detail.classList.toggle('covered', editorShown);
    show(this.element, visible);
    show(this.sash, visible);
    this.apply();
  }

  private apply(): void {
    const parent = this.element.parentElement;
    const max = parent ? parent.clientHeight - MIN_LIST : this.height;
    const h = Math.max(MIN_PANE, Math.min(this.height, Math.max(MIN_PANE, max)));
    this.element.style.height = `${h}px`;
  }

  private resize(height: number): void {
    this.height = Math.round(height);
    this.apply();
    this.onResize(this.height);
  }

  private drag(e: PointerEvent): void {
    e.preventDefault();
    const startY = e.clientY;
    const startH = this.element.getBoundingClientRect().height;
    this.sash.setPointerCapture(e.pointerId);
    this.sash.classList.add('active');
    const move = (m: PointerEvent) => this.resize(startH + (startY - m.clientY));
    const up = () => {
      this.sash.classList.remove('active');
      this.sash.removeEventListener('pointermove', move);
      this.sash.removeEventListener('pointerup', up);
      this.sash.removeEventListener('pointercancel', up);
    };
    this.sash.addEventListener('pointermove', move);
    this.sash.addEventListener('pointerup', up);
    this.sash.addEventListener('pointercancel', up);
  }
}
