import assert from 'node:assert/strict';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type {
  ChartFetchResult,
  ChartRequest,
  ChartSource,
  HelmEngine,
  HelmRenderRequest,
  HelmRenderResult,
} from '../../../src/core/ports';
import { chartRequestOf } from '../../../src/core/render/helm/remoteChart';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';
import { EditedFileSystem, renderEnvironmentWith } from '../../../src/core/promote/verifyPromotion';
import { argoApplication } from '../../support/argoApplication';

/**
 * Charts of Helm repositories and OCI registries named by Argo CD sources and kustomize `helmCharts` entries (issue
 * #16): what is asked of the ChartSource port, what reaches the engine, and the per-application states when a chart
 * cannot be had. The real repository, registry and Helm are in test/conformance/helmRemote.test.ts.
 */
const text = (s: string) => new TextEncoder().encode(s);

/** A downloaded chart `podinfo` with its own values files. */
const podinfo = [
  { name: 'Chart.yaml', data: text('apiVersion: v2\nname: podinfo\nversion: 6.5.0\n') },
  { name: 'values.yaml', data: text('replicas: 1\ncolor: none\n') },
  { name: 'values-prod.yaml', data: text('replicas: 3\n') },
  { name: 'templates/deployment.yaml', data: text('# template\n') },
];

/** Answers the chart for every request, recording them; or fails with `failure`. */
class FakeChartSource implements ChartSource {
  requests: ChartRequest[] = [];
  constructor(private readonly failure?: ChartFetchResult & { ok: false }) {}
  async fetch(request: ChartRequest): Promise<ChartFetchResult> {
    this.requests.push(request);
    if (this.failure) return this.failure;
    return { ok: true, name: 'podinfo', version: '6.5.0', digest: 'sha256:abc', files: podinfo, fromCache: false };
  }
}

