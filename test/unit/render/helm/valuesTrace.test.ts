import assert from 'node:assert/strict';
import { AuthoringTools } from '../../../../src/core/authoringTools';
import { HOVER_LINE_BUDGET, helmValueHoverMarkdown, visibleHoverLines } from '../../../../src/core/editor/hovers';
import { DriftEngine } from '../../../../src/core/engine';
import { MemoryFileSystem } from '../../../../src/core/memoryFileSystem';
import type { Origin } from '../../../../src/core/model/location';
import type { RenderedObject } from '../../../../src/core/render/types';
import type { WasmHelmEngine } from '../../../../src/node/helmEngine';
import { startTestHelmEngine } from '../../../testbed/helmEngine';

/**
 * Values-line origins with Helm's real engine (helm-wasm): each rendered field whose value git's values set points
 * at that values line, through the ways charts use values; what is computed from a value, or steered by one, is not
 * traced rather than traced wrongly.
 */
const release = [
  'apiVersion: helm.toolkit.fluxcd.io/v2',
  'kind: HelmRelease',
  'metadata:',
  '  name: web',
  'spec:',
  '  interval: 10m',
  '  chart:',
  '    spec:',
  '      chart: ./charts/web',
  '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
  '  values:',
  '    replicaCount: 3',
  '    image:',
  '      tag: "1.28"',
  '',
].join('\n');

const chartValues = [
  'replicaCount: 1',
  'image:',
  '  repository: nginx',
  '  tag: "1.27"',
  'service:',
  '  port: 8080',
  '  type: ClusterIP',
  'logLevel: info',
  'greeting: "hello {{ .Release.Name }}"',
  'password: s3cret-value',
  'enabled: true',
  'mode: a',
  '',
].join('\n');

const deployment = [
  '{{- if not (has .Values.mode (list "a" "b")) }}{{ fail (printf "mode %s is not allowed" .Values.mode) }}{{ end }}',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: {{ .Release.Name }}',
  '  {{- if eq .Values.service.type "ClusterIP" }}',
  '  annotations: {internal: "yes"}',
  '  {{- end }}',
  'spec:',
  '  replicas: {{ .Values.replicaCount }}',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: web',
  '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
  '          ports: [{containerPort: {{ .Values.service.port | int }}}]',
  '          env:',
  '            - {name: LOG_LEVEL, value: {{ .Values.logLevel | upper | quote }}}',
  '            - {name: GREETING, value: {{ tpl .Values.greeting . | quote }}}',
  '            - {name: NEXT_PORT, value: {{ add .Values.service.port 1 | quote }}}',
  '            - {name: ENABLED, value: {{ .Values.enabled | quote }}}',
  '',
].join('\n');

const secret = [
  'apiVersion: v1',
  'kind: Secret',
  'metadata: {name: {{ .Release.Name }}-auth}',
  'data:',
  '  password: {{ .Values.password | b64enc }}',
  '',
].join('\n');

function repo(more: Record<string, string> = {}) {
  return new MemoryFileSystem(
    {
      '.gitops-drift.yaml': 'environments:\n  - name: dev\n    path: envs/dev\n    namespace: apps\n',
      'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n',
      'envs/dev/release.yaml': release,
      'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
      'charts/web/values.yaml': chartValues,
      'charts/web/templates/deployment.yaml': deployment,
      'charts/web/templates/secret.yaml': secret,
      ...more,
    },
    '/r',
  );
}

/** The 1-based line of the first line of `text` that starts (after indentation) with `prefix`. */
function lineOf(text: string, prefix: string): number {
  const i = text.split('\n').findIndex((l) => l.trimStart().startsWith(prefix));
  assert.ok(i >= 0, `no line starting with ${prefix}`);
  return i + 1;
}

function at(origin: Origin | undefined): string {
  return origin ? `${origin.kind} ${origin.file}:${origin.line}` : 'none';
}

