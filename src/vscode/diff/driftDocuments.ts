/**
 * src/vscode/diff/: the read-only desired and live documents the diff editor opens, served from the store's results.
 */
import * as vscode from 'vscode';
import { keyString, type ResourceKey } from '../../core/model/resource';
import type { DriftStore } from '../driftStore';
import { Disposable } from '../lifecycle';

/** The URI scheme of the read-only desired/live documents. */
export const DRIFT_SCHEME = 'gitops-drift';

type Side = 'git' | 'cluster';

/**
 * Read-only virtual documents with the normalised desired and live YAML of one object (the pair the engine
 * compared: server noise hidden, Secret values masked). Open ones update when the store refreshes.
 */
export class DriftDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;
  /** Texts a command shows for a while (a promotion's previews), by id: read-only, so never "unsaved". */
  private readonly scratch = new Map<string, string>();
  private scratchCount = 0;

  constructor(private readonly store: DriftStore) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(DRIFT_SCHEME, this));
    this._register(
      store.onDidChange(() => {
        for (const doc of vscode.workspace.textDocuments)
          if (doc.uri.scheme === DRIFT_SCHEME) this.changed.fire(doc.uri);
      }),
    );
  }

  /** The URI of one side of an object's diff; the path ends in `.yaml` so the editor highlights it. */
  uri(env: string, key: ResourceKey, side: Side): vscode.Uri {
    const path = `/${encodeURIComponent(env)}/${key.kind}/${key.namespace ? `${key.namespace}/` : ''}${key.name}.${side}.yaml`;
    return vscode.Uri.from({
      scheme: DRIFT_SCHEME,
      path,
      query: new URLSearchParams({ env, side, key: JSON.stringify(key) }).toString(),
    });
  }

  /** Opens the diff editor: `web (prod): git ↔ cluster`. */
  async showDiff(env: string, key: ResourceKey): Promise<void> {
    const title = `${key.name} (${env}): git ↔ cluster`;
    await vscode.commands.executeCommand(
      'vscode.diff',
      this.uri(env, key, 'git'),
      this.uri(env, key, 'cluster'),
      title,
      { preview: true },
    );
  }

  /**
   * A read-only document holding `text` until {@link releaseScratch}; `name` is its tab title (ends in .yaml for
   * highlighting). Unlike an untitled document it never asks to be saved.
   */
  scratchUri(name: string, text: string): vscode.Uri {
    const id = String(++this.scratchCount);
    this.scratch.set(id, text);
    return vscode.Uri.from({
      scheme: DRIFT_SCHEME,
      path: `/${name}`,
      query: new URLSearchParams({ scratch: id }).toString(),
    });
  }

  releaseScratch(uri: vscode.Uri): void {
    const id = new URLSearchParams(uri.query).get('scratch');
    if (id) this.scratch.delete(id);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const q = new URLSearchParams(uri.query);
    if (q.has('scratch')) return this.scratch.get(q.get('scratch')!) ?? '# this preview was closed\n';
    const env = q.get('env') ?? '';
    const side = q.get('side') as Side;
    const key = JSON.parse(q.get('key') ?? '{}') as ResourceKey;
    const entry = this.store.entry(env);
    if (!entry) return `# environment ${env} is not loaded\n`;
    try {
      const session = await this.store.getSession();
      const texts = await session.diffTexts(entry.env, key);
      return side === 'git' ? texts.desired : texts.live;
    } catch (e) {
      return `# cannot show ${keyString(key)} in ${env}: ${e instanceof Error ? e.message : String(e)}\n`;
    }
  }
}
