import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('drift report documents', () => {
  it('opens a saved `gitops-drift check` report with the report language (and its grammar)', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'untitled', path: '/prod.drift' }));
    assert.equal(doc.languageId, 'gitops-drift-report');
    const ext = vscode.extensions.getExtension('gitops-drift.gitops-drift')!;
    const grammar = (ext.packageJSON.contributes.grammars as { language: string; path: string }[]).find(
      (g) => g.language === 'gitops-drift-report',
    );
    assert.ok(grammar);
    const text = new TextDecoder().decode(
      await vscode.workspace.fs.readFile(vscode.Uri.joinPath(ext.extensionUri, grammar.path)),
    );
    assert.equal(JSON.parse(text).scopeName, 'text.gitops-drift-report');
  });
});
