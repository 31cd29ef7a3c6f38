import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ResourceDrift, Verdict } from '../../../src/core/model/drift';
import { folderApplication } from '../../../src/core/model/environment';
import type { RepoEnvironment } from '../../../src/core/repo/config';
import { EnvironmentsTreeProvider } from '../../../src/vscode/views/environmentsTree';
import type { TreeElement } from '../../../src/vscode/views/treeElements';
import { checkedEntry, shopKey, storeOf } from '../treeFixtures';
import { activeApi, EXTENSION_ID, testbed, waitForDiagnostics } from '../support';

const envOf = (name: string): RepoEnvironment => ({
  name,
  path: `envs/${name}`,
  source: 'discovered',
  applications: [folderApplication(name, `envs/${name}`)],
});

const object = (kind: string, name: string, verdict: Verdict, extra: Partial<ResourceDrift> = {}): ResourceDrift => ({
  apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1',
  key: kind === 'Namespace' ? { group: '', kind, namespace: '', name } : shopKey(kind, name),
  verdict,
  fields: [],
  ...extra,
});

/** Labels, descriptions and icons of a provider's elements, as plain data. */
async function itemsOf(tree: vscode.TreeDataProvider<TreeElement>, elements: readonly TreeElement[]) {
  return Promise.all(
    elements.map(async (e) => {
      const item = await tree.getTreeItem(e);
      return {
        element: e,
        item,
        label: String(typeof item.label === 'object' ? item.label.label : item.label),
        description: String(item.description ?? ''),
        icon: (item.iconPath as vscode.ThemeIcon | undefined)?.id,
      };
    }),
  );
}

const childrenOf = async (tree: vscode.TreeDataProvider<TreeElement>, e?: TreeElement) =>
  ((await tree.getChildren(e)) ?? []) as TreeElement[];

