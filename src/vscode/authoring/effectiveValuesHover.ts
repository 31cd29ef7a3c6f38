import * as vscode from 'vscode';
import type { DriftStore } from '../driftStore';
import { repoRelative, repoUri } from '../repoFiles';

/** A table cell: pipes and markdown punctuation shown as typed. */
function cell(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/**
 * On a field of a base or overlay file: its effective value in each environment and the file and line that set it
 * there (a link). Read from the renders the engine caches; no cluster involved.
 */
export class EffectiveValuesHover implements vscode.HoverProvider {
  constructor(private readonly store: DriftStore) {}

  async provideHover(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const root = this.store.repoRoot;
    const file = root ? repoRelative(root, doc.uri) : undefined;
    if (!root || !file) return undefined;
    const session = await this.store.getSession();
    const hover = await session.authoring.hover(file, doc.getText(), position.line + 1, position.character + 1);
    if (!hover) return undefined;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(
      `**${cell(hover.key)}** per environment (GitOps Drift)\n\n| environment | value | set at |\n|---|---|---|\n`,
    );
    for (const row of hover.rows) {
      const at = row.origin
        ? `[${cell(`${row.origin.file}:${row.origin.line}`)}](${repoUri(root, row.origin.file)
            .with({ fragment: `L${row.origin.line},${row.origin.column}` })
            .toString()})`
        : '';
      md.appendMarkdown(`| ${cell(row.environment)} | ${cell(row.value)} | ${at} |\n`);
    }
    return new vscode.Hover(md, doc.getWordRangeAtPosition(position, /[\w.\-/]+/));
  }
}
