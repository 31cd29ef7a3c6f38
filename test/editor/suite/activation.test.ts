import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const extensionId = 'gitops-drift.gitops-drift';

describe('activation', () => {
  it('activates in the example workspace and registers every contributed command', async () => {
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext, `${extensionId} is not loaded`);
    await ext.activate();
    assert.equal(ext.isActive, true);
    const contributed: string[] = (ext.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), []);
  });
});
