/** The framing quick pick shared by Start Proxy and Re-frame Capture. */
import * as vscode from 'vscode';
import { checkFraming } from '../core/proxy/proxyProfile';
import { FRAMINGS } from './framingChoices';

/** An entry a command adds to the list, answered with its value instead of a spec. */
export interface ExtraChoice<T> extends vscode.QuickPickItem {
  readonly value: T;
}

/** What the picker shows besides the offered framings. */
export interface FramingPickOptions<T> {
  readonly title: string;
  readonly placeHolder: string;
  /** Marked "shown now" in the list. */
  readonly current?: string;
  /** Listed before the framings. */
  readonly before?: readonly ExtraChoice<T>[];
  /** Listed after "Other…". */
  readonly after?: readonly ExtraChoice<T>[];
}

/**
 * Asks for a framing: one offered, or one typed and checked as it is typed (the error names
 * the spec and lists the accepted forms). Undefined when cancelled.
 */
export async function pickFraming<T = never>(
  options: FramingPickOptions<T>,
): Promise<string | T | undefined> {
  type Item = vscode.QuickPickItem & { choice: { value: T } | { spec: string } | 'other' };
  const extra = (items: readonly ExtraChoice<T>[] = []): Item[] =>
    items.map((item) => ({ ...item, choice: { value: item.value } }));
  const items: Item[] = [
    ...extra(options.before),
    ...FRAMINGS.map((f) => ({
      label: f.spec,
      description: f.spec === options.current ? 'shown now' : undefined,
      detail: f.detail,
      choice: { spec: f.spec },
    })),
    { label: '$(edit) Other…', detail: 'delim:, count:, length:, nul, close', choice: 'other' },
    ...extra(options.after),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: options.title,
    placeHolder: options.placeHolder,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.choice === 'other') {
    const typed = await vscode.window.showInputBox({
      title: `${options.title} spec`,
      prompt: 'e.g. delim:\\r\\n.\\r\\n, count:16, length:4be, nul, close',
      value:
        options.current !== undefined && !FRAMINGS.some((f) => f.spec === options.current)
          ? options.current
          : undefined,
      validateInput: (v) => checkFraming(v),
      ignoreFocusOut: true,
    });
    return typed?.trim();
  }
  return 'spec' in picked.choice ? picked.choice.spec : picked.choice.value;
}
