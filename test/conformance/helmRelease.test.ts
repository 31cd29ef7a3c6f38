import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DriftEngine } from '../../src/core/engine';
import type { KubeObject } from '../../src/core/model/resource';
import type { WasmHelmEngine } from '../../src/node/helmEngine';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';
import { testbedBin } from '../testbed/bins';
import { startTestHelmEngine } from '../testbed/helmEngine';
import { parseStream } from './kustomizeCli';

/**
 * A Flux HelmRelease whose chart is a folder of the repo, rendered through the whole product (discovery, the
 * environment's render, the HelmRelease's values and names, the real engine) against the test bed's `helm template`
 * given what helm-controller would give Helm: the valuesFrom ConfigMap's values then `spec.values` (`-f` twice,
 * merged as helm-controller merges), the release name `TARGETNAMESPACE-NAME`, the target namespace and the chart's
 * CRDs (install.crds defaults to Create). Hooks are printed by `helm template` and left out by us.
 */
const files: Record<string, string> = {
  '.gitops-drift.yaml':
    'environments:\n  - name: dev\n    path: envs/dev\n    namespace: apps\n  - name: prod\n    path: envs/prod\n    namespace: apps\n',
  // prod: chart.spec.valuesFiles (the HelmChart helm-controller makes merges them into the chart's values.yaml).
  'envs/prod/kustomization.yaml': 'resources:\n  - release.yaml\n',
  'envs/prod/web-prod.yaml': 'color: red\nextra:\n  b: from-prod\n  d: "4"\nimage: nginx:1.28\n',
  'envs/prod/release.yaml': [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    '  name: web',
    'spec:',
    '  interval: 10m',
    '  targetNamespace: web-apps',
    '  chart:',
    '    spec:',
    '      chart: ./charts/web',
    '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
    '      valuesFiles:',
    '        - charts/web/values.yaml',
    '        - envs/prod/missing.yaml',
    '        - envs/prod/web-prod.yaml',
    '      ignoreMissingValuesFiles: true',
    '  values:',
    '    replicas: 3',
    '    extra: {c: "30"}',
    '',
  ].join('\n'),
  'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n  - values.yaml\n',
  'envs/dev/values.yaml': [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: web-values}',
    'data:',
    '  custom.yaml: |',
    '    color: blue',
    '    replicas: 2',
    '    extra: {a: "1", b: "2"}',
    '',
  ].join('\n'),
  'envs/dev/release.yaml': [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    '  name: web',
    'spec:',
    '  interval: 10m',
    '  targetNamespace: web-apps',
    '  chart:',
    '    spec:',
    '      chart: ./charts/web',
    '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
    '  valuesFrom:',
    '    - kind: ConfigMap',
    '      name: web-values',
    '      valuesKey: custom.yaml',
    '  values:',
    '    replicas: 3',
    '    extra: {b: "20", c: "30"}',
    '',
  ].join('\n'),
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.2.0\nappVersion: "4.5"\n',
  'charts/web/.helmignore': 'notes.bak\n',
  'charts/web/notes.bak': 'ignored\n',
  'charts/web/values.yaml': 'replicas: 1\nimage: nginx:1.27\ncolor: none\nextra: {}\n',
  'charts/web/crds/widget.yaml': [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata: {name: widgets.example.com}',
    'spec:',
    '  group: example.com',
    '  scope: Namespaced',
    '  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}',
    '  versions:',
    '    - name: v1',
    '      served: true',
    '      storage: true',
    '      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}',
    '',
  ].join('\n'),
  'charts/web/templates/_helpers.tpl':
    '{{- define "web.labels" -}}\napp: {{ .Chart.Name }}\nrelease: {{ .Release.Name }}\n{{- end }}\n',
  'charts/web/templates/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: {{ .Release.Name }}',
    '  namespace: {{ .Release.Namespace }}',
    '  labels:',
    '    {{- include "web.labels" . | nindent 4 }}',
    '    color: {{ .Values.color }}',
    'spec:',
    '  replicas: {{ .Values.replicas }}',
    '  selector: {matchLabels: {app: web}}',
    '  template:',
    '    metadata: {labels: {app: web}}',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: {{ .Values.image }}',
    '',
  ].join('\n'),
  'charts/web/templates/configmap.yaml': [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: {{ .Release.Name }}-extra',
    'data:',
    '  {{- toYaml .Values.extra | nindent 2 }}',
    '  files: {{ .Files.Glob "*.bak" | len | quote }}',
    '  kube: {{ .Capabilities.KubeVersion.Version | quote }}',
    '',
  ].join('\n'),
  'charts/web/templates/hook.yaml': [
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    '  name: {{ .Release.Name }}-migrate',
    '  annotations: {"helm.sh/hook": pre-upgrade}',
    'spec:',
    '  template:',
    '    spec:',
    '      restartPolicy: Never',
    '      containers: [{name: m, image: busybox}]',
    '',
  ].join('\n'),
};

