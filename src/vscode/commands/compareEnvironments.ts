import { renderedUri } from '../authoring/renderedDocuments';
import type { EditorServices } from '../services';
import { asEnvironmentName } from './driftTarget';
import type { CommandHandler } from './registerCommand';

/**
 * Opens a diff of two environments' rendered output, each side under its real names, objects paired by their name
 * without the overlays' prefixes, suffixes and generator hashes (the overlay's namespace shown as `<namespace>`).
 * Arguments (both optional): the two environment names; a tree item gives the first. Returns the pair compared.
 */
export function compareEnvironmentsCommand(s: EditorServices): CommandHandler {
  return async (first, second) => {
    const names = s.store.entries.map((e) => e.env.name);
    let left = asEnvironmentName(first) ?? (typeof first === 'string' ? first : undefined);
    let right = typeof second === 'string' ? second : undefined;
    if (!left)
      left = (
        await s.host.showQuickPick(
          names.map((label) => ({ label })),
          { placeHolder: 'Compare which environment…' },
        )
      )?.label;
    if (!left) return undefined;
    if (!right) {
      // Offer the next environment in promotion order first: the comparison people make most.
      const others = names.filter((n) => n !== left);
      const next = names[names.indexOf(left) + 1];
      const ordered = next && next !== left ? [next, ...others.filter((n) => n !== next)] : others;
      right = (
        await s.host.showQuickPick(
          ordered.map((label) => ({ label })),
          { placeHolder: `…with which environment? (${left} on the left)` },
        )
      )?.label;
    }
    if (!right) return undefined;
    for (const n of [left, right]) if (!s.store.entry(n)) throw new Error(`no environment '${n}'`);
    const compare: [string, string] = [left, right];
    await s.host.executeCommand(
      'vscode.diff',
      renderedUri({ compare, side: 'left' }),
      renderedUri({ compare, side: 'right' }),
      `${left} ↔ ${right} (rendered)`,
    );
    return compare;
  };
}
