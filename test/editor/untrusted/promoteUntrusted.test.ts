import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { ScriptedHost } from '../scriptedHost';
import { activeApi, EXTENSION_ID, kubeApi, requireTestbed, testbed, workspaceRoot } from '../support';

// In restricted mode the commands that write (to the cluster or to the repo) are disabled in the UI and refuse
// when run anyway (a keybinding, another extension): nothing is written and no dialog offers to.
describe('untrusted workspace: Put Live Back, Reconcile Now and Adopt Live Value', function () {
  const tb = testbed();
  const target = {
    env: 'prod',
    key: { group: 'apps', kind: 'Deployment', namespace: 'shop-prod', name: 'web' },
    path: '/spec/replicas',
  };
  before(function () {
    requireTestbed();
  });

  it('are enabled only in trusted workspaces', () => {
    const commands = (
      vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
        contributes: { commands: { command: string; enablement?: string }[] };
      }
    ).contributes.commands;
    for (const id of ['gitopsDrift.putLiveBack', 'gitopsDrift.reconcileNow', 'gitopsDrift.adoptLiveValue'])
      assert.equal(commands.find((c) => c.command === id)?.enablement, 'isWorkspaceTrusted', id);
  });

  it('refuse when run anyway, asking nothing and writing nothing', async () => {
    const api = await activeApi();
    const path = '/apis/apps/v1/namespaces/shop-prod/deployments/web';
    const version = async () =>
      ((await kubeApi(tb!, 'GET', path)).body as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const liveBefore = await version();
    const patch = `${workspaceRoot()}/envs/prod/web-patch.yaml`;
    const fileBefore = readFileSync(patch, 'utf8');
    const host = new ScriptedHost([]);
    const installed = host.install(api);
    try {
      await vscode.commands.executeCommand('gitopsDrift.putLiveBack', target);
      await vscode.commands.executeCommand('gitopsDrift.reconcileNow', {
        type: 'environment',
        id: 'env:prod',
        env: 'prod',
      });
      await vscode.commands.executeCommand('gitopsDrift.adoptLiveValue', target);
    } finally {
      installed.dispose();
    }
    assert.deepEqual(host.problems, [], 'no quick pick or confirmation was shown');
    assert.deepEqual(host.errors, [
      'GitOps Drift: putting live state back writes to the cluster: trust this workspace first',
      'GitOps Drift: asking Flux to reconcile writes to the cluster: trust this workspace first',
      'GitOps Drift: adopting a live value writes to the repo: trust this workspace first',
    ]);
    assert.deepEqual(host.documents, [], 'no dry-run was made');
    assert.equal(await version(), liveBefore, 'the Deployment was not written');
    assert.equal(readFileSync(patch, 'utf8'), fileBefore);
  });
});
