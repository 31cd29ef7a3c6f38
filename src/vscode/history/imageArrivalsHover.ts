import * as vscode from 'vscode';
import { when } from '../../core/history/describe';
import { plainText } from '../../core/model/untrustedText';
import type { DriftStore } from '../driftStore';
import type { HistoryModel } from './historyModel';

/**
 * Hover on a kustomization's `images:` entry: when the version it sets first reached each environment (the commit
 * and its time), and where it runs now, from the repo's history. Nothing when the history cannot be read.
 */
export class ImageArrivalsHover implements vscode.HoverProvider {
  constructor(
    private readonly store: DriftStore,
    private readonly model: HistoryModel,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!this.store.repoRoot) return undefined;
    try {
      const session = await this.store.getSession();
      const found = await session.imageArrivals(document.getText(), position.line, () => this.model.get());
      if (!found) return undefined;
      const { entry, rows } = found;
      const version = entry.digest ?? entry.newTag!;
      const md = new vscode.MarkdownString();
      md.appendMarkdown('**');
      md.appendText(plainText(`${entry.newName ?? entry.name} ${version}`));
      md.appendMarkdown('** reached (GitOps Drift history)\n\n');
      for (const row of rows) {
        md.appendMarkdown('- **');
        md.appendText(row.environment);
        md.appendMarkdown('**: ');
        const a = row.arrival;
        const text = !a
          ? 'not in this history'
          : a.commit
            ? `${when(a.commit.date)} in ${a.commit.sha.slice(0, 7)} (${a.commit.subject})`
            : 'already there when the window began';
        md.appendText(plainText(text + (row.runningNow ? ' · runs it now' : a ? ' · moved on since' : '')));
        md.appendMarkdown('\n');
      }
      const first = entry.lines[0];
      const last = entry.lines[1];
      return new vscode.Hover(md, new vscode.Range(first, 0, last, document.lineAt(last).text.length));
    } catch {
      return undefined;
    }
  }
}
