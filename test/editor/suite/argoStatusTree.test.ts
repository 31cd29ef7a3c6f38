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
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { ArgoCdSession } from '../../../src/core/live/argoCdReader';
import { argoApplicationsOf } from '../../../src/core/live/argoApplication';
import type { ArgoCdApi } from '../../../src/core/ports';

const label = (item: vscode.TreeItem) => String(typeof item.label === 'object' ? item.label.label : item.label);

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

describe('Environments view: a destination where the Argo CD token may not read one of its Applications', () => {
  const application = (name: string) =>
    `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: ${name}, namespace: argocd }\n` +
    `spec:\n  source: { path: apps/${name} }\n  destination: { server: https://kubernetes.default.svc, namespace: ${name} }\n`;
  const cm = (ns: string, level: string) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: ns },
      data: { level },
    });
  let tree: EnvironmentsTreeProvider;
  let report: EnvironmentReport;

  before(async () => {
    // The engine's own check through Argo CD's API (replayed): shop answers 403, blog its managed resources.
    const engine = new DriftEngine({
      fs: new MemoryFileSystem({
        '/r/argo/shop.yaml': application('shop'),
        '/r/argo/blog.yaml': application('blog'),
        '/r/apps/shop/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n',
        '/r/apps/blog/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n',
      }),
      repoRoot: '/r',
    });
    const env = (await engine.repo()).environments.find((e) => e.name === 'in-cluster')!;
    const api: ArgoCdApi = {
      server: 'argocd.example.com',
      applications: () =>
        Promise.resolve([
          {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Application',
            metadata: { name: 'blog', namespace: 'argocd' },
            status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } },
          },
        ]),
      managedResources: (name) =>
        name === 'shop'
          ? Promise.reject(
              Object.assign(new Error('Argo CD at argocd.example.com: managed-resources: permission denied'), {
                status: 403,
              }),
            )
          : Promise.resolve([
              {
                group: '',
                kind: 'ConfigMap',
                namespace: 'blog',
                name: 'settings',
                targetState: cm('blog', 'info'),
                liveState: cm('blog', 'debug'),
              },
            ]),
    };
    report = await engine.check(env, {
      ...new ArgoCdSession(api).liveSource(argoApplicationsOf(env)!),
      context: 'argocd:argocd.example.com',
      via: 'api',
    });
    tree = new EnvironmentsTreeProvider(storeOf([{ env, checking: false, report }]));
  });
  after(() => tree?.dispose());
  const children = async (e?: TreeElement) => ((await tree.getChildren(e)) ?? []) as TreeElement[];

  it('marks only that Application forbidden, with the cause once under it; the other is checked', async () => {
    const [destination] = await children();
    const item = await tree.getTreeItem(destination);
    assert.equal(label(item), 'in-cluster');
    assert.doesNotMatch(String(item.description), /error|not checked/);
    assert.equal(report.error, null);
    const apps = await children(destination);
    const rows = await Promise.all(
      apps.map(async (a) => `${label(await tree.getTreeItem(a))}: ${(await tree.getTreeItem(a)).description}`),
    );
    // blog's live value differs where Argo CD said Synced: that disagreement is blog's own.
    assert.deepEqual(rows, ['blog: 1 drifted · Argo CD: Synced · Healthy · disagrees', 'shop: 1 forbidden']);
    const [blog, shop] = apps;
    // Under shop: the cause once, then its object, forbidden, never missing.
    const [cause, ...kinds] = await children(shop);
    assert.equal(cause.type, 'message');
    assert.match(label(await tree.getTreeItem(cause)), /managed-resources: permission denied/);
    const objects: string[] = [];
    for (const kind of kinds)
      for (const r of await children(kind)) {
        const row = await tree.getTreeItem(r);
        objects.push(`${label(row)}: ${row.description}`);
      }
    assert.deepEqual(objects, ['settings: forbidden']);
    // No other row says it again.
    assert.equal(
      (await Promise.all((await children(blog)).map(async (k) => label(await tree.getTreeItem(k))))).some((t) =>
        t.includes('permission denied'),
      ),
      false,
    );
  });
});

describe('Environments view: the app-of-apps parent of the Applications of a destination', () => {
  let tree: EnvironmentsTreeProvider;
  before(async () => {
    // Loaded by the engine, as the CLI and the store load it: `platform` renders apps/, whose two Applications deploy
    // to prod.example.com; its kustomization names a file that is not there.
    const engine = new DriftEngine({
      fs: new MemoryFileSystem({
        '/r/argo/platform.yaml':
          'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: platform, namespace: argocd }\n' +
          'spec:\n  source: { path: apps }\n  destination: { server: https://kubernetes.default.svc, namespace: argocd }\n',
        '/r/apps/shop.yaml':
          'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: shop, namespace: argocd }\n' +
          'spec:\n  source: { path: shop }\n  destination: { server: https://prod.example.com, namespace: shop }\n',
        '/r/apps/blog.yaml':
          'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: blog, namespace: argocd }\n' +
          'spec:\n  source: { path: blog }\n  destination: { server: https://prod.example.com, namespace: blog }\n',
        '/r/apps/kustomization.yaml': 'resources:\n  - shop.yaml\n  - blog.yaml\n  - gone.yaml\n',
        '/r/shop/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop\n',
        '/r/blog/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: blog\n',
      }),
      repoRoot: '/r',
    });
    const env = (await engine.repo()).environments.find((e) => e.name === 'prod.example.com')!;
    // Its render, every object not checked (what the view shows before a check); the parent's warning is on it.
    const report = await engine.renderedReport(env, 'prod');
    assert.match(report.problems.map((p) => p.message).join('\n'), /app-of-apps 'platform' failed to render/);
    tree = new EnvironmentsTreeProvider(storeOf([{ env, checking: false, report }]));
  });
  after(() => tree?.dispose());

  it('names the parent and its source line on each Application, and why Argo CD may not apply it from there', async () => {
    const [destination] = (await tree.getChildren()) as TreeElement[];
    const apps = (await tree.getChildren(destination)) as TreeElement[];
    const tips = await Promise.all(apps.map(async (a) => tooltipText(await tree.getTreeItem(a))));
    assert.equal(tips.length, 2);
    for (const tip of tips)
      assert.match(
        tip,
        /from app-of-apps platform \(argo\/platform\.yaml:5\): app-of-apps 'platform' failed to render: .*gone\.yaml/,
      );
  });
});
