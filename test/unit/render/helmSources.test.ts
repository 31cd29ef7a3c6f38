import assert from 'node:assert/strict';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { ProblemError } from '../../../src/core/model/problem';
import type { HelmEngine, HelmRenderRequest, HelmRenderResult } from '../../../src/core/ports';
import { cleanSetParameter, envsubst, resolveValueFile } from '../../../src/core/render/argo/helm';
import { kyamlMerge, loadValuesText, parseSetInto } from '../../../src/core/render/helm/helmValues';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';
import { argoApplication } from '../../support/argoApplication';

/** Records each request; answers a ConfigMap holding the values it was given, and a test hook. */
class RecordingHelmEngine implements HelmEngine {
  requests: HelmRenderRequest[] = [];
  async render(request: HelmRenderRequest): Promise<HelmRenderResult> {
    this.requests.push(request);
    return {
      ok: true,
      chart: { name: 'web', version: '1.0.0' },
      manifests: [
        {
          source: 'web/templates/cm.yaml',
          content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${request.releaseName}-cm\ndata:\n  values: '${JSON.stringify(request.values)}'\n`,
        },
      ],
      hooks: [
        {
          source: 'web/templates/test.yaml',
          content: `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${request.releaseName}-test\n  annotations: {"helm.sh/hook": test}\n`,
          kind: 'Pod',
          name: `${request.releaseName}-test`,
          events: ['test'],
        },
      ],
    };
  }
}

const chart = {
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
  'charts/web/values.yaml': 'a: 1\nlist: [x]\n',
  'charts/web/templates/cm.yaml': '# template\n',
};

const application = (name: string, source: string) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    `metadata: {name: ${name}}`,
    'spec:',
    '  project: default',
    '  destination: {server: https://kubernetes.default.svc, namespace: apps}',
    source,
    '',
  ].join('\n');

describe('Helm values as helm template merges them', () => {
  it('parses --set lines as Helm strvals: nesting, indexes, lists, escapes and types', () => {
    const v: Record<string, unknown> = { keep: 1, a: { old: true } };
    parseSetInto('a.b=1,a.c=true,a.d=null,a.e=007,a.f=x\\,y', v);
    parseSetInto('list={1,two}', v);
    parseSetInto('items[1].name=second', v);
    parseSetInto('a.g=12', v, { asString: true });
    parseSetInto('big=99999999999999999999', v);
    assert.deepEqual(v, {
      keep: 1,
      a: { old: true, b: 1, c: true, d: null, e: '007', f: 'x,y', g: '12' },
      list: [1, 'two'],
      items: [null, { name: 'second' }],
      big: '99999999999999999999',
    });
    assert.throws(() => parseSetInto('novalue', {}), /key "novalue" has no value/);
    assert.throws(() => parseSetInto('l={a,b', {}), /list must terminate with '}'/);
  });

  it('reads values files as YAML 1.1, every document merged; kyaml merge clears nulls and replaces lists', () => {
    assert.deepEqual(loadValuesText('a: {x: 1}\ny: on\n---\na: {z: 2}\n'), { a: { x: 1, z: 2 }, true: true });
    assert.throws(() => loadValuesText('- a\n'), /must be a map/);
    assert.deepEqual(kyamlMerge({ a: { b: null, c: [2] }, d: 1 }, { a: { b: 1, c: [1, 3], e: 5 } }), {
      a: { c: [2], e: 5 },
      d: 1,
    });
  });

  it("Argo CD's substitutions, comma escaping and value file paths", () => {
    const env = { ARGOCD_APP_NAME: 'web', ARGOCD_APP_NAMESPACE: 'apps' };
    assert.equal(envsubst('$ARGOCD_APP_NAME-${ARGOCD_APP_NAMESPACE}-$UNKNOWN-$$', env), 'web-apps--$');
    assert.equal(cleanSetParameter('a,b\\,c'), 'a\\,b\\,c');
    assert.equal(cleanSetParameter('{a,b}'), '{a,b}');
    const refs = { values: { path: '' }, other: { outside: 'https://github.com/acme/other' } };
    assert.deepEqual(resolveValueFile('v.yaml', 'charts/web', refs, env), { path: 'charts/web/v.yaml' });
    assert.deepEqual(resolveValueFile('/envs/$ARGOCD_APP_NAME.yaml', 'charts/web', refs, env), {
      path: 'envs/web.yaml',
    });
    assert.deepEqual(resolveValueFile('$values/envs/prod.yaml', 'charts/web', refs, env), { path: 'envs/prod.yaml' });
    assert.match(
      (resolveValueFile('$other/x.yaml', 'charts/web', refs, env) as { outside: string }).outside,
      /another repository \(https:\/\/github.com\/acme\/other\)/,
    );
    assert.ok('error' in resolveValueFile('../../../x.yaml', 'charts/web', refs, env));
  });
});

describe('Argo CD Helm sources (fake engine)', () => {
  const repo = (files: Record<string, string>) => new MemoryFileSystem({ ...chart, ...files }, '/repo');

  it('passes the values in Argo CD order, the release name, namespace, CRDs and capabilities; hooks left out', async () => {
    const helm = new RecordingHelmEngine();
    const fs = repo({
      'charts/web/prod.yaml': 'a: 2\nb: {c: 1}\n',
      'envs/shared.yaml': 'b: {d: 2}\n',
      'apps/web.yaml': application(
        'web',
        [
          '  source:',
          '    repoURL: https://github.com/acme/config',
          '    path: charts/web',
          '    helm:',
          '      valueFiles: [prod.yaml, /envs/shared.yaml, gone.yaml]',
          '      ignoreMissingValueFiles: true',
          '      valuesObject: {a: 3, e: obj}',
          '      values: "a: 99"',
          '      parameters:',
          '        - {name: a, value: "4"}',
          '        - {name: s, value: "5", forceString: true}',
          '      skipCrds: true',
          '      kubeVersion: 1.30.0',
          '      apiVersions: [x.example.com/v1]',
        ].join('\n'),
      ),
    });
    const engine = new DriftEngine({ fs, repoRoot: '/repo', helmEngine: () => helm });
    const env = await argoApplication(engine, 'web');
    assert.equal(env.applications[0].renderer, 'helm');
    const result = await engine.renderApplication(env, env.applications[0]);
    // The render, then the values-line tracing's render with markers (valuesTrace.ts), schema validation off.
    assert.equal(helm.requests.length, 2);
    assert.equal(helm.requests[1].skipSchemaValidation, true);
    const request = helm.requests[0];
    // valueFiles, then valuesObject (it wins over values), then --set, then --set-string.
    assert.deepEqual(request.values, { a: 4, b: { c: 1, d: 2 }, e: 'obj', s: '5' });
    assert.equal(request.releaseName, 'web');
    assert.equal(request.namespace, 'apps');
    assert.equal(request.includeCRDs, false);
    assert.equal(request.kubeVersion, '1.30.0');
    assert.deepEqual(request.apiVersions, ['x.example.com/v1']);
    assert.deepEqual(
      request.files.map((f) => f.name),
      ['Chart.yaml', 'prod.yaml', 'templates/cm.yaml', 'values.yaml'],
    );
    assert.deepEqual(
      result.objects.map((o) => o.key.name),
      ['web-cm'],
      'the test hook is left out',
    );
    const origin = result.objects[0].origins.get('');
    assert.equal(origin?.file, 'charts/web/templates/cm.yaml');
    assert.equal(origin?.related?.[0].location.file, 'apps/web.yaml');
    assert.ok(result.files.includes('envs/shared.yaml'), 'a value file outside the chart is among the files read');
  });

  it('says what stops a render at its line: a missing value file, a ref to another repo, no engine', async () => {
    const cases: [string, string, RegExp, number][] = [
      [
        'missing',
        '  source:\n    path: charts/web\n    helm:\n      valueFiles:\n        - nope.yaml',
        /values file nope.yaml \(charts\/web\/nope.yaml\) does not exist/,
        11,
      ],
      [
        'refout',
        [
          '  sources:',
          '    - path: charts/web',
          '      repoURL: https://github.com/acme/config',
          '      helm: {valueFiles: [$vals/prod.yaml]}',
          '    - ref: vals',
          '      repoURL: https://github.com/acme/other',
          '    - path: plain',
          '      repoURL: https://github.com/acme/config',
        ].join('\n'),
        /source ref 'vals' is another repository \(https:\/\/github.com\/acme\/other\): not rendered/,
        10,
      ],
    ];
    for (const [name, source, message, line] of cases) {
      const fs = repo({
        'apps/app.yaml': application(name, source),
        'plain/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n',
        '.git/config': '[remote "origin"]\n  url = git@github.com:acme/config.git\n',
      });
      const engine = new DriftEngine({ fs, repoRoot: '/repo', helmEngine: () => new RecordingHelmEngine() });
      const env = await argoApplication(engine, name);
      const error = await engine.renderApplication(env, env.applications[0]).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof ProblemError, name);
      assert.match(error.message, message, name);
      assert.equal(error.problem.location?.line, line, name);
      if (name === 'refout') {
        // One environment, the chart failing on its own: the directory source beside it still renders.
        const rendered = await engine.render(env);
        assert.deepEqual(
          rendered.objects.map((o) => o.key.name),
          ['plain'],
        );
      }
    }
    const fs = repo({ 'apps/app.yaml': application('noengine', '  source:\n    path: charts/web') });
    const engine = new DriftEngine({ fs, repoRoot: '/repo' });
    const env = await argoApplication(engine, 'noengine');
    await assert.rejects(engine.renderApplication(env, env.applications[0]), /the Helm engine is not available/);
  });
});

describe('kustomize helmCharts (fake engine)', () => {
  it('inflates a local chart with kustomize values, then runs the kustomization over it', async () => {
    const helm = new RecordingHelmEngine();
    const fs = new MemoryFileSystem(
      {
        'app/charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
        'app/charts/web/values.yaml': 'a: 1\nb: {c: 1, d: 1}\n',
        'app/more.yaml': 'e: 5\n',
        'app/kustomization.yaml': [
          'namePrefix: p-',
          'helmCharts:',
          '  - name: web',
          '    releaseName: rel',
          '    valuesInline: {b: {c: 2, d: null}}',
          '    additionalValuesFiles: [more.yaml]',
          '    skipTests: true',
          '',
        ].join('\n'),
      },
      '/repo',
    );
    const result = await renderKustomization('app', { fs, repoRoot: '/repo', helmEngine: () => helm });
    assert.deepEqual(helm.requests[0].values, { a: 1, b: { c: 2 }, e: 5 });
    assert.equal(helm.requests[0].namespace, 'default');
    assert.deepEqual(
      result.objects.map((o) => o.key.name),
      ['p-rel-cm'],
    );
    assert.equal(result.objects[0].template, 'web/templates/cm.yaml');
    assert.equal(result.objects[0].source.line, 3);
    assert.ok(result.files.includes('app/charts/web/Chart.yaml'));
  });

  it('asks for the engine only when a render meets a chart folder', async () => {
    let asked = 0;
    const helmEngine = () => (asked++, new RecordingHelmEngine());
    const files = {
      'plain/kustomization.yaml': 'resources: [cm.yaml]\n',
      'plain/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: own}\n',
      'charted/kustomization.yaml': 'helmCharts:\n  - name: web\n',
      'charted/charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
      'charted/charts/web/values.yaml': '',
    };
    const fs = new MemoryFileSystem(files, '/repo');
    await renderKustomization('plain', { fs, repoRoot: '/repo', helmEngine });
    assert.equal(asked, 0, 'no chart, no engine');
    await renderKustomization('charted', { fs, repoRoot: '/repo', helmEngine });
    assert.equal(asked, 1);
  });

  it('a chart kustomize would pull, or no engine: the entry is skipped and said, the rest is rendered', async () => {
    const files = {
      'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: own}\n',
      'app/charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
      'app/charts/web/values.yaml': '',
      'app/kustomization.yaml':
        'resources: [cm.yaml]\nhelmCharts:\n  - name: redis\n    repo: https://charts.example.com\n    version: 1.0.0\n  - name: web\n',
    };
    const result = await renderKustomization('app', { fs: new MemoryFileSystem(files, '/repo'), repoRoot: '/repo' });
    assert.deepEqual(
      result.objects.map((o) => o.key.name),
      ['own'],
    );
    assert.deepEqual(
      result.problems.map((p) => [p.location?.line, p.code, p.message.split(':')[0]]),
      [
        [3, 'skipped-content', "helmCharts 'redis'"],
        [6, 'skipped-content', "helmCharts 'web'"],
      ],
    );
    assert.match(
      result.problems[0].message,
      /chart charts.example.com\/redis 1.0.0 not downloaded: chart downloads are off: enable the setting gitopsDrift\.helm\.chartDownloads in the editor \(a trusted workspace only: trust it first\), or pass --chart-downloads to the CLI \(check, diff, render, lint\) to download and render it \(kustomize would pull it into app\/charts\/redis-1.0.0\/redis\)/,
    );
    assert.match(result.problems[1].message, /the Helm engine is not available/);
  });
});