/** A ConfigMap holding the values and release it was given. */
class RecordingHelmEngine implements HelmEngine {
  requests: HelmRenderRequest[] = [];
  async render(request: HelmRenderRequest): Promise<HelmRenderResult> {
    this.requests.push(request);
    return {
      ok: true,
      chart: { name: 'podinfo', version: '6.5.0' },
      manifests: [
        {
          source: 'podinfo/templates/deployment.yaml',
          content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${request.releaseName}\ndata:\n  values: '${JSON.stringify(request.values)}'\n`,
        },
      ],
      hooks: [],
    };
  }
}

const application = (name: string, spec: string) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    `metadata: {name: ${name}, namespace: argocd}`,
    'spec:',
    '  project: default',
    '  destination: {server: https://kubernetes.default.svc, namespace: apps}',
    spec,
    '',
  ].join('\n');

function engineFor(files: Record<string, string>, chartSource?: ChartSource) {
  const helm = new RecordingHelmEngine();
  const engine = new DriftEngine({
    fs: new MemoryFileSystem(files, '/repo'),
    repoRoot: '/repo',
    helmEngine: () => helm,
    ...(chartSource ? { chartSource } : {}),
  });
  return { engine, helm };
}

describe('remote charts: Argo CD chart sources and kustomize helmCharts with repo (fake chart source and engine)', () => {
  it('chartRequestOf: a Helm repository takes the version as Helm reads it; OCI an exact version as tag, a digest, a range', () => {
    assert.deepEqual(chartRequestOf({ kind: 'helm-repository', url: 'https://c.example', chart: 'x', version: '' }), {
      type: 'helm-repository',
      url: 'https://c.example',
      chart: 'x',
      version: '*',
    });
    const oci = (version: string, devel?: boolean) =>
      chartRequestOf({
        kind: 'oci',
        url: 'oci://r.example/charts/x',
        chart: 'x',
        version,
        ...(devel ? { devel } : {}),
      });
    assert.equal((oci('6.5.0') as { tag?: string }).tag, '6.5.0');
    assert.equal((oci('^6.5') as { semver?: string }).semver, '^6.5');
    assert.equal((oci(`sha256:${'a'.repeat(64)}`) as { digest?: string }).digest, `sha256:${'a'.repeat(64)}`);
    assert.equal((oci('', true) as { semver?: string }).semver, '>0.0.0-0');
  });

  it('an Argo CD Application with a Helm repository chart: fetched as named, values from the pulled chart, rendered', async () => {
    const files = {
      'argocd/podinfo.yaml': application(
        'podinfo',
        [
          '  source:',
          '    repoURL: https://stefanprodan.github.io/podinfo',
          '    chart: podinfo',
          "    targetRevision: '6.5.*'",
          '    helm:',
          '      valueFiles: [values-prod.yaml]',
          '      parameters: [{name: color, value: blue}]',
        ].join('\n'),
      ),
    };
    const source = new FakeChartSource();
    const { engine, helm } = engineFor(files, source);
    const env = await argoApplication(engine, 'podinfo');
    assert.equal(env.applications[0].renderer, 'helm');
    const rendered = await engine.render(env);
    // Twice: at load (is it an app-of-apps? only its render tells), then for the environment's render.
    const request = {
      type: 'helm-repository',
      url: 'https://stefanprodan.github.io/podinfo',
      chart: 'podinfo',
      version: '6.5.*',
    };
    assert.deepEqual(source.requests, [request, request]);
    // The chart's values.yaml is Helm's default (the engine merges it); values-prod.yaml comes from the pulled chart.
    assert.deepEqual(helm.requests[0].values, { replicas: 3, color: 'blue' });
    assert.equal(helm.requests[0].releaseName, 'podinfo');
    assert.equal(helm.requests[0].namespace, 'apps');
    assert.equal(helm.requests[0].files, podinfo);
    assert.deepEqual(
      rendered.objects.map((o) => o.key.name),
      ['podinfo'],
    );
    // A downloaded template is in no file of the repo: the object points at the chart: line.
    const origin = rendered.objects[0].origins.get('')!;
    assert.deepEqual([origin.file, origin.line], ['argocd/podinfo.yaml', 9]);
    assert.match(
      origin.related![0].message,
      /through the template podinfo\/templates\/deployment.yaml of podinfo 6.5.0/,
    );
  });

  it('an OCI chart, named host/path with chart: or oci:// with path ., in a multi-source Application with $values', async () => {
    const files = {
      'argocd/apps.yaml': [
        application(
          'oci-hostpath',
          [
            '  sources:',
            '    - {repoURL: ghcr.io/stefanprodan/charts, chart: podinfo, targetRevision: 6.5.0, helm: {valueFiles: [$values/envs/prod.yaml]}}',
            '    - {repoURL: https://github.com/org/config, targetRevision: main, ref: values}',
          ].join('\n'),
        ),
        application(
          'oci-scheme',
          '  source: {repoURL: oci://ghcr.io/stefanprodan/charts/podinfo, path: ., targetRevision: ">=6.0.0"}',
        ),
      ].join('---\n'),
      'envs/prod.yaml': 'color: green\n',
    };
    const source = new FakeChartSource();
    const { engine, helm } = engineFor(files, source);
    const hostPath = await argoApplication(engine, 'oci-hostpath');
    await engine.render(hostPath);
    assert.deepEqual(source.requests[0], {
      type: 'oci',
      url: 'oci://ghcr.io/stefanprodan/charts/podinfo',
      layerMediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
      tag: '6.5.0',
    });
    assert.deepEqual(helm.requests[0].values, { color: 'green' }, '$values/… read from this repo');
    const rendered = await engine.render(await argoApplication(engine, 'oci-scheme'));
    assert.deepEqual(source.requests[1], {
      type: 'oci',
      url: 'oci://ghcr.io/stefanprodan/charts/podinfo',
      layerMediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
      semver: '>=6.0.0',
    });
    assert.deepEqual(
      rendered.objects.map((o) => o.key.name),
      ['oci-scheme'],
    );
  });

  it('downloads off or offline: the application says so at its chart line; the environment is no error, the rest renders', async () => {
    const files = {
      'argocd/apps.yaml': application(
        'shop',
        [
          '  sources:',
          '    - {repoURL: https://repo.example, chart: podinfo, targetRevision: 6.5.0}',
          '    - {repoURL: https://github.com/org/config, path: web}',
        ].join('\n'),
      ),
      'web/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n',
    };
    // Downloads off (the engine's default chart source).
    const off = engineFor(files);
    const env = await argoApplication(off.engine, 'shop');
    const report = await off.engine.renderedReport(env, 'ctx');
    assert.equal(report.error, null);
    assert.deepEqual(
      report.resources.map((r) => r.key.name),
      ['web'],
    );
    const chartApp = report.applications.find((a) => a.name === 'shop/podinfo')!;
    assert.equal(chartApp.state, 'failed');
    assert.equal(
      chartApp.message,
      "application 'shop/podinfo': chart repo.example/podinfo 6.5.0 not downloaded: chart downloads are off: enable the setting gitopsDrift.helm.chartDownloads in the editor (a trusted workspace only: trust it first), or pass --chart-downloads to the CLI (check, diff, render, lint) to download and render it; if the chart renders Argo CD Applications (app-of-apps), they are unknown until it is downloaded",
    );
    assert.deepEqual(report.skipped?.[0].location, { file: 'argocd/apps.yaml', line: 8, column: 46 });
    assert.equal(off.helm.requests.length, 0);
    // Offline: the fetch error is the state, and the next check asks again (a failure is never cached).
    const source = new FakeChartSource({
      ok: false,
      reason: 'unreachable',
      message: 'cannot reach https://repo.example: ECONNREFUSED',
    });
    const offline = engineFor(files, source);
    const again = await argoApplication(offline.engine, 'shop');
    const first = await offline.engine.renderedReport(again, 'ctx');
    assert.match(
      first.applications.find((a) => a.name === 'shop/podinfo')!.message!,
      /chart repo.example\/podinfo 6.5.0 not downloaded: cannot reach https:\/\/repo.example: ECONNREFUSED; if the chart renders Argo CD Applications \(app-of-apps\), they are unknown until it is downloaded$/,
    );
    assert.equal(first.error, null);
    await offline.engine.renderedReport(again, 'ctx');
    // One at load (an app-of-apps chart would be expanded there), then one per check.
    assert.equal(source.requests.length, 3);
  });

  it('kustomize helmCharts with repo: pulled through the port (oci:// as REPO/NAME), chart values from the download, never into the repo', async () => {
    const files = {
      'app/kustomization.yaml': [
        'helmCharts:',
        '  - name: podinfo',
        '    repo: https://stefanprodan.github.io/podinfo',
        '    version: 6.5.0',
        '    releaseName: web',
        '    valuesInline: {color: red}',
        '  - name: podinfo',
        '    repo: oci://ghcr.io/stefanprodan/charts/',
        '    releaseName: oci',
        '',
      ].join('\n'),
    };
    const fs = new MemoryFileSystem(files, '/repo');
    const source = new FakeChartSource();
    const helm = new RecordingHelmEngine();
    const result = await renderKustomization('app', {
      fs,
      repoRoot: '/repo',
      helmEngine: () => helm,
      chartSource: source,
    });
    assert.deepEqual(result.problems, []);
    assert.deepEqual(source.requests, [
      { type: 'helm-repository', url: 'https://stefanprodan.github.io/podinfo', chart: 'podinfo', version: '6.5.0' },
      {
        type: 'oci',
        url: 'oci://ghcr.io/stefanprodan/charts/podinfo',
        layerMediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
        semver: '*',
      },
    ]);
    // valuesInline over the pulled chart's values.yaml (valuesMerge override), as kustomize reads it after helm pull.
    assert.deepEqual(helm.requests[0].values, { replicas: 1, color: 'red' });
    assert.deepEqual(
      result.objects.map((o) => o.key.name),
      ['oci', 'web'],
    );
    assert.deepEqual(await fs.readDir('/repo/app'), await new MemoryFileSystem(files, '/repo').readDir('/repo/app'));
    assert.ok(!result.files.some((f) => f.includes('charts/')), result.files.join(', '));
  });

  it("a promotion's verify render gets Helm's engine through the engine's render ports", async () => {
    const files = {
      'argocd/web.yaml': application('web', '  source: {repoURL: https://github.com/org/config, path: charts/web}'),
      'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
      'charts/web/values.yaml': 'tag: "1.0"\n',
      'charts/web/templates/cm.yaml': '# template\n',
    };
    const { engine, helm } = engineFor(files);
    const env = await argoApplication(engine, 'web');
    const fs = new MemoryFileSystem(files, '/repo');
    const edited = new EditedFileSystem(fs, '/repo', [
      { file: 'charts/web/values.yaml', before: 'tag: "1.0"\n', after: 'tag: "2.0"\n', patch: '' },
    ]);
    // Without the ports the Helm application cannot render: nothing renders, so the verify render throws.
    await assert.rejects(renderEnvironmentWith(env, edited, '/repo'), /the Helm engine is not available/);
    const result = await renderEnvironmentWith(env, edited, '/repo', engine.renderPorts());
    assert.deepEqual(
      result.objects.map((o) => o.key.name),
      ['web'],
    );
    assert.equal(
      new TextDecoder().decode(helm.requests.at(-1)!.files.find((f) => f.name === 'values.yaml')!.data),
      'tag: "2.0"\n',
      'the edited values file',
    );
  });
});
