import * as vscode from 'vscode';
import { CommandIds } from '../commands/commandIds';
import type { DriftStore } from '../driftStore';
import { Disposable } from '../lifecycle';
import { repoRelative } from '../repoFiles';

/**
 * On the first line of every kustomization file: how many objects it renders, opening the rendered preview, and
 * which environments use it.
 */
export class RenderedCodeLens extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly store: DriftStore) {
    super();
    this._register(store.onDidChangeSources(() => this.changed.fire()));
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const root = this.store.repoRoot;
    const file = root ? repoRelative(root, doc.uri) : undefined;
    if (!file) return [];
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
    const session = await this.store.getSession();
    const [rendered, users] = await Promise.all([
      session.authoring.renderedLens(dir, doc.getText()),
      session.authoring.environmentsUsing(file),
    ]);
    const top = new vscode.Range(0, 0, 0, 0);
    // A component's lens lists the environments that include it (where it is rendered).
    const lenses = [
      new vscode.CodeLens(
        top,
        rendered.preview
          ? { title: rendered.title, command: CommandIds.showRendered, arguments: [{ dir }] }
          : { title: rendered.title, command: CommandIds.findEnvironmentsUsing, arguments: [doc.uri] },
      ),
    ];
    if (users.length)
      lenses.push(
        new vscode.CodeLens(top, {
          title: `Used by ${users.join(', ')}`,
          command: CommandIds.findEnvironmentsUsing,
          arguments: [doc.uri],
        }),
      );
    return lenses;
  }
}
