/**
 * Chooses the masks of a replay (volatile fields of the answers) or of a mock (of the
 * requests): a multi-select of the ready-made masks and the regexes used before, plus "Custom
 * regex…". The last choice is remembered per workspace, for replays and mocks apart, since
 * what varies in requests is not what varies in answers; custom regexes are offered to both.
 */
import * as vscode from 'vscode';
import { NAMED_MASKS, parseMask } from '../core/replay/masks';

/** What the masks are for. */
export type MaskUse = 'replay' | 'mock';

const LAST_CHOICE: Record<MaskUse, string> = {
  replay: 'linetap.replay.masks',
  mock: 'linetap.mock.masks',
};
const CUSTOM_HISTORY = 'linetap.replay.customMasks';
const MAX_CUSTOM = 8;

const PLACEHOLDERS: Record<MaskUse, string> = {
  replay: 'Ignore volatile fields (dates, ids…) when comparing; none to compare every byte',
  mock: 'Ignore volatile fields of requests (dates, ids…) when matching them',
};

type Item = vscode.QuickPickItem & { readonly spec?: string };

/** The masks the user picks (maybe none); undefined when cancelled. */
export async function pickMasks(
  state: vscode.Memento,
  title: string,
  use: MaskUse = 'replay',
): Promise<string[] | undefined> {
  const last = new Set(state.get<string[]>(LAST_CHOICE[use], []));
  const customs = state.get<string[]>(CUSTOM_HISTORY, []);
  const custom: Item = {
    label: '$(regex) Custom regex…',
    detail: 'a regular expression, or /regex/flags, whose matches are ignored',
  };
  const items: Item[] = [
    ...Object.entries(NAMED_MASKS).map(([name, { about }]) => ({
      label: name,
      detail: about,
      spec: name,
      picked: last.has(name),
    })),
    ...customs.map((spec) => ({
      label: spec,
      description: 'regex used before',
      spec,
      picked: last.has(spec),
    })),
    custom,
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: PLACEHOLDERS[use],
    canPickMany: true,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  const specs = picked.flatMap((i) => (i.spec !== undefined ? [i.spec] : []));
  if (picked.includes(custom)) {
    const regex = await vscode.window.showInputBox({
      title: `${title}: custom mask`,
      prompt: 'Matches are replaced by <mask> on both sides before comparing, e.g. "id=\\d+"',
      validateInput: (v) => {
        try {
          parseMask(v);
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      },
      ignoreFocusOut: true,
    });
    if (regex === undefined) return undefined;
    specs.push(regex);
    if (!NAMED_MASKS[regex.trim().toLowerCase()]) {
      const history = [regex, ...customs.filter((c) => c !== regex)].slice(0, MAX_CUSTOM);
      await state.update(CUSTOM_HISTORY, history);
    }
  }
  await state.update(LAST_CHOICE[use], specs);
  return specs;
}
