import * as vscode from 'vscode';
import { repoRelative } from '../repoFiles';
import { CommandIds } from './commandIds';
import type { EditorServices } from '../services';
import type { CommandHandler } from './registerCommand';

/**
 * Lists the environments whose render reads a file (the explorer's or the active editor's); picking one opens its
 * rendered preview. Returns the environment names.
 */
export function findEnvironmentsUsingCommand(s: EditorServices): CommandHandler {
  return async (arg) => {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    const root = s.store.repoRoot;
    const file = uri && root ? repoRelative(root, uri) : undefined;
    if (!file) {
      await s.host.showInformationMessage('GitOps Drift: open a file of the config repo first.');
      return [];
    }
    const session = await s.store.getSession();
    const names = await session.authoring.environmentsUsing(file);
    if (!names.length) {
      await s.host.showInformationMessage(`No environment renders ${file}.`);
      return names;
    }
    const pick = await s.host.showQuickPick(
      names.map((label) => ({ label, description: s.store.entry(label)?.env.path })),
      {
        placeHolder: `${file} is used by ${names.length} environment${names.length === 1 ? '' : 's'}: pick one to see its rendered output`,
      },
    );
    if (pick) await s.host.executeCommand(CommandIds.showRendered, pick.label);
    return names;
  };
}
