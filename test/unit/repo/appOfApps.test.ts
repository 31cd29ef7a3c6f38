import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { loadRepository } from '../../../src/core/repo/repository';
import { MAX_APP_OF_APPS_DEPTH } from '../../../src/core/repo/appOfApps';
import { DriftEngine } from '../../../src/core/engine';
import type { ChartRequest, ChartSource, HelmEngine, HelmRenderRequest } from '../../../src/core/ports';
import { FakeReader, types } from './fakes';

const fs = (files: Record<string, string>) => new MemoryFileSystem(files);
import type { RepoEnvironment } from '../../../src/core/repo/config';

const application = (name: string, path: string, ns = 'default') =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    `metadata: { name: ${name}, namespace: argocd }`,
    'spec:',
    '  project: default',
    `  source: { repoURL: https://github.com/org/apps, targetRevision: HEAD, path: ${path} }`,
    `  destination: { server: https://kubernetes.default.svc, namespace: ${ns} }`,
  ].join('\n') + '\n';

// These tests are about which Applications app-of-apps discovery finds and who holds them (`parentApplication`), one
// environment per Application: the old model, kept as the opt-out (the default groups them by destination).
const PER_APPLICATION = { '/r/.gitops-drift.yaml': 'argocd:\n  environments: application\n' };

const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: guestbook-ui }\n';

const rows = (envs: RepoEnvironment[]) =>
  envs
    .filter((e) => e.source === 'argocd')
    .map(
      (e) =>
        `${e.name} ${e.path} ${e.applications[0].renderer}${e.parentApplication ? ` <- ${e.parentApplication}` : ''}${e.appOfAppsRoot ? ' (root)' : ''}`,
    )
    .sort();

