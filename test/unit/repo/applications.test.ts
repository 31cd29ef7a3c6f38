import assert from 'node:assert/strict';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { jsonReport } from '../../../src/core/drift/jsonReport';
import { textReport } from '../../../src/core/drift/textReport';
import type { Application } from '../../../src/core/model/environment';
import type { KubeObject } from '../../../src/core/model/resource';
import { folderApplication } from '../../../src/core/model/environment';
import type { RepoEnvironment } from '../../../src/core/repo/config';
import { FakeReader, fakePipeline, types } from './fakes';

const cm = (name: string, data: Record<string, string>, namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data,
});
const file = (name: string, level: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name} }\ndata: { level: ${level} }\n`;

/** A cluster folder with three applications: web and api (own files), and infra (a broken kustomization). */
function repo(): MemoryFileSystem {
  return new MemoryFileSystem({
    '/r/clusters/prod/web/kustomization.yaml': 'resources: [web.yaml]\n',
    '/r/clusters/prod/web/web.yaml': file('web', 'info'),
    '/r/clusters/prod/api/kustomization.yaml': 'resources: [api.yaml, shared.yaml]\n',
    '/r/clusters/prod/api/api.yaml': file('api', 'debug'),
    '/r/clusters/prod/api/shared.yaml': file('web', 'other'),
    '/r/clusters/prod/infra/kustomization.yaml': 'resources: [missing.yaml]\n',
    '/r/clusters/prod/jobs/kustomization.yaml': 'resources: [jobs.yaml]\n',
    '/r/clusters/prod/jobs/jobs.yaml': file('jobs', 'info'),
  });
}

const at = (line: number) => ({ file: 'clusters/prod/apps.yaml', line, column: 1 });
const app = (name: string, line: number, extra: Partial<Application> = {}): Application => ({
  ...folderApplication(name, `clusters/prod/${name}`, at(line)),
  ...extra,
});

function prod(applications: Application[]): RepoEnvironment {
  return { name: 'prod', path: 'clusters/prod', source: 'config', namespace: 'shop', applications };
}

describe('environments of several applications', () => {
  it('checks the union of its applications, each verdict naming its application', async () => {
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r', pipeline: fakePipeline() });
    const reader = new FakeReader(
      [cm('web', { level: 'info' }, 'shop'), cm('jobs', { level: 'changed' }, 'batch')],
      types,
    );
    const report = await engine.check(prod([app('web', 1), app('jobs', 9, { namespace: 'batch' })]), {
      reader,
      context: 'kind-test',
    });
    assert.equal(report.error, null);
    assert.deepEqual(
      report.resources.map((r) => `${r.application} ${r.key.namespace}/${r.key.name} ${r.verdict}`),
      // jobs names no namespace: it lands in its application's, not the environment's.
      ['web shop/web InSync', 'jobs batch/jobs Drifted'],
    );
    assert.deepEqual(
      report.applications.map((a) => `${a.name} ${a.kind} ${a.source} ${a.state} ${a.declaredAt?.line}`),
      ['web kustomize clusters/prod/web rendered 1', 'jobs kustomize clusters/prod/jobs rendered 9'],
    );
    const json = jsonReport([report]).environments[0];
    assert.deepEqual(json.applications[1], {
      name: 'jobs',
      kind: 'kustomize',
      source: 'clusters/prod/jobs',
      declaredAt: at(9),
      state: 'rendered',
      message: null,
    });
    assert.deepEqual(
      json.resources.map((r) => r.application),
      ['web', 'jobs'],
    );
  });

  it('flags an object two applications render, on both declarations, and compares it once', async () => {
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r', pipeline: fakePipeline() });
    const reader = new FakeReader([cm('web', { level: 'info' }, 'shop'), cm('api', { level: 'debug' }, 'shop')], types);
    const report = await engine.check(prod([app('web', 1), app('api', 5)]), { reader, context: 'kind-test' });
    assert.deepEqual(
      report.resources.map((r) => `${r.application} ${r.key.name} ${r.verdict}`),
      ['web web InSync', 'api api InSync'],
    );
    const twice = report.problems.filter((p) => p.severity === 'error');
    assert.deepEqual(
      twice.map((p) => p.location?.line),
      [1, 5],
    );
    assert.match(
      twice[0].message,
      /^ConfigMap web is also rendered by application 'api' \(clusters\/prod\/apps\.yaml:5:1\)/,
    );
    assert.match(
      twice[1].message,
      /^ConfigMap web is also rendered by application 'web' \(clusters\/prod\/apps\.yaml:1:1\).*the one from 'web' is compared/,
    );
  });

  it('a failed application hides none of the others, and leaves the environment incomplete', async () => {
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r', pipeline: fakePipeline() });
    const reader = new FakeReader([cm('web', { level: 'info' }, 'shop')], types);
    const report = await engine.check(prod([app('infra', 3), app('web', 1)]), { reader, context: 'kind-test' });
    assert.equal(report.error, null);
    assert.deepEqual(
      report.resources.map((r) => `${r.application} ${r.key.name} ${r.verdict}`),
      ['web web InSync'],
    );
    assert.equal(report.applications[0].state, 'failed');
    assert.match(report.applications[0].message ?? '', /render failed: .*missing\.yaml/);
    assert.equal(report.skipped?.length, 1);
    assert.match(report.skipped![0].message, /^application 'infra' is not compared: its render failed/);
    assert.deepEqual(report.skipped![0].location, at(3));
  });

  it('an application whose source is outside the repo is listed as such, nothing of it is compared, and the rest is complete', async () => {
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r', pipeline: fakePipeline() });
    const reader = new FakeReader([cm('web', { level: 'info' }, 'shop')], types);
    const podinfo: Application = {
      name: 'podinfo',
      source: { type: 'outside', description: 'OCIRepository flux-system/podinfo' },
      renderer: 'kustomize',
      declaredAt: at(12),
    };
    const report = await engine.check(prod([app('web', 1), podinfo]), { reader, context: 'kind-test' });
    assert.deepEqual(
      report.resources.map((r) => r.key.name),
      ['web'],
    );
    assert.deepEqual(report.applications[1], {
      name: 'podinfo',
      kind: 'kustomize',
      source: 'OCIRepository flux-system/podinfo',
      declaredAt: at(12),
      state: 'outside',
      message: 'source outside this repo: OCIRepository flux-system/podinfo',
    });
    assert.equal(report.skipped, undefined);
    assert.match(textReport([report]), /^prod: 1 in sync; 1 application from outside this repo not compared$/m);
    await assert.rejects(engine.renderApplication(prod([podinfo]), podinfo), /outside this repo/);
  });

  it('keeps one failure of a single-application environment as the environment error, as before', async () => {
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r', pipeline: fakePipeline() });
    const report = await engine.check(prod([app('infra', 3)]), {
      reader: new FakeReader([], types),
      context: 'kind-test',
    });
    assert.match(report.error ?? '', /^render failed: .*missing\.yaml/);
    assert.equal(report.applications[0].state, 'failed');
  });

  it('re-renders only the application whose file changed', async () => {
    const fs = repo();
    const calls = { render: 0 };
    const engine = new DriftEngine({ fs, repoRoot: '/r', pipeline: fakePipeline(calls) });
    const env = prod([app('web', 1), app('jobs', 9)]);
    await engine.render(env);
    assert.equal(calls.render, 2);
    fs.write('/r/clusters/prod/jobs/jobs.yaml', file('jobs', 'trace'));
    await engine.fileChanged('clusters/prod/jobs/jobs.yaml');
    const again = await engine.render(env);
    assert.equal(calls.render, 3);
    assert.deepEqual(
      again.objects.map((o) => o.object.data),
      [{ level: 'info' }, { level: 'trace' }],
    );
    assert.equal(again.applicationOf.get(again.objects[1])?.name, 'jobs');
  });
});
