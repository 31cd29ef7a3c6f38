import * as vscode from 'vscode';
import { CommandIds } from '../commands/commandIds';
import type { DriftStore } from '../driftStore';
import { Disposable } from '../lifecycle';
import { repoRelative } from '../repoFiles';

/** Documents that may declare a Helm application: anything else is not rendered for a lens. */
const MAY_DECLARE_HELM = /^kind:\s*["']?(HelmRelease|Application)["']?\s*$/m;

/**
 * `Preview Rendered Chart` on each application of kind `helm` a file declares (a Flux HelmRelease; an Argo CD
 * Application with a Helm source once the engine lists those): one lens per environment that renders it, opening
 * the chart's render as helm-controller would make it (the rendered-preview documents, Secret values masked).
 */
export class HelmCodeLens extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly store: DriftStore) {
    super();
    this._register(store.onDidChangeSources(() => this.changed.fire()));
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const root = this.store.repoRoot;
    const file = root ? repoRelative(root, doc.uri) : undefined;
    if (!file || !MAY_DECLARE_HELM.test(doc.getText())) return [];
    const session = await this.store.getSession();
    const apps = await session.authoring.helmApplicationsIn(file);
    const several = new Set(apps.map((a) => a.env)).size > 1;
    return apps.map(({ env, app, at }) => {
      const line = Math.max(0, at.line - 1);
      return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
        title: several ? `Preview Rendered Chart (${env})` : 'Preview Rendered Chart',
        tooltip: `${app}: its chart rendered by Helm's engine with git's values, as in ${env}`,
        command: CommandIds.showRendered,
        arguments: [{ env, app }],
      });
    });
  }
}
