import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activeApi, requireTestbed } from '../support';

/** Opens the diff through the command and returns the two documents of the active diff tab. */
async function openDiff(target: unknown): Promise<{ label: string; git: string; cluster: string; wordWrap: boolean }> {
  const shown = await vscode.commands.executeCommand<{ wordWrap: boolean }>('gitopsDrift.showDiff', target);
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
  assert.ok(tab?.input instanceof vscode.TabInputTextDiff, `the active tab is not a diff: ${tab?.label}`);
  const input = tab.input as vscode.TabInputTextDiff;
  const git = (await vscode.workspace.openTextDocument(input.original)).getText();
  const cluster = (await vscode.workspace.openTextDocument(input.modified)).getText();
  return { label: tab.label, git, cluster, wordWrap: shown.wordWrap };
}

describe('diff editor', function () {
  before(async function () {
    requireTestbed();
    await activeApi();
  });

  it('opens "web (prod): git ↔ cluster" with the normalised desired and live YAML', async () => {
    const diff = await openDiff({
      env: 'prod',
      key: { group: 'apps', kind: 'Deployment', namespace: 'shop-prod', name: 'web' },
    });
    assert.equal(diff.label, 'web (prod): git ↔ cluster');
    assert.match(diff.git, /^\s+replicas: 3$/m);
    assert.match(diff.cluster, /^\s+replicas: 5$/m);
    // Server noise is hidden on the live side.
    for (const noise of ['managedFields', 'resourceVersion', 'uid:', 'status:', 'creationTimestamp'])
      assert.ok(!diff.cluster.includes(noise), `live side shows ${noise}`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('wraps long lines, so a changed image tag at the end of one is not cut off at the right edge', async () => {
    const target = { env: 'prod', key: { group: 'apps', kind: 'Deployment', namespace: 'shop-prod', name: 'api' } };
    // The settings here wrap nothing: the diff turns it on for its own documents.
    assert.equal(vscode.workspace.getConfiguration('editor', { languageId: 'yaml' }).get('wordWrap'), 'off');
    const diff = await openDiff(target);
    assert.match(diff.cluster, /image: ghcr\.io\/example\/shop-api:2\.1\.1-hotfix$/m);
    assert.equal(diff.wordWrap, true);
    // Shown again while open: still wrapped (the toggle is not run a second time, which would turn it off).
    assert.equal((await openDiff(target)).wordWrap, true);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('masks Secret values on both sides', async () => {
    const tree = (await activeApi()).environmentsTree;
    const staging = ((await tree.getChildren()) ?? []).find((e) => e.env === 'staging')!;
    const secretGroup = ((await tree.getChildren(staging)) ?? []).find((g) => g.type === 'kind' && g.kind === 'Secret');
    assert.ok(secretGroup, 'staging has a Secret');
    const secret = ((await tree.getChildren(secretGroup)) ?? [])[0];
    const diff = await openDiff(secret);
    assert.ok(diff.git.includes('DB_PASSWORD') && diff.cluster.includes('DB_PASSWORD'), 'the keys are shown');
    for (const text of [diff.git, diff.cluster]) {
      assert.ok(
        !text.includes('rotated-by-hand') && !text.includes(Buffer.from('rotated-by-hand').toString('base64')),
        'the live value is masked',
      );
      assert.ok(
        !text.includes('example-not-a-real-password') &&
          !text.includes(Buffer.from('example-not-a-real-password').toString('base64')),
        'the git value is masked',
      );
    }
    assert.notEqual(diff.git, diff.cluster, 'a changed value still shows as a difference');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
