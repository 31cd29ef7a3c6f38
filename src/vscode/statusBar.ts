import * as vscode from 'vscode';
import { isIncomplete } from '../core/drift/incomplete';
import { environmentDescription } from '../core/editor/presentation';
import { addCounts, countParts, countStates, STATE_LABEL } from '../core/model/verdictState';
import { CommandIds } from './commands/commandIds';
import type { DriftStore } from './driftStore';
import { Disposable } from './lifecycle';

/**
 * Kube context and the counts by state (`2 drifted · 1 missing`), `no cluster` when no environment could reach one; a
 * spinner while checking; click to select the context.
 */
export class DriftStatusBar extends Disposable {
  private readonly item = this._register(
    vscode.window.createStatusBarItem('gitopsDrift.status', vscode.StatusBarAlignment.Left, 10),
  );
  private currentContext: string | undefined;

  constructor(private readonly store: DriftStore) {
    super();
    this.item.name = 'GitOps Drift';
    this.item.command = CommandIds.switchContext;
    this._register(store.onDidChange(() => this.update()));
    this._register(store.onDidChangeBusy(() => this.update()));
    this.update();
  }

  /** What the item shows now (for tests). */
  get text(): string {
    return this.item.text;
  }

  private update(): void {
    const entries = this.store.entries;
    if (!this.store.repoRoot || (this.store.loaded && !entries.length)) {
      this.item.hide();
      return;
    }
    const contexts = [...new Set(entries.map((e) => e.report?.context).filter((c): c is string => !!c))];
    const context =
      this.store.selectedContext ??
      (contexts.length === 1 ? contexts[0] : contexts.length ? `${contexts.length} contexts` : undefined);
    this.currentContext = context;
    const reports = entries.flatMap((e) => (e.report ? [e.report] : []));
    const noCluster = reports.filter((r) => r.noCluster).length;
    // Objects of environments without a cluster are not checked: they count for nothing here.
    const counts = reports
      .filter((r) => !r.noCluster)
      .reduce((sum, r) => addCounts(sum, countStates(r.resources)), countStates([]));
    const errors = reports.filter((r) => r.error !== null && !r.noCluster).length;
    // An environment whose render skipped content is not checked: never a pass.
    const incomplete = reports.filter(isIncomplete).length;
    const allUnreachable = reports.length > 0 && noCluster === reports.length;
    // Hooks are not part of the sync status: the status bar counts what differs or could not be read.
    const parts = countParts({ ...counts, byState: { ...counts.byState, hook: 0 } }, { withInSync: false });
    const words = allUnreachable
      ? 'no cluster'
      : [
          ...(parts.length ? parts : [counts.total ? STATE_LABEL.inSync : 'no objects']),
          ...(noCluster ? [`${noCluster} no cluster`] : []),
        ].join(' · ');
    const attention = counts.total - counts.byState.inSync - counts.byState.hook;
    const icon = this.store.busy
      ? '$(sync~spin)'
      : allUnreachable
        ? '$(debug-disconnect)'
        : errors
          ? '$(error)'
          : attention || incomplete || noCluster
            ? '$(warning)'
            : '$(pass)';
    this.item.text = `${icon} ${context ?? 'kube context'}${this.store.loaded ? ` · ${words}` : ''}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**GitOps Drift** — context \`${this.currentContext ?? 'current'}\`\n\n`);
    for (const e of entries)
      md.appendText(
        `- ${e.env.name}: ${e.report ? environmentDescription({ ...e.report, context: '' }) : STATE_LABEL.notChecked}\n`,
      );
    md.appendMarkdown('\n\nClick to select the kube context.');
    this.item.tooltip = md;
    this.item.accessibilityInformation = { label: `GitOps Drift: context ${context ?? 'current'}, ${words}` };
    this.item.show();
  }
}
