/**
 * Issue #16, question 3 against the real API server: a chart in the repo installed by the test bed's `helm` as
 * helm-controller would (git's values, release name and namespace), then git's values changed. The render of git's
 * chart by the real engine must match the release right after the install (no next-upgrade change), then name the
 * field git's change will upgrade, while drift (live against the release) stays zero; `diff` prints the change.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CliIO } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/main';
import { DriftEngine, type EnvironmentReport, type LiveSource } from '../../../src/core/engine';
import { keyLabel } from '../../../src/core/model/resource';
import type { WasmHelmEngine } from '../../../src/node/helmEngine';
import { createKubeClusterReader } from '../../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { testbedBin } from '../../testbed/bins';
import { startTestHelmEngine, testHelmEngineDir } from '../../testbed/helmEngine';
import { freshNamespace, testCluster } from '../support';

const CHART: Record<string, string> = {
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.2.0\n',
  'charts/web/values.yaml': 'replicas: 1\ngreeting: hello\n',
  'charts/web/templates/configmap.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  greeting: {{ .Values.greeting | quote }}\n',
  'charts/web/templates/service.yaml':
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  ports:\n    - port: 80\n',
};

const release = (ns: string, greeting: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
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
    greeting: ${greeting}
`;

describe('Helm next upgrade (git chart render against the deployed release), real API server', function () {
  this.timeout(180_000);
  let ns: string;
  let repo: string;
  let home: string;
  let helm: WasmHelmEngine;
  let engine: DriftEngine;
  let live: LiveSource;
  const previousEngineDir = process.env.GITOPS_DRIFT_HELM_ENGINE_DIR;

  const check = async (): Promise<EnvironmentReport> => {
    engine.forgetFiles();
    await engine.load();
    return engine.check(await engine.environment('dev'), live);
  };

  before(async () => {
    ns = await freshNamespace('helm-next');
    home = mkdtempSync(join(tmpdir(), 'gitops-drift-helm-next-'));
    repo = join(home, 'repo');
    const files = {
      ...CHART,
      '.gitops-drift.yaml': `environments:\n  - name: dev\n    path: envs/dev\n    namespace: ${ns}\n`,
      'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n',
      'envs/dev/release.yaml': release(ns, 'hello'),
    };
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(repo, p)), { recursive: true });
      writeFileSync(join(repo, p), text);
    }
    writeFileSync(join(home, 'values.yaml'), 'greeting: hello\n');
    const c = testCluster();
    // As helm-controller installs git's HelmRelease: its values, release name `web`, the HelmRelease's namespace.
    execFileSync(
      testbedBin('helm'),
      [
        'install',
        'web',
        join(repo, 'charts/web'),
        '-n',
        ns,
        '-f',
        join(home, 'values.yaml'),
        '--kubeconfig',
        c.kubeconfigPath,
        '--kube-context',
        c.adminContext,
      ],
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
    engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: repo, helmEngine: () => helm });
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

  it('renders git chart equal to the release right after the install', async () => {
    const report = await check();
    const app = report.applications.find((a) => a.kind === 'helm');
    assert.equal(app?.release?.render?.state, 'rendered', app?.release?.render?.message);
    assert.deepEqual(app?.release?.render?.nextUpgrade, []);
    assert.deepEqual(
      report.resources.filter((r) => r.application === `HelmRelease ${ns}/web`).map((r) => r.verdict),
      ['InSync', 'InSync'],
    );
  });

  it('names what the next upgrade changes after a values change in git; drift stays live against the release', async () => {
    writeFileSync(join(repo, 'envs/dev/release.yaml'), release(ns, 'bonjour'));
    const report = await check();
    const app = report.applications.find((a) => a.kind === 'helm');
    assert.deepEqual(
      app?.release?.render?.nextUpgrade?.map((c) => `${c.change} ${keyLabel(c.key)} ${c.paths?.join(',')}`),
      [`update ConfigMap ${ns}/web-settings /data/greeting`],
    );
    assert.deepEqual(
      report.resources.filter((r) => r.application === `HelmRelease ${ns}/web`).map((r) => r.verdict),
      ['InSync', 'InSync'],
    );
    let out = '';
    let err = '';
    const io: CliIO = {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      cwd: process.cwd(),
      color: false,
      env: { KUBECONFIG: testCluster().kubeconfigPath },
    };
    // The exit code is not asserted: the HelmRelease itself is not in this cluster. Whether its kind is served depends
    // on whether an earlier test installed Flux's CRDs in the shared test-bed cluster; when it is, diff prints git's
    // HelmRelease as missing, with git's own values (git's text, which is no secret).
    await runCli(['diff', repo, '--context', testCluster().adminContext], io);
    assert.match(
      out,
      new RegExp(
        `next upgrade .*\\n#   update ConfigMap ${ns}/web-settings \\(web/templates/configmap.yaml\\): /data/greeting`,
      ),
    );
    // The next-upgrade lines and the values warning name paths, never a value: neither git's nor the release's.
    const reportLines = out.split('\n').filter((l) => l.startsWith('#') || l.includes('warning:'));
    assert.ok(reportLines.length >= 2, out);
    assert.ok(
      !reportLines.some((l) => /bonjour|hello/.test(l)) && !/bonjour|hello/.test(err),
      `values are never printed: ${reportLines.join('\n')}${err}`,
    );
  });
});
