import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DriftEngine } from '../../src/core/engine';
import { SnapshotKey } from '../../src/core/drift/snapshotSecrets';
import type { KubeObject } from '../../src/core/model/resource';
import { RecordingReader, serializeSnapshot } from '../../src/core/repo/snapshot';
import type { WasmHelmEngine } from '../../src/node/helmEngine';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';
import { runCliIn, writeRepo } from '../support/cliRepo';
import { startTestHelmEngine, testHelmEngineDir } from '../testbed/helmEngine';
import { FakeReader, types } from '../unit/repo/fakes';

/**
 * The CLI on an Argo CD Application with a Helm source in the repo, with the real engine (found through
 * GITOPS_DRIFT_HELM_ENGINE_DIR, as a bundle finds dist/helm): `render --env` prints the chart's objects, and
 * `check --format json` lists the application as renderer `helm` and finds a hand change in a chart's object.
 */
const files: Record<string, string> = {
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
  'charts/web/values.yaml': 'replicas: 1\n',
  'charts/web/templates/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: {{ .Release.Name }}}',
    'spec:',
    '  replicas: {{ .Values.replicas }}',
    '  selector: {matchLabels: {app: web}}',
    '  template:',
    '    metadata: {labels: {app: web}}',
    '    spec: {containers: [{name: web, image: nginx}]}',
    '',
  ].join('\n'),
  'charts/web/templates/config.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-config}\ndata: {level: info}\n',
  'apps/web.yaml': [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata: {name: web}',
    'spec:',
    '  destination: {server: https://kubernetes.default.svc, namespace: shop}',
    '  source:',
    '    path: charts/web',
    '    helm:',
    '      parameters: [{name: replicas, value: "2"}]',
    '',
  ].join('\n'),
};

describe('CLI render and check on an Argo CD Helm application (real engine)', function () {
  this.timeout(240_000);
  let dir: string;
  let helm: WasmHelmEngine;
  const before_ = process.env.GITOPS_DRIFT_HELM_ENGINE_DIR;

  before(async () => {
    process.env.GITOPS_DRIFT_HELM_ENGINE_DIR = testHelmEngineDir();
    dir = writeRepo('gitops-drift-argo-helm-', files);
    helm = await startTestHelmEngine();
  });
  after(() => {
    helm?.dispose();
    if (before_ === undefined) delete process.env.GITOPS_DRIFT_HELM_ENGINE_DIR;
    else process.env.GITOPS_DRIFT_HELM_ENGINE_DIR = before_;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('render --env in-cluster (the destination environment of the Application) prints the chart as Argo CD renders it', async () => {
    const r = await runCliIn(dir, 'render', '--env', 'in-cluster', dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /kind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n/);
    assert.match(r.out, /name: web-config/);
  });

  it('check --format json: renderer helm, the hand-scaled Deployment drifted, the ConfigMap in sync', async () => {
    const live: KubeObject[] = [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'shop' },
        spec: {
          replicas: 7,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'web-config', namespace: 'shop' },
        data: { level: 'info' },
      },
    ];
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: dir, helmEngine: () => helm });
    const recorder = new RecordingReader(new FakeReader(live, types), new SnapshotKey(Buffer.alloc(32, 5)));
    await engine.check(await engine.environment('in-cluster'), { reader: recorder, context: 'fake' });
    const snapshot = join(dir, 'snap.yaml');
    writeFileSync(snapshot, serializeSnapshot(recorder.snapshot('2026-12-06T00:00:00Z')));

    const r = await runCliIn(dir, 'check', dir, '--env', 'in-cluster', '--live-from', snapshot, '--format', 'json');
    assert.equal(r.code, 1, r.err);
    const [web] = JSON.parse(r.out).environments;
    assert.deepEqual(
      web.applications.map((a: { name: string; kind: string; state: string }) => [a.name, a.kind, a.state]),
      [['web', 'helm', 'rendered']],
    );
    assert.deepEqual(
      web.resources
        .map((x: { kind: string; name: string; verdict: string }) => `${x.kind}/${x.name} ${x.verdict}`)
        .sort(),
      ['ConfigMap/web-config InSync', 'Deployment/web Drifted'],
    );
  });
});
