import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import type { EnvironmentReport } from '../../../src/core/engine';
import { applyArgoStatus } from '../../../src/core/drift/argoStatus';
import type { ResourceDrift } from '../../../src/core/model/drift';
import { folderApplication } from '../../../src/core/model/environment';
import type { RepoEnvironment } from '../../../src/core/repo/config';
import type { EnvironmentEntry } from '../../../src/vscode/driftStore';
import { shopKey, storeOf } from '../treeFixtures';
import { EnvironmentsTreeProvider } from '../../../src/vscode/views/environmentsTree';
import type { TreeElement } from '../../../src/vscode/views/treeElements';

const sha = 'a'.repeat(40);

/** The tooltip as read: MarkdownString.appendText escapes spaces and punctuation. */
const tooltipText = (item: vscode.TreeItem) =>
  (typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? ''))
    .replace(/&nbsp;/g, ' ')
    .replace(/\\(.)/g, '$1');

/** An Argo CD environment whose report got its status the way the engine sets it (applyArgoStatus). */
function entry(name: string, status: Record<string, unknown>, resources: ResourceDrift[]): EnvironmentEntry {
  const env: RepoEnvironment = {
    name,
    path: `apps/${name}`,
    source: 'argocd',
    tracking: { argocdApp: name },
    applications: [folderApplication(name, `apps/${name}`)],
  };
  const { status: controller } = applyArgoStatus(
    name,
    { name, namespace: 'argocd' },
    {
      status: 'ok',
      object: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name, namespace: 'argocd' },
        status,
      },
    },
    resources,
    { head: sha, behind: 0 },
    'cluster',
  );
  const report: EnvironmentReport = {
    name,
    path: env.path,
    context: 'prod',
    error: null,
    resources,
    problems: [],
    timings: { render: 0, live: 0, reconcile: 0 },
    applications: [{ name, kind: 'kustomize', source: env.path, state: 'rendered', controller }],
  };
  return { env, checking: false, report };
}

describe('Environments view: Argo CD status beside our verdicts', () => {
  const drifted: ResourceDrift = {
    apiVersion: 'apps/v1',
    key: shopKey('Deployment', 'web'),
    verdict: 'Drifted',
    fields: [
      {
        path: '/spec/replicas',
        label: 'spec.replicas',
        desired: 2,
        live: 3,
        changedBy: { manager: 'argocd-controller', operation: 'Apply' },
      },
    ],
    application: 'shop',
  };
  const entries = [
    entry(
      'shop',
      {
        sync: { status: 'Synced', revision: sha },
        health: { status: 'Healthy' },
        resources: [
          { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'shop', name: 'web', status: 'Synced' },
        ],
      },
      [drifted],
    ),
    entry(
      'blog',
      {
        sync: { status: 'OutOfSync', revision: sha },
        health: { status: 'Degraded', message: 'Deployment blog: progress deadline exceeded' },
        operationState: { phase: 'Failed', message: 'one or more objects failed to apply' },
      },
      [],
    ),
  ];
  let tree: EnvironmentsTreeProvider;
  before(() => (tree = new EnvironmentsTreeProvider(storeOf(entries))));
  after(() => tree.dispose());

  const children = async (e?: TreeElement) => ((await tree.getChildren(e)) ?? []) as TreeElement[];
  const environment = async (name: string) => (await children()).find((e) => e.env === name)!;

  it("shows each Application's sync and health in the description, the whole status in the tooltip", async () => {
    const described = await Promise.all(
      (await children()).map(async (e) => `${e.env}: ${(await tree.getTreeItem(e)).description}`),
    );
    // Both run in context prod: the view says the shared context once, so no row repeats it.
    assert.deepEqual(described, [
      'shop: 1 drifted · Argo CD: Synced · Healthy · disagrees',
      'blog: no objects · Argo CD: OutOfSync · Degraded · sync Failed',
    ]);
    assert.match(
      tooltipText(await tree.getTreeItem(await environment('blog'))),
      /Argo CD Application argocd\/blog: OutOfSync, Degraded \(Deployment blog: progress deadline exceeded\); last sync Failed: one or more objects failed to apply/,
    );
  });

  it("names a disagreement on the object: Argo CD's verdict in the description, the likely cause in the tooltip", async () => {
    const items: vscode.TreeItem[] = [];
    for (const kind of await children(await environment('shop')))
      for (const r of await children(kind)) items.push(await tree.getTreeItem(r));
    assert.equal(items.length, 1);
    assert.equal(items[0].description, 'replicas 2 → 3 · Argo CD: Synced');
    const tip = tooltipText(items[0]);
    assert.match(tip, /Argo CD: Synced/);
    assert.match(
      tip,
      /Argo CD says Synced, here drifted: likely a mutating webhook: spec\.replicas was last written by argocd-controller/,
    );
  });
});

