import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { keyString, splitApiVersion } from '../../../src/core/model/resource';
import type { TreeElement } from '../../../src/vscode/views/treeElements';
import { STATE_LABEL, STATE_ORDER } from '../../../src/core/model/verdictState';
import { activeApi, cliCheck, requireTestbed, testbed } from '../support';

describe('Environments view', function () {
  const tb = testbed();
  before(function () {
    requireTestbed();
  });

  it('lists every environment with the verdict of every object that `gitops-drift check` reports', async () => {
    const api = await activeApi();
    const tree = api.environmentsTree;
    const expected = cliCheck(tb!);
    const envs = (await tree.getChildren()) as TreeElement[];
    assert.deepEqual(
      envs.map((e) => e.env),
      expected.map((r) => r.name),
    );
    for (const report of expected) {
      assert.equal(report.error, null, `${report.name}: ${report.error}`);
      const envElement = envs.find((e) => e.env === report.name)!;
      const envItem = await tree.getTreeItem(envElement);
      assert.equal(envItem.id, `env:${report.name}`);
      // The counts `check` gives per state, in its order, each in the shared words; `in sync` only when all are.
      const notInSync = STATE_ORDER.filter((s) => s !== 'inSync' && report.states[s]).map(
        (s) => `${report.states[s]} ${STATE_LABEL[s]}`,
      );
      assert.equal(
        envItem.description,
        // The context every environment shares is the view's description, not repeated on each row.
        notInSync.length ? notInSync.join(' · ') : 'in sync',
      );
      const seen = new Map<string, string>();
      for (const group of ((await tree.getChildren(envElement)) ?? []) as TreeElement[]) {
        assert.equal(group.type, 'kind');
        for (const res of ((await tree.getChildren(group)) ?? []) as TreeElement[]) {
          assert.equal(res.type, 'resource');
          if (res.type !== 'resource') continue;
          const item = await tree.getTreeItem(res);
          const icon = item.iconPath as vscode.ThemeIcon;
          seen.set(keyString(res.key), `${String(item.contextValue).split('.')[1]}/${icon.id}`);
          // getParent must lead back to the kind group and the environment, so reveal works.
          const parent = (await tree.getParent!(res)) as TreeElement;
          assert.equal(parent.id, group.id);
        }
      }
      const icons: Record<string, string> = {
        InSync: 'pass',
        Drifted: 'diff-modified',
        Missing: 'diff-removed',
        Extra: 'diff-added',
        Forbidden: 'lock',
        UnknownKind: 'question',
        Error: 'error',
      };
      const want = new Map(
        report.resources.map((r) => [
          keyString({ group: splitApiVersion(r.apiVersion).group, kind: r.kind, namespace: r.namespace, name: r.name }),
          `${r.verdict}/${icons[r.verdict]}`,
        ]),
      );
      assert.deepEqual(Object.fromEntries(seen), Object.fromEntries(want), report.name);
    }
  });

  it('shows the hand changes as the expected verdicts', async () => {
    const api = await activeApi();
    const tree = api.environmentsTree;
    const verdictOf = async (env: string, kind: string, name: string) => {
      for (const e of (await tree.getChildren()) as TreeElement[]) {
        if (e.env !== env) continue;
        for (const g of (await tree.getChildren(e)) as TreeElement[])
          for (const r of (await tree.getChildren(g)) as TreeElement[])
            if (r.type === 'resource' && r.key.kind === kind && r.key.name === name)
              return String((await tree.getTreeItem(r)).contextValue).split('.')[1];
      }
      return undefined;
    };
    assert.equal(await verdictOf('prod', 'Deployment', 'web'), 'Drifted');
    assert.equal(await verdictOf('dev', 'CronJob', 'cart-cleanup'), 'Missing');
    assert.equal(await verdictOf('dev', 'Deployment', 'web'), 'InSync');
  });
});

describe('tree commands', function () {
  const web = { env: 'prod', key: { group: 'apps', kind: 'Deployment', namespace: 'shop-prod', name: 'web' } };
  before(async function () {
    requireTestbed();
    await activeApi();
  });

  it('Open Source opens the file and line where the object is declared', async () => {
    await vscode.commands.executeCommand('gitopsDrift.openSource', web);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor?.document.uri.fsPath.endsWith('base/web-deployment.yaml'), editor?.document.uri.fsPath);
    assert.equal(editor!.selection.active.line, 0);
  });

  it('Copy Name puts the object name on the clipboard', async () => {
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('gitopsDrift.copyName', web);
    assert.equal(await vscode.env.clipboard.readText(), 'web');
  });

  it('Show Rendered Environment opens the rendered YAML of the environment, read-only, Secret values masked', async () => {
    await vscode.commands.executeCommand('gitopsDrift.showRendered', {
      type: 'environment',
      id: 'env:prod',
      env: 'prod',
    });
    const doc = vscode.window.activeTextEditor?.document;
    assert.equal(doc?.languageId, 'yaml');
    assert.equal(doc.uri.scheme, 'gitops-drift-rendered');
    const text = doc.getText();
    assert.match(text, /^# prod: rendered from envs\/prod \(\d+ objects; Secret values masked\)\n/);
    assert.match(text, /^kind: HorizontalPodAutoscaler$/m);
    assert.match(text, /^  namespace: shop-prod$/m);
    assert.ok(!text.includes(Buffer.from('example-prod-not-real').toString('base64')), 'the Secret value is not shown');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