describe('Argo CD app-of-apps', () => {
  it('a folder of Applications no Application points at is a root; its render (kustomize namePrefix included) decides the children, recursively', async () => {
    const fs = new MemoryFileSystem({
      ...PER_APPLICATION,
      '/r/guestbook/deployment.yaml': deployment,
      '/r/kustomize-guestbook/kustomization.yaml': 'resources: [deployment.yaml]\n',
      '/r/kustomize-guestbook/deployment.yaml': deployment,
      '/r/apps/kustomization.yaml':
        'namePrefix: team-\nresources: [guestbook.yaml, kustomize-guestbook.yaml, nested.yaml]\n',
      '/r/apps/guestbook.yaml': application('guestbook', 'guestbook', 'gb'),
      '/r/apps/kustomize-guestbook.yaml': application('kustomize-guestbook', 'kustomize-guestbook'),
      '/r/apps/nested.yaml': application('nested', 'nested-apps'),
      '/r/nested-apps/deep.yaml': application('deep', 'guestbook', 'deep'),
    });
    const repo = await loadRepository(fs, '/r');
    assert.deepEqual(repo.problems, []);
    assert.deepEqual(rows(repo.environments), [
      'apps apps kustomize (root)',
      'deep guestbook argo-directory <- team-nested',
      'team-guestbook guestbook argo-directory <- apps',
      'team-kustomize-guestbook kustomize-guestbook kustomize <- apps',
      'team-nested nested-apps argo-directory <- apps',
    ]);
    const child = repo.environments.find((e) => e.name === 'team-guestbook')!;
    assert.equal(child.namespace, 'gb');
    assert.deepEqual(child.tracking, { argocdApp: 'team-guestbook' });
    assert.deepEqual(child.definedAt, { file: 'apps/guestbook.yaml', line: 1, column: 1 });
  });

  it("a remote chart's Application points at no folder of this repo: the folder declaring it is still a root", async () => {
    const remote = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata: { name: redis, namespace: argocd }',
      'spec:',
      '  project: default',
      '  source: { repoURL: https://charts.example.com, chart: redis, targetRevision: 1.0.0 }',
      '  destination: { server: https://kubernetes.default.svc, namespace: redis }',
    ].join('\n');
    const files = {
      '/r/guestbook/deployment.yaml': deployment,
      '/r/apps/guestbook.yaml': application('guestbook', 'guestbook', 'gb'),
      '/r/apps/redis.yaml': remote,
    };
    const perApplication = await loadRepository(new MemoryFileSystem({ ...PER_APPLICATION, ...files }), '/r');
    assert.ok(rows(perApplication.environments).includes('apps apps argo-directory (root)'));
    // Per destination (the default), the one environment holds both children and the root is its own.
    const byDestination = await loadRepository(new MemoryFileSystem(files), '/r');
    assert.deepEqual(
      byDestination.environments.filter((e) => e.appOfAppsRoot).map((e) => `${e.name} ${e.path}`),
      ['apps apps'],
    );
  });

  it('per destination, a folder of Applications that any Application of the destination points at is no root', async () => {
    const fs = new MemoryFileSystem({
      '/r/guestbook/deployment.yaml': deployment,
      '/r/apps/guestbook.yaml': application('guestbook', 'guestbook', 'gb'),
      '/r/apps/nested.yaml': application('nested', 'nested-apps'),
      '/r/nested-apps/deep.yaml': application('deep', 'guestbook', 'deep'),
    });
    const repo = await loadRepository(fs, '/r');
    assert.deepEqual(
      repo.environments.filter((e) => e.appOfAppsRoot).map((e) => `${e.name} ${e.path}`),
      ['apps apps'],
    );
  });

  it('a cycle is named once at the Application that closes it; the rest is still listed', async () => {
    const fs = new MemoryFileSystem({
      ...PER_APPLICATION,
      '/r/guestbook/deployment.yaml': deployment,
      '/r/a/a.yaml': application('a', 'b') + '---\n' + application('fine', 'guestbook'),
      '/r/b/b.yaml': application('b', 'a'),
    });
    const repo = await loadRepository(fs, '/r');
    assert.deepEqual(
      repo.problems.map((p) => `${p.location?.file}:${p.location?.line} ${p.message}`),
      ['a/a.yaml:1 app-of-apps cycle: a -> b -> a (not expanded further)'],
    );
    assert.deepEqual(rows(repo.environments), [
      'a b argo-directory <- b',
      'b a argo-directory <- a',
      'fine guestbook argo-directory <- b',
    ]);
  });

  it('stops nesting deeper than MAX_APP_OF_APPS_DEPTH levels with an error naming the chain', async () => {
    const files: Record<string, string> = { '/r/guestbook/deployment.yaml': deployment };
    for (let i = 0; i < 12; i++) files[`/r/l${i}/app.yaml`] = application(`l${i + 1}`, `l${i + 1}`);
    files['/r/l12/deployment.yaml'] = deployment;
    const repo = await loadRepository(fs(files), '/r');
    const deep = repo.problems.filter((p) => p.message.startsWith('app-of-apps nested deeper'));
    assert.equal(deep.length, 1);
    assert.match(
      deep[0].message,
      new RegExp(
        `deeper than ${MAX_APP_OF_APPS_DEPTH} levels: l0 -> l1 -> .* -> l${MAX_APP_OF_APPS_DEPTH} \\(not expanded further\\)$`,
      ),
    );
    assert.equal(repo.environments.find((e) => e.name === 'l0')?.appOfAppsRoot, true);
  });

  it('an app-of-apps written as a chart is a root whose templates are never read as manifests; its Applications wait for Helm sources', async () => {
    const fs = new MemoryFileSystem({
      '/r/apps/Chart.yaml': 'apiVersion: v2\nname: apps\nversion: 0.1.0\n',
      '/r/apps/values.yaml': 'spec: { destination: { server: https://kubernetes.default.svc } }\n',
      '/r/apps/templates/guestbook.yaml': application('guestbook', 'guestbook').replace(
        'server: https://kubernetes.default.svc',
        'server: {{ .Values.spec.destination.server }}',
      ),
      '/r/guestbook/deployment.yaml': deployment,
    });
    const repo = await loadRepository(fs, '/r');
    assert.deepEqual(rows(repo.environments), ['apps apps helm (root)']);
    assert.deepEqual(
      repo.problems.map((p) => p.message),
      [
        "app-of-apps 'apps': its Applications are not listed: apps: application 'apps': the Helm engine is not available (not built): the chart is not rendered",
      ],
    );
  });

  it('an app-of-apps written as a chart is expanded at load when the engine is given: made only for such a repo', async () => {
    const files = {
      '/r/apps/Chart.yaml': 'apiVersion: v2\nname: apps\nversion: 0.1.0\n',
      '/r/apps/values.yaml': 'spec: { destination: { server: https://kubernetes.default.svc } }\n',
      '/r/apps/templates/guestbook.yaml': application('guestbook', 'guestbook', 'gb').replace(
        'server: https://kubernetes.default.svc',
        'server: {{ .Values.spec.destination.server }}',
      ),
      '/r/guestbook/deployment.yaml': deployment,
    };
    let made = 0;
    // As the CLI and the editor make it: once, on the first call.
    let instance: HelmEngine | undefined;
    const helmEngine = () => (instance ??= (made++, engine));
    let rendered: HelmRenderRequest | undefined;
    // Helm's part faked: the template's one expression filled from the chart's values.yaml, as Helm would.
    const engine: HelmEngine = {
      render: async (request) => {
        rendered = request;
        const file = request.files.find((f) => f.name === 'templates/guestbook.yaml')!;
        const values = new TextDecoder().decode(request.files.find((f) => f.name === 'values.yaml')!.data);
        const server = /server: (\S+) \}/.exec(values)![1];
        return {
          ok: true,
          chart: { name: 'apps', version: '0.1.0' },
          manifests: [
            {
              source: 'apps/templates/guestbook.yaml',
              content: new TextDecoder().decode(file.data).replace('{{ .Values.spec.destination.server }}', server),
            },
          ],
          hooks: [],
        };
      },
    };
    const drift = new DriftEngine({
      fs: new MemoryFileSystem({ ...PER_APPLICATION, ...files }),
      repoRoot: '/r',
      helmEngine,
    });
    const repo = await drift.load();
    assert.deepEqual(repo.problems, []);
    assert.deepEqual(rows(repo.environments), ['apps apps helm (root)', 'guestbook guestbook argo-directory <- apps']);
    assert.equal(repo.environments.find((e) => e.name === 'guestbook')!.namespace, 'gb');
    assert.equal(rendered?.releaseName, 'apps');
    assert.equal(made, 1);
    // A repo whose app-of-apps is no chart never asks for the engine.
    const plain = new DriftEngine({
      fs: new MemoryFileSystem({
        ...PER_APPLICATION,
        '/r/apps/guestbook.yaml': application('guestbook', 'guestbook'),
        '/r/guestbook/deployment.yaml': deployment,
      }),
      repoRoot: '/r',
      helmEngine,
    });
    assert.deepEqual(rows((await plain.load()).environments), [
      'apps apps argo-directory (root)',
      'guestbook guestbook argo-directory <- apps',
    ]);
    assert.equal(made, 1);
  });
});

