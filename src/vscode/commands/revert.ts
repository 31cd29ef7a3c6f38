import type { GitCommit } from '../../core/ports';
import { environmentChanges, type RevertDeps, revertEnvironmentChange } from '../../core/revertService';
import type { EditorServices } from '../services';
import { isDeploymentElement } from '../views/historyTree';
import { asEnvironmentName } from './driftTarget';
import type { CommandHandler } from './registerCommand';

/**
 * "GitOps: Revert Environment Change…": recent commits touching the environment's files (its overlay and the bases
 * it includes), with author, date and a one-line summary of what each changed in the rendered objects; the chosen one is reverted with
 * `git revert` into a new commit after a modal confirmation. A conflict aborts it and names the files. The history,
 * the summaries and the guarded revert are src/core/revertService.ts, shared with `gitops-drift revert`.
 * "Revert This Deployment" (the History view) is the same command given the deployment: no picker, the same
 * confirmation and the same guarded revert.
 */
export function revertCommand(s: EditorServices): CommandHandler {
  return async (arg) => {
    const root = s.store.repoRoot;
    if (!root) throw new Error('open a folder with a GitOps config repo first');
    if (!s.host.isTrusted()) throw new Error('reverting writes to git: trust this workspace first');
    const session = await s.store.getSession();
    const deps = { engine: session.engine, git: session.git(), repoRoot: root };
    if (isDeploymentElement(arg)) {
      const commit = await deps.git.commit(arg.sha);
      if (!commit) throw new Error(`no commit ${arg.sha.slice(0, 7)} in this repository`);
      return confirmAndRevert(s, deps, arg.env, commit);
    }
    const names = (await session.engine.repo()).environments.map((e) => e.name);
    const name =
      asEnvironmentName(arg) ??
      (
        await s.host.showQuickPick(
          names.map((label) => ({ label })),
          { placeHolder: 'Revert a change of which environment?' },
        )
      )?.label;
    if (!name) return;
    const history = await environmentChanges(deps, await session.engine.environment(name), 50);
    if (!history.changes.length) {
      await s.host.showInformationMessage(`GitOps Drift: no commits touch ${name}'s files.`);
      return;
    }
    // The picker shows a busy bar while each commit's rendered change is worked out (from git objects).
    const items = Promise.all(
      history.changes.map(async (change) => {
        const c = change.commit;
        return {
          label: c.subject,
          description: `${c.sha.slice(0, 7)} · ${c.author} · ${new Date(c.date).toLocaleString()}`,
          detail: await history
            .summarize(change)
            .catch((e: unknown) => `files: ${change.files.join(', ')} (${e instanceof Error ? e.message : String(e)})`),
          commit: c,
        };
      }),
    );
    const picked = await s.host.showQuickPick(items, {
      placeHolder: `Revert which change to ${name}?`,
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) return;
    return confirmAndRevert(s, deps, name, picked.commit);
  };
}

/** The modal confirmation, then the guarded `git revert` of `c` (refused, changing nothing, when it is not `name`'s). */
async function confirmAndRevert(s: EditorServices, deps: RevertDeps, name: string, c: GitCommit): Promise<void> {
  const env = await deps.engine.environment(name);
  const ok = 'Revert';
  const choice = await s.host.showWarningMessage(
    `Revert "${c.subject}" (${c.sha.slice(0, 7)})?`,
    { modal: true, detail: `git revert creates a new commit on the current branch undoing:\n${c.files.join('\n')}` },
    ok,
  );
  if (choice !== ok) return;
  const result = await revertEnvironmentChange(deps, env, c.sha, s.log);
  if (result.status === 'conflict') {
    throw new Error(
      `reverting ${c.sha.slice(0, 7)} conflicts in ${result.files.join(', ')}; the revert was aborted and the repository is as it was`,
    );
  }
  await s.store.refresh({ reload: true });
  void s.host.showInformationMessage(`GitOps Drift: reverted ${c.sha.slice(0, 7)} in ${result.sha.slice(0, 7)}.`);
}
