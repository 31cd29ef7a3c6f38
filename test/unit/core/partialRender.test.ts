/**
 * An environment of several applications (a Flux cluster's Kustomizations) shown as it renders: the editor draws the
 * applications done so far before the slowest is (Engine.renderedReport's `onProgress`, DriftStore.partialRenders).
 */
import assert from 'node:assert/strict';
import { jsonReport } from '../../../src/core/drift/jsonReport';
import { DriftEngine, type EnvironmentReport, type RenderProgress } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { folderApplication } from '../../../src/core/model/environment';
import type { RepoEnvironment } from '../../../src/core/repo/config';

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name} }\n`;

/** web, api (which renders web's ConfigMap too), infra (broken) and jobs, whose file is read only when `release`d. */
function gatedRepo() {
  const files = new MemoryFileSystem({
    '/r/clusters/prod/web/kustomization.yaml': 'resources: [web.yaml]\n',
    '/r/clusters/prod/web/web.yaml': cm('web'),
    '/r/clusters/prod/api/kustomization.yaml': 'resources: [api.yaml, shared.yaml]\n',
    '/r/clusters/prod/api/api.yaml': cm('api'),
    '/r/clusters/prod/api/shared.yaml': cm('web'),
    '/r/clusters/prod/infra/kustomization.yaml': 'resources: [missing.yaml]\n',
    '/r/clusters/prod/jobs/kustomization.yaml': 'resources: [jobs.yaml]\n',
    '/r/clusters/prod/jobs/jobs.yaml': cm('jobs'),
  });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const readFile = files.readFile.bind(files);
  files.readFile = async (path: string) => {
    if (path.endsWith('/jobs.yaml')) await gate;
    return readFile(path);
  };
  return { files, release };
}

const at = (line: number) => ({ file: 'clusters/prod/apps.yaml', line, column: 1 });
const prod: RepoEnvironment = {
  name: 'prod',
  path: 'clusters/prod',
  source: 'config',
  namespace: 'shop',
  applications: ['web', 'api', 'infra', 'jobs'].map((n, i) => folderApplication(n, `clusters/prod/${n}`, at(i + 1))),
};

const states = (r: EnvironmentReport) => r.applications.map((a) => `${a.name} ${a.state}`);
const objects = (r: EnvironmentReport) => r.resources.map((o) => `${o.application} ${o.key.name} ${o.verdict}`);

describe('engine: the report of an environment of several applications while they render', () => {
  it('offers the applications rendered so far, the others "rendering", and ends with the whole render', async () => {
    const { files, release } = gatedRepo();
    const engine = new DriftEngine({ fs: files, repoRoot: '/r' });
    const progress: (() => EnvironmentReport)[] = [];
    const steps: RenderProgress[] = [];
    const rendering = engine.renderedReport(prod, 'ctx', (step, partial) => {
      steps.push(step);
      progress.push(partial);
      // jobs is the last to end: the other three are done, it waits for its file.
      if (progress.length === 3) setImmediate(release);
    });
    const done = await rendering;
    assert.equal(progress.length, 3, 'one partial per application that ends before the last');
    // `leading`: the first applications, in order, all done (jobs, the fourth, is not).
    assert.deepEqual(steps.at(-1), { rendered: 3, leading: 3, total: 4 });

    const partial = progress[2]();
    assert.deepEqual(partial.rendering, { rendered: 3, total: 4 });
    assert.deepEqual(states(partial), ['web rendered', 'api rendered', 'infra failed', 'jobs rendering']);
    assert.equal(partial.applications[3].message, undefined);
    // The objects of those done, in the environment's order, not checked; none of jobs'.
    assert.deepEqual(objects(partial), ['web web NotChecked', 'api api NotChecked']);
    // No problems until every application is in (who renders web's ConfigMap first is not known yet).
    assert.deepEqual(partial.problems, []);
    assert.throws(() => jsonReport([partial]), /render in progress has no JSON form/);

    // Asked for later, an earlier partial still says what was done then.
    assert.equal(progress[0]().rendering?.rendered, 1);

    assert.equal(done.rendering, undefined);
    assert.deepEqual(states(done), ['web rendered', 'api rendered', 'infra failed', 'jobs rendered']);
    assert.deepEqual(objects(done), ['web web NotChecked', 'api api NotChecked', 'jobs jobs NotChecked']);
    assert.ok(done.problems.some((p) => /also rendered by application 'api'/.test(p.message)));
    assert.ok(done.problems.some((p) => /missing\.yaml/.test(p.message)));
  });

  it('starts no render while the promise onProgress returned is pending (the editor drawing the first screen)', async () => {
    const { files, release } = gatedRepo();
    release();
    const started: string[] = [];
    const readFile = files.readFile.bind(files);
    files.readFile = (path: string) => {
      if (path.endsWith('/kustomization.yaml')) started.push(path.split('/').at(-2)!);
      return readFile(path);
    };
    // One render at a time, so that what starts after the first ends is known.
    const engine = new DriftEngine({ fs: files, repoRoot: '/r', renderSlots: 1 });
    let drawn!: () => void;
    const drawing = new Promise<void>((resolve) => (drawn = resolve));
    const startedWhileHeld: string[][] = [];
    const report = engine.renderedReport(prod, 'ctx', (step) => {
      if (step.rendered !== 1) return;
      // Held: give the other renders every chance to start, and note what did.
      setTimeout(() => {
        startedWhileHeld.push([...started]);
        drawn();
      }, 20);
      return drawing;
    });
    assert.deepEqual(objects(await report), ['web web NotChecked', 'api api NotChecked', 'jobs jobs NotChecked']);
    assert.deepEqual(startedWhileHeld, [['web']]);
    assert.deepEqual(started, ['web', 'api', 'infra', 'jobs']);
  });

  it('offers nothing for an environment of one application', async () => {
    const { files, release } = gatedRepo();
    release();
    const engine = new DriftEngine({ fs: files, repoRoot: '/r' });
    let calls = 0;
    const report = await engine.renderedReport({ ...prod, applications: [prod.applications[0]] }, 'ctx', () => {
      calls++;
    });
    assert.equal(calls, 0);
    assert.deepEqual(objects(report), ['web web NotChecked']);
  });
});
