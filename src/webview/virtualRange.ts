/**
 * Scroll math of the virtual frame list. Rows have one fixed height, so a position maps to
 * pixels by multiplication, and only the rows in view (plus a little overscan) exist in the DOM.
 *
 * Browsers cap an element's height (Chrome near 33.5 M px, Firefox lower), and a million frames
 * at 22 px is 22 M px. So the scrollable height is capped at MAX_SCROLL_PX and, past that,
 * scrollTop is scaled: the scrollbar covers the whole list, and the list keeps its own
 * fractional `first` row so that wheel and keys still move by whole rows. Below the cap the
 * scale is 1 and a row sits at exactly pos × rowHeight, as in any list. Pure: tested in node.
 */

/** Tallest scrollable content we create, safely under every browser's limit. */
export const MAX_SCROLL_PX = 8_000_000;

/** What the math needs to know about the list. */
export interface ScrollGeometry {
  readonly rowHeight: number;
  /** Rows in the list (status.matched). */
  readonly count: number;
  /** Height of the scrolling viewport. */
  readonly viewportHeight: number;
}

/** Height of the scrollable content (the spacer). */
export function contentHeight(g: ScrollGeometry): number {
  return Math.min(g.count * g.rowHeight, MAX_SCROLL_PX);
}

/** The largest `first` row: the list's last row sits at the bottom of the viewport. */
export function maxFirst(g: ScrollGeometry): number {
  return Math.max(0, g.count - g.viewportHeight / g.rowHeight);
}

/** List pixels per scrollTop pixel: 1 below the cap, more above it. */
export function scrollScale(g: ScrollGeometry): number {
  const list = g.count * g.rowHeight - g.viewportHeight;
  const scroll = contentHeight(g) - g.viewportHeight;
  return list <= 0 || scroll <= 0 ? 1 : list / scroll;
}

/** The fractional row at the top of the viewport for a scrollTop. */
export function firstFromScrollTop(g: ScrollGeometry, scrollTop: number): number {
  return clampFirst(g, (scrollTop * scrollScale(g)) / g.rowHeight);
}

/** The scrollTop that puts row `first` at the top. */
export function scrollTopFromFirst(g: ScrollGeometry, first: number): number {
  return (clampFirst(g, first) * g.rowHeight) / scrollScale(g);
}

/** `first` kept between 0 and maxFirst. */
export function clampFirst(g: ScrollGeometry, first: number): number {
  return Math.min(Math.max(0, first), maxFirst(g));
}

/** Rows to put in the DOM: [start, end), the visible ones plus `overscan` on each side. */
export function visibleRange(
  g: ScrollGeometry,
  first: number,
  overscan: number,
): { start: number; end: number } {
  const top = Math.floor(clampFirst(g, first));
  const inView = Math.ceil(g.viewportHeight / g.rowHeight) + 1;
  return {
    start: Math.max(0, top - overscan),
    end: Math.min(g.count, top + inView + overscan),
  };
}

/**
 * Where row `pos` goes inside the scrollable content: its offset from the viewport's top
 * plus scrollTop. Below the cap this is exactly pos × rowHeight.
 */
export function rowOffset(g: ScrollGeometry, first: number, scrollTop: number, pos: number) {
  if (scrollScale(g) === 1) return pos * g.rowHeight;
  return scrollTop + (pos - first) * g.rowHeight;
}

/** True when `first` shows the end of the list (within half a row): follow-tail resumes. */
export function atBottom(g: ScrollGeometry, first: number): boolean {
  return first >= maxFirst(g) - 0.5;
}

/** The `first` that brings row `pos` fully into view with the least movement. */
export function revealFirst(g: ScrollGeometry, first: number, pos: number): number {
  const rowsInView = g.viewportHeight / g.rowHeight;
  if (pos < first) return clampFirst(g, pos);
  if (pos + 1 > first + rowsInView) return clampFirst(g, pos + 1 - rowsInView);
  return first;
}

/** A wheel event's vertical distance in pixels, whatever unit it came in (pixels, lines, pages). */
export function wheelPixels(deltaY: number, deltaMode: number, g: ScrollGeometry): number {
  if (deltaMode === 1) return deltaY * g.rowHeight;
  if (deltaMode === 2) return deltaY * g.viewportHeight;
  return deltaY;
}
