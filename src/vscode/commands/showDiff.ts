import type { EditorServices } from '../services';
import { asDriftTarget } from './driftTarget';
import { pickResource } from './pickResource';
import type { CommandHandler } from './registerCommand';

/**
 * Opens `web (prod): git ↔ cluster` (long lines wrapped) for a tree item, a quick fix's target, or an object picked
 * from the drifted ones. Returns whether the diff wraps long lines.
 */
export function showDiffCommand(s: EditorServices): CommandHandler {
  return async (arg) => {
    const target = asDriftTarget(arg) ?? (await pickResource(s, 'Show the diff of which object?'));
    if (!target) return;
    const shown = await s.documents.showDiff(target.env, target.key);
    await s.reveal(target.env, target.key);
    return shown;
  };
}
