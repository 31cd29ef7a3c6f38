import * as vscode from 'vscode';
import { effectiveValuesHoverMarkdown, helmValueHoverMarkdown } from '../../core/editor/hovers';
import { CommandIds } from '../commands/commandIds';
import type { DriftStore } from '../driftStore';
import { repoRelative } from '../repoFiles';
import { fieldValuesCommandLink, originLink } from './fieldValues';

/**
 * On a Helm values key (a HelmRelease's `values:`, a chart's values file): the rendered fields it sets in each
 * environment, one line per distinct value. On a field of a base or overlay file: its effective value. On a file only one environment reads (an overlay's
 * own line), that environment and how many others differ; elsewhere one line per distinct value with the
 * environments that have it. The whole table is behind a link. Read from the renders the engine caches; no cluster
 * involved. On a drifted line the drift hover speaks instead (`hasDriftAt`), with the same link.
 */
export class EffectiveValuesHover implements vscode.HoverProvider {
  constructor(
    private readonly store: DriftStore,
    private readonly hasDriftAt: (uri: vscode.Uri, line: number) => boolean,
  ) {}

  async provideHover(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const root = this.store.repoRoot;
    const file = root ? repoRelative(root, doc.uri) : undefined;
    if (!root || !file || this.hasDriftAt(doc.uri, position.line)) return undefined;
    const session = await this.store.getSession();
    const at = { file, line: position.line + 1, column: position.character + 1 };
    // A Helm values key: the rendered fields it sets, in each environment.
    const helm = await session.authoring.helmValueHover(file, doc.getText(), at.line, at.column);
    if (helm)
      return new vscode.Hover(
        new vscode.MarkdownString(helmValueHoverMarkdown(helm)),
        doc.getWordRangeAtPosition(position, /[\w.\-/]+/),
      );
    const summary = await session.authoring.hover(file, doc.getText(), at.line, at.column);
    if (!summary) return undefined;
    const md = new vscode.MarkdownString(
      effectiveValuesHoverMarkdown(summary, { origin: (o) => originLink(root, o), table: fieldValuesCommandLink(at) }),
    );
    md.isTrusted = { enabledCommands: [CommandIds.showFieldValues] };
    return new vscode.Hover(md, doc.getWordRangeAtPosition(position, /[\w.\-/]+/));
  }
}