describe('Helm values-line origins (the real engine)', function () {
  this.timeout(120_000);
  let helm: WasmHelmEngine;
  let objects: RenderedObject[];
  let trace: { fields: number; values: number; ms: number; message?: string } | undefined;

  before(async () => {
    helm = await startTestHelmEngine();
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r', helmEngine: () => helm });
    const env = await engine.environment('dev');
    const rendered = await engine.renderHelmRelease(env, 'web');
    assert.ok(rendered);
    objects = rendered.objects;
    trace = rendered.trace;
  });
  after(() => helm?.dispose());

  const originOf = (kind: string, pointer: string) => objects.find((o) => o.key.kind === kind)?.origins.get(pointer);
  const env = (name: string) => {
    const d = objects.find((o) => o.key.kind === 'Deployment')!.object as unknown as {
      spec: { template: { spec: { containers: { env: { name: string }[] }[] } } };
    };
    return `/spec/template/spec/containers/0/env/${d.spec.template.spec.containers[0].env.findIndex((e) => e.name === name)}/value`;
  };

  it("points a value the HelmRelease sets at the HelmRelease's values line", () => {
    assert.equal(
      at(originOf('Deployment', '/spec/replicas')),
      `helmValue envs/dev/release.yaml:${lineOf(release, 'replicaCount:')}`,
    );
  });

  it('points a field made of two values at the release one, the chart default as related information', () => {
    const origin = originOf('Deployment', '/spec/template/spec/containers/0/image');
    assert.equal(at(origin), `helmValue envs/dev/release.yaml:${lineOf(release, 'tag:')}`);
    assert.deepEqual(
      origin?.related?.map((r) => `${r.location.file}:${r.location.line} ${r.message}`),
      [
        `charts/web/values.yaml:${lineOf(chartValues, 'repository:')} also from this value`,
        'charts/web/templates/deployment.yaml:1 through the template web/templates/deployment.yaml',
        'envs/dev/release.yaml:1 released by this HelmRelease',
      ],
    );
  });

  it("points chart defaults at the chart's values.yaml: converted by int, upper and quote, through tpl, b64enc", () => {
    const values = (prefix: string) => `helmValue charts/web/values.yaml:${lineOf(chartValues, prefix)}`;
    assert.equal(at(originOf('Deployment', '/spec/template/spec/containers/0/ports/0/containerPort')), values('port:'));
    assert.equal(at(originOf('Deployment', env('LOG_LEVEL'))), values('logLevel:'));
    assert.equal(at(originOf('Deployment', env('GREETING'))), values('greeting:'));
    assert.equal(at(originOf('Secret', '/data/password')), values('password:'));
    const d = objects.find((o) => o.key.kind === 'Deployment')!.object as unknown as {
      spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } };
    };
    // The real render is untouched by the tracing: tpl ran, upper ran.
    assert.deepEqual(
      d.spec.template.spec.containers[0].env.map((e) => e.value),
      ['INFO', 'hello web', '8081', 'true'],
    );
  });

  it('does not trace what is computed from a value, a boolean, or a field a value steered', () => {
    assert.equal(at(originOf('Deployment', env('NEXT_PORT'))), 'none');
    assert.equal(at(originOf('Deployment', env('ENABLED'))), 'none');
    // The annotation exists because service.type is ClusterIP: the marked render has no such branch.
    assert.equal(at(originOf('Deployment', '/metadata/annotations/internal')), 'none');
    // The object itself keeps its template.
    assert.equal(at(originOf('Deployment', '')), 'resource charts/web/templates/deployment.yaml:1');
  });

  it("retries without the marker a chart's check refused, and says what it traced and what it cost", () => {
    // `mode` failed the chart's own check in the first marked render: left unmarked, the rest is still traced.
    assert.equal(trace?.message, undefined);
    // replicas, image, containerPort, LOG_LEVEL, GREETING and the Secret's password.
    assert.equal(trace?.fields, 6);
    // The non-empty strings and numbers of git's values but `mode`: replicaCount and tag (the release's),
    // repository, port, type, logLevel, greeting, password (the chart's).
    assert.equal(trace?.values, 8);
    assert.ok(trace.ms >= 0);
  });
});

