import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CommandIds } from '../../../src/vscode/commands/commandIds';
import { EXTENSION_ID } from '../support';

describe('activation', () => {
  it('activates in the example workspace and registers every contributed command', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    await ext.activate();
    assert.equal(ext.isActive, true);
    const contributed: string[] = (ext.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      contributed.filter((c) => !registered.has(c)),
      [],
    );
  });

  // Title Case; an acronym stays in capitals (Show DORA Metrics).
  it('contributes exactly the commands in CommandIds, each titled under the GitOps category', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const commands = ext.packageJSON.contributes.commands as { command: string; category: string; title: string }[];
    assert.deepEqual(commands.map((c) => c.command).sort(), Object.values(CommandIds).sort());
    for (const c of commands) {
      assert.equal(c.category, 'GitOps', c.command);
      assert.match(
        c.title,
        /^[A-Z][a-z]*( [A-Z][a-z]*| [A-Z]{2,}| of| to| in| on| a)*…?$/,
        `${c.command}: title "${c.title}" is not Title Case`,
      );
    }
  });
});
