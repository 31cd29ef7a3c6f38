import assert from 'node:assert/strict';
import { DriftEngine } from '../../../src/core/engine';
import { textReport } from '../../../src/core/drift/textReport';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { keyOf, type KubeObject } from '../../../src/core/model/resource';
import { nextUpgradeChanges } from '../../../src/core/drift/nextUpgrade';
import type {
  ChartFetchResult,
  ChartRequest,
  ChartSource,
  ClusterReader,
  HelmEngine,
  HelmRenderRequest,
  HelmRenderResult,
  ResourceType,
} from '../../../src/core/ports';
import { mergeMaps, templateFile } from '../../../src/core/render/helm/chartFiles';
import { helmChartLocation } from '../../../src/core/render/helm/helmRelease';
import { FakeReader, types } from '../repo/fakes';
import { releaseRecord } from '../live/helmRecords';

/**
 * A HelmEngine that renders nothing itself: it records each request and answers one Deployment whose replicas and
 * image are the request's values, plus a hook, so what the wiring passed in shows in what comes out.
 */
class FakeHelmEngine implements HelmEngine {
  requests: HelmRenderRequest[] = [];
  async render(request: HelmRenderRequest): Promise<HelmRenderResult> {
    this.requests.push(request);
    const v = request.values as { replicas?: number; color?: string };
    return {
      ok: true,
      chart: { name: 'web', version: '1.2.0' },
      manifests: [
        {
          source: 'web/templates/deployment.yaml',
          content: [
            'apiVersion: apps/v1',
            'kind: Deployment',
            'metadata:',
            `  name: ${request.releaseName}`,
            `  labels: {color: ${v.color ?? 'none'}}`,
            `spec: {replicas: ${v.replicas ?? 1}}`,
          ].join('\n'),
        },
      ],
      hooks: [
        {
          source: 'web/templates/hook.yaml',
          content: 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\n',
          kind: 'Job',
          name: 'migrate',
          events: ['pre-install'],
        },
      ],
    };
  }
}

const helmRelease = (chart: string, extra = '') =>
  [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    '  name: web',
    'spec:',
    '  interval: 10m',
    '  chart:',
    '    spec:',
    chart,
    '  valuesFrom:',
    '    - kind: ConfigMap',
    '      name: web-values',
    '  values:',
    '    replicas: 3',
    extra,
  ].join('\n');

const LOCAL_CHART = [
  '      chart: ./charts/web',
  '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
].join('\n');

function repo(release: string) {
  return new MemoryFileSystem(
    {
      '.gitops-drift.yaml': 'environments:\n  - name: dev\n    path: envs/dev\n    namespace: apps\n',
      'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n  - values.yaml\n  - sources.yaml\n',
      'envs/dev/sources.yaml': [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: HelmRepository',
        'metadata: {name: charts}',
        'spec: {url: https://charts.example.com/stable/}',
        '---',
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: HelmRepository',
        'metadata: {name: oci-charts}',
        'spec: {type: oci, url: oci://registry.example.com/charts}',
        '---',
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: OCIRepository',
        'metadata: {name: web-chart}',
        'spec:',
        '  url: oci://registry.example.com/charts/web',
        '  ref: {semver: ">=1.0.0 <2"}',
        '  layerSelector: {mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip, operation: copy}',
      ].join('\n'),
      'envs/dev/release.yaml': release,
      'envs/dev/values.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-values}\ndata:\n  values.yaml: |\n    color: blue\n    replicas: 2\n',
      'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.2.0\n',
      'charts/web/values.yaml': 'replicas: 1\n',
      'charts/web/templates/deployment.yaml': 'kind: Deployment # the fake engine does not read it\n',
    },
    '/r',
  );
}

const allTypes: ResourceType[] = [
  ...types,
  {
    group: 'helm.toolkit.fluxcd.io',
    version: 'v2',
    kind: 'HelmRelease',
    resource: 'helmreleases',
    namespaced: true,
    verbs: ['list'],
  },
];

/** The release Helm deployed (2 replicas, no color) and its Deployment as live. */
const deployedManifest =
  '---\n# Source: web/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {color: none}\nspec: {replicas: 2}\n';
