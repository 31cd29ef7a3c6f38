import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { TreeElement } from '../../../src/vscode/views/treeElements';
import { ScriptedHost } from '../scriptedHost';
import { activeApi, requireTestbed, testbed, waitForDiagnostics, workspaceRoot } from '../support';

// The driver opens the example repo untrusted, with a `.vscode/settings.json` that points gitopsDrift.kubeconfig at
// a file the repo planted; the user's own settings name the test bed's kubeconfig.
describe('untrusted workspace', function () {
  const tb = testbed();
  before(function () {
    requireTestbed();
  });

  it('runs restricted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const planted = JSON.parse(readFileSync(`${workspaceRoot()}/.vscode/settings.json`, 'utf8'));
    assert.match(planted['gitopsDrift.kubeconfig'], /planted-by-the-repo/, 'the repo does set a kubeconfig');
    // Restricted mode hides it from the configuration (declared in capabilities.untrustedWorkspaces).
    assert.equal(
      vscode.workspace.getConfiguration('gitopsDrift').inspect<string>('kubeconfig')?.workspaceValue,
      undefined,
    );
  });

  it("ignores the workspace's kubeconfig and inspects the cluster with the user's", async () => {
    const api = await activeApi();
    const envs = (await api.environmentsTree.getChildren()) as TreeElement[];
    assert.deepEqual(
      envs.map((e) => e.env),
      ['dev', 'staging', 'prod'],
    );
    assert.equal(api.environmentsView?.().description, `ctx ${tb!.adminContext}`);
    for (const env of envs) {
      const item = await api.environmentsTree.getTreeItem(env);
      assert.match(
        String(item.description),
        // dev's drift is a missing CronJob: named so, not "drifted".
        /(drifted|missing)$/,
        `${env.env}: ${item.description}`,
      );
    }
  });

  it('Enable Chart Downloads writes nothing and points at trusting the workspace first', async () => {
    const api = await activeApi();
    const warnings: string[] = [];
    const host = new ScriptedHost([
      { warning: (message, _options, buttons) => (warnings.push(`${message} [${buttons.join(', ')}]`), undefined) },
    ]);
    const installed = host.install(api);
    try {
      await vscode.commands.executeCommand('gitopsDrift.enableChartDownloads');
    } finally {
      installed.dispose();
    }
    assert.deepEqual(host.problems, []);
    assert.match(warnings.join('\n'), /need a trusted workspace: trust this folder first.*\[Manage Workspace Trust\]/);
    assert.equal(
      vscode.workspace.getConfiguration('gitopsDrift').inspect<boolean>('helm.chartDownloads')?.workspaceValue,
      undefined,
    );
  });

  it('writes nothing: Ignore This Field is refused', async () => {
    const file = `${workspaceRoot()}/.gitops-drift.yaml`;
    const before = readFileSync(file, 'utf8');
    await vscode.commands.executeCommand('gitopsDrift.ignoreField', {
      env: 'prod',
      key: { group: 'apps', kind: 'Deployment', namespace: 'shop-prod', name: 'web' },
      path: '/spec/replicas',
    });
    assert.equal(readFileSync(file, 'utf8'), before);
  });

  it('still helps authoring, which only reads the repo: hover, rendered preview and broken-reference diagnostics', async () => {
    const api = await activeApi();
    const file = 'base/web-deployment.yaml';
    const line = readFileSync(`${workspaceRoot()}/${file}`, 'utf8')
      .split('\n')
      .findIndex((l) => /^\s*replicas:/.test(l));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      vscode.Uri.file(`${workspaceRoot()}/${file}`),
      new vscode.Position(line, 4),
    );
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /^`replicas` in 3 environments · GitOps Drift/, text);
    const uri = await vscode.commands.executeCommand<vscode.Uri>('gitopsDrift.showRendered', 'dev');
    assert.equal(uri.scheme, 'gitops-drift-rendered');
    assert.match(vscode.window.activeTextEditor!.document.getText(), /^# dev: rendered from envs\/dev /);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    // Authoring diagnostics run too: a kustomization naming a missing file is marked.
    const scratch = vscode.Uri.file(`${workspaceRoot()}/scratch/kustomization.yaml`);
    await vscode.workspace.fs.writeFile(scratch, new TextEncoder().encode('resources:\n  - missing.yaml\n'));
    try {
      const seen = await waitForDiagnostics(
        (ds) => ds.some((d) => d.file === 'scratch/kustomization.yaml' && d.code === 'missing-path'),
        // A failure detector, not a speed target: a new kustomization file reloads the environments and lints the
        // whole repo after the file watcher reports it, which took over 5 s on a loaded 2-core machine (twice).
        20_000,
        'the missing-path diagnostic in an untrusted workspace',
      );
      assert.equal(seen.find((d) => d.file === 'scratch/kustomization.yaml')!.line, 2);
    } finally {
      await vscode.workspace.fs.delete(vscode.Uri.file(`${workspaceRoot()}/scratch`), { recursive: true });
    }
    await waitForDiagnostics(
      (ds) => !ds.some((d) => d.file.startsWith('scratch/')),
      5000,
      'the scratch diagnostics to go',
    );
    await api.whenIdle();
  });
});
