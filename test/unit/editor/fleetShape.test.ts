/**
 * A destination opened one Application at a time (core/editor/fleetShape.ts): which applications open together, and
 * how a check of some opened Applications joins the others' last check. The request counts are in
 * test/unit/repo/argoFleet.test.ts.
 */
import assert from 'node:assert/strict';
import { joinApplicationChecks, openedTogether, unopenedResources } from '../../../src/core/editor/fleetShape';
import type { EnvironmentReport } from '../../../src/core/engine';
import type { ApplicationSummary, ResourceDrift, Verdict } from '../../../src/core/model/drift';
import { folderApplication } from '../../../src/core/model/environment';
import type { RepoEnvironment } from '../../../src/core/repo/config';

const object = (name: string, verdict: Verdict, application?: string): ResourceDrift => ({
  apiVersion: 'v1',
  key: { group: '', kind: 'ConfigMap', namespace: 'shop', name },
  verdict,
  fields: [],
  ...(application !== undefined ? { application } : {}),
});

const summary = (name: string, statusOnly = false): ApplicationSummary => ({
  name,
  kind: 'argo-directory',
  source: name,
  state: 'rendered',
  ...(statusOnly ? { statusOnly: true as const } : {}),
});

const report = (resources: ResourceDrift[], applications: ApplicationSummary[]): EnvironmentReport => ({
  name: 'prod',
  path: 'apps',
  context: 'prod',
  error: null,
  resources,
  problems: [],
  timings: { render: 0, live: 0, reconcile: 0 },
  applications,
});

const verdicts = (r: EnvironmentReport) => r.resources.map((x) => `${x.key.name} ${x.verdict}`).sort();

describe('fleet shape: a destination opened one Application at a time', () => {
  // a was opened and checked first (drifted, with an Extra it does not claim); b is opened now; c never.
  const previous = report(
    [
      object('a', 'Drifted', 'a'),
      object('old', 'Extra'),
      object('b', 'NotChecked', 'b'),
      object('c', 'NotChecked', 'c'),
    ],
    [summary('a'), summary('b', true), summary('c', true)],
  );
  const next = report(
    [object('b', 'InSync', 'b'), object('a', 'NotChecked', 'a'), object('c', 'NotChecked', 'c')],
    [summary('a', true), summary('b'), summary('c', true)],
  );

  it('keeps the last check of the opened Applications not read again, and its objects of no application', () => {
    const joined = joinApplicationChecks(previous, next, ['a']);
    assert.deepEqual(verdicts(joined), ['a Drifted', 'b InSync', 'c NotChecked', 'old Extra']);
    // An Extra follows the latest read of the application whose marks found it: kept while a is kept, gone once b's
    // read (the one that found it) is made again without it.
    const found = (by: string) =>
      report([...previous.resources, { ...object('gone', 'Extra'), foundBy: by }], previous.applications);
    assert.ok(verdicts(joinApplicationChecks(found('a'), next, ['a'])).includes('gone Extra'));
    assert.ok(!verdicts(joinApplicationChecks(found('b'), next, ['a'])).includes('gone Extra'));
    assert.deepEqual(
      joined.applications.filter((a) => a.statusOnly).map((a) => a.name),
      ['c'],
    );
  });

  it('keeps nothing of an Application the last report did not read, nor when this check failed', () => {
    // a was only ever read as its status (a check cancelled before it ended): still not checked.
    const statusOnly = report(previous.resources, [summary('a', true), summary('b', true), summary('c', true)]);
    assert.deepEqual(verdicts(joinApplicationChecks(statusOnly, next, ['a'])), verdicts(next));
    const failed = { ...next, error: 'connect ECONNREFUSED 127.0.0.1:6443', noCluster: true };
    assert.equal(joinApplicationChecks(previous, failed, ['a']), failed);
    assert.equal(joinApplicationChecks(undefined, next, ['a']), next);
  });

  it('names the objects of the Applications read as their status only, and none when every one was read', () => {
    const checked = report(
      [object('a', 'InSync', 'shop-a'), object('b', 'NotChecked', 'shop-b'), object('extra', 'Extra')],
      [summary('shop-a'), summary('shop-b', true)],
    );
    assert.deepEqual(
      unopenedResources(checked).map((r) => r.key.name),
      ['b'],
    );
    assert.deepEqual(unopenedResources(report(checked.resources, [summary('shop-a'), summary('shop-b')])), []);
  });

  it("opens a multi-source Application's sources together, any other application alone", () => {
    const source = (name: string, application: string) => ({
      ...folderApplication(name, `apps/${name}`),
      argo: { application: { name: application, namespace: 'argocd' }, at: { file: 'apps.yaml', line: 1 } },
    });
    const env = {
      name: 'prod',
      path: 'apps',
      source: 'argocd',
      applications: [source('web/chart', 'web'), source('web/values', 'web'), source('api', 'api')],
    } as unknown as RepoEnvironment;
    assert.deepEqual(openedTogether(env, 'web/values'), ['web/chart', 'web/values']);
    assert.deepEqual(openedTogether(env, 'api'), ['api']);
    assert.deepEqual(openedTogether(env, 'not-there'), ['not-there']);
  });
});