const cluster: KubeObject[] = [
  releaseRecord(
    {
      name: 'web',
      namespace: 'apps',
      version: 1,
      info: { status: 'deployed', last_deployed: '2026-12-06T14:00:00Z' },
      chart: { metadata: { name: 'web', version: '1.2.0' } },
      config: { replicas: 3 },
      manifest: deployedManifest,
    },
    'Secret',
  ),
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'apps',
      labels: { color: 'none' },
      managedFields: [
        {
          manager: 'helm',
          operation: 'Apply',
          apiVersion: 'apps/v1',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': { 'f:labels': { 'f:color': {} } }, 'f:spec': { 'f:replicas': {} } },
          time: '2026-12-06T14:00:00Z',
        },
      ],
    },
    spec: { replicas: 2 },
  },
];

/** A ChartSource that records each request and answers the chart it was given (or the failure). */
class FakeChartSource implements ChartSource {
  requests: ChartRequest[] = [];
  constructor(private readonly answer: ChartFetchResult) {}
  async fetch(request: ChartRequest): Promise<ChartFetchResult> {
    this.requests.push(request);
    return this.answer;
  }
}

const downloadedWeb: ChartFetchResult = {
  ok: true,
  name: 'web',
  version: '1.4.0',
  digest: 'sha256:' + 'a'.repeat(64),
  fromCache: false,
  files: [
    { name: 'Chart.yaml', data: new TextEncoder().encode('apiVersion: v2\nname: web\nversion: 1.4.0\n') },
    { name: 'templates/deployment.yaml', data: new TextEncoder().encode('kind: Deployment\n') },
  ],
};

async function check(release: string, helmEngine?: HelmEngine, chartSource?: ChartSource) {
  const engine = new DriftEngine({
    fs: repo(release),
    repoRoot: '/r',
    ...(helmEngine ? { helmEngine: () => helmEngine } : {}),
    ...(chartSource ? { chartSource } : {}),
  });
  const env = await engine.environment('dev');
  const report = await engine.check(env, { reader: new FakeReader(cluster, allTypes), context: 'test' });
  return { engine, env, report };
}

