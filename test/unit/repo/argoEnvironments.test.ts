/**
 * Environments per Argo CD destination (`argocd.environments` in .gitops-drift.yaml): Applications grouped by the
 * cluster their destination resolves to (or cluster and namespace), each one an application of its environment with
 * its own namespace, status, tracking and ignoreDifferences; promotion order over those environments.
 */
import assert from 'node:assert/strict';
import { DriftEngine, type LiveSource } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { KubeObject } from '../../../src/core/model/resource';
import { FakeClusterReader, live } from '../live/fakeClusterReader';

const application = (name: string, destination: string, namespace: string, extra = '') =>
  `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
  source:
    path: ${name}
  destination:
    ${destination}
    namespace: ${namespace}
${extra}`;

const configMap = (name: string, level: string, namespace?: string, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) },
  data: { level },
});

const cmFile = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  level: info\n`;

/** Five Applications: three spell the prod cluster three ways, one deploys to Argo CD's own cluster, one to edge. */
function repo(grouping: string | undefined, extraConfig = '') {
  const files: Record<string, string> = {
    '/r/.gitops-drift.yaml':
      `argocd:\n  clusters: { prod-cluster: prod }\n  inClusterContext: hub\n` +
      (grouping ? `  environments: ${grouping}\n` : '') +
      extraConfig,
    '/r/apps/api.yaml': application(
      'api',
      'server: https://PROD.example.com:443/',
      'shop',
      // api's own ignoreDifferences: it must not hide web's drift, though both are ConfigMaps in one environment.
      '  ignoreDifferences:\n    - kind: ConfigMap\n      jsonPointers: [/data/level]\n',
    ),
    '/r/apps/web.yaml': application('web', 'server: https://prod.example.com', 'shop'),
    '/r/apps/worker.yaml': application('worker', 'name: prod-cluster', 'jobs'),
    '/r/apps/tools.yaml': application('tools', 'server: https://kubernetes.default.svc', 'tools'),
    '/r/apps/edge.yaml': application('edge', 'server: https://edge.example.com:6443', 'shop'),
  };
  for (const name of ['api', 'web', 'worker', 'tools', 'edge']) files[`/r/${name}/cm.yaml`] = cmFile(name);
  return new DriftEngine({
    fs: new MemoryFileSystem(files),
    repoRoot: '/r',
    kubeContexts: () =>
      Promise.resolve([
        { name: 'hub', server: 'https://hub.example.com' },
        { name: 'prod', server: 'https://prod.example.com' },
      ]),
  });
}

const argoEnvironments = async (engine: DriftEngine) =>
  (await engine.load()).environments.filter((e) => e.source === 'argocd' && !e.appOfAppsRoot);

describe('Argo CD environments per destination (argocd.environments)', () => {
  it('cluster (the default): one environment per resolved destination cluster, named as the repo writes it', async () => {
    for (const grouping of [undefined, 'cluster']) {
      const envs = await argoEnvironments(repo(grouping));
      assert.deepEqual(
        envs.map((e) => [e.name, e.context, e.applications.map((a) => `${a.name}@${a.namespace}`)]),
        [
          // apps/ files are read in name order: api, edge, tools, web, worker.
          ['prod-cluster', 'prod', ['api@shop', 'web@shop', 'worker@jobs']],
          ['edge.example.com:6443', undefined, ['edge@shop']],
          ['in-cluster', 'hub', ['tools@tools']],
        ],
      );
      const prod = envs[0];
      assert.deepEqual(prod.tracking?.argocdApps, ['api', 'web', 'worker']);
      // Two namespaces: none is the environment's; each application keeps its own.
      assert.equal(prod.namespace, undefined);
    }
  });

  it('namespace: one environment per destination cluster and namespace, named CLUSTER/NAMESPACE', async () => {
    const envs = await argoEnvironments(repo('namespace'));
    assert.deepEqual(
      envs.map((e) => [e.name, e.namespace, e.applications.map((a) => a.name)]),
      [
        ['prod-cluster/shop', 'shop', ['api', 'web']],
        ['edge.example.com:6443/shop', 'shop', ['edge']],
        ['in-cluster/tools', 'tools', ['tools']],
        ['prod-cluster/jobs', 'jobs', ['worker']],
      ],
    );
  });

  it('application (the opt-out): one environment per Application, the old model', async () => {
    const envs = await argoEnvironments(repo('application'));
    assert.deepEqual(
      envs.map((e) => e.name),
      ['api', 'edge', 'tools', 'web', 'worker'],
    );
    assert.equal(envs.find((e) => e.name === 'web')?.context, 'prod');
  });

  it('a value other than cluster, namespace or application is an error at its line; the default applies', async () => {
    const loaded = await repo('clusters').load();
    const problem = loaded.problems.find((p) => p.location?.file === '.gitops-drift.yaml');
    assert.equal(problem?.location?.line, 4);
    assert.deepEqual(
      loaded.environments.filter((e) => e.source === 'argocd' && !e.appOfAppsRoot).map((e) => e.name),
      ['prod-cluster', 'edge.example.com:6443', 'in-cluster'],
    );
  });

  it('promotion order names destination environments; a name of none is reported', async () => {
    const ok = await repo('cluster', 'promotion: [[in-cluster, prod-cluster]]\n').load();
    assert.deepEqual(ok.promotion, [['in-cluster', 'prod-cluster']]);
    assert.deepEqual(
      ok.problems.filter((p) => p.message.includes('promotion')),
      [],
    );
    const bad = await repo('cluster', 'promotion: [[in-cluster, web]]\n').load();
    assert.ok(
      bad.problems.some((p) => p.message.includes("'web'")),
      bad.problems.map((p) => p.message).join('\n'),
    );
  });

  it("checks a destination: each Application's objects in its namespace, its own ignore rules, its status, one LIST of Applications", async () => {
    const engine = repo('cluster');
    const prodEnv = (await argoEnvironments(engine))[0];
    const prod = new FakeClusterReader();
    prod.types.push({
      group: 'argoproj.io',
      version: 'v1alpha1',
      kind: 'Application',
      resource: 'applications',
      namespaced: true,
      verbs: ['list', 'watch'],
    });
    const appStatus = (name: string, sync: string): KubeObject =>
      live(
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name, namespace: 'argocd' },
          spec: {},
          status: { sync: { status: sync }, health: { status: 'Healthy' } },
        },
        '3',
      );
    prod.data.set('applications/argocd', [
      appStatus('api', 'Synced'),
      appStatus('web', 'OutOfSync'),
      appStatus('worker', 'Synced'),
    ]);
    // Both api's and web's ConfigMaps drifted on data.level: api's rule hides its own, not web's.
    prod.data.set('configmaps/shop', [
      live(configMap('api', 'debug', 'shop'), '4'),
      live(configMap('web', 'debug', 'shop'), '4'),
      // Left behind by worker (its instance label), in another namespace than worker's: Extra.
      live(configMap('old-worker', 'info', 'shop', { 'app.kubernetes.io/instance': 'worker' }), '4'),
    ]);
    prod.data.set('configmaps/jobs', [live(configMap('worker', 'info', 'jobs'), '4')]);
    // hub holds no Application status here: this cluster's Argo CD status comes from the destination's cluster
    // when read without an Argo CD context.
    const source: LiveSource = { reader: prod, context: 'prod' };
    const report = await engine.check(prodEnv, source);
    const verdicts = Object.fromEntries(
      report.resources.map((r) => [`${r.key.namespace}/${r.key.name}`, `${r.verdict} ${r.application ?? ''}`]),
    );
    assert.deepEqual(verdicts, {
      'shop/api': 'InSync api',
      'shop/web': 'Drifted web',
      'jobs/worker': 'InSync worker',
      'shop/old-worker': 'Extra ',
    });
    assert.deepEqual(
      report.applications.map((a) => [a.name, a.controller?.argo?.sync]),
      [
        ['api', 'Synced'],
        ['web', 'OutOfSync'],
        ['worker', 'Synced'],
      ],
    );
    assert.deepEqual(
      prod.lists.filter((l) => l.startsWith('applications/')),
      ['applications/argocd'],
    );
  });

  it("without promotion:, the order is inferred over the destinations' names", async () => {
    const files: Record<string, string> = {
      '/r/.gitops-drift.yaml': 'argocd:\n  environments: cluster\n',
      '/r/apps/shop-dev.yaml': application('shop-dev', 'name: dev', 'shop'),
      '/r/apps/shop-prod.yaml': application('shop-prod', 'name: prod', 'shop'),
      '/r/shop-dev/cm.yaml': cmFile('shop'),
      '/r/shop-prod/cm.yaml': cmFile('shop'),
    };
    const loaded = await new DriftEngine({ fs: new MemoryFileSystem(files), repoRoot: '/r' }).load();
    assert.deepEqual(loaded.promotion, [['dev', 'prod']]);
  });
});
