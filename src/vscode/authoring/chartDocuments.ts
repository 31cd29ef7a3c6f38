import * as vscode from 'vscode';
import type { DriftStore } from '../driftStore';
import { Disposable } from '../lifecycle';
import { DOWNLOADED_CHART_SCHEME } from '../../core/render/helm/chartFiles';

/**
 * Read-only documents of a downloaded chart's files (`gitops-drift-chart:/NAME/VERSION/values.yaml`): where values-line
 * origins of a HelmRelease's downloaded chart point. The chart's cache holds only its checked archive, so the text
 * comes from the chart the session's engine downloaded and rendered (nothing is written next to the cache, nothing the
 * user could edit in the belief that it changes the release).
 */
export class ChartDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  constructor(private readonly store: DriftStore) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(DOWNLOADED_CHART_SCHEME, this));
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const file = `${DOWNLOADED_CHART_SCHEME}:${uri.path.replace(/^\/+/, '')}`;
    const session = await this.store.getSession();
    return (
      session.engine.downloadedChartText(file) ??
      `# ${file}: this chart was not downloaded in this session (turn chart downloads on and refresh)\n`
    );
  }
}
