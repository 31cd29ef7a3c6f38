import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { HistoryElement } from '../../../src/vscode/views/historyTree';
import { ScriptedHost } from '../scriptedHost';
import { activeApi, EXTENSION_ID, workspaceRoot } from '../support';

// History reads git only: the History view and the DORA panel work in restricted mode. Revert This Deployment
// writes to git: disabled in the UI, and refused when run anyway.
describe('untrusted workspace: History view, DORA panel, Revert This Deployment', function () {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: workspaceRoot(), encoding: 'utf8' }).trim();

  it('reads the history and opens the DORA panel', async function () {
    this.timeout(60_000);
    const api = await activeApi();
    const roots = ((await api.historyTree.getChildren()) ?? []) as HistoryElement[];
    assert.deepEqual(
      roots.map((r) => r.type === 'historyEnvironment' && r.env),
      ['dev', 'staging', 'prod'],
      `the environments, not an error: ${JSON.stringify(roots)}`,
    );
    await vscode.commands.executeCommand('gitopsDrift.showDora');
    assert.match(api.doraPanelHtml?.() ?? '', /<h1>DORA metrics<\/h1>/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Revert This Deployment is enabled only when trusted, and refuses when run anyway', async () => {
    const api = await activeApi();
    const commands = (
      vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
        contributes: { commands: { command: string; enablement?: string }[] };
      }
    ).contributes.commands;
    assert.equal(commands.find((c) => c.command === 'gitopsDrift.revertDeployment')?.enablement, 'isWorkspaceTrusted');
    const head = git('rev-parse', 'HEAD');
    const host = new ScriptedHost([]);
    const installed = host.install(api);
    try {
      await vscode.commands.executeCommand('gitopsDrift.revertDeployment', {
        type: 'deployment',
        id: `hist:dev:${head}`,
        env: 'dev',
        sha: head,
        subject: 'example',
      });
    } finally {
      installed.dispose();
    }
    assert.deepEqual(host.problems, [], 'no confirmation was shown');
    assert.deepEqual(host.errors, ['GitOps Drift: reverting writes to git: trust this workspace first']);
    assert.equal(git('rev-parse', 'HEAD'), head);
  });
});
