import assert from 'node:assert/strict';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type {
  ChartFetchResult,
  ChartRequest,
  ChartSource,
  HelmEngine,
  HelmRenderRequest,
} from '../../../src/core/ports';
import { mergeMaps } from '../../../src/core/render/helm/chartFiles';
import { loadValuesText } from '../../../src/core/render/helm/helmValues';
import { FakeReader, types } from '../repo/fakes';

/**
 * A HelmChart's `valuesFiles` (a HelmRelease's `chart.spec.valuesFiles`, or a HelmChart a `chartRef` names), merged as
 * source-controller merges them into the chart's values.yaml, under helm-controller's values. The fake engine
 * coalesces the chart's values.yaml under the request's values, as Helm does, and prints three of them, so what the
 * wiring put in the chart shows in what comes out.
 */
class ValuesEchoEngine implements HelmEngine {
  requests: HelmRenderRequest[] = [];
  async render(request: HelmRenderRequest) {
    this.requests.push(request);
    const file = request.files.find((f) => f.name === 'values.yaml');
    const defaults = file ? loadValuesText(new TextDecoder().decode(file.data)) : {};
    const v = mergeMaps(defaults, request.values) as Record<string, unknown>;
    return {
      ok: true as const,
      chart: { name: 'web', version: '1.2.0' },
      manifests: [
        {
          source: 'web/templates/deployment.yaml',
          content: [
            'apiVersion: apps/v1',
            'kind: Deployment',
            'metadata:',
            `  name: ${request.releaseName}`,
            `  labels: {color: ${JSON.stringify(v.color ?? 'none')}, size: ${JSON.stringify(v.size ?? 'none')}}`,
            `spec: {replicas: ${JSON.stringify(v.replicas ?? 1)}}`,
          ].join('\n'),
        },
      ],
      hooks: [],
    };
  }
}

const release = (chartSpecOrRef: string) =>
  [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    '  name: web',
    'spec:',
    '  interval: 10m',
    chartSpecOrRef,
    '  values:',
    '    replicas: 3',
    '',
  ].join('\n');

function repo(releaseText: string, extra: Record<string, string> = {}) {
  return new MemoryFileSystem(
    {
      '.gitops-drift.yaml': 'environments:\n  - name: dev\n    path: envs/dev\n    namespace: apps\n',
      'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n  - sources.yaml\n',
      'envs/dev/sources.yaml': [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: HelmRepository',
        'metadata: {name: charts}',
        'spec: {url: https://charts.example.com/stable/}',
        '---',
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: HelmChart',
        'metadata: {name: web}',
        'spec:',
        '  chart: web',
        '  version: 1.4.0',
        '  sourceRef: {kind: HelmRepository, name: charts}',
        '  valuesFiles:',
        '    - values.yaml',
        '    - values-prod.yaml',
        '    - values-missing.yaml',
        '  ignoreMissingValuesFiles: true',
        '',
      ].join('\n'),
      'envs/dev/release.yaml': releaseText,
      'envs/dev/web-prod.yaml': 'color: green\nreplicas: 2\n',
      'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.2.0\n',
      'charts/web/values.yaml': 'replicas: 1\ncolor: none\nsize: small\n',
      'charts/web/templates/deployment.yaml': 'kind: Deployment # the fake engine does not read it\n',
      ...extra,
    },
    '/r',
  );
}

const gitChart = (valuesFiles: string[], extra = '') =>
  [
    '  chart:',
    '    spec:',
    '      chart: ./charts/web',
    '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
    '      valuesFiles:',
    ...valuesFiles.map((f) => `        - ${f}`),
    extra,
  ]
    .filter((l) => l !== '')
    .join('\n');

class FakeChartSource implements ChartSource {
  requests: ChartRequest[] = [];
  constructor(private readonly answer: ChartFetchResult) {}
  async fetch(request: ChartRequest): Promise<ChartFetchResult> {
    this.requests.push(request);
    return this.answer;
  }
}

