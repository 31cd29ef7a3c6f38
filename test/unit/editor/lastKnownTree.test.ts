import * as assert from 'node:assert/strict';
import { decodeLastKnownTree, encodeLastKnownTree } from '../../../src/core/editor/lastKnownTree';
import type { ApplicationSummary, EnvironmentDrift, FieldDrift } from '../../../src/core/model/drift';
import type { RepoEnvironment } from '../../../src/core/repo/config';

const at = (file: string, line: number) => ({ file, line, column: 1 });

const cluster: RepoEnvironment = {
  name: 'home',
  path: 'clusters/home',
  source: 'flux',
  context: 'home-ctx',
  definedAt: at('clusters/home/flux-system/gotk-sync.yaml', 20),
  applications: [
    {
      name: 'cluster-apps',
      source: { type: 'folder', path: 'kubernetes/apps' },
      renderer: 'flux-kustomization',
      declaredAt: at('clusters/home/apps.yaml', 2),
      controller: { manifest: { apiVersion: 'x', kind: 'Kustomization', metadata: { name: 'cluster-apps' } } },
    } as unknown as RepoEnvironment['applications'][number],
    {
      name: 'podinfo',
      source: { type: 'outside', description: 'OCIRepository flux-system/podinfo' },
      renderer: 'flux-kustomization',
    },
  ],
};

const drifted: FieldDrift = {
  path: '/data/PASSWORD',
  desired: 'hunter2',
  live: 'changed-by-hand',
} as unknown as FieldDrift;

const report: EnvironmentDrift & { applications: ApplicationSummary[] } = {
  name: 'home',
  path: 'clusters/home',
  context: 'home-ctx',
  namespace: 'flux-system',
  error: null,
  applications: [
    {
      name: 'cluster-apps',
      kind: 'flux-kustomization',
      source: 'kubernetes/apps',
      state: 'rendered',
      controller: { found: true, suspended: false } as ApplicationSummary['controller'],
    },
    { name: 'podinfo', kind: 'flux-kustomization', source: 'OCIRepository flux-system/podinfo', state: 'outside' },
    { name: 'default/web', kind: 'helm', source: 'chart', state: 'rendered' },
  ],
  resources: [
    {
      apiVersion: 'v1',
      key: { group: '', kind: 'Secret', namespace: 'apps', name: 'db' },
      verdict: 'Drifted',
      fields: [drifted],
      source: at('kubernetes/apps/db/secret.yaml', 4),
      application: 'cluster-apps',
    },
    {
      apiVersion: 'apps/v1',
      key: { group: 'apps', kind: 'Deployment', namespace: 'apps', name: 'web' },
      verdict: 'InSync',
      fields: [],
      source: at('kubernetes/apps/web/deploy.yaml', 1),
      application: 'cluster-apps',
    },
    // Found only in the cluster: not the render's.
    {
      apiVersion: 'v1',
      key: { group: '', kind: 'ConfigMap', namespace: 'apps', name: 'by-hand' },
      verdict: 'Extra',
      fields: [],
    },
    // A Helm release's object: from the release in the cluster, not the render.
    {
      apiVersion: 'v1',
      key: { group: '', kind: 'Service', namespace: 'default', name: 'web' },
      verdict: 'InSync',
      fields: [],
      application: 'default/web',
    },
  ],
};