describe('HelmRelease render (chart in this repo) against helm template (test bed)', function () {
  this.timeout(240_000);
  let helm: WasmHelmEngine;
  let work: string;

  before(async () => {
    testbedBin('helm');
    work = await mkdtemp(join(tmpdir(), 'gitops-drift-helmrelease-'));
    for (const [name, text] of Object.entries(files)) {
      await mkdir(dirname(join(work, 'repo', name)), { recursive: true });
      await writeFile(join(work, 'repo', name), text);
    }
    helm = await startTestHelmEngine();
  });
  after(async () => {
    helm?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('renders what helm template prints with the values, release name and namespace helm-controller gives it', async () => {
    const repoRoot = join(work, 'repo');
    const engine = new DriftEngine({ fs: new NodeFileSystem({ root: repoRoot }), repoRoot, helmEngine: () => helm });
    const env = await engine.environment('dev');
    const result = await engine.renderHelmRelease(env, 'HelmRelease apps/web');
    assert.ok(result, 'the environment renders the HelmRelease');

    await writeFile(join(work, 'from-configmap.yaml'), 'color: blue\nreplicas: 2\nextra: {a: "1", b: "2"}\n');
    await writeFile(join(work, 'spec-values.yaml'), 'replicas: 3\nextra: {b: "20", c: "30"}\n');
    const expected = (
      await helmTemplate(
        [
          'template',
          'web-apps-web',
          join(repoRoot, 'charts/web'),
          '--namespace',
          'web-apps',
          '--include-crds',
          '-f',
          join(work, 'from-configmap.yaml'),
          '-f',
          join(work, 'spec-values.yaml'),
        ],
        join(work, 'helm-home'),
      )
    ).filter((d) => !d.object.metadata?.annotations?.['helm.sh/hook']);

    assert.ok(expected.length >= 3, 'helm template renders the CRD, the ConfigMap and the Deployment');
    assert.deepEqual(
      result.objects.map((o) => o.template),
      expected.map((d) => d.source),
      'same documents from the same templates, in the same order, hooks left out',
    );
    // helm-controller labels every object with its HelmRelease (its origin-labels post-renderer); helm template does not.
    expected.forEach((d, i) =>
      assert.deepEqual(result.objects[i].object, withOriginLabels(d.object), `document ${i} (${d.source})`),
    );
    // Each object points at its template file in the repo.
    const deployment = result.objects.find((o) => o.key.kind === 'Deployment')!;
    assert.equal(deployment.origins.get('')?.file, 'charts/web/templates/deployment.yaml');
    assert.equal(deployment.source.file, 'envs/dev/release.yaml');
  });
});

describe('HelmRelease chart.spec.valuesFiles against helm template -f (test bed)', function () {
  this.timeout(240_000);
  let helm: WasmHelmEngine;
  let work: string;

  before(async () => {
    testbedBin('helm');
    work = await mkdtemp(join(tmpdir(), 'gitops-drift-helmvaluesfiles-'));
    for (const [name, text] of Object.entries(files)) {
      await mkdir(dirname(join(work, 'repo', name)), { recursive: true });
      await writeFile(join(work, 'repo', name), text);
    }
    helm = await startTestHelmEngine();
  });
  after(async () => {
    helm?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("renders what helm template prints with the values files, then the HelmRelease's values, as -f files in order", async () => {
    const repoRoot = join(work, 'repo');
    const engine = new DriftEngine({ fs: new NodeFileSystem({ root: repoRoot }), repoRoot, helmEngine: () => helm });
    const env = await engine.environment('prod');
    const result = await engine.renderHelmRelease(env, 'HelmRelease apps/web');
    assert.ok(result, 'the environment renders the HelmRelease');

    // source-controller merges the listed files (the missing one ignored) into the chart's values; helm-controller's
    // values go over them: `helm template -f` of each file in order, then spec.values, gives the same values.
    await writeFile(join(work, 'spec-values.yaml'), 'replicas: 3\nextra: {c: "30"}\n');
    const expected = (
      await helmTemplate(
        [
          'template',
          'web-apps-web',
          join(repoRoot, 'charts/web'),
          '--namespace',
          'web-apps',
          '--include-crds',
          '-f',
          join(repoRoot, 'charts/web/values.yaml'),
          '-f',
          join(repoRoot, 'envs/prod/web-prod.yaml'),
          '-f',
          join(work, 'spec-values.yaml'),
        ],
        join(work, 'helm-home'),
      )
    ).filter((d) => !d.object.metadata?.annotations?.['helm.sh/hook']);

    assert.deepEqual(
      result.objects.map((o) => o.template),
      expected.map((d) => d.source),
    );
    expected.forEach((d, i) =>
      assert.deepEqual(result.objects[i].object, withOriginLabels(d.object), `document ${i} (${d.source})`),
    );
    // The values file's lines are the origins of what it set (the real engine, the marked render).
    const deployment = result.objects.find((o) => o.key.kind === 'Deployment')!;
    assert.equal(deployment.object.metadata?.labels?.color, 'red');
    const color = deployment.origins.get('/metadata/labels/color');
    assert.deepEqual([color?.kind, color?.file, color?.line], ['helmValue', 'envs/prod/web-prod.yaml', 1]);
    const image = deployment.origins.get('/spec/template/spec/containers/0/image');
    assert.deepEqual([image?.file, image?.line], ['envs/prod/web-prod.yaml', 5]);
  });
});

/** `helm template ARGS` of the test bed, with an empty home of its own, split at its `# Source:` lines. */
function helmTemplate(args: string[], home: string): Promise<{ source: string; object: KubeObject }[]> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
  return new Promise((resolve, reject) => {
    execFile(testbedBin('helm'), args, { maxBuffer: 64 * 1024 * 1024, env }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`helm template failed: ${stderr}`));
      const documents: { source: string; object: KubeObject }[] = [];
      for (const chunk of stdout.split(/^---\n(?=# Source: )/m)) {
        const source = /^# Source: (.*)$/m.exec(chunk)?.[1];
        if (source === undefined) continue;
        for (const object of parseStream(chunk)) documents.push({ source, object });
      }
      resolve(documents);
    });
  });
}

/** What helm-controller's origin-labels post-renderer adds to every object of the HelmRelease apps/web. */
function withOriginLabels(object: KubeObject): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: {
        ...object.metadata?.labels,
        'helm.toolkit.fluxcd.io/name': 'web',
        'helm.toolkit.fluxcd.io/namespace': 'apps',
      },
    },
  } as KubeObject;
}
