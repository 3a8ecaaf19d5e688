/**
 * Chooses the masks of a replay: a multi-select of the ready-made masks and the regexes used
 * before, plus "Custom regex…". The last choice is remembered per workspace.
 */
import * as vscode from 'vscode';
import { NAMED_MASKS, parseMask } from '../core/replay/masks';

const LAST_CHOICE = 'linetap.replay.masks';
const CUSTOM_HISTORY = 'linetap.replay.customMasks';
const MAX_CUSTOM = 8;

type Item = vscode.QuickPickItem & { readonly spec?: string };

/** The masks the user picks (maybe none); undefined when cancelled. */
export async function pickMasks(
  state: vscode.Memento,
  title: string,
): Promise<string[] | undefined> {
  const last = new Set(state.get<string[]>(LAST_CHOICE, []));
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
    placeHolder: 'Ignore volatile fields (dates, ids…) when comparing; none to compare every byte',
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
  await state.update(LAST_CHOICE, specs);
  return specs;
}