describe('last-known tree (core/editor/lastKnownTree)', () => {
  const savedAt = new Date('2026-12-06T19:00:00.000Z');

  it("keeps the render's environments, applications and object keys, every object not checked", () => {
    const tree = decodeLastKnownTree(encodeLastKnownTree([{ env: cluster, drift: report }], savedAt));
    assert.ok(tree);
    assert.equal(tree.savedAt.toISOString(), savedAt.toISOString());
    assert.equal(tree.environments.length, 1);
    const [{ env, drift }] = tree.environments;
    assert.deepEqual(
      { name: env.name, path: env.path, source: env.source, context: env.context, definedAt: env.definedAt },
      {
        name: 'home',
        path: 'clusters/home',
        source: 'flux',
        context: 'home-ctx',
        definedAt: at('clusters/home/flux-system/gotk-sync.yaml', 20),
      },
    );
    assert.deepEqual(
      env.applications.map((a) => [a.name, a.source, a.renderer, a.declaredAt?.line]),
      [
        ['cluster-apps', { type: 'folder', path: 'kubernetes/apps' }, 'flux-kustomization', 2],
        [
          'podinfo',
          { type: 'outside', description: 'OCIRepository flux-system/podinfo' },
          'flux-kustomization',
          undefined,
        ],
      ],
    );
    assert.deepEqual(
      drift.applications.map((a) => [a.name, a.state]),
      [
        ['cluster-apps', 'rendered'],
        ['podinfo', 'outside'],
      ],
    );
    assert.deepEqual(
      drift.resources.map((r) => [r.key.kind, r.key.name, r.verdict, r.application, r.source?.line]),
      [
        ['Secret', 'db', 'NotChecked', 'cluster-apps', 4],
        ['Deployment', 'web', 'NotChecked', 'cluster-apps', 1],
      ],
    );
    assert.equal(drift.error, null);
    assert.equal(drift.context, 'home-ctx');
    assert.equal(drift.namespace, 'flux-system');
  });

  it("keeps an Application's app-of-apps parent, with its line and its render's problem (the repo's, not the cluster's)", () => {
    const argo: EnvironmentDrift & { applications: ApplicationSummary[] } = {
      ...report,
      applications: [
        {
          name: 'blog',
          kind: 'argo-directory',
          source: 'apps/blog',
          state: 'rendered',
          parent: { name: 'platform', at: at('argo/platform.yaml', 8), problem: 'the parent failed to render' },
        },
        { name: 'shop', kind: 'argo-directory', source: 'apps/shop', state: 'rendered' },
      ],
      resources: [],
    };
    const argoAt = at('argo/blog.yaml', 1);
    const declared = {
      ...cluster,
      tracking: { argocdApp: 'apps', argocdLabel: 'team' },
      applications: cluster.applications.map((a, i) =>
        i ? a : { ...a, argo: { application: { name: 'blog', namespace: 'argocd' }, at: argoAt } },
      ),
    };
    const tree = decodeLastKnownTree(encodeLastKnownTree([{ env: declared, drift: argo }], savedAt));
    // The Argo CD Application each is (a destination at fleet shape folds the unopened ones' rows from here on).
    assert.deepEqual(
      tree?.environments[0].env.applications.map((a) => a.argo),
      [
        { application: { name: 'blog', namespace: 'argocd' }, at: argoAt },
        ...cluster.applications.slice(1).map(() => undefined),
      ],
    );
    // An environment of one Application (an app-of-apps root) is that Application by its tracking; nothing else kept.
    assert.deepEqual(tree?.environments[0].env.tracking, { argocdApp: 'apps' });
    assert.deepEqual(
      tree?.environments[0].drift.applications.map((a) => [a.name, a.parent]),
      [
        ['blog', { name: 'platform', at: at('argo/platform.yaml', 8), problem: 'the parent failed to render' }],
        ['shop', undefined],
      ],
    );
  });

  it("keeps no value, verdict or controller status: nothing of the cluster's", () => {
    const text = encodeLastKnownTree([{ env: cluster, drift: report }], savedAt);
    for (const word of ['hunter2', 'changed-by-hand', 'Drifted', 'InSync', 'suspended', 'controller', 'by-hand'])
      assert.ok(!text.includes(word), `the stored tree holds ${word}`);
  });

  it('shows nothing from a file it did not write: another format, broken JSON, a wrong shape', () => {
    const good = JSON.parse(encodeLastKnownTree([{ env: cluster, drift: report }], savedAt)) as Record<string, unknown>;
    assert.equal(decodeLastKnownTree(undefined), undefined);
    assert.equal(decodeLastKnownTree(''), undefined);
    assert.equal(decodeLastKnownTree('{"format":1,'), undefined);
    assert.equal(decodeLastKnownTree(JSON.stringify({ ...good, format: 2 })), undefined);
    assert.equal(decodeLastKnownTree(JSON.stringify({ ...good, savedAt: 'yesterday' })), undefined);
    const environments = good.environments as Record<string, unknown>[];
    const broken = { ...environments[0], resources: [{ apiVersion: 'v1', key: { kind: 'Secret' } }] };
    assert.equal(decodeLastKnownTree(JSON.stringify({ ...good, environments: [broken] })), undefined);
    const badSource = {
      ...environments[0],
      env: { ...(environments[0].env as object), source: 'somewhere' },
    };
    assert.equal(decodeLastKnownTree(JSON.stringify({ ...good, environments: [badSource] })), undefined);
    assert.ok(decodeLastKnownTree(JSON.stringify(good)));
  });
  it('keeps the digests of what its renders read, and drops a malformed record of them (the tree stays marked)', () => {
    const inputs = {
      files: { 'base/cm.yaml': 'ab12', 'base/kustomization.yml': null },
      folders: { base: ['cm.yaml'] },
      settings: 'cd34',
    };
    const text = encodeLastKnownTree([{ env: cluster, drift: report }], savedAt, inputs);
    assert.deepEqual(decodeLastKnownTree(text)?.inputs, inputs);
    assert.equal(
      decodeLastKnownTree(encodeLastKnownTree([{ env: cluster, drift: report }], savedAt))?.inputs,
      undefined,
    );
    const good = JSON.parse(text) as Record<string, unknown>;
    for (const bad of [
      { ...inputs, settings: 1 },
      { ...inputs, files: { 'base/cm.yaml': 3 } },
      { ...inputs, folders: { base: 'cm.yaml' } },
    ]) {
      const decoded = decodeLastKnownTree(JSON.stringify({ ...good, inputs: bad }));
      assert.ok(decoded, 'the tree itself still shows');
      assert.equal(decoded.inputs, undefined);
    }
  });
});
