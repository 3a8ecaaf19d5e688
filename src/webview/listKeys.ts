/**
 * The frame list's keys, as in VS Code's own lists: arrows move the selection, Page Up/Down
 * by a page, Home/End to the ends (End also resumes follow-tail), Enter opens the detail,
 * Escape closes it. Pure: tested in node.
 */

/** What a key asks the list to do. */
export type ListKeyAction =
  | { readonly kind: 'select'; readonly pos: number; readonly follow?: true }
  | { readonly kind: 'open' }
  | { readonly kind: 'escape' };

/**
 * The action for `key`, with the selection at `at` (-1 for none: the row above the top of
 * the view), `page` rows per page and `count` rows; undefined for keys the list leaves alone.
 */
export function listKeyAction(
  key: string,
  at: number,
  page: number,
  count: number,
): ListKeyAction | undefined {
  const to = (pos: number): ListKeyAction => ({
    kind: 'select',
    pos: Math.max(0, Math.min(count - 1, pos)),
  });
  if (count === 0 && key !== 'Escape') return undefined;
  switch (key) {
    case 'ArrowDown':
      return to(at + 1);
    case 'ArrowUp':
      return to(at - 1);
    case 'PageDown':
      return to(at + page);
    case 'PageUp':
      return to(at - page);
    case 'Home':
      return to(0);
    case 'End':
      return { kind: 'select', pos: count - 1, follow: true };
    case 'Enter':
      return { kind: 'open' };
    case 'Escape':
      return { kind: 'escape' };
    default:
      return undefined;
  }
}