describe("Argo CD app-of-apps: a child's chart and the repo's repository Secrets", () => {
  it('a child only the parent renders pulls its chart with the credentials and TLS settings discovery found', async () => {
    const requests: ChartRequest[] = [];
    const charts: ChartSource = {
      fetch: async (request) => {
        requests.push(request);
        return { ok: false, reason: 'not-found', message: 'not served here' };
      },
    };
    const drift = new DriftEngine({
      fs: new MemoryFileSystem({
        ...PER_APPLICATION,
        '/r/apps/kustomization.yaml': 'namePrefix: team-\nresources: [web.yaml]\n',
        '/r/apps/web.yaml': [
          'apiVersion: argoproj.io/v1alpha1',
          'kind: Application',
          'metadata: { name: web, namespace: argocd }',
          'spec:',
          '  project: default',
          '  source: { repoURL: https://charts.example.com/private, chart: web, targetRevision: 1.0.0 }',
          '  destination: { server: https://kubernetes.default.svc, namespace: web }',
          '',
        ].join('\n'),
        '/r/platform/root.yaml': application('apps', 'apps', 'argocd'),
        '/r/settings/repos.yaml': [
          'apiVersion: v1',
          'kind: Secret',
          'metadata: { name: private, namespace: argocd, labels: { argocd.argoproj.io/secret-type: repository } }',
          'stringData: { url: https://charts.example.com/private, username: reader, password: pw-1234, insecure: "true" }',
          '',
        ].join('\n'),
      }),
      repoRoot: '/r',
      helmEngine: () => ({ render: async () => ({ ok: false, error: 'not rendered' }) }) as unknown as HelmEngine,
      chartSource: charts,
    });
    const repo = await drift.load();
    const child = repo.environments.find((e) => e.name === 'team-web');
    assert.ok(child, rows(repo.environments).join('; '));
    assert.equal(child.parentApplication, 'apps');
    requests.length = 0;
    await drift.render(child).catch(() => undefined);
    assert.equal(requests.length, 1);
    const request = requests[0] as ChartRequest & { type: 'helm-repository' };
    assert.deepEqual(request.credentials && { ...request.credentials, from: undefined }, {
      type: 'basic',
      username: 'reader',
      password: 'pw-1234',
      from: undefined,
    });
    assert.deepEqual(request.tls && { ...request.tls, from: undefined }, {
      type: 'tls',
      insecureSkipVerify: true,
      from: undefined,
    });
  });
});

