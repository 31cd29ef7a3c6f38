import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DriftEngine } from '../../src/core/engine';
import type { KubeObject } from '../../src/core/model/resource';
import { renderKustomization } from '../../src/core/render/kustomize/kustomize';
import type { WasmHelmEngine } from '../../src/node/helmEngine';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';
import { testbedBin } from '../testbed/bins';
import { startTestHelmEngine } from '../testbed/helmEngine';
import { parseStream } from './kustomizeCli';
import { argoApplication } from '../support/argoApplication';

/**
 * Charts met outside a HelmRelease, rendered through the product with the real engine, against the real tools:
 * Argo CD Helm sources against the test bed's `helm template` given the exact flags Argo CD's repo server passes
 * (util/helm/cmd.go: `--name-template`, `--namespace`, `--kube-version`, `--set`, `--set-string`, `--set-file`, the
 * value files then the values/valuesObject file as `--values`, `--api-versions`, `--include-crds`), hooks left out;
 * and kustomize `helmCharts:` against `kustomize build --enable-helm --helm-command <test bed helm>`. Object by
 * object, in order.
 *
 * kustomize v5.7.1 accepts only Helm 3 (its one `helm version -c --short` check; v5.8 accepts 4): the test passes it
 * a shim that answers that question with `v3` and hands every other call to the test bed's helm v4.3.2 unchanged.
 */
