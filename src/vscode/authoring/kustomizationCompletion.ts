import * as vscode from 'vscode';
import type { CompletionEntry } from '../../core/authoring/completion';
import type { DriftStore } from '../driftStore';
import { repoRelative } from '../repoFiles';

const KIND: Record<CompletionEntry['kind'], vscode.CompletionItemKind> = {
  field: vscode.CompletionItemKind.Property,
  file: vscode.CompletionItemKind.File,
  folder: vscode.CompletionItemKind.Folder,
  value: vscode.CompletionItemKind.EnumMember,
};

/** Field names, values and file paths inside kustomization files. */
export class KustomizationCompletion implements vscode.CompletionItemProvider {
  /** `/` continues a path into the folder just completed. */
  static readonly triggerCharacters = ['/'];

  constructor(private readonly store: DriftStore) {}

  async provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[]> {
    const root = this.store.repoRoot;
    const file = root ? repoRelative(root, doc.uri) : undefined;
    if (!file) return [];
    const session = await this.store.getSession();
    const entries = await session.authoring.completions(doc.getText(), doc.offsetAt(position), file);
    return entries.map((e) => {
      const item = new vscode.CompletionItem(e.label, KIND[e.kind]);
      item.range = new vscode.Range(doc.positionAt(e.replaceStart), doc.positionAt(e.replaceEnd));
      if (e.insertText !== undefined) item.insertText = e.insertText;
      if (e.detail) item.detail = e.detail;
      if (e.documentation) item.documentation = new vscode.MarkdownString(e.documentation);
      if (e.deprecated) item.tags = [vscode.CompletionItemTag.Deprecated];
      if (e.sortText !== undefined) item.sortText = e.sortText;
      // A folder completes to `name/`: typing on lists what is inside.
      if (e.kind === 'folder' && (e.insertText ?? e.label).endsWith('/'))
        item.command = { command: 'editor.action.triggerSuggest', title: 'Suggest' };
      return item;
    });
  }
}