describe('Environments view: states that say what is true', () => {
  const unreadable = checkedEntry(envOf('flux-apps'), {
    resources: [
      object('Service', 'a', 'UnknownKind', { message: 'the cluster does not serve Kustomization' }),
      object('Service', 'b', 'UnknownKind', { message: 'the cluster does not serve Kustomization' }),
    ],
  });
  const namespaces = checkedEntry(envOf('platform'), {
    resources: Array.from({ length: 12 }, (_, i) => object('Namespace', `ns-${i}`, 'Missing')),
  });
  const drifted = checkedEntry(envOf('prod'), {
    resources: [
      object('Deployment', 'web', 'Drifted', {
        fields: [{ path: '/spec/replicas', desired: 3, live: 12, label: 'spec.replicas' }],
      }),
      object('Service', 'web', 'Missing'),
      object('ConfigMap', 'web', 'InSync'),
    ],
  });
  const calm = checkedEntry(envOf('dev'), { resources: [object('ConfigMap', 'app', 'InSync')] });
  let tree: EnvironmentsTreeProvider;
  before(() => (tree = new EnvironmentsTreeProvider(storeOf([unreadable, namespaces, drifted, calm]))));
  after(() => tree.dispose());

  it('never calls an environment whose objects are all unreadable in sync', async () => {
    const [env] = await itemsOf(tree, [(await childrenOf(tree))[0]]);
    // Every environment checks against `kind`: the view says it once, no row repeats it.
    assert.equal(env.description, '2 not deployed');
    assert.equal(tree.viewDescription(), 'ctx kind');
    assert.equal(env.icon, 'question');
    // appendText keeps spaces as &nbsp;.
    const md = (env.item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ');
    assert.match(md, /2 objects: 2 not deployed/);
    assert.doesNotMatch(md, /in sync/);
  });

  it('counts a missing object as missing, never as drifted', async () => {
    const envElement = (await childrenOf(tree))[1];
    const [env] = await itemsOf(tree, [envElement]);
    assert.equal(env.description, '12 missing');
    const [kind] = await itemsOf(tree, await childrenOf(tree, envElement));
    assert.equal(kind.label, 'Namespace');
    assert.equal(kind.description, '12 missing');
    assert.equal(kind.icon, 'diff-removed');
    const prod = (await childrenOf(tree))[2];
    assert.equal((await itemsOf(tree, [prod]))[0].description, '1 drifted · 1 missing');
  });

  it('shows a drifted object git → live on its row', async () => {
    const prod = (await childrenOf(tree))[2];
    const kinds = await childrenOf(tree, prod);
    const deployments = kinds.find((k) => k.type === 'kind' && k.kind === 'Deployment')!;
    const [web] = await itemsOf(tree, await childrenOf(tree, deployments));
    assert.equal(web.description, 'replicas 3 → 12');
    assert.equal(web.icon, 'diff-modified');
    const services = kinds.find((k) => k.type === 'kind' && k.kind === 'Service')!;
    assert.equal((await itemsOf(tree, await childrenOf(tree, services)))[0].description, 'missing');
  });

  it('Show Only Problems hides what is in sync, and the toggle brings it back', async () => {
    const names = async () => (await childrenOf(tree)).map((e) => e.env);
    assert.deepEqual(await names(), ['flux-apps', 'platform', 'prod', 'dev']);
    await tree.setOnlyProblems(true);
    try {
      assert.equal(tree.showsOnlyProblems, true);
      assert.deepEqual(await names(), ['flux-apps', 'platform', 'prod'], 'dev is in sync');
      const prod = (await childrenOf(tree))[2];
      const kinds = (await childrenOf(tree, prod)).map((k) => (k.type === 'kind' ? k.kind : k.type));
      assert.deepEqual(kinds, ['Deployment', 'Service'], 'the in-sync ConfigMap is hidden');
    } finally {
      await tree.setOnlyProblems(false);
    }
    assert.deepEqual(await names(), ['flux-apps', 'platform', 'prod', 'dev']);
  });
});

describe('Environments view without a cluster (tree model)', () => {
  const cause = 'kubeconfig /home/me/.kube/config does not exist';
  const noCluster = (name: string) =>
    checkedEntry(envOf(name), {
      error: cause,
      noCluster: true,
      context: '(current context)',
      resources: [object('Deployment', 'web', 'NotChecked'), object('ConfigMap', 'web', 'NotChecked')],
    });
  let tree: EnvironmentsTreeProvider;
  before(() => (tree = new EnvironmentsTreeProvider(storeOf([noCluster('dev'), noCluster('prod')]))));
  after(() => tree.dispose());

  it('keeps every environment and object, not checked, and says the cause once with one action', async () => {
    const roots = await itemsOf(tree, await childrenOf(tree));
    assert.deepEqual(
      roots.map((r) => r.element.type),
      ['noCluster', 'environment', 'environment'],
    );
    const [row, dev] = roots;
    assert.equal(row.label, `No cluster: ${cause}`);
    assert.equal(row.item.contextValue, 'noCluster');
    assert.equal(row.item.command?.command, 'gitopsDrift.switchContext');
    assert.equal(row.item.command?.title, 'Select Kube Context…');
    assert.equal(dev.description, 'not checked: no cluster');
    assert.equal(dev.icon, 'circle-outline');
    // The cause is not repeated under each environment.
    const kids = await childrenOf(tree, dev.element);
    assert.deepEqual(
      kids.map((k) => k.type),
      ['kind', 'kind'],
    );
    for (const kind of kids) {
      const [objectItem] = await itemsOf(tree, await childrenOf(tree, kind));
      assert.equal(objectItem.description, 'not checked');
      assert.match(String(objectItem.item.contextValue), /^resource\.NotChecked/);
    }
  });
});

describe('Environments view without a cluster (real editor)', function () {
  this.timeout(60_000);

  it('shows the environments and objects not checked, one No cluster row, and "no cluster" in the status bar', async () => {
    const api = await activeApi();
    const tree = api.environmentsTree;
    try {
      await vscode.commands.executeCommand('gitopsDrift.switchContext', 'no-such-context');
      await api.whenIdle();
      const roots = await childrenOf(tree);
      assert.equal(roots[0]?.type, 'noCluster', roots.map((r) => r.id).join(', '));
      assert.equal(roots.filter((r) => r.type === 'noCluster').length, 1, 'the cause is said once');
      const row = await tree.getTreeItem(roots[0]);
      assert.equal(row.command?.command, 'gitopsDrift.switchContext');
      assert.match(String(row.label), /^No cluster: .*no-such-context/);
      const envs = roots.filter((r) => r.type === 'environment');
      assert.deepEqual(
        envs.map((e) => e.env),
        ['dev', 'staging', 'prod'],
      );
      let objects = 0;
      for (const env of envs) {
        assert.match(String((await tree.getTreeItem(env)).description), /^not checked: no cluster/);
        for (const kind of await childrenOf(tree, env)) {
          assert.equal(kind.type, 'kind', `${env.env}: only kinds under the environment, no repeated error`);
          for (const r of await childrenOf(tree, kind)) {
            objects++;
            assert.equal((await tree.getTreeItem(r)).description, 'not checked');
          }
        }
      }
      assert.ok(objects >= 30, `rendered objects shown: ${objects}`);
      assert.match(api.statusBarText!(), /· no cluster$/);
      assert.doesNotMatch(api.statusBarText!(), /drifted/);
      // No marker claims drift it could not see.
      await waitForDiagnostics(
        (ds) => !ds.some((d) => d.diagnostic.source === 'GitOps drift'),
        5000,
        'the drift markers to clear',
      );
      // The one action, titled as the row says; offered inline on the row.
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      const contributes = ext.packageJSON.contributes as {
        commands: { command: string; title: string }[];
        menus: Record<string, { command: string; when?: string; group?: string }[]>;
        viewsWelcome: { when: string }[];
      };
      assert.equal(
        contributes.commands.find((c) => c.command === 'gitopsDrift.switchContext')?.title,
        'Select Kube Context…',
      );
      assert.ok(
        contributes.menus['view/item/context'].some(
          (m) =>
            m.command === 'gitopsDrift.switchContext' &&
            m.group === 'inline' &&
            /viewItem == noCluster/.test(m.when ?? ''),
        ),
      );
      assert.ok(!contributes.viewsWelcome.some((w) => /unreachable/.test(w.when)), 'no welcome replaces the tree');
    } finally {
      await vscode.commands.executeCommand('gitopsDrift.switchContext', '');
      await api.whenIdle();
    }
    if (testbed()) {
      assert.equal((await childrenOf(tree)).filter((r) => r.type === 'noCluster').length, 0);
      assert.match(api.statusBarText!(), /drifted/);
      await waitForDiagnostics(
        (ds) => ds.some((d) => d.diagnostic.source === 'GitOps drift'),
        5000,
        'the markers to return',
      );
    }
  });
});

describe('Show Only Problems (real editor)', function () {
  before(function () {
    if (!testbed()) this.skip();
  });

  it('the title toggle shows only what needs attention, then everything again', async () => {
    const api = await activeApi();
    const tree = api.environmentsTree;
    const shown = async () => {
      const out: string[] = [];
      for (const env of await childrenOf(tree))
        for (const kind of await childrenOf(tree, env))
          for (const r of await childrenOf(tree, kind))
            out.push(`${env.env}/${String((await tree.getTreeItem(r)).contextValue).split('.')[1]}`);
      return out;
    };
    const all = await shown();
    assert.ok(all.some((s) => s.endsWith('/InSync')));
    assert.ok(all.some((s) => s.endsWith('/Drifted')));
    try {
      await vscode.commands.executeCommand('gitopsDrift.showOnlyProblems');
      const only = await shown();
      assert.ok(only.length > 0 && only.length < all.length, `${only.length} of ${all.length}`);
      assert.deepEqual(
        only.filter((s) => s.endsWith('/InSync')),
        [],
      );
      assert.deepEqual(only.sort(), all.filter((s) => !s.endsWith('/InSync')).sort());
    } finally {
      await vscode.commands.executeCommand('gitopsDrift.showAllObjects');
    }
    assert.deepEqual((await shown()).sort(), all.sort());
  });
});
