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
  /** Diff documents (their git side) this extension turned word wrap on for: the editor keeps it until they close. */
  private readonly wrapped = new Set<string>();

  constructor(private readonly store: DriftStore) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(DRIFT_SCHEME, this));
    this._register(
      store.onDidChange(() => {
        for (const doc of vscode.workspace.textDocuments)
          if (doc.uri.scheme === DRIFT_SCHEME) this.changed.fire(doc.uri);
      }),
    );
    this._register(vscode.workspace.onDidCloseTextDocument((doc) => this.wrapped.delete(doc.uri.toString())));
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

  /**
   * Opens the diff editor, `web (prod): git ↔ cluster`, with word wrap on (see {@link wrapLines}). Returns whether
   * the diff wraps long lines.
   */
  async showDiff(env: string, key: ResourceKey): Promise<{ wordWrap: boolean }> {
    const title = `${key.name} (${env}): git ↔ cluster`;
    const git = this.uri(env, key, 'git');
    await vscode.commands.executeCommand('vscode.diff', git, this.uri(env, key, 'cluster'), title, { preview: true });
    return { wordWrap: await this.wrapLines(git) };
  }

  /**
   * A changed value at the end of a long line (an image tag) would be cut off at the diff's right edge, so the diff
   * wraps long lines, unless the settings already wrap them or turn wrapping off for diffs (`diffEditor.wordWrap:
   * off`). VS Code has no per-editor option for it: its Toggle Word Wrap command, run on the diff just opened, turns
   * it on for both of its documents until they close (run twice, it would turn it off again).
   */
  private async wrapLines(git: vscode.Uri): Promise<boolean> {
    const scope = { languageId: 'yaml' };
    const diffWrap = vscode.workspace.getConfiguration('diffEditor', scope).get<string>('wordWrap', 'inherit');
    if (diffWrap === 'off') return false;
    if (diffWrap === 'on' || vscode.workspace.getConfiguration('editor', scope).get<string>('wordWrap') !== 'off')
      return true;
    if (!this.wrapped.has(git.toString())) {
      await vscode.commands.executeCommand('editor.action.toggleWordWrap');
      this.wrapped.add(git.toString());
    }
    return true;
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
