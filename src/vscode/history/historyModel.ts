/**
 * src/vscode/history/: the editor's side of issue #20 — the History view's data, the deployment diff documents, the
 * DORA panel and the hover on `images:` entries — all over one RepoHistory loaded through the session
 * (core/historyService.ts). History reads git only, so all of it works in an untrusted workspace; the one write,
 * Revert This Deployment, is the existing confirmed revert command, which refuses there.
 */
import * as vscode from 'vscode';
import type { RepoHistory } from '../../core/history/types';
import type { DriftStore } from '../driftStore';
import { Disposable } from '../lifecycle';

/**
 * The repo's history, loaded on first use and kept until the repo's files change (the store's sources event, which a
 * save, a revert or a checkout raises) or a Refresh History: then loaded again, which the cache makes incremental.
 */
export class HistoryModel extends Disposable {
  private loading: Promise<RepoHistory> | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** Fires when the history is to be read again (the view and the panel reload). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly store: DriftStore,
    private readonly cacheFolder: vscode.Uri,
    private readonly toolVersion: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(store.onDidChangeSources(() => this.invalidate()));
  }

  /** The history (the one being loaded, when a load runs). Rejects when the repo has none (not a git repo). */
  get(): Promise<RepoHistory> {
    if (!this.loading) {
      const started = Date.now();
      this.loading = this.store
        .getSession()
        .then((session) => session.history(this.cacheFolder.fsPath, this.toolVersion))
        .then((h) => {
          this.log.info(
            `history: ${h.stats.commits} commits read, ${h.stats.rendered} renders, ${h.stats.fromCache ? 'from the cache' : 'cold'}, ${Date.now() - started} ms`,
          );
          return h;
        });
      // A failed load is not kept: the next look tries again.
      this.loading.catch((e: unknown) => {
        this.log.warn(`history: ${e instanceof Error ? e.message : String(e)}`);
        this.loading = undefined;
      });
    }
    return this.loading;
  }

  /** The history is read again on next use. */
  invalidate(): void {
    this.loading = undefined;
    this.changed.fire();
  }
}
