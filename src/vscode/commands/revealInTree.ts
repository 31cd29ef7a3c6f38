import * as vscode from 'vscode';
import { objectsAtLine } from '../../core/editor/objectsAtLine';
import { repoRelative } from '../repoFiles';
import type { EditorServices } from '../services';
import type { CommandHandler } from './registerCommand';

/**
 * Reveals in the Environments view the object the editor's cursor is on: the line that set one of its compared fields,
 * or the document that declares it (in the environment the view has selected, else one that needs attention first).
 */
export function revealInTreeCommand(s: EditorServices): CommandHandler {
  return async () => {
    const editor = vscode.window.activeTextEditor;
    const root = s.store.repoRoot;
    const file = editor && root ? repoRelative(root, editor.document.uri) : undefined;
    if (!editor || !file) {
      await s.host.showInformationMessage('Open a file of the repo to reveal its object in the Environments view.');
      return;
    }
    const line = editor.selection.active.line + 1;
    const [first] = objectsAtLine(reportsOf(s), file, line, s.selectedEnvironment());
    if (!first) {
      await s.host.showInformationMessage(`${file}:${line} declares no object the environments render.`);
      return;
    }
    await s.showInTree(first.env, first.key);
  };
}

/** The environments' latest reports. */
export function reportsOf(s: Pick<EditorServices, 'store'>) {
  return s.store.entries.flatMap((e) => (e.report ? [e.report] : []));
}