describe('Helm values in the editor: hover on a values key, Preview Rendered Chart (the real engine)', function () {
  this.timeout(120_000);
  let helm: WasmHelmEngine;
  let tools: AuthoringTools;
  // Two environments releasing the same chart, prod with its own replica count.
  const prodRelease = release.replace('replicaCount: 3', 'replicaCount: 5');
  before(async () => {
    helm = await startTestHelmEngine();
    const fs = repo({
      '.gitops-drift.yaml':
        'environments:\n  - name: dev\n    path: envs/dev\n    namespace: apps\n  - name: prod\n    path: envs/prod\n    namespace: apps\n',
      'envs/prod/kustomization.yaml': 'resources:\n  - release.yaml\n',
      'envs/prod/release.yaml': prodRelease,
    });
    const engine = new DriftEngine({ fs, repoRoot: '/r', helmEngine: () => helm });
    tools = new AuthoringTools(engine, fs, '/r');
  });
  after(() => helm?.dispose());

  it("on a chart's values.yaml key: the fields it sets, one line per distinct value, Secrets masked", async () => {
    const port = await tools.helmValueHover('charts/web/values.yaml', chartValues, lineOf(chartValues, 'port:'), 3);
    assert.deepEqual(port?.fields, ['Deployment web containers[0].ports[0].containerPort']);
    assert.deepEqual(
      port?.groups.map((g) => `${g.value} ${g.environments.join(',')}`),
      ['8080 dev,prod'],
    );
    const password = await tools.helmValueHover(
      'charts/web/values.yaml',
      chartValues,
      lineOf(chartValues, 'password:'),
      3,
    );
    assert.deepEqual(password?.fields, ['Secret web-auth data.password']);
    assert.ok(
      !JSON.stringify(password).includes('s3cret') &&
        !JSON.stringify(password).includes(Buffer.from('s3cret-value').toString('base64')),
    );
    // The repository line is part of the image, whose main origin is the HelmRelease's tag.
    const repository = await tools.helmValueHover(
      'charts/web/values.yaml',
      chartValues,
      lineOf(chartValues, 'repository:'),
      3,
    );
    assert.deepEqual(
      repository?.groups.map((g) => g.value),
      ['nginx:1.28'],
    );
    const md = helmValueHoverMarkdown(port!);
    const lines = visibleHoverLines(md);
    assert.match(lines[0], /^port sets Deployment web containers\[0\]\.ports\[0\]\.contain.* · GitOps Drift$/);
    assert.deepEqual(lines.slice(1), ['8080 · dev, prod']);
    assert.ok(lines.every((l) => l.length <= HOVER_LINE_BUDGET));
  });

  it("on a HelmRelease's values key: that file's release only", async () => {
    const summary = await tools.helmValueHover(
      'envs/prod/release.yaml',
      prodRelease,
      lineOf(prodRelease, 'replicaCount:'),
      5,
    );
    assert.deepEqual(
      summary?.groups.map((g) => `${g.value} ${g.environments.join(',')} ${g.fields.join(',')}`),
      ['5 prod Deployment web replicas'],
    );
    // A key no template uses, and a line that is no values key, leave the hover to the effective values.
    assert.equal(
      await tools.helmValueHover('charts/web/values.yaml', chartValues, lineOf(chartValues, 'enabled:'), 3),
      undefined,
    );
    assert.equal(
      await tools.helmValueHover('envs/prod/release.yaml', prodRelease, lineOf(prodRelease, 'interval:'), 3),
      undefined,
    );
  });

  it('lists the Helm applications a file declares, and previews one as its chart renders', async () => {
    assert.deepEqual(await tools.helmApplicationsIn('envs/prod/release.yaml'), [
      { env: 'prod', app: 'HelmRelease apps/web', at: { file: 'envs/prod/release.yaml', line: 1, column: 1 } },
    ]);
    assert.deepEqual(await tools.helmApplicationsIn('charts/web/values.yaml'), []);
    const text = await tools.preview({ env: 'prod', app: 'HelmRelease apps/web' });
    assert.match(text, /^# HelmRelease apps\/web in prod: its chart rendered by Helm's engine \(2 objects/);
    assert.match(text, /replicas: 5/);
    assert.ok(!text.includes('s3cret'), 'Secret values are masked');
  });
});

describe('Helm values-line origins with post-renderers and downloaded charts (the real engine)', function () {
  this.timeout(120_000);
  let helm: WasmHelmEngine;
  before(async () => {
    helm = await startTestHelmEngine();
  });
  after(() => helm?.dispose());

  const originIn = (objects: RenderedObject[], kind: string, pointer: string) =>
    objects.find((o) => o.key.kind === kind)?.origins.get(pointer);

  it("drops a traced origin where a post-renderer changed the field; helm-controller's labels do not disturb tracing", async () => {
    // replicas patched to 7 and the image re-tagged by helm-controller's post-renderers, after Helm's render.
    const patched = release.replace(
      '  values:\n',
      [
        '  postRenderers:',
        '    - kustomize:',
        '        images: [{name: nginx, newTag: "9.9"}]',
        '        patches:',
        '          - target: {kind: Deployment}',
        '            patch: |',
        '              - op: replace',
        '                path: /spec/replicas',
        '                value: 7',
        '  values:',
        '',
      ].join('\n'),
    );
    const fs = repo({ 'envs/dev/release.yaml': patched });
    const engine = new DriftEngine({ fs, repoRoot: '/r', helmEngine: () => helm });
    const rendered = await engine.renderHelmRelease(await engine.environment('dev'), 'web');
    assert.ok(rendered);
    const deployment = rendered.objects.find((o) => o.key.kind === 'Deployment')!.object as unknown as {
      metadata: { labels: Record<string, string> };
      spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
    };
    assert.equal(deployment.spec.replicas, 7);
    assert.equal(deployment.spec.template.spec.containers[0].image, 'nginx:9.9');
    assert.equal(deployment.metadata.labels['helm.toolkit.fluxcd.io/name'], 'web');
    // Traced on Helm's own render, then left out where the post-renderers changed the value.
    assert.ok(rendered.trace && rendered.trace.fields >= 6, `traced ${rendered.trace?.fields}`);
    assert.equal(at(originIn(rendered.objects, 'Deployment', '/spec/replicas')), 'none');
    assert.equal(at(originIn(rendered.objects, 'Deployment', '/spec/template/spec/containers/0/image')), 'none');
    // What they left alone keeps its values line.
    assert.equal(
      at(originIn(rendered.objects, 'Deployment', '/spec/template/spec/containers/0/ports/0/containerPort')),
      `helmValue charts/web/values.yaml:${lineOf(chartValues, 'port:')}`,
    );
    assert.equal(at(originIn(rendered.objects, 'Deployment', '/metadata/labels/helm.toolkit.fluxcd.io~1name')), 'none');
  });

  it("traces a downloaded chart's release values to the HelmRelease, and its defaults to the chart's values.yaml", async () => {
    const remote = release.replace(
      '      chart: ./charts/web\n      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
      '      chart: web\n      version: 1.0.0\n      sourceRef: {kind: HelmRepository, name: charts}',
    );
    const source =
      'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: charts}\nspec:\n  url: https://charts.example.com/\n';
    const files = ['Chart.yaml', 'values.yaml', 'templates/deployment.yaml', 'templates/secret.yaml'];
    const texts = ['apiVersion: v2\nname: web\nversion: 1.0.0\n', chartValues, deployment, secret];
    const chartSource = {
      fetch: async () => ({
        ok: true as const,
        name: 'web',
        version: '1.0.0',
        digest: 'sha256:0',
        fromCache: true,
        files: files.map((name, i) => ({ name, data: new TextEncoder().encode(texts[i]) })),
      }),
    };
    const fs = new MemoryFileSystem(
      {
        '.gitops-drift.yaml': 'environments:\n  - name: dev\n    path: envs/dev\n    namespace: apps\n',
        'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n  - source.yaml\n',
        'envs/dev/release.yaml': remote,
        'envs/dev/source.yaml': source,
      },
      '/r',
    );
    const engine = new DriftEngine({ fs, repoRoot: '/r', helmEngine: () => helm, chartSource });
    const rendered = await engine.renderHelmRelease(await engine.environment('dev'), 'web');
    assert.ok(rendered);
    const replicas = originIn(rendered.objects, 'Deployment', '/spec/replicas');
    assert.equal(at(replicas), `helmValue envs/dev/release.yaml:${lineOf(remote, 'replicaCount:')}`);
    assert.ok(
      replicas?.related?.some(
        (r) => r.message === 'through the template web/templates/deployment.yaml of web 1.0.0' && r.location.line === 7,
      ),
      JSON.stringify(replicas?.related),
    );
    // The chart's values.yaml is in no file of the repo: its defaults point at their line in the downloaded chart.
    assert.equal(
      at(originIn(rendered.objects, 'Deployment', '/spec/template/spec/containers/0/ports/0/containerPort')),
      `helmValue gitops-drift-chart:web/1.0.0/values.yaml:${lineOf(chartValues, 'port:')}`,
    );
    assert.equal(
      at(originIn(rendered.objects, 'Deployment', '')),
      `resource envs/dev/release.yaml:${lineOf(remote, 'chart:')}`,
    );
    // The release's 2, and the chart's 7 string and number defaults it leaves, less `mode`, whose marker fails the
    // chart's `has` check and is put back (the boolean `enabled` is never marked).
    assert.equal(rendered.trace?.values, 8);
  });
});
