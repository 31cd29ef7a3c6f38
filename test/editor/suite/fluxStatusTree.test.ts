import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import type { EnvironmentReport } from '../../../src/core/engine';
import type { ControllerStatus } from '../../../src/core/model/drift';
import { folderApplication } from '../../../src/core/model/environment';
import type { RepoEnvironment } from '../../../src/core/repo/config';
import type { EnvironmentEntry } from '../../../src/vscode/driftStore';
import { shopKey, storeOf } from '../treeFixtures';
import { EnvironmentsTreeProvider } from '../../../src/vscode/views/environmentsTree';
import type { TreeElement } from '../../../src/vscode/views/treeElements';

const key = shopKey;

function flux(over: Partial<ControllerStatus>): ControllerStatus {
  return {
    kind: 'Kustomization',
    name: 'apps',
    namespace: 'flux-system',
    found: true,
    suspended: false,
    prune: true,
    interval: '10m',
    ready: { status: 'True', reason: 'ReconciliationSucceeded' },
    pendingPrune: 0,
    notYetApplied: 0,
    ...over,
  };
}

function entry(
  name: string,
  controller: ControllerStatus,
  resources: EnvironmentReport['resources'],
): EnvironmentEntry {
  const env: RepoEnvironment = {
    name,
    path: `apps/${name}`,
    source: 'flux',
    tracking: { fluxKustomization: { name, namespace: 'flux-system' } },
    applications: [folderApplication(name, `apps/${name}`)],
  };
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

/** The tooltip as read: MarkdownString.appendText escapes spaces and punctuation. */
const tooltipText = (item: vscode.TreeItem) =>
  (typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? ''))
    .replace(/&nbsp;/g, ' ')
    .replace(/\\(.)/g, '$1');

