import * as vscode from 'vscode';
import type { DriftStore } from '../driftStore';
import { repoRelative } from '../repoFiles';

/**
 * On a field of a base or overlay file: its effective value in each environment and the file and line that set it
 * there. Read from the renders the engine caches; no cluster involved.
 */
export class EffectiveValuesHover implements vscode.HoverProvider {
  constructor(private readonly store: DriftStore) {}

  async provideHover(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const root = this.store.repoRoot;
    const file = root ? repoRelative(root, doc.uri) : undefined;
    if (!file) return undefined;
    const session = await this.store.getSession();
    const hover = await session.authoring.hover(file, doc.getText(), position.line + 1, position.character + 1);
    if (!hover) return undefined;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**Effective value per environment** (GitOps Drift)\n\n`);
    md.appendText(hover.line);
    const word = doc.getWordRangeAtPosition(position, /[\w.\-/]+/);
    return new vscode.Hover(md, word);
  }
}