describe('HelmRelease with a chart in this repo (the helm renderer)', () => {
  it('renders the chart folder with helm-controller values and names; hooks left out; origins at the template', async () => {
    const helm = new FakeHelmEngine();
    const { engine, env } = await check(helmRelease(LOCAL_CHART, '  targetNamespace: web-apps'), helm);
    const result = await engine.renderHelmRelease(env, 'HelmRelease apps/web');
    assert.ok(result);
    // The first request is the render; the second, values-line tracing's (with markers).
    const request = helm.requests[0];
    assert.deepEqual(
      request.files.map((f) => f.name),
      ['Chart.yaml', 'templates/deployment.yaml', 'values.yaml'],
    );
    // valuesFrom first (the ConfigMap git renders), spec.values on top.
    assert.deepEqual(request.values, { color: 'blue', replicas: 3 });
    assert.equal(request.releaseName, 'web-apps-web');
    assert.equal(request.namespace, 'web-apps');
    assert.equal(request.includeCRDs, true);
    assert.deepEqual(
      result.objects.map((o) => `${o.key.kind} ${o.key.namespace}/${o.key.name}`),
      // As helm template prints it: Helm places namespace-less objects in the release namespace when it applies them.
      ['Deployment /web-apps-web'],
    );
    const origin = result.objects[0].origins.get('')!;
    assert.equal(origin.file, 'charts/web/templates/deployment.yaml');
    assert.equal(origin.related?.[0].location.file, 'envs/dev/release.yaml');
    assert.equal(result.objects[0].template, 'web/templates/deployment.yaml');
  });

  it('shows what the next upgrade changes, and keeps drift as live against the release', async () => {
    const { report } = await check(helmRelease(LOCAL_CHART), new FakeHelmEngine());
    const app = report.applications.find((a) => a.kind === 'helm');
    assert.equal(app?.release?.render?.state, 'rendered');
    assert.deepEqual(
      app?.release?.render?.nextUpgrade?.map((c) => `${c.change} ${c.key.kind} ${c.key.name} ${c.paths?.join(',')}`),
      ['update Deployment web /metadata/labels/color,/spec/replicas'],
    );
    // Question 1 is unchanged: the live Deployment is what Helm applied.
    const deployment = report.resources.find((r) => r.application === 'HelmRelease apps/web');
    assert.equal(deployment?.verdict, 'InSync');
    assert.match(
      textReport([report], { color: false }),
      /next upgrade: update Deployment apps\/web \(web\/templates\/deployment\.yaml\): \/metadata\/labels\/color, \/spec\/replicas/,
    );
  });

  it('says so per release when there is no engine, the chart is remote, or values come from a Secret', async () => {
    const noEngine = await check(helmRelease(LOCAL_CHART));
    assert.match(
      noEngine.report.applications.find((a) => a.kind === 'helm')?.release?.render?.message ?? '',
      /engine is not available/,
    );
    const remote = await check(
      helmRelease('      chart: web\n      sourceRef: {kind: HelmRepository, name: charts}'),
      new FakeHelmEngine(),
    );
    const remoteApp = remote.report.applications.find((a) => a.kind === 'helm');
    assert.equal(remoteApp?.release?.render?.state, 'not-rendered');
    assert.match(
      remoteApp?.release?.render?.message ?? '',
      /^HelmRepository apps\/charts \(https:\/\/charts\.example\.com\/stable\/\): chart downloads are off: enable the setting gitopsDrift\.helm\.chartDownloads in the editor \(a trusted workspace only: trust it first\), or pass --chart-downloads to the CLI/,
    );
    // At the HelmRelease's chart: line, in the report too.
    assert.deepEqual(remoteApp?.release?.render?.at, { file: 'envs/dev/release.yaml', line: 7, column: 3 });
    assert.match(
      textReport([remote.report], { color: false }),
      /chart: HelmRepository apps\/charts .* envs\/dev\/release\.yaml:7/,
    );
    // The release records are still compared (question 1): a remote chart is no error for the environment.
    assert.equal(remote.report.error, null);
    assert.equal(remote.report.resources.find((r) => r.application === 'HelmRelease apps/web')?.verdict, 'InSync');
    const helm = new FakeHelmEngine();
    const secret = await check(
      helmRelease(LOCAL_CHART, '  valuesFrom:\n    - kind: Secret\n      name: web-secret-values').replace(
        /  valuesFrom:\n    - kind: ConfigMap\n      name: web-values\n/,
        '',
      ),
      helm,
    );
    assert.match(
      secret.report.applications.find((a) => a.kind === 'helm')?.release?.render?.message ?? '',
      /^Secret apps\/web-secret-values \(valuesFrom\[0\]\) is not in this repo's render nor in the cluster: not rendered$/,
    );
    assert.equal(helm.requests.length, 0, 'nothing rendered without the Secret values');
  });

  it('finds the chart of a GitRepository that is this repo only', () => {
    const hr = (sourceRef: Record<string, string>, chart = './charts/web'): KubeObject => ({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'web' },
      spec: { chart: { spec: { chart, sourceRef } } },
    });
    const ours = (_ns: string, name: string) => name === 'flux-system';
    assert.deepEqual(helmChartLocation(hr({ kind: 'GitRepository', name: 'flux-system' }), 'apps', ours), {
      type: 'folder',
      path: 'charts/web',
    });
    assert.match(
      (helmChartLocation(hr({ kind: 'GitRepository', name: 'other' }), 'apps', ours) as { reason: string }).reason,
      /another repository \(GitRepository apps\/other\)/,
    );
    assert.match(
      (helmChartLocation(hr({ kind: 'Bucket', name: 'x' }), 'apps', ours) as { reason: string }).reason,
      /Bucket apps\/x is not in this repo's render: not rendered/,
    );
    assert.match(
      (helmChartLocation(hr({ kind: 'HelmRepository', name: 'x' }, 'web'), 'apps', ours) as { reason: string }).reason,
      /HelmRepository apps\/x is not in this repo's render/,
    );
    assert.equal(
      helmChartLocation(hr({ kind: 'GitRepository', name: 'flux-system' }, '../../up'), 'apps', ours).type,
      'unavailable',
    );
  });

  it('follows a chartRef to a HelmChart to its own source: a Helm repository, or a folder of this repo', () => {
    const hr: KubeObject = {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'web', namespace: 'apps' },
      spec: { chartRef: { kind: 'HelmChart', name: 'web', namespace: 'flux-system' } },
    };
    const helmChart = (spec: Record<string, unknown>): KubeObject => ({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmChart',
      metadata: { name: 'web', namespace: 'flux-system' },
      spec,
    });
    const repository: KubeObject = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'charts', namespace: 'flux-system' },
      spec: { url: 'https://charts.example.com/stable/' },
    };
    const ours = (_ns: string, name: string) => name === 'flux-system';
    const sources =
      (chart: KubeObject) =>
      (kind: string, ns: string, name: string): KubeObject | undefined =>
        [chart, repository].find((o) => o.kind === kind && o.metadata?.namespace === ns && o.metadata?.name === name);
    // The HelmChart's sourceRef has no namespace: its own (flux-system), not the HelmRelease's (apps).
    const fromRepository = helmChart({
      chart: 'web',
      version: '1.x',
      sourceRef: { kind: 'HelmRepository', name: 'charts' },
    });
    assert.deepEqual(helmChartLocation(hr, 'apps', ours, sources(fromRepository)), {
      type: 'remote',
      request: { type: 'helm-repository', url: 'https://charts.example.com/stable/', chart: 'web', version: '1.x' },
      source: 'HelmRepository flux-system/charts (https://charts.example.com/stable/)',
    });
    const fromGit = helmChart({ chart: './charts/web', sourceRef: { kind: 'GitRepository', name: 'flux-system' } });
    assert.deepEqual(helmChartLocation(hr, 'apps', ours, sources(fromGit)), { type: 'folder', path: 'charts/web' });
    assert.match(
      (helmChartLocation(hr, 'apps', ours, () => undefined) as { reason: string }).reason,
      /^HelmChart flux-system\/web is not in this repo's render: not rendered$/,
    );
  });

  it('renders a chart of a Helm repository through the ChartSource, its objects at the chart: line', async () => {
    const helm = new FakeHelmEngine();
    const charts = new FakeChartSource(downloadedWeb);
    const { engine, env, report } = await check(
      helmRelease("      chart: web\n      version: '1.x'\n      sourceRef: {kind: HelmRepository, name: charts}"),
      helm,
      charts,
    );
    assert.deepEqual(charts.requests[0], {
      type: 'helm-repository',
      url: 'https://charts.example.com/stable/',
      chart: 'web',
      version: '1.x',
    });
    assert.equal(report.applications.find((a) => a.kind === 'helm')?.release?.render?.state, 'rendered');
    assert.deepEqual(
      helm.requests.at(-1)?.files.map((f) => f.name),
      ['Chart.yaml', 'templates/deployment.yaml'],
    );
    const result = await engine.renderHelmRelease(env, 'web');
    const origin = result?.objects[0].origins.get('');
    // No file of the repo holds a downloaded template: the object points at the line naming the chart.
    assert.deepEqual([origin?.file, origin?.line], ['envs/dev/release.yaml', 7]);
    assert.equal(result?.objects[0].template, 'web/templates/deployment.yaml');
    assert.deepEqual(result?.files, []);
  });

  it('asks OCI registries as Flux names them: HelmRepository of type oci, chartRef to an OCIRepository', async () => {
    const charts = new FakeChartSource(downloadedWeb);
    await check(
      helmRelease('      chart: web\n      version: 1.4.0\n      sourceRef: {kind: HelmRepository, name: oci-charts}'),
      new FakeHelmEngine(),
      charts,
    );
    await check(
      helmRelease("      chart: web\n      version: '~1.4'\n      sourceRef: {kind: HelmRepository, name: oci-charts}"),
      new FakeHelmEngine(),
      charts,
    );
    const chartRef = helmRelease('').replace(
      /  chart:\n    spec:\n/,
      '  chartRef: {kind: OCIRepository, name: web-chart}\n',
    );
    await check(chartRef, new FakeHelmEngine(), charts);
    assert.deepEqual(charts.requests, [
      { type: 'oci', url: 'oci://registry.example.com/charts/web', tag: '1.4.0' },
      { type: 'oci', url: 'oci://registry.example.com/charts/web', semver: '~1.4' },
      {
        type: 'oci',
        url: 'oci://registry.example.com/charts/web',
        layerMediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
        semver: '>=1.0.0 <2',
      },
    ]);
  });

  it('a chart that cannot be had is the release state, naming the repository; the others are still compared', async () => {
    const { report } = await check(
      helmRelease('      chart: web\n      sourceRef: {kind: HelmRepository, name: charts}'),
      new FakeHelmEngine(),
      new FakeChartSource({
        ok: false,
        reason: 'unreachable',
        message: 'cannot reach https://charts.example.com/stable: ECONNREFUSED',
      }),
    );
    const app = report.applications.find((a) => a.kind === 'helm');
    assert.equal(
      app?.release?.render?.message,
      'HelmRepository apps/charts (https://charts.example.com/stable/): cannot reach https://charts.example.com/stable: ECONNREFUSED',
    );
    assert.equal(report.error, null);
    assert.equal(report.resources.find((r) => r.application === 'HelmRelease apps/web')?.verdict, 'InSync');
  });

  it('valuesFrom targetPath as helm-controller sets it, Secrets of the repo read and masked in what is printed', async () => {
    const helm = new FakeHelmEngine();
    const release = helmRelease(LOCAL_CHART)
      .replace(
        /  valuesFrom:\n    - kind: ConfigMap\n      name: web-values\n/,
        [
          '  valuesFrom:',
          '    - {kind: ConfigMap, name: web-values, valuesKey: count, targetPath: replicas}',
          '    - {kind: ConfigMap, name: web-values, valuesKey: count, targetPath: "extra.list[1]"}',
          '    - {kind: Secret, name: web-secret, valuesKey: password, targetPath: color}',
          '    - {kind: Secret, name: absent, optional: true}',
          '',
        ].join('\n'),
      )
      .replace('    replicas: 3', '    replicas: 3\n    extra: {keep: true}');
    const engine = new DriftEngine({
      fs: new MemoryFileSystem(
        {
          '.gitops-drift.yaml': 'environments:\n  - name: dev\n    path: envs/dev\n    namespace: apps\n',
          'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n  - values.yaml\n',
          'envs/dev/release.yaml': release,
          'envs/dev/values.yaml': [
            'apiVersion: v1',
            'kind: ConfigMap',
            'metadata: {name: web-values}',
            'data: {count: "4"}',
            '---',
            'apiVersion: v1',
            'kind: Secret',
            'metadata: {name: web-secret}',
            `data: {password: ${Buffer.from('s3cr3t-pass').toString('base64')}}`,
          ].join('\n'),
          'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.2.0\n',
          'charts/web/templates/deployment.yaml': 'kind: Deployment\n',
        },
        '/r',
      ),
      repoRoot: '/r',
      helmEngine: () => helm,
    });
    const env = await engine.environment('dev');
    const result = await engine.renderHelmRelease(env, 'web');
    // targetPath values are typed as --set types them; spec.values is merged last, over them (replicas stays 3).
    // The release's render (the values tracing's marked render follows it, with schema validation off).
    assert.deepEqual(helm.requests.filter((r) => !r.skipSchemaValidation).at(-1)?.values, {
      replicas: 3,
      extra: { keep: true, list: [null, 4] },
      color: 's3cr3t-pass',
    });
    const printed = JSON.stringify(result?.objects.map((o) => o.object));
    assert.ok(!printed.includes('s3cr3t-pass'), printed);
    assert.match(printed, /"color":"\(value from a Secret\)"/);
    assert.match(result?.problems.map((p) => p.message).join('\n') ?? '', /values from Secrets are masked/);
  });

  it("reads a valuesFrom Secret as the API server stores it: stringData over data, the same key's data ignored", async () => {
    const helm = new FakeHelmEngine();
    const release = helmRelease(LOCAL_CHART).replace(
      /  valuesFrom:\n    - kind: ConfigMap\n      name: web-values\n/,
      '  valuesFrom:\n    - {kind: Secret, name: web-secret}\n',
    );
    const engine = new DriftEngine({
      fs: new MemoryFileSystem(
        {
          '.gitops-drift.yaml': 'environments:\n  - name: dev\n    path: envs/dev\n    namespace: apps\n',
          'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n  - values.yaml\n',
          'envs/dev/release.yaml': release,
          'envs/dev/values.yaml': [
            'apiVersion: v1',
            'kind: Secret',
            'metadata: {name: web-secret}',
            `data: {values.yaml: ${Buffer.from('color: from-data\nsize: small\n').toString('base64')}}`,
            'stringData:',
            '  values.yaml: |',
            '    color: from-string-data',
          ].join('\n'),
          'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.2.0\n',
          'charts/web/templates/deployment.yaml': 'kind: Deployment\n',
        },
        '/r',
      ),
      repoRoot: '/r',
      helmEngine: () => helm,
    });
    const env = await engine.environment('dev');
    await engine.renderHelmRelease(env, 'web');
    // The API server merges stringData into data key by key: the whole values.yaml of stringData wins.
    assert.deepEqual(helm.requests.filter((r) => !r.skipSchemaValidation).at(-1)?.values, {
      color: 'from-string-data',
      replicas: 3,
    });
  });

  it("applies postRenderers (kustomize patches) and helm-controller's origin labels, as it hands Helm the manifest", async () => {
    const release = helmRelease(
      LOCAL_CHART,
      [
        '  postRenderers:',
        '    - kustomize:',
        '        patches:',
        '          - target: {kind: Deployment}',
        '            patch: |',
        '              - op: add',
        '              - {op: add, path: /metadata/annotations, value: {patched: "yes"}}',
        '          - patch: |',
        '              apiVersion: apps/v1',
        '              kind: Deployment',
        '              metadata: {name: web}',
        '              spec: {replicas: 9}',
      ]
        .join('\n')
        .replace('              - op: add\n', ''),
    );
    const { engine, env } = await check(release, new FakeHelmEngine());
    const result = await engine.renderHelmRelease(env, 'web');
    const deployment = result?.objects[0];
    assert.deepEqual(deployment?.object.metadata?.annotations, { patched: 'yes' });
    assert.equal((deployment?.object.spec as { replicas: number }).replicas, 9);
    assert.deepEqual(deployment?.object.metadata?.labels, {
      color: 'blue',
      'helm.toolkit.fluxcd.io/name': 'web',
      'helm.toolkit.fluxcd.io/namespace': 'apps',
    });
    // Still the template's object, released by the HelmRelease.
    assert.equal(deployment?.template, 'web/templates/deployment.yaml');
    assert.equal(deployment?.origins.get('')?.file, 'charts/web/templates/deployment.yaml');

    const broken = await check(
      helmRelease(
        LOCAL_CHART,
        '  postRenderers:\n    - kustomize:\n        patches:\n          - patch: "{not: [yaml"',
      ),
      new FakeHelmEngine(),
    );
    assert.match(
      broken.report.applications.find((a) => a.kind === 'helm')?.release?.render?.message ?? '',
      /^postRenderers\[0\]\.kustomize: /,
    );
  });

  it("gives Helm the cluster's version and APIs when checking against one, Helm's defaults otherwise", async () => {
    const helm = new FakeHelmEngine();
    const reader = new FakeReader(cluster, allTypes) as FakeReader & ClusterReader;
    reader.capabilities = async () => ({ kubeVersion: 'v1.35.4', apiVersions: ['v1', 'v1/ConfigMap', 'apps/v1'] });
    const engine = new DriftEngine({ fs: repo(helmRelease(LOCAL_CHART)), repoRoot: '/r', helmEngine: () => helm });
    const env = await engine.environment('dev');
    await engine.check(env, { reader, context: 'test' });
    assert.equal(helm.requests.at(-1)?.kubeVersion, 'v1.35.4');
    assert.deepEqual(helm.requests.at(-1)?.clusterAPIVersions, ['v1', 'v1/ConfigMap', 'apps/v1']);
    await engine.renderHelmRelease(env, 'web');
    assert.equal(helm.requests.at(-1)?.kubeVersion, undefined);
    assert.equal(helm.requests.at(-1)?.clusterAPIVersions, undefined);
  });

  it('merges values as Helm does and maps Helm sources to repo files', () => {
    assert.deepEqual(mergeMaps({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2] }, e: 2 }), {
      a: { b: 1, c: [2] },
      d: 1,
      e: 2,
    });
    assert.equal(
      templateFile('charts/web', 'web/charts/sub/templates/x.yaml'),
      'charts/web/charts/sub/templates/x.yaml',
    );
    assert.equal(templateFile('', 'web/templates/x.yaml'), 'templates/x.yaml');
  });
});

describe('next upgrade changes', () => {
  it('creates, deletes and updates by key, paths only, without helm-controller labels', () => {
    const obj = (kind: string, name: string, data: Record<string, unknown>, labels: Record<string, string> = {}) => {
      const object = { apiVersion: 'v1', kind, metadata: { name, namespace: 'a', labels }, data } as KubeObject;
      return { object, key: keyOf(object), origins: new Map(), source: { file: 'x', line: 1, column: 1 } };
    };
    const changes = nextUpgradeChanges(
      [obj('ConfigMap', 'kept', { a: '2', b: '1' }), obj('ConfigMap', 'new', {})],
      [
        obj('ConfigMap', 'kept', { a: '1', b: '1' }, { 'helm.toolkit.fluxcd.io/name': 'web' }),
        obj('ConfigMap', 'gone', {}),
      ],
    );
    assert.deepEqual(
      changes.map((c) => `${c.change} ${c.key.name} ${c.paths?.join(',') ?? ''}`),
      ['update kept /data/a', 'create new ', 'delete gone '],
    );
  });
});
