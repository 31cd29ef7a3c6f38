import * as vscode from 'vscode';
import { readText, repoUri } from '../repoFiles';
import type { EditorServices } from '../services';
import { asDriftTarget } from './driftTarget';
import type { CommandHandler } from './registerCommand';

/**
 * Writes an ignore rule for one field of one object in one environment to `.gitops-drift.yaml` (created when
 * absent), as an undoable edit that is saved; the save re-checks.
 */
export function ignoreFieldCommand(s: EditorServices): CommandHandler {
  return async (arg) => {
    const target = asDriftTarget(arg);
    const root = s.store.repoRoot;
    if (!target?.path || !root)
      throw new Error('Ignore This Field needs a drifted field (use the quick fix on a drift marker)');
    if (!s.host.isTrusted()) throw new Error('writing .gitops-drift.yaml needs a trusted workspace');
    const session = await s.store.getSession();
    const uri = repoUri(root, session.configFile);
    const before = await readText(uri);
    const after = session.withIgnoreRule(before, { key: target.key, pointer: target.path, environment: target.env });
    const edit = new vscode.WorkspaceEdit();
    if (before === undefined) {
      edit.createFile(uri, { ignoreIfExists: true });
      edit.insert(uri, new vscode.Position(0, 0), after);
    } else {
      const doc = await vscode.workspace.openTextDocument(uri);
      edit.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), after);
    }
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`could not edit ${session.configFile}`);
    const doc = await vscode.workspace.openTextDocument(uri);
    await doc.save();
    // The save reloads the config through RefreshOnSave; refresh now too, in case saving was a no-op.
    await s.store.refresh({ reload: true });
  };
}
