import * as vscode from 'vscode';
import { isIncomplete, NOT_CHECKED_INCOMPLETE, skippedCount } from '../core/drift/incomplete';
import { summarize } from '../core/editor/presentation';
import { CommandIds } from './commands/commandIds';
import type { DriftStore } from './driftStore';
import { Disposable } from './lifecycle';

/** Kube context and drift count; a spinner while checking; click to switch context. */
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
    const drifted = entries.reduce((n, e) => n + (e.report ? summarize(e.report).drifted : 0), 0);
    const errors = entries.filter((e) => e.report?.error).length;
    // An environment whose render skipped content is not checked: never a pass.
    const incomplete = entries.filter((e) => e.report && isIncomplete(e.report)).length;
    const icon = this.store.busy
      ? '$(sync~spin)'
      : errors
        ? '$(error)'
        : drifted || incomplete
          ? '$(warning)'
          : '$(pass)';
    this.item.text = `${icon} ${context ?? 'kube context'}${this.store.loaded ? ` · ${drifted} drifted` : ''}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**GitOps Drift** — context \`${this.currentContext ?? 'current'}\`\n\n`);
    const state = (r: NonNullable<(typeof entries)[number]['report']>) =>
      r.error
        ? `error: ${r.error}`
        : `${isIncomplete(r) ? `${NOT_CHECKED_INCOMPLETE} (${skippedCount(r)}), ` : ''}${summarize(r).drifted} drifted`;
    for (const e of entries) md.appendMarkdown(`- ${e.env.name}: ${e.report ? state(e.report) : 'not checked'}\n`);
    md.appendMarkdown('\n\nClick to switch the kube context.');
    this.item.tooltip = md;
    this.item.accessibilityInformation = { label: `GitOps Drift: context ${context ?? 'current'}, ${drifted} drifted` };
    this.item.show();
  }
}
