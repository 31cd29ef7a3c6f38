/**
 * Helm's Capabilities from the live cluster (issue #16): a chart whose templates read `.Capabilities.KubeVersion`
 * and `.Capabilities.APIVersions.Has` is installed by the test bed's real `helm` (which asks the API server's
 * discovery, as helm-controller does), then rendered by the product. Checked against the cluster, our render uses the
 * cluster's version and APIs and so equals the release (no next-upgrade change); rendered without a cluster, with
 * Helm's defaults, the same chart renders differently.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DriftEngine, type LiveSource } from '../../../src/core/engine';
import type { WasmHelmEngine } from '../../../src/node/helmEngine';
import { createKubeClusterReader } from '../../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { testbedBin } from '../../testbed/bins';
import { startTestHelmEngine } from '../../testbed/helmEngine';
import { freshNamespace, testCluster } from '../support';

const CHART: Record<string, string> = {
  'charts/caps/Chart.yaml': 'apiVersion: v2\nname: caps\nversion: 0.1.0\n',
  'charts/caps/templates/configmap.yaml': [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: {{ .Release.Name }}-capabilities',
    'data:',
    '  kube: {{ .Capabilities.KubeVersion.Version | quote }}',
    // Served by every API server (the aggregator's), yet not in Helm's default list (client-go's scheme lacks it).
    '  apiServices: {{ .Capabilities.APIVersions.Has "apiregistration.k8s.io/v1/APIService" | quote }}',
    '  deployments: {{ .Capabilities.APIVersions.Has "apps/v1/Deployment" | quote }}',
    '  appsV1: {{ .Capabilities.APIVersions.Has "apps/v1" | quote }}',
    '',
  ].join('\n'),
};

describe("Helm's Capabilities from the live cluster, real API server", function () {
  this.timeout(180_000);
  let ns: string;
  let home: string;
  let helm: WasmHelmEngine;
  let engine: DriftEngine;
  let live: LiveSource;

  before(async () => {
    ns = await freshNamespace('helm-caps');
    home = mkdtempSync(join(tmpdir(), 'gitops-drift-helm-caps-'));
    const repo = join(home, 'repo');
    const files = {
      ...CHART,
      '.gitops-drift.yaml': `environments:\n  - name: dev\n    path: envs/dev\n    namespace: ${ns}\n`,
      'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n',
      'envs/dev/release.yaml': [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata:',
        '  name: caps',
        `  namespace: ${ns}`,
        'spec:',
        '  interval: 10m',
        '  chart:',
        '    spec:',
        '      chart: ./charts/caps',
        '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
        '',
      ].join('\n'),
    };
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(repo, p)), { recursive: true });
      writeFileSync(join(repo, p), text);
    }
    const c = testCluster();
    execFileSync(
      testbedBin('helm'),
      [
        'install',
        'caps',
        join(repo, 'charts/caps'),
        '-n',
        ns,
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
    engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: repo, helmEngine: () => helm });
    live = {
      reader: await createKubeClusterReader({ kubeconfigPath: c.kubeconfigPath, context: c.adminContext }),
      context: c.adminContext,
      namespace: ns,
    };
  });
  after(() => {
    helm?.dispose();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('renders with the cluster version and APIs when checking: equal to what helm install applied', async () => {
    const report = await engine.check(await engine.environment('dev'), live);
    const app = report.applications.find((a) => a.kind === 'helm');
    assert.equal(app?.release?.render?.state, 'rendered', app?.release?.render?.message);
    assert.deepEqual(app?.release?.render?.nextUpgrade, []);
  });

  it("renders differently with Helm's defaults, without a cluster", async () => {
    const result = await engine.renderHelmRelease(await engine.environment('dev'), 'caps');
    const data = result?.objects.find((o) => o.key.kind === 'ConfigMap')?.object.data as Record<string, string>;
    const capabilities = await live.reader.capabilities!();
    assert.ok(capabilities);
    assert.match(capabilities.kubeVersion, /^v1\.35\./);
    assert.ok(capabilities.apiVersions.includes('apps/v1/Deployment'));
    assert.ok(capabilities.apiVersions.includes('apiregistration.k8s.io/v1/APIService'));
    // Helm's defaults: its own Kubernetes version and client-go's group versions (without kinds, and without the
    // aggregator's), where the cluster's discovery lists both.
    assert.notEqual(data.kube, capabilities.kubeVersion);
    assert.equal(data.apiServices, 'false');
    assert.equal(data.deployments, 'false');
    assert.equal(data.appsV1, 'true');
  });
});
