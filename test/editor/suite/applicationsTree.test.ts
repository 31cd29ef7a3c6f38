import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { folderApplication } from '../../../src/core/model/environment';
import type { RepoEnvironment } from '../../../src/core/repo/config';
import { checkedEntry, shopKey, storeOf } from '../treeFixtures';
import { EnvironmentsTreeProvider } from '../../../src/vscode/views/environmentsTree';
import type { TreeElement } from '../../../src/vscode/views/treeElements';

const decl = (line: number) => ({ file: 'clusters/prod/apps.yaml', line, column: 1 });
const key = shopKey;

const checked = checkedEntry;

describe('Environments view: applications', () => {
  const prod: RepoEnvironment = {
    name: 'prod',
    path: 'clusters/prod',
    source: 'config',
    applications: [
      folderApplication('web', 'clusters/prod/web', decl(1)),
      folderApplication('infra', 'clusters/prod/infra', decl(7)),
    ],
  };
  const dev: RepoEnvironment = {
    name: 'dev',
    path: 'envs/dev',
    source: 'discovered',
    applications: [folderApplication('dev', 'envs/dev')],
  };
  const entries = [
    checked(prod, {
      resources: [
        { apiVersion: 'apps/v1', key: key('Deployment', 'web'), verdict: 'Drifted', fields: [], application: 'web' },
        { apiVersion: 'v1', key: key('ConfigMap', 'web'), verdict: 'InSync', fields: [], application: 'web' },
        { apiVersion: 'v1', key: key('ConfigMap', 'stray'), verdict: 'Extra', fields: [] },
      ],
      applications: [
        { name: 'web', kind: 'kustomize', source: 'clusters/prod/web', declaredAt: decl(1), state: 'rendered' },
        {
          name: 'infra',
          kind: 'kustomize',
          source: 'clusters/prod/infra',
          declaredAt: decl(7),
          state: 'failed',
          message: 'render failed: missing.yaml: no such file',
        },
      ],
    }),
    checked(dev, {
      resources: [
        { apiVersion: 'v1', key: key('ConfigMap', 'app'), verdict: 'InSync', fields: [], application: 'dev' },
      ],
      applications: [{ name: 'dev', kind: 'kustomize', source: 'envs/dev', state: 'rendered' }],
    }),
  ];
  let tree: EnvironmentsTreeProvider;
  before(() => (tree = new EnvironmentsTreeProvider(storeOf(entries))));
  after(() => tree.dispose());

  const children = async (e?: TreeElement) => ((await tree.getChildren(e)) ?? []) as TreeElement[];

  it('shows an application level for an environment of several, and none for one of one', async () => {
    const [prodNode, devNode] = await children();
    assert.deepEqual(
      (await children(prodNode)).map((c) => c.id),
      ['app:prod:web', 'app:prod:infra', 'kind:prod:/ConfigMap'],
    );
    assert.deepEqual(
      (await children(devNode)).map((c) => c.id),
      ['kind:dev:/ConfigMap'],
    );
  });

  it('puts each object under its application, and leads back through it (reveal)', async () => {
    const web = (await children((await children())[0]))[0];
    const kinds = await children(web);
    assert.deepEqual(
      kinds.map((k) => k.id),
      ['kind:prod:web:/ConfigMap', 'kind:prod:web:apps/Deployment'],
    );
    const [deployment] = await children(kinds[1]);
    assert.equal(deployment.id, 'res:prod:apps/Deployment/shop/web');
    assert.equal(((await tree.getParent!(deployment)) as TreeElement).id, kinds[1].id);
    assert.equal(((await tree.getParent!(kinds[1])) as TreeElement).id, web.id);
    const item = await tree.getTreeItem(web);
    assert.equal(item.description, '1 of 2 drifted');
    assert.equal(item.command?.command, 'vscode.open');
  });

  it('says why an application has no objects, under it', async () => {
    const infra = (await children((await children())[0]))[1];
    const item = await tree.getTreeItem(infra);
    assert.equal(item.description, 'render failed');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'error');
    const [message] = await children(infra);
    assert.equal(message.type, 'message');
    assert.equal((await tree.getTreeItem(message)).label, 'render failed: missing.yaml: no such file');
  });
  it('lists the applications discovery found before the first render, each "rendering…" (a Flux cluster opening)', async () => {
    const cluster: RepoEnvironment = {
      ...prod,
      applications: [
        ...prod.applications,
        {
          name: 'podinfo',
          renderer: 'flux-kustomization',
          source: { type: 'outside', description: 'OCIRepository podinfo' },
        },
      ],
    };
    const rendering = new EnvironmentsTreeProvider(storeOf([{ env: cluster, checking: true }]));
    try {
      const [node] = (await rendering.getChildren()) as TreeElement[];
      assert.equal((await rendering.getTreeItem(node)).description, '3 applications · rendering…');
      const apps = (await rendering.getChildren(node)) as TreeElement[];
      assert.deepEqual(
        apps.map((a) => a.id),
        ['app:prod:web', 'app:prod:infra', 'app:prod:podinfo'],
      );
      const items = await Promise.all(apps.map((a) => rendering.getTreeItem(a)));
      assert.deepEqual(
        items.map((i) => [i.description, (i.iconPath as vscode.ThemeIcon).id]),
        [
          ['rendering…', 'loading~spin'],
          ['rendering…', 'loading~spin'],
          ['source outside this repo', 'cloud'],
        ],
      );
      assert.deepEqual(await rendering.getChildren(apps[0]), []);
    } finally {
      rendering.dispose();
    }
    // Not checking (a failed load): nothing is made up under it.
    const idle = new EnvironmentsTreeProvider(storeOf([{ env: cluster, checking: false }]));
    try {
      const [node] = (await idle.getChildren()) as TreeElement[];
      assert.deepEqual(await idle.getChildren(node), []);
    } finally {
      idle.dispose();
    }
  });
});