const chart = (name: string): Record<string, string> => ({
  [`${name}/Chart.yaml`]: 'apiVersion: v2\nname: web\nversion: 1.2.0\nappVersion: "4.5"\n',
  [`${name}/values.yaml`]: [
    'replicas: 1',
    'image: nginx:1.27',
    'color: none',
    'extra: {keep: "yes"}',
    'list: [a, b]',
    'nested: {deep: {x: 1}}',
    '',
  ].join('\n'),
  [`${name}/crds/widget.yaml`]: [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata: {name: widgets.example.com}',
    'spec:',
    '  group: example.com',
    '  scope: Namespaced',
    '  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}',
    '  versions:',
    '    - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}',
    '',
  ].join('\n'),
  [`${name}/templates/deployment.yaml`]: [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: {{ .Release.Name }}',
    '  labels: {color: {{ .Values.color | quote }}, kube: {{ .Capabilities.KubeVersion.Version | quote }}}',
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
  [`${name}/templates/config.yaml`]: [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: {{ .Release.Name }}-config',
    '  namespace: {{ .Release.Namespace }}',
    'data:',
    '  values: {{ toJson .Values | quote }}',
    '  monitoring: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" | quote }}',
    '',
  ].join('\n'),
  [`${name}/templates/test.yaml`]: [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: {{ .Release.Name }}-test',
    '  annotations: {"helm.sh/hook": test}',
    'spec: {containers: [{name: t, image: busybox}]}',
    '',
  ].join('\n'),
});

const argoFiles: Record<string, string> = {
  ...chart('charts/web'),
  'charts/web/values-prod.yaml': 'replicas: 3\ncolor: blue\nextra: {prod: "1"}\n',
  'charts/web/overrides/a.yaml': 'extra: {a: "1"}\n',
  'charts/web/overrides/b.yaml': 'extra: {b: "2"}\n',
  'charts/web/files/motd.txt': 'hello, from a file\n',
  'envs/prod/values.yaml': 'image: nginx:1.28\nnested: {deep: {y: 2}}\n',
  'apps/web.yaml': [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata: {name: web, namespace: argocd}',
    'spec:',
    '  project: default',
    '  destination: {server: https://kubernetes.default.svc, namespace: web-prod}',
    '  source:',
    '    repoURL: https://github.com/acme/config',
    '    path: charts/web',
    '    helm:',
    '      releaseName: web-prod',
    '      valueFiles:',
    '        - values-prod.yaml',
    '        - overrides/*.yaml',
    '        - missing.yaml',
    '        - /envs/prod/values.yaml',
    '      ignoreMissingValueFiles: true',
    '      values: |',
    '        color: green',
    '        extra: {inline: "x"}',
    '      parameters:',
    '        - {name: replicas, value: "5"}',
    '        - {name: "list", value: "{x,y,z}"}',
    '        - {name: nested.deep.z, value: "a,b"}',
    '        - {name: image, value: "nginx:1.29"}',
    '        - {name: extra.count, value: "7", forceString: true}',
    '        - {name: extra.app, value: "$ARGOCD_APP_NAME in $ARGOCD_APP_NAMESPACE"}',
    '      fileParameters:',
    '        - {name: motd, path: files/motd.txt}',
    '      kubeVersion: "1.31.0"',
    '      apiVersions: [monitoring.coreos.com/v1]',
    '',
  ].join('\n'),
  'apps/multi.yaml': [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata: {name: multi, namespace: argocd}',
    'spec:',
    '  project: default',
    '  destination: {server: https://kubernetes.default.svc, namespace: multi}',
    '  sources:',
    '    - repoURL: https://github.com/acme/config',
    '      path: charts/web',
    '      helm:',
    '        skipCrds: true',
    '        valueFiles: [$values/envs/prod/values.yaml]',
    '        valuesObject: {color: purple, replicas: 4}',
    '    - repoURL: https://github.com/acme/config',
    '      ref: values',
    '    - repoURL: https://github.com/acme/config',
    '      path: plain',
    '',
  ].join('\n'),
  'plain/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {a: "1"}\n',
};

const kustomizeFiles: Record<string, string> = {
  ...chart('app/helm/web'),
  'app/kustomization.yaml': [
    'namespace: shop',
    'namePrefix: p-',
    'commonLabels: {team: shop}',
    'resources: [cm.yaml]',
    'helmGlobals: {chartHome: helm}',
    'helmCharts:',
    '  - name: web',
    '    releaseName: first',
    '    namespace: shop',
    '    includeCRDs: true',
    '    valuesInline: {replicas: 2, extra: {inline: "1"}, list: [q]}',
    '    additionalValuesFiles: [extra-values.yaml]',
    '    apiVersions: [monitoring.coreos.com/v1]',
    '    kubeVersion: "1.30.0"',
    '  - name: web',
    '    releaseName: second',
    '    valuesMerge: merge',
    '    valuesInline: {replicas: 9, color: red, extra: null}',
    '    skipTests: true',
    '  - name: web',
    '    releaseName: third',
    '    valuesMerge: replace',
    '    valuesInline: {color: only}',
    '    skipHooks: true',
    'patches:',
    '  - target: {kind: Deployment, name: first}',
    '    patch: |',
    '      - {op: replace, path: /spec/replicas, value: 11}',
    '',
  ].join('\n'),
  'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: own}\ndata: {a: "1"}\n',
  'app/extra-values.yaml': 'color: from-additional\n',
};

describe('Helm charts outside HelmReleases against the real tools (test bed helm and kustomize)', function () {
  this.timeout(240_000);
  let helm: WasmHelmEngine;
  let work: string;

  before(async () => {
    testbedBin('helm');
    testbedBin('kustomize');
    work = await mkdtemp(join(tmpdir(), 'gitops-drift-helmsources-'));
    for (const [repo, files] of [
      ['argo', argoFiles],
      ['kz', kustomizeFiles],
    ] as const)
      for (const [name, text] of Object.entries(files)) {
        await mkdir(dirname(join(work, repo, name)), { recursive: true });
        await writeFile(join(work, repo, name), text);
      }
    helm = await startTestHelmEngine();
  });
  after(async () => {
    helm?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const engineOn = (repoRoot: string) =>
    new DriftEngine({ fs: new NodeFileSystem({ root: repoRoot }), repoRoot, helmEngine: () => helm });

  it('an Argo CD Helm source renders what helm template prints with the flags Argo CD passes', async () => {
    const repoRoot = join(work, 'argo');
    const engine = engineOn(repoRoot);
    const env = await argoApplication(engine, 'web');
    assert.equal(env.applications[0].renderer, 'helm');
    const ours = await engine.renderApplication(env, env.applications[0]);

    // What the repo server writes for `values` (its temp file), and the flags it builds (map order aside).
    await writeFile(join(work, 'argo-values.yaml'), 'color: green\nextra: {inline: "x"}\n');
    const chartDir = join(repoRoot, 'charts/web');
    const expected = await helmTemplate(
      [
        'template',
        chartDir,
        '--name-template',
        'web-prod',
        '--namespace',
        'web-prod',
        '--kube-version',
        '1.31.0',
        '--set',
        'replicas=5',
        '--set',
        'list={x,y,z}',
        '--set',
        'nested.deep.z=a\\,b',
        '--set',
        'image=nginx:1.29',
        '--set',
        'extra.app=web in web-prod',
        '--set-string',
        'extra.count=7',
        '--set-file',
        `motd=${join(chartDir, 'files/motd.txt')}`,
        '--values',
        join(chartDir, 'values-prod.yaml'),
        '--values',
        join(chartDir, 'overrides/a.yaml'),
        '--values',
        join(chartDir, 'overrides/b.yaml'),
        '--values',
        join(repoRoot, 'envs/prod/values.yaml'),
        '--values',
        join(work, 'argo-values.yaml'),
        '--api-versions',
        'monitoring.coreos.com/v1',
        '--include-crds',
      ],
      join(work, 'helm-home'),
    );
    const manifests = expected.filter((d) => !d.object.metadata?.annotations?.['helm.sh/hook']);
    assert.ok(
      manifests.length === 3,
      'helm template renders the CRD, the ConfigMap and the Deployment (and a test hook)',
    );
    assert.deepEqual(
      ours.objects.map((o) => o.template),
      manifests.map((d) => d.source),
      'same documents from the same templates, in the same order, hooks left out',
    );
    manifests.forEach((d, i) => assert.deepEqual(ours.objects[i].object, d.object, `document ${i} (${d.source})`));
    const deployment = ours.objects.find((o) => o.key.kind === 'Deployment')!;
    assert.equal(deployment.object.spec && (deployment.object.spec as { replicas: number }).replicas, 5);
    assert.equal(deployment.origins.get('')?.file, 'charts/web/templates/deployment.yaml');
    assert.equal(deployment.origins.get('')?.related?.[0].location.file, 'apps/web.yaml');
    // The objects above were rendered with values-line tracing on (one more render, with markers): the fields a
    // parameter set point at its line in the Application.
    const lineOf = (text: string) => argoFiles['apps/web.yaml'].split('\n').findIndex((l) => l.includes(text)) + 1;
    const originOf = (pointer: string) => {
      const o = deployment.origins.get(pointer);
      return o && `${o.kind} ${o.file}:${o.line}`;
    };
    assert.equal(originOf('/spec/replicas'), `helmValue apps/web.yaml:${lineOf('name: replicas')}`);
    assert.equal(
      originOf('/spec/template/spec/containers/0/image'),
      `helmValue apps/web.yaml:${lineOf('name: image')}`,
    );
  });

  it('a multi-source Application: the chart with $ref value files and valuesObject, beside a directory source', async () => {
    const repoRoot = join(work, 'argo');
    const engine = engineOn(repoRoot);
    const env = await argoApplication(engine, 'multi');
    assert.deepEqual(
      env.applications.map((a) => [a.name, a.renderer]),
      [
        ['multi/web', 'helm'],
        ['multi/plain', 'argo-directory'],
      ],
    );
    const ours = await engine.renderApplication(env, env.applications[0]);
    await writeFile(join(work, 'multi-values.yaml'), 'color: purple\nreplicas: 4\n');
    const expected = (
      await helmTemplate(
        [
          'template',
          join(repoRoot, 'charts/web'),
          '--name-template',
          'multi',
          '--namespace',
          'multi',
          '--values',
          join(repoRoot, 'envs/prod/values.yaml'),
          '--values',
          join(work, 'multi-values.yaml'),
        ],
        join(work, 'helm-home'),
      )
    ).filter((d) => !d.object.metadata?.annotations?.['helm.sh/hook']);
    assert.deepEqual(
      ours.objects.map((o) => o.template),
      expected.map((d) => d.source),
      'skipCrds: no CRD',
    );
    expected.forEach((d, i) => assert.deepEqual(ours.objects[i].object, d.object, `document ${i} (${d.source})`));
    // The environment holds both sources' objects (neither is extra to the other).
    const rendered = await engine.render(env);
    assert.deepEqual(rendered.objects.map((o) => `${o.key.kind}/${o.key.name}`).sort(), [
      'ConfigMap/multi-config',
      'ConfigMap/plain',
      'Deployment/multi',
    ]);
  });

  it('kustomize helmCharts: what kustomize build --enable-helm prints, object by object, in order', async () => {
    const repoRoot = join(work, 'kz');
    const shim = join(work, 'helm-shim.sh');
    await writeFile(
      shim,
      `#!/bin/sh\nif [ "$1" = version ]; then echo v3.99.0-shim; exit 0; fi\nexec '${testbedBin('helm')}' "$@"\n`,
    );
    await chmod(shim, 0o755);
    const expected = await kustomizeEnableHelm(repoRoot, 'app', shim, join(work, 'helm-home'));
    const ours = await renderKustomization('app', { fs: new NodeFileSystem(), repoRoot, helmEngine: () => helm });
    assert.deepEqual(ours.problems, []);
    assert.ok(expected.length >= 7, `kustomize printed ${expected.length} objects`);
    assert.deepEqual(
      ours.objects.map((o) => `${o.key.kind}/${o.key.namespace}/${o.key.name}`),
      expected.map((o) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`),
      'the same objects in the same order',
    );
    expected.forEach((o, i) =>
      assert.deepEqual(ours.objects[i].object, o, `object ${i} (${o.kind} ${o.metadata?.name})`),
    );
    const first = ours.objects.find((o) => o.key.name === 'p-first')!;
    assert.equal(first.template, 'web/templates/deployment.yaml');
    assert.equal(
      first.origins.get('/spec/template/spec/containers/0/image')?.file,
      'app/helm/web/templates/deployment.yaml',
    );
    assert.equal(first.origins.get('/spec/replicas')?.file, 'app/kustomization.yaml', 'the patch set replicas');
  });
});

/** `helm template ARGS` of the test bed, with an empty home of its own, split at its `# Source:` lines. */
function helmTemplate(args: string[], home: string): Promise<{ source: string; object: KubeObject }[]> {
  return new Promise((resolve, reject) => {
    execFile(testbedBin('helm'), args, { maxBuffer: 64 * 1024 * 1024, env: helmEnv(home) }, (err, stdout, stderr) => {
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

/** `kustomize build --enable-helm --helm-command HELM ROOT` of the test bed. */
function kustomizeEnableHelm(repoRoot: string, root: string, helmCommand: string, home: string): Promise<KubeObject[]> {
  return new Promise((resolve, reject) => {
    execFile(
      testbedBin('kustomize'),
      ['build', '--enable-helm', '--helm-command', helmCommand, join(repoRoot, root)],
      { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024, env: helmEnv(home) },
      (err, stdout, stderr) =>
        err ? reject(new Error(`kustomize build failed: ${stderr}`)) : resolve(parseStream(stdout)),
    );
  });
}

function helmEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
}