const text = (s: string) => new TextEncoder().encode(s);
const downloaded: ChartFetchResult = {
  ok: true,
  name: 'web',
  version: '1.4.0',
  digest: 'sha256:' + 'b'.repeat(64),
  fromCache: false,
  files: [
    { name: 'Chart.yaml', data: text('apiVersion: v2\nname: web\nversion: 1.4.0\n') },
    { name: 'values.yaml', data: text('replicas: 1\ncolor: none\nsize: small\n') },
    { name: 'values-prod.yaml', data: text('color: red\nsize: large\n') },
    { name: 'templates/deployment.yaml', data: text('kind: Deployment\n') },
  ],
};

async function check(fs: MemoryFileSystem, chartSource?: ChartSource) {
  const helm = new ValuesEchoEngine();
  const engine = new DriftEngine({
    fs,
    repoRoot: '/r',
    helmEngine: () => helm,
    ...(chartSource ? { chartSource } : {}),
  });
  const env = await engine.environment('dev');
  const report = await engine.check(env, { reader: new FakeReader([], types), context: 'test' });
  return { engine, env, report, helm, app: report.applications.find((a) => a.kind === 'helm') };
}

const chartValuesOf = (request: HelmRenderRequest | undefined) =>
  loadValuesText(new TextDecoder().decode(request?.files.find((f) => f.name === 'values.yaml')?.data));

describe("HelmChart valuesFiles (source-controller's merge, before the release's values)", () => {
  it('chart.spec.valuesFiles of this repo replace the chart values.yaml, merged in order, under spec.values', async () => {
    const { engine, env, helm, app } = await check(
      repo(release(gitChart(['charts/web/values.yaml', '/envs/dev/web-prod.yaml']))),
    );
    assert.equal(app?.release?.render?.state, 'rendered', app?.release?.render?.message);
    // The merged files are the chart's defaults; the HelmRelease's values stay the user values.
    assert.deepEqual(chartValuesOf(helm.requests[0]), { replicas: 2, color: 'green', size: 'small' });
    assert.deepEqual(helm.requests[0].values, { replicas: 3 });
    const result = await engine.renderHelmRelease(env, 'web');
    const deployment = result!.objects[0];
    assert.deepEqual(deployment.object.spec, { replicas: 3 });
    assert.equal(deployment.object.metadata?.labels?.color, 'green');
    // Origins: each traced field at the line of the last file that set it; the release's value at its own line.
    const color = deployment.origins.get('/metadata/labels/color');
    assert.deepEqual([color?.kind, color?.file, color?.line], ['helmValue', 'envs/dev/web-prod.yaml', 1]);
    const size = deployment.origins.get('/metadata/labels/size');
    assert.deepEqual([size?.file, size?.line], ['charts/web/values.yaml', 3]);
    assert.equal(deployment.origins.get('/spec/replicas')?.file, 'envs/dev/release.yaml');
    // The values files are files the render read: a change to one makes it stale.
    assert.ok(result!.files.includes('envs/dev/web-prod.yaml'), result!.files.join(', '));
  });

  it("values.yaml not listed is not read: only the listed files are the chart's defaults", async () => {
    const { helm } = await check(repo(release(gitChart(['envs/dev/web-prod.yaml']))));
    assert.deepEqual(chartValuesOf(helm.requests[0]), { color: 'green', replicas: 2 });
  });

  it('a missing file is the release state at its valuesFiles line, unless ignoreMissingValuesFiles', async () => {
    const missing = await check(repo(release(gitChart(['charts/web/values.yaml', 'envs/dev/nope.yaml']))));
    assert.equal(missing.app?.release?.render?.state, 'not-rendered');
    assert.equal(
      missing.app?.release?.render?.message,
      "valuesFiles[1]: no values file found at path '/envs/dev/nope.yaml' (reference 'envs/dev/nope.yaml')",
    );
    assert.deepEqual(missing.app?.release?.render?.at, { file: 'envs/dev/release.yaml', line: 13, column: 11 });
    assert.equal(missing.helm.requests.length, 0);

    const ignored = await check(
      repo(
        release(
          gitChart(
            ['charts/web/values.yaml', 'envs/dev/nope.yaml', '../../envs/dev/web-prod.yaml'],
            '      ignoreMissingValuesFiles: true',
          ),
        ),
      ),
    );
    assert.equal(ignored.app?.release?.render?.state, 'rendered', ignored.app?.release?.render?.message);
    // `..` is held at the repo root, as securejoin holds it at the artifact's.
    assert.deepEqual(chartValuesOf(ignored.helm.requests[0]), { replicas: 2, color: 'green', size: 'small' });
  });

  it("a chartRef to a HelmChart takes the HelmChart's valuesFiles, read inside the downloaded chart", async () => {
    const charts = new FakeChartSource(downloaded);
    const { helm, app } = await check(repo(release('  chartRef: {kind: HelmChart, name: web}')), charts);
    assert.equal(app?.release?.render?.state, 'rendered', app?.release?.render?.message);
    assert.deepEqual(charts.requests[0], {
      type: 'helm-repository',
      url: 'https://charts.example.com/stable/',
      chart: 'web',
      version: '1.4.0',
    });
    // values.yaml is the chart's own values; values-prod.yaml a file of the chart; the missing one ignored.
    assert.deepEqual(chartValuesOf(helm.requests[0]), { replicas: 1, color: 'red', size: 'large' });
  });

  it("a HelmChart's missing file is reported at the HelmChart's valuesFiles entry", async () => {
    const charts = new FakeChartSource(downloaded);
    const strict = repo('');
    const sources = (await strict.readFile('/r/envs/dev/sources.yaml')).replace(
      '  ignoreMissingValuesFiles: true\n',
      '',
    );
    const fs = repo(release('  chartRef: {kind: HelmChart, name: web}'), { 'envs/dev/sources.yaml': sources });
    const { app } = await check(fs, charts);
    assert.equal(
      app?.release?.render?.message,
      "valuesFiles[2]: failed to merge chart values: no values file found at path 'values-missing.yaml'",
    );
    assert.deepEqual([app?.release?.render?.at?.file, app?.release?.render?.at?.line], ['envs/dev/sources.yaml', 16]);
  });
});