describe('Argo CD app-of-apps written as a chart of a Helm repository', () => {
  const files = {
    ...PER_APPLICATION,
    '/r/apps/platform.yaml': [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata: { name: platform, namespace: argocd }',
      'spec:',
      '  project: default',
      '  source:',
      '    repoURL: https://charts.example.com/stable',
      '    chart: platform',
      '    targetRevision: 1.0.0',
      '  destination: { server: https://kubernetes.default.svc, namespace: platform }',
      '',
    ].join('\n'),
    '/r/guestbook/deployment.yaml': deployment,
  };
  const text = (s: string) => new TextEncoder().encode(s);
  // The downloaded chart: one template, an Application of this repo's guestbook folder.
  const requests: ChartRequest[] = [];
  const charts: ChartSource = {
    fetch: async (request) => {
      requests.push(request);
      return {
        ok: true,
        name: 'platform',
        version: '1.0.0',
        digest: 'sha256:' + 'c'.repeat(64),
        fromCache: false,
        files: [
          { name: 'Chart.yaml', data: text('apiVersion: v2\nname: platform\nversion: 1.0.0\n') },
          { name: 'templates/guestbook.yaml', data: text(application('guestbook', 'guestbook', 'gb')) },
        ],
      };
    },
  };
  // Helm's part faked: the template printed as it is (it has no expression).
  const helm: HelmEngine = {
    render: async (request) => ({
      ok: true,
      chart: { name: 'platform', version: '1.0.0' },
      manifests: request.files
        .filter((f) => f.name.startsWith('templates/'))
        .map((f) => ({ source: `platform/${f.name}`, content: new TextDecoder().decode(f.data) })),
      hooks: [],
    }),
  };

  it('downloads on: its chart is downloaded at load and the Applications it renders are environments of their own', async () => {
    requests.length = 0;
    const drift = new DriftEngine({
      fs: new MemoryFileSystem(files),
      repoRoot: '/r',
      helmEngine: () => helm,
      chartSource: charts,
    });
    const repo = await drift.load();
    assert.deepEqual(repo.problems, []);
    // `platform` is an environment of the folder declaring it (so that folder is no root of its own).
    assert.deepEqual(rows(repo.environments), ['guestbook guestbook argo-directory <- platform', 'platform apps helm']);
    assert.equal(repo.environments.find((e) => e.name === 'guestbook')!.namespace, 'gb');
    assert.deepEqual(requests[0], {
      type: 'helm-repository',
      url: 'https://charts.example.com/stable',
      chart: 'platform',
      version: '1.0.0',
    });
    // The child is declared in the parent's render: its lines are the parent's chart: line (no file of the repo).
    assert.equal(repo.environments.find((e) => e.name === 'guestbook')!.definedAt?.file, 'apps/platform.yaml');
  });

  it('downloads off: no child is listed, nothing is fetched, and the Application says its children are unknown', async () => {
    requests.length = 0;
    const drift = new DriftEngine({ fs: new MemoryFileSystem(files), repoRoot: '/r', helmEngine: () => helm });
    const repo = await drift.load();
    assert.deepEqual(repo.problems, []);
    assert.ok(!repo.environments.some((e) => e.name === 'guestbook'), rows(repo.environments).join('; '));
    assert.equal(requests.length, 0);
    const platform = repo.environments.find((e) => e.name === 'platform')!;
    const report = await drift.check(platform, { reader: new FakeReader([], types), context: 'test' });
    assert.match(
      report.applications[0]?.message ?? JSON.stringify(report.applications[0]),
      /chart charts\.example\.com\/stable\/platform 1\.0\.0 not downloaded: chart downloads are off: .*; if the chart renders Argo CD Applications \(app-of-apps\), they are unknown until it is downloaded$/,
    );
  });
});

describe('Argo CD app-of-apps in the destination model: children carry their parent', () => {
  it("each child's applications name the parent and its source line; a child of another repo is listed outside with it", async () => {
    const fs = new MemoryFileSystem({
      '/r/.git/config': '[remote "origin"]\n\turl = https://example.com/acme/config.git\n',
      '/r/argo/platform.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: { name: platform, namespace: argocd }',
        'spec:',
        '  source: { repoURL: https://example.com/acme/config.git, path: apps }',
        '  destination: { server: https://kubernetes.default.svc, namespace: argocd }',
      ].join('\n'),
      // Rendered by platform only (a kustomization of apps/): a child here, another repo's there.
      '/r/apps/kustomization.yaml': 'resources: [children.yaml]\n',
      '/r/apps/children.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: { name: shop, namespace: argocd }',
        'spec:',
        '  source: { repoURL: https://example.com/acme/config.git, path: shop }',
        '  destination: { server: https://prod.example.com, namespace: shop }',
        '---',
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: { name: vendor, namespace: argocd }',
        'spec:',
        '  source: { repoURL: https://example.com/vendor/charts.git, path: vendor }',
        '  destination: { server: https://prod.example.com, namespace: vendor }',
      ].join('\n'),
      '/r/shop/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: shop }\n',
    });
    const repo = await loadRepository(fs, '/r');
    const prod = repo.environments.find((e) => e.name === 'prod.example.com');
    assert.ok(prod, repo.environments.map((e) => e.name).join());
    assert.deepEqual(
      prod.applications.map((a) => `${a.name} <- ${a.parent?.name} ${a.parent?.at.file}:${a.parent?.at.line}`),
      ['shop <- platform argo/platform.yaml:5'],
    );
    // A child whose source is another repo is listed outside, with its parent.
    assert.deepEqual(
      repo.outside.map((o) => `${o.name} ${o.source} <- ${o.parent?.name}`),
      ['vendor https://example.com/vendor/charts.git <- platform'],
    );
  });
});
