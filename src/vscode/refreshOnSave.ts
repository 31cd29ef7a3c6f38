import * as vscode from 'vscode';
import type { DriftStore } from './driftStore';
import { Disposable } from './lifecycle';
import { repoRelative } from './repoFiles';

/**
 * Re-checks on save and on changes made outside the editor (git checkout, a script), debounced: a burst of
 * saves becomes one refresh, and only the environments that read a changed file are re-rendered.
 */
export class RefreshOnSave extends Disposable {
  private readonly pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: DriftStore,
    private readonly debounceMs: () => number,
  ) {
    super();
    this._register(vscode.workspace.onDidSaveTextDocument((doc) => this.changed(doc.uri)));
    const watcher = this._register(vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml,json,env,properties,txt}'));
    this._register(watcher.onDidChange((uri) => this.changed(uri)));
    this._register(watcher.onDidCreate((uri) => this.changed(uri)));
    this._register(watcher.onDidDelete((uri) => this.changed(uri)));
    // A folder deleted at once is reported for the folder alone, which the pattern above does not match; so may be a
    // folder created with its files (the watcher may not yet watch the new folder when they are written).
    const folders = this._register(vscode.workspace.createFileSystemWatcher('**/*', false, true, false));
    this._register(folders.onDidCreate((uri) => this.changed(uri)));
    this._register(folders.onDidDelete((uri) => this.changed(uri)));
    this._register({ dispose: () => clearTimeout(this.timer) });
  }

  private changed(uri: vscode.Uri): void {
    const root = this.store.repoRoot;
    const file = root ? repoRelative(root, uri) : undefined;
    if (!file || file.startsWith('.git/') || file.includes('/node_modules/')) return;
    this.pending.add(file);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.debounceMs());
  }

  private async flush(): Promise<void> {
    const files = [...this.pending];
    this.pending.clear();
    for (const file of files) await this.store.fileChanged(file);
  }
}
