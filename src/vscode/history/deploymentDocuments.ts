import * as vscode from 'vscode';
import type { DriftStore } from '../driftStore';
import type { Host } from '../host';
import { Disposable } from '../lifecycle';

/** The URI scheme of a deployment's rendered before/after documents. */
export const DEPLOYMENT_SCHEME = 'gitops-drift-deployment';

/**
 * Read-only documents with an environment rendered from git objects at one revision (Secret values masked): a
 * deployment's diff is its commit's first parent ↔ its commit. The text of a revision never changes, so nothing
 * refreshes them.
 */
export class DeploymentDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  constructor(private readonly store: DriftStore) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(DEPLOYMENT_SCHEME, this));
  }

  /** `prod/3f2a1b9.after.yaml`: the path ends in `.yaml` so the editor highlights it. */
  uri(env: string, sha: string, side: 'before' | 'after'): vscode.Uri {
    return vscode.Uri.from({
      scheme: DEPLOYMENT_SCHEME,
      path: `/${encodeURIComponent(env)}/${sha.slice(0, 7)}.${side}.yaml`,
      query: new URLSearchParams({ env, rev: side === 'before' ? `${sha}^` : sha }).toString(),
    });
  }

  /** Opens the diff editor: `prod @ 3f2a1b9: before ↔ after (rendered)`. */
  async showDiff(env: string, sha: string, subject: string, host: Host): Promise<void> {
    await host.executeCommand(
      'vscode.diff',
      this.uri(env, sha, 'before'),
      this.uri(env, sha, 'after'),
      `${env} @ ${sha.slice(0, 7)}: before ↔ after (rendered) — ${subject}`,
      { preview: true },
    );
  }

  /**
   * Opens a commit: the built-in git extension's multi-file diff (`vscode.changes` over its `git:` documents, what its
   * own Open Commit shows), else — no git extension, or it failed — `git show` of the commit in a read-only document.
   */
  async openCommit(sha: string, host: Host): Promise<void> {
    const root = this.store.repoRoot;
    if (!root) throw new Error('open a folder with a GitOps config repo first');
    const session = await this.store.getSession();
    const commit = await session.git().commit(sha);
    if (!commit) throw new Error(`no commit ${sha.slice(0, 7)} in this repository`);
    const git = vscode.extensions.getExtension('vscode.git');
    const parent = await session.git().resolve?.(`${sha}^`);
    if (git && parent && commit.files.length) {
      try {
        if (!git.isActive) await git.activate();
        const resources = commit.files.map((f) => {
          const file = vscode.Uri.file(`${root}/${f}`);
          return [file, gitUri(file, parent), gitUri(file, sha)];
        });
        await host.executeCommand('vscode.changes', `${sha.slice(0, 7)} ${commit.subject}`, resources);
        return;
      } catch {
        // Fall back to git show below.
      }
    }
    await host.showTextDocument(
      vscode.Uri.from({
        scheme: DEPLOYMENT_SCHEME,
        path: `/${sha.slice(0, 7)}.diff`,
        query: new URLSearchParams({ show: sha }).toString(),
      }),
      { preview: true },
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const q = new URLSearchParams(uri.query);
    const show = q.get('show');
    if (show) return this.gitShow(show);
    const env = q.get('env') ?? '';
    const rev = q.get('rev') ?? '';
    // Only a commit id (or its parent): a URI is outside input, and git must never read a revision as an option.
    if (!/^[0-9a-f]{7,64}\^?$/i.test(rev)) return `# not a commit id: ${rev}\n`;
    try {
      const session = await this.store.getSession();
      // The first commit has no parent: before it, the environment had nothing.
      if (rev.endsWith('^') && !(await session.git().resolve?.(rev)))
        return `# ${env}: nothing before ${rev.slice(0, 7)} (the repository's first commit)\n`;
      return await session.renderedAt(env, rev);
    } catch (e) {
      return `# cannot render ${env} at ${rev}: ${e instanceof Error ? e.message : String(e)}\n`;
    }
  }

  private async gitShow(sha: string): Promise<string> {
    if (!/^[0-9a-f]{4,64}$/i.test(sha)) return `# not a commit id: ${sha}\n`;
    try {
      const git = (await this.store.getSession()).git();
      if (!git.show) throw new Error('this repository adapter cannot show commits');
      return await git.show(sha);
    } catch (e) {
      return `# git show ${sha.slice(0, 7)} failed: ${e instanceof Error ? e.message : String(e)}\n`;
    }
  }
}

/** The built-in git extension's URI of `file` at `ref` (its `toGitUri`). */
function gitUri(file: vscode.Uri, ref: string): vscode.Uri {
  return file.with({ scheme: 'git', query: JSON.stringify({ path: file.fsPath, ref }) });
}
