import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { discoverEnvironments } from '../../../src/core/repo/discover';
import { loadRepository } from '../../../src/core/repo/repository';
import type { RepoEnvironment } from '../../../src/core/repo/config';
import { describeSource, type Environment } from '../../../src/core/model/environment';
import { isTracked } from '../../../src/core/drift/tracking';
import type { KubeObject } from '../../../src/core/model/resource';
import { DriftEngine } from '../../../src/core/engine';
import { FakeReader, types } from './fakes';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { fastReadable, FluxObjects } from '../../../src/core/repo/flux';
import { parseYamlIfFast } from '../../../src/core/yaml/parseYaml';
import { FileLocator } from '../../../src/core/yaml/yamlLocate';

/** A Flux Kustomization manifest. */
function fluxKs(
  name: string,
  path: string,
  opts: { source?: string; dependsOn?: string[]; namespace?: string; targetNamespace?: string } = {},
): string {
  // `Kind/name`, or `Kind/namespace/name` for a source in another namespace.
  const [kind, ...rest] = (opts.source ?? 'GitRepository/flux-system').split('/');
  const sourceName = rest[rest.length - 1];
  return [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    'metadata:',
    `  name: ${name}`,
    // '' leaves the namespace out, as home-ops `ks.yaml` files do.
    ...(opts.namespace === '' ? [] : [`  namespace: ${opts.namespace ?? 'flux-system'}`]),
    'spec:',
    '  interval: 1h',
    // `namespace/name` or `name`.
    ...(opts.dependsOn?.length
      ? [
          '  dependsOn:',
          ...opts.dependsOn.map((d) =>
            d.includes('/')
              ? `    - name: ${d.split('/')[1]}\n      namespace: ${d.split('/')[0]}`
              : `    - name: ${d}`,
          ),
        ]
      : []),
    '  sourceRef:',
    `    kind: ${kind}`,
    `    name: ${sourceName}`,
    ...(rest.length > 1 ? [`    namespace: ${rest[0]}`] : []),
    `  path: ${path}`,
    '  prune: true',
    ...(opts.targetNamespace ? [`  targetNamespace: ${opts.targetNamespace}`] : []),
    '',
  ].join('\n');
}
const gitRepo = (name: string, url: string, namespace = 'flux-system') =>
  `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  interval: 1m\n  url: ${url}\n  ref:\n    branch: main\n`;
const k = (...resources: string[]) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}`).join('\n')}\n`;
const ns = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;

/** Bootstrap's flux-system folder of a cluster: the controllers, and the GitRepository and Kustomization syncing it. */
function bootstrap(cluster: string): Record<string, string> {
  return {
    [`/r/clusters/${cluster}/flux-system/gotk-components.yaml`]: ns('flux-system'),
    [`/r/clusters/${cluster}/flux-system/gotk-sync.yaml`]: `${gitRepo('flux-system', 'ssh://git@github.com/acme/fleet')}---\n${fluxKs('flux-system', `./clusters/${cluster}`)}`,
    [`/r/clusters/${cluster}/flux-system/kustomization.yaml`]: k('gotk-components.yaml', 'gotk-sync.yaml'),
  };
}

/** The shared folders of fluxcd/flux2-kustomize-helm-example. */
const helmExampleFolders: Record<string, string> = {
  '/r/infrastructure/controllers/kustomization.yaml': k('cert-manager.yaml'),
  '/r/infrastructure/controllers/cert-manager.yaml': ns('cert-manager'),
  '/r/infrastructure/configs/kustomization.yaml': k('cluster-issuers.yaml'),
  '/r/infrastructure/configs/cluster-issuers.yaml':
    'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: letsencrypt\n',
  '/r/apps/base/podinfo/kustomization.yaml': k('namespace.yaml'),
  '/r/apps/base/podinfo/namespace.yaml': ns('podinfo'),
  '/r/apps/staging/kustomization.yaml': k('../base/podinfo'),
  '/r/apps/production/kustomization.yaml': k('../base/podinfo'),
};

