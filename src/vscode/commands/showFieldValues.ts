import * as vscode from 'vscode';
import { type FieldPlace, fieldValuesUri } from '../authoring/fieldValues';
import { readText, repoRelative, repoUri } from '../repoFiles';
import type { EditorServices } from '../services';
import type { CommandHandler } from './registerCommand';

function asFieldPlace(arg: unknown): FieldPlace | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as Partial<FieldPlace>;
  return typeof a.file === 'string' && typeof a.line === 'number' && typeof a.column === 'number'
    ? { file: a.file, line: a.line, column: a.column }
    : undefined;
}

/**
 * Opens the table of a field's value in every environment (each value and the line that set it) in the markdown
 * preview beside the editor: the hovers' "Values in every environment" link, or the field at the cursor. Returns
 * the table's URI, or undefined when there is no field there.
 */
export function showFieldValuesCommand(s: EditorServices): CommandHandler {
  return async (arg) => {
    const root = s.store.repoRoot;
    const editor = vscode.window.activeTextEditor;
    const file = root && editor ? repoRelative(root, editor.document.uri) : undefined;
    const at =
      asFieldPlace(arg) ??
      (editor && file
        ? { file, line: editor.selection.active.line + 1, column: editor.selection.active.character + 1 }
        : undefined);
    if (!root || !at) {
      void s.host.showInformationMessage('GitOps Drift: put the cursor on a field of a repo YAML file first.');
      return undefined;
    }
    const text = await readText(repoUri(root, at.file));
    const session = await s.store.getSession();
    const summary = text === undefined ? undefined : await session.authoring.hover(at.file, text, at.line, at.column);
    if (!summary) {
      void s.host.showInformationMessage(`GitOps Drift: no environment renders a value set at ${at.file}:${at.line}.`);
      return undefined;
    }
    const uri = fieldValuesUri(at, summary.key);
    try {
      await s.host.executeCommand('markdown.showPreviewToSide', uri);
    } catch (e) {
      // Without the built-in markdown extension, the table as text.
      s.log.info(
        `markdown preview unavailable (${e instanceof Error ? e.message : String(e)}): opening the table as text`,
      );
      await s.host.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }
    return uri;
  };
}
