import * as vscode from 'vscode';
import type { DriftStore } from '../driftStore';
import { repoRelative, repoUri } from '../repoFiles';

/** Kustomization files, whatever their accepted name. */
export const KUSTOMIZATION_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/kustomization.yaml' },
  { scheme: 'file', pattern: '**/kustomization.yml' },
  { scheme: 'file', pattern: '**/Kustomization' },
];

/**
 * Document links and go to definition on the path entries of kustomization files (`resources:`, `components:`,
 * `patches: path:`, generator files, ...): a folder opens its kustomization file. Missing and remote entries get
 * no link (a missing one has its diagnostic).
 */
export class KustomizationLinks implements vscode.DocumentLinkProvider, vscode.DefinitionProvider {
  constructor(private readonly store: DriftStore) {}

  async provideDocumentLinks(doc: vscode.TextDocument): Promise<vscode.DocumentLink[]> {
    const refs = await this.references(doc);
    return refs.flatMap(({ range, target }) => {
      const link = new vscode.DocumentLink(range, target);
      link.tooltip = `Open ${vscode.workspace.asRelativePath(target)}`;
      return [link];
    });
  }

  async provideDefinition(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Definition | undefined> {
    const hit = (await this.references(doc)).find((r) => r.range.contains(position));
    return hit ? new vscode.Location(hit.target, new vscode.Position(0, 0)) : undefined;
  }

  private async references(doc: vscode.TextDocument): Promise<{ range: vscode.Range; target: vscode.Uri }[]> {
    const root = this.store.repoRoot;
    const file = root ? repoRelative(root, doc.uri) : undefined;
    if (!root || !file) return [];
    const session = await this.store.getSession();
    const refs = await session.authoring.references(doc.getText(), file);
    return refs.flatMap(({ ref, target }) =>
      target
        ? [
            {
              range: new vscode.Range(doc.positionAt(ref.start), doc.positionAt(ref.end)),
              target: repoUri(root, target.path),
            },
          ]
        : [],
    );
  }
}
