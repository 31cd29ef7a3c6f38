import * as vscode from 'vscode';
import { TREE_GROUPINGS, type TreeGrouping } from '../../core/editor/treeLayout';
import { readTreeGrouping } from '../settings';
import type { EditorServices } from '../services';
import type { CommandHandler } from './registerCommand';

const DESCRIPTIONS: Record<TreeGrouping, string> = {
  auto: 'as the repo groups itself, beyond 6 environments',
  cluster: 'Argo CD destination, else kube context',
  folder: 'the folder above each environment (envs/eu for envs/eu/prod)',
  namespace: "each environment's namespace",
  none: 'every environment at the top',
};

/** The view's `…` menu: picks how environments are grouped and keeps it in the workspace's `gitopsDrift.tree.groupBy`. */
export function groupByCommand(s: EditorServices): CommandHandler {
  return async () => {
    const current = readTreeGrouping();
    const picked = await s.host.showQuickPick(
      TREE_GROUPINGS.map((g) => ({ label: g, description: DESCRIPTIONS[g], picked: g === current })),
      { title: 'Group Environments By', placeHolder: `now: ${current}` },
    );
    if (!picked) return;
    await vscode.workspace
      .getConfiguration('gitopsDrift')
      .update('tree.groupBy', picked.label, vscode.ConfigurationTarget.Workspace);
  };
}