describe('Environments view: Flux Kustomization states', () => {
  const entries = [
    entry('behind', flux({ behind: 3, revision: 'applied 1a2b3c4, git is at 5d6e7f8 (3 commits behind)' }), [
      { apiVersion: 'v1', key: key('ConfigMap', 'web'), verdict: 'InSync', fields: [], application: 'behind' },
    ]),
    entry('prune', flux({ pendingPrune: 1 }), [
      { apiVersion: 'v1', key: key('ConfigMap', 'web'), verdict: 'InSync', fields: [], application: 'prune' },
      {
        apiVersion: 'v1',
        key: key('ConfigMap', 'old'),
        verdict: 'Extra',
        fields: [],
        application: 'prune',
        controller: { state: 'pendingPrune', note: 'Flux will delete this at its next reconcile (interval 10m)' },
      },
    ]),
    entry('notyet', flux({ notYetApplied: 1 }), [
      {
        apiVersion: 'v1',
        key: key('ConfigMap', 'extra'),
        verdict: 'Missing',
        fields: [],
        application: 'notyet',
        controller: { state: 'notYetApplied', note: 'Flux will apply this at its next reconcile (interval 10m)' },
      },
    ]),
    entry('suspended', flux({ suspended: true }), [
      {
        apiVersion: 'apps/v1',
        key: key('Deployment', 'web'),
        verdict: 'Drifted',
        fields: [{ path: '/spec/replicas', desired: 2, live: 7, label: 'spec.replicas' }],
        application: 'suspended',
        controller: { note: 'suspended: Flux will not revert this' },
      },
    ]),
    entry(
      'notready',
      flux({ ready: { status: 'False', reason: 'BuildFailed', message: 'kustomize build failed' } }),
      [],
    ),
  ];
  let tree: EnvironmentsTreeProvider;
  before(() => (tree = new EnvironmentsTreeProvider(storeOf(entries))));
  after(() => tree.dispose());

  const children = async (e?: TreeElement) => ((await tree.getChildren(e)) ?? []) as TreeElement[];
  const environment = async (name: string) => (await children()).find((e) => e.env === name)!;
  const objects = async (name: string) => {
    const out: vscode.TreeItem[] = [];
    for (const kind of await children(await environment(name)))
      for (const r of await children(kind)) out.push(await tree.getTreeItem(r));
    return out;
  };

  it('shows each environment’s Kustomization state beside its drift, the full line in the tooltip', async () => {
    const described = await Promise.all(
      (await children()).map(async (e) => `${e.env}: ${(await tree.getTreeItem(e)).description}`),
    );
    assert.deepEqual(described, [
      'behind: in sync · Flux: ready · 3 behind',
      'prune: 1 pending prune · Flux: ready',
      'notyet: 1 not yet applied · Flux: ready',
      'suspended: 1 drifted · Flux: suspended · ready',
      'notready: no objects · Flux: not ready (BuildFailed)',
    ]);
    assert.match(
      tooltipText(await tree.getTreeItem(await environment('behind'))),
      /Kustomization flux-system\/apps: ready; applied 1a2b3c4, git is at 5d6e7f8 \(3 commits behind\)/,
    );
    assert.match(
      tooltipText(await tree.getTreeItem(await environment('notready'))),
      /not ready \(BuildFailed\): kustomize build failed/,
    );
  });

  it('shows each Kustomization of a cluster of several on its application', async () => {
    const cluster: RepoEnvironment = {
      name: 'cluster',
      path: 'clusters/prod',
      source: 'flux',
      applications: [folderApplication('apps', 'apps'), folderApplication('infra', 'infra')],
    };
    const report: EnvironmentReport = {
      name: 'cluster',
      path: cluster.path,
      context: 'prod',
      error: null,
      problems: [],
      timings: { render: 0, live: 0, reconcile: 0 },
      resources: [
        { apiVersion: 'v1', key: key('ConfigMap', 'web'), verdict: 'InSync', fields: [], application: 'apps' },
        {
          apiVersion: 'v1',
          key: key('ConfigMap', 'old'),
          verdict: 'Extra',
          fields: [],
          application: 'apps',
          controller: { state: 'pendingPrune' },
        },
        {
          apiVersion: 'v1',
          key: key('ConfigMap', 'infra'),
          verdict: 'Drifted',
          fields: [{ path: '/data/a', desired: '1', live: '2' }],
          application: 'infra',
        },
      ],
      applications: [
        {
          name: 'apps',
          kind: 'kustomize',
          source: 'apps',
          state: 'rendered',
          controller: flux({ pendingPrune: 1, behind: 2 }),
        },
        {
          name: 'infra',
          kind: 'kustomize',
          source: 'infra',
          state: 'rendered',
          controller: flux({ name: 'infra', suspended: true }),
        },
      ],
    };
    const several = new EnvironmentsTreeProvider(storeOf([{ env: cluster, checking: false, report }]));
    try {
      const [env] = (await several.getChildren()) as TreeElement[];
      const apps = ((await several.getChildren(env)) ?? []) as TreeElement[];
      const described = await Promise.all(apps.map(async (a) => (await several.getTreeItem(a)).description));
      assert.deepEqual(described, [
        '1 of 2 pending prune · Flux: ready · 2 behind',
        '1 drifted · Flux: suspended · ready',
      ]);
    } finally {
      several.dispose();
    }
  });

  it('marks environments and applications a Flux Kustomization applies (.flux), where Reconcile Now is offered', async () => {
    const tracked = await Promise.all((await children()).map(async (e) => (await tree.getTreeItem(e)).contextValue));
    assert.deepEqual(
      tracked,
      entries.map(() => 'environment.flux'),
    );

    const declared = {
      ...folderApplication('apps', 'apps'),
      controller: {
        object: {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: 'apps', namespace: 'flux-system' },
        },
        at: { file: 'clusters/prod/apps.yaml', line: 1, column: 1 },
      },
    };
    const cluster: RepoEnvironment = {
      name: 'cluster',
      path: 'clusters/prod',
      source: 'flux',
      applications: [declared, folderApplication('infra', 'infra')],
    };
    const plain: RepoEnvironment = {
      name: 'plain',
      path: 'envs/plain',
      source: 'config',
      applications: [folderApplication('plain', 'envs/plain')],
    };
    const marked = new EnvironmentsTreeProvider(
      storeOf([
        {
          env: cluster,
          checking: false,
          report: {
            name: 'cluster',
            path: cluster.path,
            context: 'prod',
            error: null,
            problems: [],
            timings: { render: 0, live: 0, reconcile: 0 },
            resources: ['apps', 'infra'].map((app) => ({
              apiVersion: 'v1',
              key: key('ConfigMap', app),
              verdict: 'InSync' as const,
              fields: [],
              application: app,
            })),
            applications: ['apps', 'infra'].map((app) => ({
              name: app,
              kind: 'kustomize' as const,
              source: app,
              state: 'rendered' as const,
            })),
          },
        },
        { env: plain, checking: false },
      ]),
    );
    try {
      const envs = (await marked.getChildren()) as TreeElement[];
      assert.deepEqual(await Promise.all(envs.map(async (e) => (await marked.getTreeItem(e)).contextValue)), [
        'environment.flux',
        'environment',
      ]);
      const apps = ((await marked.getChildren(envs[0])) ?? []) as TreeElement[];
      assert.deepEqual(await Promise.all(apps.map(async (a) => (await marked.getTreeItem(a)).contextValue)), [
        'application.flux',
        'application',
      ]);
    } finally {
      marked.dispose();
    }
  });

  it('names pending prune and not yet applied on the objects, and what Flux will do in their tooltips', async () => {
    const [old] = (await objects('prune')).filter((i) => i.label === 'old');
    assert.equal(old.description, 'pending prune');
    assert.match(tooltipText(old), /pending prune: Flux applied it and git no longer renders it/);
    assert.match(tooltipText(old), /Flux will delete this at its next reconcile \(interval 10m\)/);
    const [extra] = await objects('notyet');
    assert.equal(extra.description, 'not yet applied');
    const [web] = await objects('suspended');
    assert.equal(web.description, 'replicas 2 → 7');
    assert.match(tooltipText(web), /suspended: Flux will not revert this/);
  });
});