describe('Environments view: a destination environment of two Argo CD Applications (argocd.environments: cluster)', () => {
  /** One Application's summary, its status set as the engine sets it. */
  const summary = (name: string, status: Record<string, unknown>, resources: ResourceDrift[]) => ({
    name,
    kind: 'kustomize' as const,
    source: `apps/${name}`,
    state: 'rendered' as const,
    controller: applyArgoStatus(
      name,
      { name, namespace: 'argocd' },
      {
        status: 'ok',
        object: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name, namespace: 'argocd' },
          status,
        },
      },
      resources,
      { head: sha, behind: 0 },
      'cluster',
    ).status,
  });
  const web: ResourceDrift = {
    apiVersion: 'apps/v1',
    key: shopKey('Deployment', 'web'),
    verdict: 'Drifted',
    fields: [{ path: '/spec/replicas', label: 'spec.replicas', desired: 2, live: 3 }],
    application: 'shop',
  };
  const post: ResourceDrift = {
    apiVersion: 'v1',
    key: { group: '', kind: 'ConfigMap', namespace: 'blog', name: 'posts' },
    verdict: 'InSync',
    fields: [],
    application: 'blog',
  };
  const env: RepoEnvironment = {
    name: 'in-cluster',
    path: 'apps/shop',
    source: 'argocd',
    tracking: { argocdApps: ['shop', 'blog'] },
    applications: [
      { ...folderApplication('shop', 'apps/shop'), namespace: 'shop' },
      { ...folderApplication('blog', 'apps/blog'), namespace: 'blog' },
    ],
  };
  const report: EnvironmentReport = {
    name: 'in-cluster',
    path: env.path,
    context: 'prod',
    error: null,
    resources: [web, post],
    problems: [],
    timings: { render: 0, live: 0, reconcile: 0 },
    applications: [
      summary('shop', { sync: { status: 'OutOfSync', revision: sha }, health: { status: 'Healthy' } }, [web]),
      summary(
        'blog',
        { sync: { status: 'Synced', revision: sha }, health: { status: 'Progressing', message: 'rolling out' } },
        [post],
      ),
    ],
  };
  let tree: EnvironmentsTreeProvider;
  before(() => (tree = new EnvironmentsTreeProvider(storeOf([{ env, checking: false, report }]))));
  after(() => tree.dispose());
  const children = async (e?: TreeElement) => ((await tree.getChildren(e)) ?? []) as TreeElement[];

  it('shows one row per Application, each with its own verdicts and Argo CD status, its objects under it', async () => {
    const [destination] = await children();
    assert.equal(destination.env, 'in-cluster');
    const apps = await children(destination);
    const rows = await Promise.all(
      apps.map(async (a) => {
        const item = await tree.getTreeItem(a);
        return `${String(item.label)}: ${item.description}`;
      }),
    );
    assert.deepEqual(rows, [
      'shop: 1 drifted · Argo CD: OutOfSync · Healthy',
      // All in sync: the count alone (as for any group of objects).
      'blog: 1 · Argo CD: Synced · Progressing',
    ]);
    assert.match(tooltipText(await tree.getTreeItem(apps[0])), /shop\*\* — application of in-cluster/);
    assert.match(tooltipText(await tree.getTreeItem(apps[1])), /Argo CD Application argocd\/blog: Synced, Progressing/);
    // Each Application's objects are under its own row.
    const names = async (app: TreeElement) => {
      const out: string[] = [];
      for (const kind of await children(app))
        for (const r of await children(kind)) out.push(String((await tree.getTreeItem(r)).label));
      return out;
    };
    assert.deepEqual(await names(apps[0]), ['web']);
    assert.deepEqual(await names(apps[1]), ['posts']);
  });
});
