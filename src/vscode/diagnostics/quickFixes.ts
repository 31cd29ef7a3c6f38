import * as vscode from 'vscode';
import { keyLabel } from '../../core/model/resource';
import { CommandIds } from '../commands/commandIds';
import type { DriftTarget } from '../commands/driftTarget';
import { DRIFT_SOURCE, type DriftDiagnostics } from './driftDiagnostics';

/** Commands the promote/revert side contributes; offered as quick fixes once they are registered. */
const OPTIONAL_FIXES = [
  {
    command: 'gitopsDrift.adoptLiveValue',
    title: (t: DriftTarget) => `Adopt Live Value into Git (${t.env})`,
    fieldOnly: true,
  },
  {
    command: 'gitopsDrift.putLiveBack',
    title: (t: DriftTarget) => `Put Live Back to Git's Value (${t.env})`,
    fieldOnly: false,
  },
];

/** Quick fixes on drift diagnostics, keyed on `diagnostic.code`. */
export class DriftQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly diagnostics: DriftDiagnostics) {}

  async provideCodeActions(
    _doc: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): Promise<vscode.CodeAction[]> {
    const ours = context.diagnostics.filter((d) => d.source === DRIFT_SOURCE);
    if (!ours.length) return [];
    const registered = new Set(await vscode.commands.getCommands(true));
    const actions: vscode.CodeAction[] = [];
    for (const d of ours) {
      const placed = this.diagnostics.markerFor(d);
      if (!placed) continue;
      const m = placed.marker;
      const target: DriftTarget = { env: m.env, key: m.resource.key, ...(m.field ? { path: m.field.path } : {}) };
      const add = (title: string, command: string, preferred = false) => {
        const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
        a.diagnostics = [d];
        a.command = { command, title, arguments: [target] };
        a.isPreferred = preferred;
        actions.push(a);
      };
      add(`Show Diff: ${keyLabel(m.resource.key)} (${m.env})`, CommandIds.showDiff, true);
      for (const fix of OPTIONAL_FIXES)
        if (registered.has(fix.command) && (m.field || !fix.fieldOnly)) add(fix.title(target), fix.command);
      if (m.field) add(`Ignore This Field in ${m.env}`, CommandIds.ignoreField);
    }
    return actions;
  }
}
