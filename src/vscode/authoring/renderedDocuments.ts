import * as vscode from 'vscode';
import type { DriftStore } from '../driftStore';
import { Disposable } from '../lifecycle';

/** The URI scheme of rendered previews and environment comparisons (read-only virtual documents). */
export const RENDERED_SCHEME = 'gitops-drift-rendered';

/** What a rendered document shows. */
export type RenderedTarget =
  | { env: string }
  /** One application of an environment (a HelmRelease's chart). */
  | { env: string; app: string }
  | { dir: string }
  | { compare: [string, string]; side: 'left' | 'right' };

/** The URI of a preview or one side of a comparison; the path gives the tab its title, the query what to render. */
export function renderedUri(target: RenderedTarget): vscode.Uri {
  if ('app' in target)
    return vscode.Uri.from({
      scheme: RENDERED_SCHEME,
      path: `/${target.app.replace(/^HelmRelease /, '').replace(/\//g, '-')} in ${target.env} (rendered).yaml`,
      query: new URLSearchParams({ env: target.env, app: target.app }).toString(),
    });
  if ('env' in target)
    return vscode.Uri.from({
      scheme: RENDERED_SCHEME,
      path: `/${target.env} (rendered).yaml`,
      query: new URLSearchParams({ env: target.env }).toString(),
    });
  if ('dir' in target)
    return vscode.Uri.from({
      scheme: RENDERED_SCHEME,
      path: `/${target.dir || 'repo root'} (rendered).yaml`,
      query: new URLSearchParams({ dir: target.dir }).toString(),
    });
  const name = target.compare[target.side === 'left' ? 0 : 1];
  return vscode.Uri.from({
    scheme: RENDERED_SCHEME,
    path: `/${name} (compared).yaml`,
    query: new URLSearchParams({ left: target.compare[0], right: target.compare[1], side: target.side }).toString(),
  });
}

function targetOf(uri: vscode.Uri): RenderedTarget | undefined {
  const q = new URLSearchParams(uri.query);
  if (q.has('env') && q.has('app')) return { env: q.get('env')!, app: q.get('app')! };
  if (q.has('env')) return { env: q.get('env')! };
  if (q.has('dir')) return { dir: q.get('dir')! };
  const side = q.get('side');
  if (q.has('left') && q.has('right') && (side === 'left' || side === 'right'))
    return { compare: [q.get('left')!, q.get('right')!], side };
  return undefined;
}

/**
 * Rendered previews (an environment or any kustomization folder, as `kustomize build` prints it, Secret values
 * masked) and the two sides of an environment comparison. Open documents refresh when repo files change.
 */
export class RenderedDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;

  constructor(private readonly store: DriftStore) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(RENDERED_SCHEME, this));
    this._register(
      store.onDidChangeSources(() => {
        for (const doc of vscode.workspace.textDocuments)
          if (doc.uri.scheme === RENDERED_SCHEME) this.changed.fire(doc.uri);
      }),
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const target = targetOf(uri);
    if (!target) return `# not a GitOps Drift document: ${uri.toString()}\n`;
    const session = await this.store.getSession();
    if (!('compare' in target)) return session.authoring.preview(target);
    const compared = await session.authoring.compare(target.compare[0], target.compare[1]);
    return target.side === 'left' ? compared.leftText : compared.rightText;
  }
}
