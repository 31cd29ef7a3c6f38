import type { EditorServices } from '../services';
import { asEnvironmentName } from './driftTarget';
import type { CommandHandler } from './registerCommand';

/**
 * Reads the repo again (files may have changed without a watcher event yet, e.g. a branch just checked out), reloads
 * the environment list and checks every environment.
 */
export function refreshCommand(s: EditorServices): CommandHandler {
  return () => s.store.refresh({ reread: true });
}

/** Checks one environment again (tree context menu); an Argo CD environment read as its status only is read in full. */
export function refreshEnvironmentCommand(s: EditorServices): CommandHandler {
  return (arg) => {
    const env = asEnvironmentName(arg);
    return env ? s.store.refresh({ environments: [env], open: true }) : s.store.refresh({ reload: true });
  };
}

/** Stops waiting for a refresh (view title button while one runs); the previous results stay. */
export function cancelRefreshCommand(s: EditorServices): CommandHandler {
  return () => s.store.cancel();
}
