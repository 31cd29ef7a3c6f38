import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { discoverEnvironments, normalizeGitUrl } from '../../../src/core/repo/discover';
import { inferPromotion, stageRank } from '../../../src/core/repo/promotion';
import { loadRepository } from '../../../src/core/repo/repository';
import { describeSource, type Environment } from '../../../src/core/model/environment';
import type { FileSystem } from '../../../src/core/ports';

const k = (...resources: string[]) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}`).join('\n')}\n`;
const summary = (envs: Environment[]) =>
  envs.map((e) => `${e.name} ${e.path} ${e.source}${e.namespace ? ' ns=' + e.namespace : ''}`);

/** Counts the files read, to check discovery reads only what it needs. */
function countingFs(inner: FileSystem): FileSystem & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    readFile: (p) => (reads.push(p), inner.readFile(p)),
    readDir: (p) => inner.readDir(p),
    stat: (p) => inner.stat(p),
  };
}

describe('environment discovery', () => {
  it('finds envs/* overlays that nothing includes, with their namespace, and skips the base', async () => {
    const fs = new MemoryFileSystem({
      '/r/base/kustomization.yaml': k('deployment.yaml'),
      '/r/base/deployment.yaml': 'kind: Deployment\n',
      '/r/envs/dev/kustomization.yaml': k('../../base') + 'namespace: shop-dev\n',
      '/r/envs/staging/kustomization.yaml': k('../../base'),
      '/r/envs/prod/kustomization.yml': k('../../base') + 'namespace: shop-prod\n',
      '/r/envs/prod/patch.yaml': 'kind: Deployment\n',
      '/r/node_modules/x/envs/dev/kustomization.yaml': k(),
      '/r/.git/envs/dev/kustomization.yaml': k(),
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(summary(found.environments), [
      'dev envs/dev discovered ns=shop-dev',
      'staging envs/staging discovered',
      'prod envs/prod discovered ns=shop-prod',
    ]);
    assert.deepEqual(found.promotion, [['dev', 'staging', 'prod']]);
    assert.deepEqual(found.kustomizationDirs, ['base', 'envs/dev', 'envs/prod', 'envs/staging']);
    assert.deepEqual(found.problems, []);
  });

  it('names apps/*/overlays/* environments by app and stage, one promotion chain per app', async () => {
    const fs = new MemoryFileSystem({
      '/r/apps/shop/base/kustomization.yaml': k('d.yaml'),
      '/r/apps/shop/overlays/dev/kustomization.yaml': k('../../base'),
      '/r/apps/shop/overlays/prod/kustomization.yaml': k('../../base'),
      '/r/apps/cart/base/kustomization.yaml': k('d.yaml'),
      '/r/apps/cart/overlays/dev/kustomization.yaml': k('../../base'),
      '/r/apps/cart/overlays/prod/kustomization.yaml': k('../../base'),
      '/r/apps/cart/overlays/qa/kustomization.yaml': k('../../base'),
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(
      found.environments.map((e) => e.name),
      ['cart/dev', 'cart/qa', 'cart/prod', 'shop/dev', 'shop/prod'],
    );
    assert.deepEqual(found.promotion, [
      ['cart/dev', 'cart/qa', 'cart/prod'],
      ['shop/dev', 'shop/prod'],
    ]);
  });

  it('does not count an overlay that another kustomization includes (region overlays on a prod overlay)', async () => {
    const fs = new MemoryFileSystem({
      '/r/base/kustomization.yaml': k('d.yaml'),
      '/r/overlays/prod/kustomization.yaml': k('../../base'),
      '/r/overlays/prod-eu/kustomization.yaml': k('../prod'),
      '/r/clusters/eu-1/kustomization.yaml': k('../../overlays/prod-eu', 'https://github.com/org/repo//x?ref=v1'),
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(summary(found.environments), ['eu-1 clusters/eu-1 discovered']);
  });

  it('finds region overlays under a stage (overlays/prod/eu) and chains them after staging', async () => {
    const fs = new MemoryFileSystem({
      '/r/base/kustomization.yaml': k('d.yaml'),
      '/r/overlays/dev/kustomization.yaml': k('../../base'),
      '/r/overlays/staging/kustomization.yaml': k('../../base'),
      '/r/overlays/prod/eu/kustomization.yaml': k('../../../base'),
      '/r/overlays/prod/us/kustomization.yaml': k('../../../base'),
      '/r/clusters/prod/flux-system/kustomization.yaml': k('gotk-components.yaml'),
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(summary(found.environments), [
      'dev overlays/dev discovered',
      'staging overlays/staging discovered',
      'prod/eu overlays/prod/eu discovered',
      'prod/us overlays/prod/us discovered',
    ]);
    assert.deepEqual(found.promotion, [['dev', 'staging', 'prod/eu', 'prod/us']]);
  });

  it('falls back to every top-level root when the layout is not conventional', async () => {
    const fs = new MemoryFileSystem({ '/r/kustomization.yaml': k('app.yaml'), '/r/app.yaml': 'kind: ConfigMap\n' });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(summary(found.environments), ['default  discovered']);
    assert.deepEqual(found.promotion, []);
  });

  it('reads Argo CD Applications (source, sources, destination namespace), skips other repos, keeps remote charts', async () => {
    const fs = new MemoryFileSystem({
      '/r/argocd/apps.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: { name: shop-prod, namespace: argocd }',
        'spec:',
        '  source:',
        '    repoURL: https://github.com/org/config',
        '    path: deploy/prod',
        '  destination: { server: https://kubernetes.default.svc, namespace: shop-prod }',
        '---',
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: { name: elsewhere }',
        'spec: { source: { path: not/in/this/repo }, destination: { namespace: x } }',
        '---',
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: { name: chart }',
        'spec: { source: { chart: nginx, repoURL: https://charts.example }, destination: { namespace: x } }',
        '---',
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: { name: multi }',
        'spec:',
        '  sources:',
        '    - { chart: redis, repoURL: https://charts.example }',
        '    - { repoURL: https://github.com/org/config, path: deploy/dev }',
        '  destination: { namespace: shop-dev }',
      ].join('\n'),
      '/r/deploy/prod/kustomization.yaml': k('../base'),
      '/r/deploy/dev/kustomization.yaml': k('../base'),
      '/r/deploy/base/kustomization.yaml': k('d.yaml'),
    });
    const found = await discoverEnvironments(fs, '/r');
    // A chart of a Helm repository is an application of its own (downloaded to render it), in the Application's folder.
    assert.deepEqual(summary(found.environments), [
      'chart argocd argocd ns=x',
      'shop-prod deploy/prod argocd ns=shop-prod',
      'multi deploy/dev argocd ns=shop-dev',
    ]);
    const chart = found.environments.find((e) => e.name === 'chart')!.applications[0];
    assert.deepEqual(chart.source, {
      type: 'remote-chart',
      kind: 'helm-repository',
      url: 'https://charts.example',
      chart: 'nginx',
      version: '',
    });
    assert.equal(chart.renderer, 'helm');
    assert.deepEqual(
      found.environments.find((e) => e.name === 'multi')!.applications.map((a) => [a.name, a.source.type]),
      [
        ['multi/redis', 'remote-chart'],
        ['multi/dev', 'folder'],
      ],
    );
    assert.deepEqual(found.environments.find((e) => e.name === 'shop-prod')!.definedAt, {
      file: 'argocd/apps.yaml',
      line: 7,
      column: 11,
    });
    // The remote chart's environment is declared at its `chart:` line.
    assert.deepEqual(found.environments[0].definedAt, { file: 'argocd/apps.yaml', line: 18, column: 26 });
    assert.deepEqual(
      found.environments.map((e) => e.tracking),
      [{ argocdApp: 'chart' }, { argocdApp: 'shop-prod' }, { argocdApp: 'multi' }],
    );
    assert.deepEqual(found.promotion, [['multi', 'shop-prod']]);
  });

  it('expands Argo CD ApplicationSet git directory generators over the repo folders', async () => {
    const fs = new MemoryFileSystem({
      '/r/argocd/appset.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: ApplicationSet',
        'metadata: { name: apps }',
        'spec:',
        '  generators:',
        '    - git:',
        '        repoURL: https://github.com/org/config',
        '        revision: HEAD',
        '        directories:',
        "          - path: 'apps/*/overlays/prod'",
        '          - path: apps/legacy/overlays/prod',
        '            exclude: true',
        '  template:',
        "    metadata: { name: '{{path[1]}}-prod' }",
        '    spec:',
        '      source: { repoURL: https://github.com/org/config, path: "{{path}}" }',
        "      destination: { server: https://kubernetes.default.svc, namespace: '{{path[1]}}' }",
      ].join('\n'),
      '/r/apps/shop/base/kustomization.yaml': k('d.yaml'),
      '/r/apps/shop/overlays/prod/kustomization.yaml': k('../../base'),
      '/r/apps/cart/overlays/prod/kustomization.yaml': k('d.yaml'),
      '/r/apps/legacy/overlays/prod/kustomization.yaml': k('d.yaml'),
    });
    const found = await discoverEnvironments(fs, '/r');
    const argo = found.environments.filter((e) => e.source === 'argocd');
    assert.deepEqual(summary(argo), [
      'cart-prod apps/cart/overlays/prod argocd ns=cart',
      'shop-prod apps/shop/overlays/prod argocd ns=shop',
    ]);
    assert.deepEqual(argo[0].definedAt, { file: 'argocd/appset.yaml', line: 10, column: 19 });
    assert.deepEqual(argo[0].tracking, { argocdApp: 'cart-prod' });
    // The excluded folder is still a conventional overlay, found as one.
    assert.deepEqual(summary(found.environments.filter((e) => e.source === 'discovered')), [
      'prod apps/legacy/overlays/prod discovered',
    ]);
  });

  it('reads Flux Kustomizations as applications of their cluster, one environment per cluster folder', async () => {
    const flux = (name: string, path: string, ns?: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  path: ${path}\n  sourceRef: { kind: GitRepository, name: flux-system }\n${ns ? `  targetNamespace: ${ns}\n` : ''}`;
    const fs = new MemoryFileSystem({
      '/r/clusters/staging/apps.yaml': flux('apps', './apps/staging', 'podinfo'),
      '/r/clusters/production/apps.yaml': flux('apps', './apps/production'),
      '/r/clusters/production/infra.yaml': flux('infra', './infrastructure'),
      '/r/apps/base/kustomization.yaml': k('d.yaml'),
      '/r/apps/staging/kustomization.yaml': k('../base'),
      '/r/apps/production/kustomization.yaml': k('../base'),
      '/r/infrastructure/kustomization.yaml': k('ns.yaml'),
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(summary(found.environments), [
      'staging clusters/staging flux',
      'production clusters/production flux',
    ]);
    const apps = (e: Environment) =>
      e.applications.map(
        (a) =>
          `${a.name} ${a.source.type === 'folder' ? a.source.path : '-'} ${a.renderer}${a.namespace ? ' ns=' + a.namespace : ''}`,
      );
    assert.deepEqual(apps(found.environments[0]), ['apps apps/staging flux-kustomization ns=podinfo']);
    assert.deepEqual(apps(found.environments[1]), [
      'apps apps/production flux-kustomization',
      'infra infrastructure flux-kustomization',
    ]);
    assert.deepEqual(found.environments[1].definedAt, { file: 'clusters/production/apps.yaml', line: 7, column: 9 });
    assert.deepEqual(found.environments[1].tracking, {
      fluxKustomizations: [
        { name: 'apps', namespace: 'flux-system' },
        { name: 'infra', namespace: 'flux-system' },
      ],
    });
    assert.deepEqual(found.promotion, [['staging', 'production']]);
  });

  it('reports an unparsable kustomization with its line and keeps going', async () => {
    const fs = new MemoryFileSystem({
      '/r/envs/dev/kustomization.yaml': 'resources:\n  - a\n - b\n',
      '/r/envs/prod/kustomization.yaml': k(),
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(
      found.environments.map((e) => e.name),
      ['dev', 'prod'],
    );
    assert.equal(found.problems.length, 1);
    assert.equal(found.problems[0].location?.file, 'envs/dev/kustomization.yaml');
    assert.equal(found.problems[0].location?.line, 3);
  });

  it('reads kustomization files but not the manifests of bases, on a large tree', async () => {
    const files: Record<string, string> = {};
    for (let app = 0; app < 50; app++) {
      files[`/r/apps/a${app}/base/kustomization.yaml`] = k(...Array.from({ length: 20 }, (_, i) => `m${i}.yaml`));
      for (let i = 0; i < 20; i++)
        files[`/r/apps/a${app}/base/m${i}.yaml`] = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: m${i} }\n`;
      for (const env of ['dev', 'prod']) files[`/r/apps/a${app}/overlays/${env}/kustomization.yaml`] = k('../../base');
    }
    for (let i = 0; i < 500; i++) files[`/r/node_modules/pkg${i}/kustomization.yaml`] = k();
    const fs = countingFs(new MemoryFileSystem(files));
    // How long this takes is measured by bench/discover (docs/benchmarks.md), not asserted here.
    const found = await discoverEnvironments(fs, '/r');
    assert.equal(found.environments.length, 100);
    assert.equal(found.promotion.length, 50);
    // Every kustomization file; the manifests of the bases (which overlays include) are never read, nor node_modules.
    assert.equal(fs.reads.filter((p) => p.includes('node_modules')).length, 0);
    assert.equal(fs.reads.length, 150);
  });
});

describe('promotion order', () => {
  it('ranks stage words', () => {
    assert.deepEqual(['dev', 'qa', 'stg', 'prod-eu', 'production', 'feature-x'].map(stageRank), [
      0,
      1,
      2,
      3,
      3,
      undefined,
    ]);
  });

  it('orders siblings and skips folders with a single staged environment', () => {
    const env = (name: string, path: string): Environment => ({ name, path, source: 'discovered', applications: [] });
    const promotion = inferPromotion([
      env('prod-us', 'envs/prod-us'),
      env('prod-eu', 'envs/prod-eu'),
      env('dev', 'envs/dev'),
      env('staging', 'envs/staging'),
      env('tools', 'envs/tools'),
      env('prod', 'other/prod'),
    ]);
    assert.deepEqual(promotion, [['dev', 'staging', 'prod-eu', 'prod-us']]);
  });
});

describe('loadRepository', () => {
  const tree = {
    '/r/envs/dev/kustomization.yaml': k(),
    '/r/envs/prod/kustomization.yaml': k(),
    '/r/envs/qa/kustomization.yaml': k(),
  };

  it('uses discovery when the config lists no environments, but keeps its ignore rules and checks its promotion', async () => {
    const fs = new MemoryFileSystem({
      ...tree,
      '/r/.gitops-drift.yaml': 'promotion: [dev, prd]\nignore:\n  - jsonPointers: [/spec/replicas]\n',
    });
    const repo = await loadRepository(fs, '/r');
    assert.deepEqual(
      repo.environments.map((e) => e.name),
      ['dev', 'qa', 'prod'],
    );
    assert.equal(repo.config.ignore.length, 1);
    assert.deepEqual(
      repo.problems.map((p) => `${p.location?.line}:${p.location?.column} ${p.message}`),
      ["1:18 promotion: unknown environment 'prd' (known: dev, qa, prod)"],
    );
  });

  it('infers promotion when the config has none', async () => {
    const repo = await loadRepository(new MemoryFileSystem(tree), '/r');
    assert.equal(repo.hasConfigFile, false);
    assert.deepEqual(repo.promotion, [['dev', 'qa', 'prod']]);
  });

  it('prefers the editor setting, and reports entries whose folder is missing', async () => {
    const fs = new MemoryFileSystem({
      ...tree,
      '/r/.gitops-drift.yaml': 'environments:\n  - { name: a, path: envs/dev }\n',
    });
    const repo = await loadRepository(fs, '/r', [
      { name: 'live', path: 'envs/prod', context: 'prod-eu' },
      { name: 'gone', path: 'envs/gone' },
    ]);
    assert.deepEqual(
      repo.environments.map((e) => [e.name, e.path, e.context, e.source]),
      [['live', 'envs/prod', 'prod-eu', 'setting']],
    );
    assert.match(repo.problems[0].message, /'gone'/);
  });
});

describe('sources outside this repo (Flux sourceRef, Argo CD repoURL)', () => {
  const fluxKs = (name: string, path: string, sourceKind: string, sourceName: string) =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ${path}\n  sourceRef:\n    kind: ${sourceKind}\n    name: ${sourceName}\n`;
  const gitRepo = (name: string, url: string) =>
    `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  url: ${url}\n`;
  const argoApp = (name: string, repoURL: string, path: string) =>
    `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\nspec:\n  source:\n    repoURL: ${repoURL}\n    path: ${path}\n  destination:\n    namespace: ${name}\n`;
  const files = (withRemote: boolean) =>
    new MemoryFileSystem({
      ...(withRemote
        ? {
            '/r/.git/config':
              '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:Acme/fleet.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
          }
        : {}),
      '/r/clusters/staging/flux-system/gotk-sync.yaml': `${gitRepo('flux-system', 'ssh://git@github.com/acme/fleet')}---\n${fluxKs('flux-system', './clusters/staging', 'GitRepository', 'flux-system')}`,
      '/r/clusters/staging/apps.yaml': fluxKs('apps', './apps/staging', 'GitRepository', 'flux-system'),
      '/r/clusters/staging/podinfo.yaml': `apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: OCIRepository\nmetadata:\n  name: podinfo\n  namespace: flux-system\nspec:\n  url: oci://ghcr.io/stefanprodan/manifests/podinfo\n---\n${fluxKs('podinfo', './', 'OCIRepository', 'podinfo')}`,
      '/r/clusters/staging/other.yaml': `${gitRepo('other', 'https://github.com/acme/other')}---\n${fluxKs('other', './deploy', 'GitRepository', 'other')}`,
      '/r/clusters/staging/mirror.yaml': `${gitRepo('mirror', 'https://github.com/acme/fleet.git/')}---\n${fluxKs('mirror', './apps/staging', 'GitRepository', 'mirror')}`,
      '/r/argo/elsewhere.yaml': argoApp('elsewhere', 'https://github.com/acme/elsewhere', 'apps/staging'),
      '/r/argo/here.yaml': argoApp('here', 'https://github.com/acme/fleet', 'apps/staging'),
      '/r/apps/staging/kustomization.yaml': k('cm.yaml'),
      '/r/apps/staging/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
      '/r/deploy/kustomization.yaml': k(),
      '/r/kustomization.yaml': k('apps/staging'),
    });

  /** A cluster's applications as `name source`: the folder, or what the outside source is. */
  const sources = (e: Environment) => e.applications.map((a) => `${a.name} ${describeSource(a.source)}`);

  it('renders only sources that are this repo; the others are applications of their cluster marked outside, Argo CD ones listed', async () => {
    const found = await discoverEnvironments(files(true), '/r');
    assert.deepEqual(found.environments.map((e) => `${e.name} ${e.path} ${e.source}`).sort(), [
      'here apps/staging argocd',
      'staging clusters/staging flux',
    ]);
    assert.deepEqual(sources(found.environments.find((e) => e.name === 'staging')!), [
      'flux-system clusters/staging',
      'apps apps/staging',
      'mirror apps/staging',
      'other GitRepository flux-system/other (https://github.com/acme/other)',
      'podinfo OCIRepository flux-system/podinfo',
    ]);
    assert.deepEqual(
      found.outside.map((o) => `${o.tool} ${o.name} ${o.source} ${o.definedAt.file}:${o.definedAt.line}`),
      ['argocd elsewhere https://github.com/acme/elsewhere argo/elsewhere.yaml:8'],
    );
  });

  it('without remotes to compare, an Application whose path exists here stays; Flux sources other than flux-system stay outside', async () => {
    const found = await discoverEnvironments(files(false), '/r');
    assert.ok(found.environments.some((e) => e.name === 'elsewhere'));
    const staging = found.environments.find((e) => e.name === 'staging')!;
    assert.deepEqual(
      staging.applications.filter((a) => a.source.type === 'outside').map((a) => a.name),
      ['mirror', 'other', 'podinfo'],
    );
    assert.deepEqual(found.outside, []);
  });

  it('normalises git URLs so one repo compares equal however it is written', () => {
    const same = [
      'git@github.com:Acme/Fleet.git',
      'ssh://git@github.com/acme/fleet',
      'https://github.com/acme/fleet/',
      'https://user@github.com:443/acme/fleet.git',
    ];
    assert.deepEqual([...new Set(same.map(normalizeGitUrl))], ['github.com/acme/fleet']);
    assert.notEqual(
      normalizeGitUrl('https://github.com/acme/fleet-infra'),
      normalizeGitUrl('https://github.com/acme/fleet'),
    );
  });
});
