import { isDeploymentElement } from '../views/historyTree';
import type { EditorServices } from '../services';
import type { CommandHandler } from './registerCommand';

/**
 * The History view's read-only commands (none writes, so all run in an untrusted workspace): Refresh History, Show
 * Deployment Diff (the environment rendered before ↔ after the deployment's commit, from git objects), Open Commit
 * (the built-in git extension's multi-file diff of the commit, else `git show` in a read-only document) and Show
 * DORA Metrics. Revert This Deployment is revert.ts.
 */
export function refreshHistoryCommand(s: EditorServices): CommandHandler {
  return () => s.history.invalidate();
}

export function showDeploymentDiffCommand(s: EditorServices): CommandHandler {
  return async (arg) => {
    if (!isDeploymentElement(arg)) throw new Error('pick a deployment in the History view');
    await s.deployments.showDiff(arg.env, arg.sha, arg.subject, s.host);
  };
}

export function openDeploymentCommitCommand(s: EditorServices): CommandHandler {
  return async (arg) => {
    if (!isDeploymentElement(arg)) throw new Error('pick a deployment in the History view');
    await s.deployments.openCommit(arg.sha, s.host);
  };
}

export function showDoraCommand(s: EditorServices): CommandHandler {
  return () => s.dora.show();
}
