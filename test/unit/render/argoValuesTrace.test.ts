import assert from 'node:assert/strict';
import type { HelmValueSummary } from '../../../src/core/authoring/helmValues';
import { AuthoringTools } from '../../../src/core/authoringTools';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { Origin } from '../../../src/core/model/location';
import type { HelmEngine, HelmRenderRequest, HelmRenderResult } from '../../../src/core/ports';
import { mergeMaps } from '../../../src/core/render/helm/chartFiles';
import { loadValuesText } from '../../../src/core/render/helm/helmValues';
import type { RenderedObject } from '../../../src/core/render/types';
import { argoApplication } from '../../support/argoApplication';

/**
 * Values-line origins of an Argo CD Helm source (render/argo/helm.ts with render/helm/valuesTrace.ts): each field
 * points at the line of the layer that won in Argo CD's order (chart defaults, valueFiles, values/valuesObject,
 * parameters), with a fake engine that renders each value (the chart's defaults under the given ones) into a
 * field of its own.
 */
class LeafEngine implements HelmEngine {
  requests: HelmRenderRequest[] = [];
  async render(request: HelmRenderRequest): Promise<HelmRenderResult> {
    this.requests.push(request);
    const data: string[] = [];
    const walk = (v: unknown, at: string) => {
      if (v !== null && typeof v === 'object' && !Array.isArray(v))
        for (const [k, child] of Object.entries(v)) walk(child, at ? `${at}.${k}` : k);
      else data.push(`  ${at}: ${JSON.stringify(String(v))}`);
    };
    // The chart's defaults under the given values, as Helm coalesces them.
    const defaults = request.files.find((f) => f.name === 'values.yaml');
    const chartDefaults = defaults ? loadValuesText(new TextDecoder().decode(defaults.data)) : {};
    walk(mergeMaps(chartDefaults, request.values), '');
    return {
      ok: true,
      chart: { name: 'web', version: '1.0.0' },
      manifests: [
        {
          source: 'web/templates/cm.yaml',
          content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${request.releaseName}-cm\ndata:\n${data.join('\n')}\n`,
        },
      ],
      hooks: [],
    };
  }
}

const chartValues = ['fromChart: chart-default', 'fromFile: chart', 'fromObject: chart', 'fromParam: chart', ''].join(
  '\n',
);
const prodValues = ['fromFile: file-value', 'fromObject: file', 'fromParam: file', ''].join('\n');

const applicationLines = (helm: string[]) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata: {name: web}',
    'spec:',
    '  project: default',
    '  destination: {server: https://kubernetes.default.svc, namespace: apps}',
    '  source:',
    '    repoURL: https://github.com/acme/config',
    '    path: charts/web',
    '    helm:',
    ...helm,
    '',
  ].join('\n');

const withObject = applicationLines([
  '      valueFiles:',
  '        - prod.yaml',
  '      valuesObject:',
  '        fromObject: object-value',
  '        fromParam: object',
  '      parameters:',
  '        - name: fromParam',
  '          value: param-value',
]);

const withText = applicationLines([
  '      values: |',
  '        fromObject: text-value',
  '        nested:',
  '          key: nested-value',
]);

function lineOf(text: string, prefix: string): number {
  const i = text.split('\n').findIndex((l) => l.trimStart().startsWith(prefix));
  assert.ok(i >= 0, `no line starting with ${prefix}`);
  return i + 1;
}

function at(origin: Origin | undefined): string {
  return origin ? `${origin.kind} ${origin.file}:${origin.line}` : 'none';
}

async function render(app: string, name = 'web'): Promise<{ objects: RenderedObject[]; helm: LeafEngine }> {
  const fs = new MemoryFileSystem(
    {
      'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
      'charts/web/values.yaml': chartValues,
      'charts/web/prod.yaml': prodValues,
      'charts/web/templates/cm.yaml': '# template\n',
      'apps/web.yaml': app,
    },
    '/repo',
  );
  const helm = new LeafEngine();
  const engine = new DriftEngine({ fs, repoRoot: '/repo', helmEngine: () => helm });
  const env = await argoApplication(engine, name);
  const result = await engine.renderApplication(env, env.applications[0]);
  return { objects: result.objects, helm };
}

describe('Argo CD Helm values-line origins (fake engine)', () => {
  it("points each field at the line of the layer that won: parameter, valuesObject, value file, chart's values.yaml", async () => {
    const { objects, helm } = await render(withObject);
    const cm = objects.find((o) => o.key.kind === 'ConfigMap');
    assert.ok(cm);
    const origin = (key: string) => at(cm.origins.get(`/data/${key}`));
    assert.equal(origin('fromParam'), `helmValue apps/web.yaml:${lineOf(withObject, 'value: param-value')}`);
    assert.equal(origin('fromObject'), `helmValue apps/web.yaml:${lineOf(withObject, 'fromObject: object-value')}`);
    assert.equal(origin('fromFile'), `helmValue charts/web/prod.yaml:${lineOf(prodValues, 'fromFile:')}`);
    assert.equal(origin('fromChart'), `helmValue charts/web/values.yaml:${lineOf(chartValues, 'fromChart:')}`);
    assert.deepEqual(
      cm.origins.get('/data/fromParam')?.related?.map((r) => `${r.location.file}:${r.location.line} ${r.message}`),
      [
        'charts/web/templates/cm.yaml:1 through the template web/templates/cm.yaml',
        `apps/web.yaml:${lineOf(withObject, 'repoURL:')} rendered by this Argo CD Helm source`,
      ],
    );
    // Tracing changes no rendered value: the object is the real render's.
    assert.deepEqual(cm.object.data, {
      fromChart: 'chart-default',
      fromFile: 'file-value',
      fromObject: 'object-value',
      fromParam: 'param-value',
    });
    assert.equal(helm.requests.length, 2, 'one more render, with markers');
  });

  it('points a field set by a `values: |` text at its line inside the block', async () => {
    const { objects } = await render(withText);
    const cm = objects.find((o) => o.key.kind === 'ConfigMap')!;
    assert.equal(at(cm.origins.get('/data/fromObject')), `helmValue apps/web.yaml:${lineOf(withText, 'fromObject:')}`);
    assert.equal(at(cm.origins.get('/data/nested.key')), `helmValue apps/web.yaml:${lineOf(withText, 'key:')}`);
    assert.equal(
      at(cm.origins.get('/data/fromFile')),
      `helmValue charts/web/values.yaml:${lineOf(chartValues, 'fromFile:')}`,
    );
  });

  it('leaves the values of an Application an ApplicationSet generates untraced (they have no line of their own)', async () => {
    const appSet = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: ApplicationSet',
      'metadata: {name: web-set}',
      'spec:',
      '  generators:',
      '    - list:',
      '        elements:',
      '          - env: prod',
      '  template:',
      "    metadata: {name: 'web-{{env}}'}",
      '    spec:',
      '      project: default',
      '      destination: {server: https://kubernetes.default.svc, namespace: apps}',
      '      source:',
      '        repoURL: https://github.com/acme/config',
      '        path: charts/web',
      '        helm:',
      '          parameters:',
      '            - name: fromParam',
      '              value: param-value',
      '',
    ].join('\n');
    const { objects } = await render(appSet, 'web-prod');
    const cm = objects.find((o) => o.key.kind === 'ConfigMap')!;
    assert.equal((cm.object.data as Record<string, string>).fromParam, 'param-value');
    assert.equal(at(cm.origins.get('/data/fromParam')), 'none');
    // The chart folder's defaults are still this repo's lines.
    assert.equal(
      at(cm.origins.get('/data/fromChart')),
      `helmValue charts/web/values.yaml:${lineOf(chartValues, 'fromChart:')}`,
    );
  });
});

describe('Argo CD Helm values in the hover on a values key (fake engine)', () => {
  const files = {
    'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
    'charts/web/values.yaml': chartValues,
    'charts/web/prod.yaml': prodValues,
    'charts/web/templates/cm.yaml': '# template\n',
    'apps/web.yaml': withObject,
  };
  const tools = () => {
    const fs = new MemoryFileSystem(files, '/repo');
    const engine = new DriftEngine({ fs, repoRoot: '/repo', helmEngine: () => new LeafEngine() });
    return { t: new AuthoringTools(engine, fs, '/repo'), engine };
  };
  const said = (s: HelmValueSummary | undefined) =>
    s?.groups.map((g) => `${g.value} ${g.environments.join(',')} ${g.fields.join(',')}`);

  it("on a parameters entry, a valuesObject key and a value file's key: the fields each one sets", async () => {
    const { t, engine } = tools();
    // The hover names the environment holding the Application: its own name, or its destination's.
    const env = (await argoApplication(engine, 'web')).name;
    const line = (text: string, prefix: string) => lineOf(text, prefix);
    const param = await t.helmValueHover('apps/web.yaml', withObject, line(withObject, 'value: param-value'), 11);
    assert.deepEqual(said(param), [`param-value ${env} ConfigMap web-cm data.fromParam`]);
    const object = await t.helmValueHover('apps/web.yaml', withObject, line(withObject, 'fromObject:'), 9);
    assert.deepEqual(said(object), [`object-value ${env} ConfigMap web-cm data.fromObject`]);
    // A value file of any name (not values*.yaml).
    const file = await t.helmValueHover('charts/web/prod.yaml', prodValues, line(prodValues, 'fromFile:'), 1);
    assert.deepEqual(said(file), [`file-value ${env} ConfigMap web-cm data.fromFile`]);
    // A key whose value lost to a later layer sets nothing: the hover leaves it to the effective values.
    assert.equal(
      await t.helmValueHover('charts/web/prod.yaml', prodValues, line(prodValues, 'fromParam:'), 1),
      undefined,
    );
  });
});