/** A cluster's applications as `name source renderer`, outside sources marked. */
const apps = (e: Environment) =>
  e.applications.map(
    (a) =>
      `${a.name} ${a.source.type === 'outside' ? `outside(${describeSource(a.source)})` : describeSource(a.source)} ${a.renderer}`,
  );
const env = (envs: RepoEnvironment[], name: string) =>
  envs.find((e) => e.name === name) ?? assert.fail(`no environment ${name} in ${envs.map((e) => e.name).join(', ')}`);

describe('Flux discovery: one environment per cluster, one application per Kustomization', () => {
  it('flux2-kustomize-helm-example (GitRepository paths): exactly the clusters, their Kustomizations in dependsOn order', async () => {
    const cluster = (name: string) => ({
      ...bootstrap(name),
      // apps.yaml sorts before infrastructure.yaml: only dependsOn puts the infrastructure first.
      [`/r/clusters/${name}/apps.yaml`]: fluxKs('apps', `./apps/${name}`, { dependsOn: ['infra-configs'] }),
      [`/r/clusters/${name}/infrastructure.yaml`]: `${fluxKs('infra-controllers', './infrastructure/controllers')}---\n${fluxKs('infra-configs', './infrastructure/configs', { dependsOn: ['infra-controllers'] })}`,
    });
    const fs = new MemoryFileSystem({ ...helmExampleFolders, ...cluster('staging'), ...cluster('production') });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(
      found.environments.map((e) => `${e.name} ${e.path} ${e.source}`),
      ['staging clusters/staging flux', 'production clusters/production flux'],
    );
    assert.deepEqual(apps(env(found.environments, 'staging')), [
      'flux-system clusters/staging flux-kustomization',
      'infra-controllers infrastructure/controllers flux-kustomization',
      'infra-configs infrastructure/configs flux-kustomization',
      'apps apps/staging flux-kustomization',
    ]);
    assert.deepEqual(
      apps(env(found.environments, 'production')).map((a) => a.split(' ').slice(0, 2).join(' ')),
      [
        'flux-system clusters/production',
        'infra-controllers infrastructure/controllers',
        'infra-configs infrastructure/configs',
        'apps apps/production',
      ],
    );
    assert.deepEqual(found.promotion, [['staging', 'production']]);
    assert.deepEqual(found.problems, []);
    assert.deepEqual(found.outside, []);
    const staging = env(found.environments, 'staging');
    // The application carries its Kustomization as declared, for its renderer and its status.
    const appsApp = staging.applications[3];
    assert.deepEqual(appsApp.declaredAt, { file: 'clusters/staging/apps.yaml', line: 1, column: 1 });
    assert.deepEqual(appsApp.controller?.at, appsApp.declaredAt);
    assert.deepEqual((appsApp.controller?.object.spec as { dependsOn: unknown }).dependsOn, [
      { name: 'infra-configs' },
    ]);
    assert.deepEqual(
      staging.tracking?.fluxKustomizations?.map((t) => `${t.namespace}/${t.name}`),
      ['flux-system/flux-system', 'flux-system/infra-controllers', 'flux-system/infra-configs', 'flux-system/apps'],
    );
    // No overlay under apps/ or clusters/ is an environment of its own.
    assert.ok(!found.environments.some((e) => e.source === 'discovered'));
  });

  it('flux2-kustomize-helm-example (ExternalArtifact from an ArtifactGenerator): paths follow the copy rules back to this repo', async () => {
    const generator = [
      'apiVersion: source.extensions.fluxcd.io/v1beta1',
      'kind: ArtifactGenerator',
      'metadata:',
      '  name: flux-system',
      '  namespace: flux-system',
      'spec:',
      '  sources:',
      '    - alias: monorepo',
      '      kind: GitRepository',
      '      name: flux-system',
      '  artifacts:',
      '    - name: infrastructure',
      '      originRevision: "@monorepo"',
      '      copy:',
      '        - from: "@monorepo/infrastructure/**"',
      '          to: "@artifact/"',
      '    - name: apps',
      '      copy:',
      '        - from: "@monorepo/apps/base/**"',
      '          to: "@artifact/base/"',
      '        - from: "@monorepo/apps/staging/**"',
      '          to: "@artifact/staging/"',
      '    - name: elsewhere',
      '      copy:',
      '        - from: "@other/deploy/**"',
      '          to: "@artifact/"',
      '',
    ].join('\n');
    const fs = new MemoryFileSystem({
      ...helmExampleFolders,
      ...bootstrap('staging'),
      '/r/clusters/staging/artifacts.yaml': generator,
      // Production's generator of the same name (read first: its folder sorts first) copies apps/production instead.
      '/r/clusters/production/artifacts.yaml': generator.replace(/staging/g, 'production'),
      '/r/clusters/production/apps.yaml': fluxKs('apps', './production', { source: 'ExternalArtifact/apps' }),
      '/r/clusters/staging/apps.yaml': fluxKs('apps', './staging', {
        source: 'ExternalArtifact/apps',
        dependsOn: ['infra-configs'],
      }),
      '/r/clusters/staging/infrastructure.yaml': `${fluxKs('infra-controllers', './controllers', { source: 'ExternalArtifact/infrastructure' })}---\n${fluxKs('infra-configs', './configs', { source: 'ExternalArtifact/infrastructure', dependsOn: ['infra-controllers'] })}`,
      '/r/clusters/staging/other.yaml': `${fluxKs('other', './', { source: 'ExternalArtifact/elsewhere' })}---\n${fluxKs('podinfo', './', { source: 'OCIRepository/podinfo' })}`,
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(
      found.environments.map((e) => e.name),
      ['staging', 'production'],
    );
    assert.deepEqual(apps(env(found.environments, 'production')), ['apps apps/production flux-kustomization']);
    assert.deepEqual(apps(env(found.environments, 'staging')), [
      'flux-system clusters/staging flux-kustomization',
      'infra-controllers infrastructure/controllers flux-kustomization',
      'infra-configs infrastructure/configs flux-kustomization',
      'apps apps/staging flux-kustomization',
      'other outside(ExternalArtifact flux-system/elsewhere: ./ is not copied from a folder of this repo) flux-kustomization',
      'podinfo outside(OCIRepository flux-system/podinfo) flux-kustomization',
    ]);
  });

  it('flux2-multi-tenancy: tenants Kustomizations found inside bases; a tenant repo is an outside source in every cluster', async () => {
    const tenantSync = `${gitRepo('dev-team', 'https://github.com/fluxcd/flux2-multi-tenancy-dev-team', 'apps')}---\n${fluxKs('dev-team', './staging', { source: 'GitRepository/dev-team', namespace: 'apps', targetNamespace: 'apps' })}`;
    const fs = new MemoryFileSystem({
      '/r/.git/config': '[remote "origin"]\n\turl = git@github.com:acme/fleet.git\n',
      ...bootstrap('staging'),
      ...bootstrap('production'),
      '/r/clusters/staging/infrastructure.yaml': fluxKs('infrastructure', './infrastructure'),
      '/r/clusters/staging/tenants.yaml': fluxKs('tenants', './tenants/staging', { dependsOn: ['infrastructure'] }),
      '/r/clusters/production/infrastructure.yaml': fluxKs('infrastructure', './infrastructure'),
      '/r/clusters/production/tenants.yaml': fluxKs('tenants', './tenants/production', {
        dependsOn: ['infrastructure'],
      }),
      '/r/infrastructure/kustomization.yaml': k('kyverno.yaml'),
      '/r/infrastructure/kyverno.yaml': ns('kyverno'),
      '/r/tenants/base/dev-team/kustomization.yaml': k('rbac.yaml', 'sync.yaml'),
      '/r/tenants/base/dev-team/rbac.yaml': ns('apps'),
      '/r/tenants/base/dev-team/sync.yaml': tenantSync,
      // A kustomize patch holding a partial Kustomization: not one of its own.
      '/r/tenants/staging/kustomization.yaml': `${k('../base/dev-team')}patches:\n  - path: dev-team-patch.yaml\n`,
      '/r/tenants/staging/dev-team-patch.yaml':
        'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: dev-team\n  namespace: apps\nspec:\n  path: ./staging\n',
      '/r/tenants/production/kustomization.yaml': k('../base/dev-team'),
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(
      found.environments.map((e) => e.name),
      ['staging', 'production'],
    );
    for (const name of ['staging', 'production']) {
      assert.deepEqual(apps(env(found.environments, name)), [
        `flux-system clusters/${name} flux-kustomization`,
        'infrastructure infrastructure flux-kustomization',
        `tenants tenants/${name} flux-kustomization`,
        'dev-team outside(GitRepository apps/dev-team (https://github.com/fluxcd/flux2-multi-tenancy-dev-team)) flux-kustomization',
      ]);
    }
    const devTeam = env(found.environments, 'staging').applications[3];
    assert.equal(devTeam.namespace, 'apps');
    assert.deepEqual(devTeam.declaredAt, { file: 'tenants/base/dev-team/sync.yaml', line: 12, column: 1 });
    assert.deepEqual(found.problems, []);
  });

  for (const remote of [true, false]) {
    it(`home-ops (${remote ? 'a remote says' : 'no remotes: its own Kustomization syncing its folder says'} the GitRepository is this repo): a self-syncing root names the cluster; ks.yaml files take the namespace of the kustomization listing them`, async () => {
      const app = (dir: string, name: string) => ({
        [`/r/${dir}/cm.yaml`]: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`,
      });
      const fs = new MemoryFileSystem({
        ...(remote ? { '/r/.git/config': '[remote "origin"]\n\turl = https://github.com/acme/home-ops.git\n' } : {}),
        '/r/kubernetes/main/flux/config/cluster.yaml': `${gitRepo('home-ops', 'ssh://git@github.com/acme/home-ops')}---\n${fluxKs('cluster', './kubernetes/main/flux', { source: 'GitRepository/home-ops' })}`,
        '/r/kubernetes/main/flux/apps.yaml': fluxKs('cluster-apps', './kubernetes/main/apps', {
          source: 'GitRepository/home-ops',
        }),
        '/r/kubernetes/main/apps/kustomization.yaml': k('./kube-system', './default'),
        '/r/kubernetes/main/apps/kube-system/kustomization.yaml': `${k('./multus/ks.yaml')}namespace: kube-system\n`,
        '/r/kubernetes/main/apps/kube-system/multus/ks.yaml': fluxKs(
          'multus-networks',
          './kubernetes/main/apps/kube-system/multus/networks',
          { source: 'GitRepository/flux-system/home-ops', namespace: '' },
        ),
        ...app('kubernetes/main/apps/kube-system/multus/networks', 'networks'),
        '/r/kubernetes/main/apps/default/kustomization.yaml': `${k('./home-assistant/ks.yaml')}namespace: default\n`,
        '/r/kubernetes/main/apps/default/home-assistant/ks.yaml': fluxKs(
          'home-assistant',
          './kubernetes/main/apps/default/home-assistant/app',
          {
            source: 'GitRepository/flux-system/home-ops',
            namespace: '',
            dependsOn: ['kube-system/multus-networks'],
          },
        ),
        ...app('kubernetes/main/apps/default/home-assistant/app', 'ha'),
      });
      const found = await discoverEnvironments(fs, '/r');
      assert.deepEqual(
        found.environments.map((e) => `${e.name} ${e.path}`),
        ['main kubernetes/main/flux'],
      );
      assert.deepEqual(
        apps(found.environments[0]).map((a) => a.split(' ')[1]),
        [
          'kubernetes/main/flux',
          'kubernetes/main/apps',
          'kubernetes/main/apps/kube-system/multus/networks',
          'kubernetes/main/apps/default/home-assistant/app',
        ],
      );
      assert.deepEqual(
        found.environments[0].tracking?.fluxKustomizations?.map((t) => `${t.namespace}/${t.name}`),
        [
          'flux-system/cluster',
          'flux-system/cluster-apps',
          // Reached after home-assistant (its folder sorts first), ordered before it by dependsOn.
          'kube-system/multus-networks',
          'default/home-assistant',
        ],
      );
      assert.deepEqual(found.problems, []);
    });
  }

  it("a folder the cluster's generated kustomization includes (clusters/home/vars, with its own kustomization) is the cluster's, not an environment", async () => {
    // The bench/flux layout: clusters/home has no kustomization file, so Flux generates one listing apps.yaml and the
    // folders with a kustomization file of their own, flux-system/ and vars/ (the cluster-settings ConfigMap).
    const fs = new MemoryFileSystem({
      ...bootstrap('home'),
      '/r/clusters/home/apps.yaml': fluxKs('cluster-apps', './kubernetes/apps'),
      '/r/clusters/home/vars/kustomization.yaml': k('./cluster-settings.yaml'),
      '/r/clusters/home/vars/cluster-settings.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-settings\n  namespace: flux-system\ndata:\n  TIMEZONE: UTC\n',
      '/r/kubernetes/apps/kustomization.yaml': k('./default'),
      '/r/kubernetes/apps/default/kustomization.yaml': `${k('./echo/ks.yaml')}namespace: default\n`,
      '/r/kubernetes/apps/default/echo/ks.yaml': fluxKs('echo', './kubernetes/apps/default/echo/app', {
        namespace: '',
      }),
      '/r/kubernetes/apps/default/echo/app/kustomization.yaml': k('cm.yaml'),
      '/r/kubernetes/apps/default/echo/app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: echo\n',
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(
      found.environments.map((e) => `${e.name} ${e.path}`),
      ['home clusters/home'],
    );
    assert.deepEqual(
      apps(found.environments[0]).map((a) => a.split(' ').slice(0, 2).join(' ')),
      ['flux-system clusters/home', 'cluster-apps kubernetes/apps', 'echo kubernetes/apps/default/echo/app'],
    );
    assert.deepEqual(found.problems, []);
    // The cluster-settings ConfigMap is checked once, as the flux-system Kustomization applies it.
    const engine = new DriftEngine({ fs, repoRoot: '/r' });
    const rendered = await engine.render(await engine.environment('home'));
    assert.deepEqual(
      rendered.objects.filter((o) => o.key.name === 'cluster-settings').map((o) => rendered.applicationOf.get(o)?.name),
      ['flux-system'],
    );
  });

  it('a folder of Kustomizations without bootstrap is a cluster; a missing dependency and a cycle are problems at their lines', async () => {
    const fs = new MemoryFileSystem({
      '/r/fleet/edge/a.yaml': `${fluxKs('a', './apps/a', { dependsOn: ['b'] })}---\n${fluxKs('b', './apps/b', { dependsOn: ['a'] })}`,
      '/r/fleet/edge/c.yaml': fluxKs('c', './apps/c', { dependsOn: ['gone'] }),
      '/r/apps/a/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
      '/r/apps/b/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n',
      '/r/apps/c/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(
      found.environments.map((e) => `${e.name} ${e.path}`),
      ['edge fleet/edge'],
    );
    assert.deepEqual(
      apps(found.environments[0]).map((a) => a.split(' ')[0]),
      ['b', 'a', 'c'],
    );
    assert.deepEqual(
      found.problems.map((p) => `${p.severity} ${p.location?.file}:${p.location?.line} ${p.message}`),
      [
        'error fleet/edge/a.yaml:24 Flux Kustomization dependsOn cycle: a -> b -> a (Flux never applies them)',
        "warning fleet/edge/c.yaml:9 Flux Kustomization 'c' depends on 'flux-system/gone', which this cluster does not declare: Flux waits for it",
      ],
    );
  });

  it("Kustomizations of which none is from this repo (another project's test data) are listed outside, not a cluster", async () => {
    const fs = new MemoryFileSystem({
      ...helmExampleFolders,
      '/r/clusters/staging/apps.yaml': fluxKs('apps', './apps/staging'),
      '/r/testdata/health/ks.yaml': `${fluxKs('podinfo', './kustomize', { source: 'GitRepository/podinfo' })}---\n${fluxKs('redis', './', { source: 'OCIRepository/redis' })}`,
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(
      found.environments.map((e) => e.name),
      ['staging'],
    );
    assert.deepEqual(
      found.outside.map((o) => `${o.tool} ${o.name} ${o.source} ${o.definedAt.file}:${o.definedAt.line}`),
      [
        'flux podinfo GitRepository flux-system/podinfo testdata/health/ks.yaml:11',
        'flux redis OCIRepository flux-system/redis testdata/health/ks.yaml:24',
      ],
    );
  });

  it('a .gitops-drift.yaml entry naming a cluster folder is that cluster, with its context', async () => {
    const fs = new MemoryFileSystem({
      ...helmExampleFolders,
      ...bootstrap('staging'),
      '/r/clusters/staging/apps.yaml': fluxKs('apps', './apps/staging'),
      '/r/.gitops-drift.yaml':
        'environments:\n  - name: stage\n    path: clusters/staging\n    context: kind-staging\n  - name: prod\n    path: apps/production\n',
    });
    const repo = await loadRepository(fs, '/r');
    assert.deepEqual(
      repo.environments.map((e) => `${e.name} ${e.context ?? '-'} ${e.applications.map((a) => a.name).join(',')}`),
      ['stage kind-staging flux-system,apps', 'prod - prod'],
    );
    assert.deepEqual(
      repo.environments[0].applications.map((a) => a.renderer),
      ['flux-kustomization', 'flux-kustomization'],
    );
    assert.deepEqual(
      repo.environments[0].tracking?.fluxKustomizations?.map((t) => t.name),
      ['flux-system', 'apps'],
    );
  });
});

describe('tracking: every Kustomization of a cluster', () => {
  const obj = (labels: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x', namespace: 'd', labels },
  });
  const key = { group: '', kind: 'ConfigMap', namespace: 'd', name: 'x' };
  const tracking = {
    fluxKustomizations: [
      { name: 'infra', namespace: 'flux-system' },
      { name: 'apps', namespace: 'flux-system' },
    ],
  };
  const flux = (name: string, namespace = 'flux-system') => ({
    'kustomize.toolkit.fluxcd.io/name': name,
    'kustomize.toolkit.fluxcd.io/namespace': namespace,
  });

  it('an object labelled by any of them is tracked; by another Kustomization or namespace, not', () => {
    assert.equal(isTracked(obj(flux('infra')), key, tracking), true);
    assert.equal(isTracked(obj(flux('apps')), key, tracking), true);
    assert.equal(isTracked(obj(flux('other')), key, tracking), false);
    assert.equal(isTracked(obj(flux('apps', 'tenants')), key, tracking), false);
  });
});

describe('a Flux cluster checked: Extra for objects any of its Kustomizations left behind', () => {
  it("reports Extra for objects labelled by either Kustomization, not for another one's", async () => {
    const cm = (name: string, labels?: Record<string, string>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'shop', ...(labels ? { labels } : {}) },
      data: { k: 'v' },
    });
    const yaml = (name: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: shop\ndata:\n  k: v\n`;
    const fs = new MemoryFileSystem({
      '/r/clusters/prod/apps.yaml': fluxKs('apps', './apps/prod'),
      '/r/clusters/prod/infra.yaml': fluxKs('infra', './infrastructure'),
      '/r/apps/prod/kustomization.yaml': k('cm.yaml'),
      '/r/apps/prod/cm.yaml': yaml('a'),
      '/r/infrastructure/kustomization.yaml': k('cm.yaml'),
      '/r/infrastructure/cm.yaml': yaml('i'),
    });
    const by = (name: string) => ({
      'kustomize.toolkit.fluxcd.io/name': name,
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    });
    const live = [
      cm('a', by('apps')),
      cm('i', by('infra')),
      cm('old-app', by('apps')),
      cm('old-infra', by('infra')),
      cm('theirs', by('other')),
    ];
    const engine = new DriftEngine({ fs, repoRoot: '/r' });
    const report = await engine.check(await engine.environment('prod'), {
      reader: new FakeReader(live, types),
      context: 'c',
    });
    assert.equal(report.error, null);
    assert.deepEqual(
      report.resources.map((r) => `${r.key.name} ${r.verdict}${r.application ? ` ${r.application}` : ''}`).sort(),
      ['a InSync apps', 'i InSync infra', 'old-app Extra', 'old-infra Extra'],
    );
  });
});

describe("discovery's fast read of Flux objects", () => {
  /** What `read` (yaml's Document) and `readTree` (the fast reader) record for a text; undefined trees when it leaves it. */
  function bothReads(text: string) {
    const lines = new LineCounter();
    const slow = new FluxObjects();
    for (const doc of parseAllDocuments(text, { lineCounter: lines }) as Document[])
      slow.read(doc, new FileLocator('ks.yaml', lines));
    const trees = parseYamlIfFast(text, 'ks.yaml', 'resource');
    const fast = new FluxObjects();
    if (trees?.every(fastReadable))
      for (const doc of trees) if (doc.kind === 'map') fast.readTree(doc, 'ks.yaml', text);
    const seen = (f: FluxObjects) => ({ kustomizations: f.kustomizations, gitRepositories: [...f.gitRepositories] });
    return { slow: seen(slow), fast: trees?.every(fastReadable) ? seen(fast) : undefined };
  }

  it('reads Kustomizations and GitRepositories as yaml does: places of plain and quoted paths, dependsOn, the object', () => {
    const text = [
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: GitRepository',
      'metadata: {name: flux-system, namespace: flux-system}',
      'spec:',
      '  url: https://github.com/example/home-ops',
      '---',
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata:',
      '  name: &app grafana',
      'spec:',
      '  path: "./kubernetes/apps/observability/grafana/app"',
      '  targetNamespace: observability',
      '  dependsOn:',
      '    - name: prometheus',
      '      namespace: observability',
      '    - {name: loki}',
      '  sourceRef: {kind: GitRepository, name: flux-system}',
      '  postBuild:',
      '    substitute:',
      '      APP: *app',
      '---',
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata: {name: plain}',
      'spec:',
      "  path:   './apps'",
      '---',
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata: {name: bare}',
      'spec:',
      '  path: apps/bare',
      '',
    ].join('\n');
    const { slow, fast } = bothReads(text);
    assert.equal(slow.kustomizations.length, 3);
    assert.deepEqual(
      slow.kustomizations.map((k) => k.pathAt.column),
      [9, 11, 9],
    );
    assert.deepEqual(fast, slow);
  });

  it('leaves to yaml what it does not place alike: a block-scalar path, Argo CD objects, v1 Secrets and ConfigMaps', () => {
    const ks = (path: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: a}\nspec:\n  path: ${path}\n`;
    assert.equal(bothReads(ks('|\n    ./apps\n')).fast, undefined);
    assert.equal(bothReads(ks('12')).fast, undefined);
    assert.notEqual(bothReads(ks('./apps')).fast, undefined);
    for (const other of [
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-cm}\n',
      'apiVersion: v1\nkind: Secret\nmetadata: {name: cluster}\n',
    ])
      assert.equal(bothReads(`${ks('./apps')}---\n${other}`).fast, undefined, other);
  });
});
