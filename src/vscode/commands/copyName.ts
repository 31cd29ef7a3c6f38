import type { EditorServices } from '../services';
import { asDriftTarget } from './driftTarget';
import type { CommandHandler } from './registerCommand';

/** Copies an object's name. */
export function copyNameCommand(s: EditorServices): CommandHandler {
  return async (arg) => {
    const target = asDriftTarget(arg);
    if (!target) return;
    await s.host.writeClipboard(target.key.name);
  };
}
