import * as vscode from 'vscode';
import type { DeprecatedField } from '../../core/authoring/deprecatedFields';
import { AUTHORING_SOURCE } from '../diagnostics/driftDiagnostics';
import type { DriftStore } from '../driftStore';
import type { AuthoringDiagnostics } from './authoringDiagnostics';

/**
 * Quick fixes on authoring diagnostics, keyed on `diagnostic.code`: rewrite a deprecated field to its modern form
 * (the edit keeps every byte outside the rewritten part), and replace an unknown field or a missing path with the
 * near name that exists.
 */
export class AuthoringQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(
    private readonly store: DriftStore,
    private readonly diagnostics: AuthoringDiagnostics,
  ) {}

  async provideCodeActions(
    doc: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): Promise<vscode.CodeAction[]> {
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== AUTHORING_SOURCE) continue;
      const finding = this.diagnostics.findingFor(d);
      if (finding?.code === 'deprecated-field' && finding.field) {
        const session = await this.store.getSession();
        const rewritten = await session.authoring.rewrite(
          doc.getText(),
          finding.range.file,
          finding.field as DeprecatedField,
        );
        if (!('edits' in rewritten)) continue;
        const action = new vscode.CodeAction(
          `Rewrite '${finding.field}' to its current form`,
          vscode.CodeActionKind.QuickFix,
        );
        action.diagnostics = [d];
        action.isPreferred = true;
        action.edit = new vscode.WorkspaceEdit();
        // Small edits rather than the whole text: the cursor, undo and other markers stay in place.
        for (const e of rewritten.edits)
          action.edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.newText);
        actions.push(action);
      } else if ((finding?.code === 'unknown-field' || finding?.code === 'missing-path') && finding.suggestion) {
        const action = new vscode.CodeAction(`Change to '${finding.suggestion}'`, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [d];
        action.isPreferred = true;
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(doc.uri, d.range, finding.suggestion);
        actions.push(action);
      }
    }
    return actions;
  }
}
