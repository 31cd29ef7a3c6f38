import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TreeElement } from '../../../src/vscode/views/treeElements';
import {
  activeApi,
  driftDiagnostics,
  kubeApi,
  lineOf,
  requireTestbed,
  testbed,
  waitForDiagnostics,
  workspaceUri,
} from '../support';

const PATCH = 'envs/prod/web-patch.yaml';

describe('refresh', function () {
  const tb = testbed();
  before(async function () {
    requireTestbed();
    await activeApi();
  });

  it('re-checks after a save: git now says 5 replicas, so the prod replicas drift goes away, and comes back on undo', async () => {
    const line = lineOf(PATCH, /^\s*replicas:/);
    const onLine = (ds: { file: string; line: number }[]) => ds.some((d) => d.file === PATCH && d.line === line);
    await waitForDiagnostics(onLine, 5000, 'the prod replicas drift');
    const doc = await vscode.workspace.openTextDocument(workspaceUri(PATCH));
    const original = doc.getText();
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, doc.lineAt(line - 1).range, '  replicas: 5');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await doc.save();
    await waitForDiagnostics((ds) => !onLine(ds), 5000, 'the drift to clear after saving replicas: 5');
    const back = new vscode.WorkspaceEdit();
    back.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), original);
    assert.ok(await vscode.workspace.applyEdit(back));
    await doc.save();
    await waitForDiagnostics(onLine, 5000, 'the drift to return after restoring the file');
  });

  // How fast is measured by bench/watch (docs/benchmarks.md); the deadlines here only turn a missing event into a failure.
  it('shows a change made through the API (watch), and clears it when reverted', async () => {
    // Staging web is in sync: give it a replica count by hand, as `kubectl edit` would.
    const path = '/apis/apps/v1/namespaces/shop-staging/deployments/web';
    const before = (await kubeApi(tb!, 'GET', path)).body as { spec: { replicas: number } };
    const replicasLine = lineOf('base/web-deployment.yaml', /^\s*replicas:/);
    const isStagingReplicas = (d: { message: string }) => d.message.startsWith('staging: replicas is 7 in the cluster');
    assert.ok(!driftDiagnostics().some(isStagingReplicas), 'staging replicas start in sync');
    const res = await kubeApi(tb!, 'PATCH', `${path}?fieldManager=kubectl-edit`, { spec: { replicas: 7 } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const seen = await waitForDiagnostics((ds) => ds.some(isStagingReplicas), 10_000, 'the live change to show');
    const d = seen.find(isStagingReplicas)!;
    assert.match(d.message, /changed by kubectl-edit/);
    assert.ok(d.file === 'base/web-deployment.yaml' || d.file.startsWith('envs/staging/'), d.file);
    if (d.file === 'base/web-deployment.yaml') assert.equal(d.line, replicasLine);
    const undo = await kubeApi(tb!, 'PATCH', `${path}?fieldManager=kubectl-edit`, {
      spec: { replicas: before.spec.replicas },
    });
    assert.equal(undo.status, 200);
    await waitForDiagnostics((ds) => !ds.some(isStagingReplicas), 10_000, 'the reverted change to clear');
  });

  it('switches the kube context: the read-only context may not read the shop namespaces', async () => {
    const api = await activeApi();
    const verdicts = async () => {
      const out = new Set<string>();
      for (const e of (await api.environmentsTree.getChildren()) as TreeElement[])
        for (const g of ((await api.environmentsTree.getChildren(e)) ?? []) as TreeElement[])
          for (const r of ((await api.environmentsTree.getChildren(g)) ?? []) as TreeElement[])
            out.add(String((await api.environmentsTree.getTreeItem(r)).contextValue).split('.')[1]);
      return out;
    };
    try {
      await vscode.commands.executeCommand('gitopsDrift.switchContext', tb!.readonlyContext);
      await api.whenIdle();
      const ro = await verdicts();
      assert.ok(ro.has('Forbidden'), `verdicts under ${tb!.readonlyContext}: ${[...ro].join(', ')}`);
      assert.ok(!ro.has('Drifted'), 'nothing can be compared without read access');
      // Every environment now checks against the read-only context: the view says it once.
      assert.equal(api.environmentsView?.().description, `ctx ${tb!.readonlyContext}`);
    } finally {
      await vscode.commands.executeCommand('gitopsDrift.switchContext', '');
      await api.whenIdle();
    }
    assert.ok((await verdicts()).has('Drifted'), 'back on the current context, drift shows again');
  });

  it('Cancel Refresh stops waiting for a refresh and keeps the previous results', async () => {
    const api = await activeApi();
    const before = driftDiagnostics().length;
    assert.ok(before > 0);
    const refreshing = vscode.commands.executeCommand('gitopsDrift.refresh');
    await vscode.commands.executeCommand('gitopsDrift.cancelRefresh');
    await refreshing;
    await api.whenIdle();
    for (const env of (await api.environmentsTree.getChildren()) as TreeElement[]) {
      assert.doesNotMatch(String((await api.environmentsTree.getTreeItem(env)).description), /checking/);
    }
    assert.equal(driftDiagnostics().length, before);
    await vscode.commands.executeCommand('gitopsDrift.refresh');
    await api.whenIdle();
    assert.equal(driftDiagnostics().length, before);
  });

  it('Ignore This Field writes a rule to .gitops-drift.yaml, and the drift goes away until the rule is removed', async () => {
    const line = lineOf(PATCH, /^\s*replicas:/);
    const onLine = (ds: { file: string; line: number }[]) => ds.some((d) => d.file === PATCH && d.line === line);
    await waitForDiagnostics(onLine, 5000, 'the prod replicas drift');
    const config = await vscode.workspace.openTextDocument(workspaceUri('.gitops-drift.yaml'));
    const original = config.getText();
    await vscode.commands.executeCommand('gitopsDrift.ignoreField', {
      env: 'prod',
      key: { group: 'apps', kind: 'Deployment', namespace: 'shop-prod', name: 'web' },
      path: '/spec/replicas',
    });
    await waitForDiagnostics((ds) => !onLine(ds), 5000, 'the ignored field to clear');
    const written = config.getText();
    assert.ok(written.startsWith(original.split('\n')[0]), 'the file keeps its header comment');
    assert.match(
      written,
      /- group: apps\n\s+kind: Deployment\n\s+name: web\n\s+namespace: shop-prod\n\s+environments:\n\s+- prod\n\s+jsonPointers:\n\s+- \/spec\/replicas/,
    );
    assert.equal(config.isDirty, false, 'the edit is saved');
    const back = new vscode.WorkspaceEdit();
    back.replace(config.uri, new vscode.Range(0, 0, config.lineCount, 0), original);
    assert.ok(await vscode.workspace.applyEdit(back));
    await config.save();
    await waitForDiagnostics(onLine, 5000, 'the drift to return once the rule is gone');
  });
});