describe("a downloaded chart's own values: traced to its files, named gitops-drift-chart:NAME/VERSION/FILE", () => {
  it("a default of the chart's values.yaml points at its line there, and the engine keeps the text to show", async () => {
    const charts = new FakeChartSource(downloaded);
    const chartSpec = [
      '  chart:',
      '    spec:',
      '      chart: web',
      '      version: 1.4.0',
      '      sourceRef: {kind: HelmRepository, name: charts}',
    ].join('\n');
    const { engine, env } = await check(repo(release(chartSpec)), charts);
    const result = await engine.renderHelmRelease(env, 'web');
    const deployment = result!.objects[0];
    assert.equal(deployment.object.metadata?.labels?.size, 'small');
    const size = deployment.origins.get('/metadata/labels/size');
    assert.deepEqual(
      [size?.kind, size?.file, size?.line],
      ['helmValue', 'gitops-drift-chart:web/1.4.0/values.yaml', 3],
    );
    // The release's own value still wins, at its line.
    assert.equal(deployment.origins.get('/spec/replicas')?.file, 'envs/dev/release.yaml');
    assert.equal(
      engine.downloadedChartText('gitops-drift-chart:web/1.4.0/values.yaml'),
      'replicas: 1\ncolor: none\nsize: small\n',
    );
    // Nothing of the download is a repo file the render read.
    assert.deepEqual(result!.files, []);
  });

  it("through a HelmChart's valuesFiles: the last file of the chart that set the value", async () => {
    const charts = new FakeChartSource(downloaded);
    const { engine, env } = await check(repo(release('  chartRef: {kind: HelmChart, name: web}')), charts);
    const deployment = (await engine.renderHelmRelease(env, 'web'))!.objects[0];
    const color = deployment.origins.get('/metadata/labels/color');
    assert.deepEqual([color?.file, color?.line], ['gitops-drift-chart:web/1.4.0/values-prod.yaml', 1]);
    const size = deployment.origins.get('/metadata/labels/size');
    assert.deepEqual([size?.file, size?.line], ['gitops-drift-chart:web/1.4.0/values-prod.yaml', 2]);
  });
});
