/**
 * Values-line origins against the real API server (issue #16): a chart of the repo installed by the test bed's
 * `helm` as helm-controller would install git's HelmRelease, then a Helm-made Deployment edited by hand. The drift on
 * a field git's values set must point at that values line: `replicaCount:` in the HelmRelease, the image at the
 * chart's values.yaml; a field no value set keeps the HelmRelease.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CliIO } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/main';
import { DriftEngine, type LiveSource } from '../../../src/core/engine';
import type { WasmHelmEngine } from '../../../src/node/helmEngine';
import { createKubeClusterReader } from '../../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { testbedBin } from '../../testbed/bins';
import { startTestHelmEngine, testHelmEngineDir } from '../../testbed/helmEngine';
import { freshNamespace, testCluster } from '../support';

const CHART_VALUES = 'replicaCount: 1\nimage:\n  repository: nginx\n  tag: "1.27"\n';
const CHART: Record<string, string> = {
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
  'charts/web/values.yaml': CHART_VALUES,
  'charts/web/templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
`,
};

const release = (ns: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web
  namespace: ${ns}
spec:
  interval: 10m
  chart:
    spec:
      chart: ./charts/web
      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
  values:
    replicaCount: 2
`;

const lineOf = (text: string, prefix: string) =>
  text.split('\n').findIndex((l) => l.trimStart().startsWith(prefix)) + 1;

describe('Helm values-line origins, real API server and helm', function () {
  this.timeout(180_000);
  let ns: string;
  let repo: string;
  let home: string;
  let helm: WasmHelmEngine;
  let live: LiveSource;
  const previousEngineDir = process.env.GITOPS_DRIFT_HELM_ENGINE_DIR;
  const kubectl = (...args: string[]) =>
    execFileSync(
      testbedBin('kubectl'),
      ['--kubeconfig', testCluster().kubeconfigPath, '--context', testCluster().adminContext, ...args],
      { stdio: 'pipe', encoding: 'utf8' },
    );

  before(async () => {
    ns = await freshNamespace('helm-values-line');
    home = mkdtempSync(join(tmpdir(), 'gitops-drift-helm-values-line-'));
    repo = join(home, 'repo');
    const files = {
      ...CHART,
      '.gitops-drift.yaml': `environments:\n  - name: dev\n    path: envs/dev\n    namespace: ${ns}\n`,
      'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n',
      'envs/dev/release.yaml': release(ns),
    };
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(repo, p)), { recursive: true });
      writeFileSync(join(repo, p), text);
    }
    writeFileSync(join(home, 'values.yaml'), 'replicaCount: 2\n');
    const c = testCluster();
    // As helm-controller installs git's HelmRelease: its values, release name `web`, the HelmRelease's namespace.
    execFileSync(
      testbedBin('helm'),
      ['install', 'web', join(repo, 'charts/web'), '-n', ns, '-f', join(home, 'values.yaml')].concat([
        '--kubeconfig',
        c.kubeconfigPath,
        '--kube-context',
        c.adminContext,
      ]),
      {
        stdio: 'pipe',
        env: {
          ...process.env,
          HELM_CONFIG_HOME: join(home, 'config'),
          HELM_CACHE_HOME: join(home, 'cache'),
          HELM_DATA_HOME: join(home, 'data'),
        },
      },
    );
    helm = await startTestHelmEngine();
    process.env.GITOPS_DRIFT_HELM_ENGINE_DIR = testHelmEngineDir();
    live = {
      reader: await createKubeClusterReader({ kubeconfigPath: c.kubeconfigPath, context: c.adminContext }),
      context: c.adminContext,
      namespace: ns,
    };
  });
  after(() => {
    helm?.dispose();
    if (previousEngineDir === undefined) delete process.env.GITOPS_DRIFT_HELM_ENGINE_DIR;
    else process.env.GITOPS_DRIFT_HELM_ENGINE_DIR = previousEngineDir;
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('puts the drift of a hand-scaled Deployment on the replicaCount: line, a hand-set image on values.yaml', async () => {
    kubectl('-n', ns, 'scale', 'deployment/web', '--replicas=5');
    kubectl('-n', ns, 'set', 'image', 'deployment/web', 'web=nginx:1.28');
    kubectl('-n', ns, 'label', 'deployment/web', 'team=ops');
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: repo, helmEngine: () => helm });
    const report = await engine.check(await engine.environment('dev'), live);
    const fields = report.resources
      .filter((r) => r.application === `HelmRelease ${ns}/web`)
      .flatMap((r) => r.fields.map((f) => `${f.path} ${f.origin?.kind} ${f.origin?.file}:${f.origin?.line}`))
      .sort();
    assert.deepEqual(fields, [
      // No value sets the label: the HelmRelease that released the Deployment.
      '/metadata/labels/team resource envs/dev/release.yaml:1',
      `/spec/replicas helmValue envs/dev/release.yaml:${lineOf(release(ns), 'replicaCount:')}`,
      // The image is `repository:tag`, both the chart's defaults: the later of the two.
      `/spec/template/spec/containers/0/image helmValue charts/web/values.yaml:${lineOf(CHART_VALUES, 'tag:')}`,
    ]);
    // The CLI's row (what the editor's diagnostic is made from) names the same line.
    let out = '';
    const io: CliIO = {
      stdout: (t) => (out += t),
      stderr: () => undefined,
      cwd: process.cwd(),
      color: false,
      env: { KUBECONFIG: testCluster().kubeconfigPath },
    };
    await runCli(['check', repo, '--context', testCluster().adminContext], io);
    assert.match(
      out,
      new RegExp(
        `Deployment ${ns}/web +replicas: git 2, live 5 .*envs/dev/release\\.yaml:${lineOf(release(ns), 'replicaCount:')}`,
      ),
    );
  });
});
