import * as vscode from 'vscode';
import type { LintFinding } from '../../core/authoring/finding';
import { CommandIds } from '../commands/commandIds';
import { AUTHORING_SOURCE } from '../diagnostics/driftDiagnostics';

/**
 * The quick action on a chart of a Helm or OCI repository that was not downloaded because chart downloads are off
 * (a finding whose `fix` is `enable-chart-downloads`: an Argo CD chart source's line): runs
 * **GitOps: Enable Chart Downloads**, which respects workspace trust. On any YAML file, where such sources are written.
 */
export class ChartDownloadsQuickFix implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  /** `findingFor`: the finding behind one of the authoring diagnostics (AuthoringDiagnostics.findingFor). */
  constructor(private readonly findingFor: (d: vscode.Diagnostic) => LintFinding | undefined) {}

  provideCodeActions(
    _doc: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const fixable = context.diagnostics.filter(
      (d) => d.source === AUTHORING_SOURCE && this.findingFor(d)?.fix === 'enable-chart-downloads',
    );
    if (!fixable.length) return [];
    const action = new vscode.CodeAction(
      vscode.workspace.isTrusted
        ? 'Enable Chart Downloads (gitopsDrift.helm.chartDownloads)'
        : 'Enable Chart Downloads: trust this workspace first',
      vscode.CodeActionKind.QuickFix,
    );
    action.diagnostics = fixable;
    action.isPreferred = true;
    action.command = { command: CommandIds.enableChartDownloads, title: 'Enable Chart Downloads' };
    return [action];
  }
}
