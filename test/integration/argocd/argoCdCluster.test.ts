/**
 * Argo CD in one cluster, its Application's objects in another, on two real API servers: the run's own server is the
 * cluster that runs Argo CD (Argo CD's CRDs, the Application and the status its controller writes), a second server
 * of the test bed is the destination (the deployed objects; no Argo CD CRDs at all). `check` (CLI and the editor's
 * session) reads the objects from the destination's context, found by the Application's `destination.server`, and
 * the Application's status from the Argo CD cluster's; the session's status-only read touches no object.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CliIO } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/main';
import { DriftSession } from '../../../src/vscode/driftSession';
import { multiClusterKubeconfig, type PeerCluster } from '../../testbed/cluster';
import { testbedArgoCdCrds, testbedBin } from '../../testbed/bins';
import { freshNamespace, testCluster } from '../support';
import { sessionSettings } from '../../support/sessionSettings';

const ARGO_API = '/apis/argoproj.io/v1alpha1';

interface JsonReport {
  environments: {
    name: string;
    context: string;
    error: string | null;
    resources: { kind: string; name: string; verdict: string; fields: { path: string; live: unknown }[] }[];
    applications: { name: string; controller?: { found: boolean; argo?: { sync: string; context?: string } } }[];
  }[];
}

describe('Argo CD in one cluster, its Application deployed to another (two real API servers)', function () {
  this.timeout(180_000);
  let dest: PeerCluster;
  let ns: string;
  let repo: string;
  let kubeconfig: string;

  before(async function () {
    this.timeout(180_000);
    const c = testCluster();
    execFileSync(
      testbedBin('kubectl'),
      [
        '--kubeconfig',
        c.kubeconfigPath,
        '--context',
        c.adminContext,
        'apply',
        '--server-side',
        '--field-manager=argocd-install',
        '-f',
        testbedArgoCdCrds(),
      ],
      { stdio: 'pipe' },
    );
    execFileSync(
      testbedBin('kubectl'),
      [
        '--kubeconfig',
        c.kubeconfigPath,
        '--context',
        c.adminContext,
        'wait',
        '--for=condition=Established',
        '--timeout=60s',
        'crd/applications.argoproj.io',
      ],
      { stdio: 'pipe' },
    );
    dest = await testCluster().addCluster('argo-destination');
    // The Application's namespace on the Argo CD cluster (apps in any namespace), and the same name on the
    // destination for its objects.
    ns = await freshNamespace('argo-hub');
    const created = await dest.adminRequest('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // Deployed on the destination by Argo CD, then changed by hand: level debug where git says info.
    const cm = await dest.adminRequest('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', labels: { 'app.kubernetes.io/instance': 'shop' } },
      data: { level: 'debug' },
    });
    assert.equal(cm.status, 201, JSON.stringify(cm.body));

    repo = mkdtempSync(join(tmpdir(), 'gitops-drift-argo-hub-'));
    const files: Record<string, string> = {
      'argo/shop.yaml': `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop
  namespace: ${ns}
spec:
  project: default
  source:
    repoURL: https://example.com/acme/config.git
    path: apps/shop
    targetRevision: main
  destination:
    server: ${dest.server}/
    namespace: ${ns}
`,
      'apps/shop/settings.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n',
    };
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(repo, p)), { recursive: true });
      writeFileSync(join(repo, p), text);
    }
    // The current context is the Argo CD cluster (`hub`); the destination's context is found by its server URL.
    kubeconfig = multiClusterKubeconfig(join(repo, '..', `${repo.split('/').pop()}.kubeconfig`), c, [
      { context: 'hub', server: c.server },
      { context: 'destination', server: dest.server },
    ]);

    // The Application on the Argo CD cluster, with the status its controller writes (a merge patch of the object).
    const app = await c.adminRequest('POST', `${ARGO_API}/namespaces/${ns}/applications`, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'shop', namespace: ns },
      spec: {
        project: 'default',
        source: { repoURL: 'https://example.com/acme/config.git', path: 'apps/shop', targetRevision: 'main' },
        destination: { server: dest.server, namespace: ns },
      },
    });
    assert.equal(app.status, 201, JSON.stringify(app.body));
    const patched = await c.adminRequest(
      'PATCH',
      `${ARGO_API}/namespaces/${ns}/applications/shop?fieldManager=argocd-application-controller`,
      {
        status: {
          sync: {
            status: 'OutOfSync',
            comparedTo: {
              source: { repoURL: 'https://example.com/acme/config.git', path: 'apps/shop' },
              destination: { server: dest.server, namespace: ns },
            },
          },
          health: { status: 'Healthy' },
          resources: [{ version: 'v1', kind: 'ConfigMap', namespace: ns, name: 'settings', status: 'OutOfSync' }],
        },
      },
      'application/merge-patch+json',
    );
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
  });
  after(() => {
    if (repo) rmSync(repo, { recursive: true, force: true });
    if (kubeconfig) rmSync(kubeconfig, { force: true });
  });

  it('check: objects from the destination’s context, the Application’s status from the Argo CD cluster', async () => {
    let out = '';
    let err = '';
    const io: CliIO = {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      cwd: process.cwd(),
      color: false,
      env: { KUBECONFIG: kubeconfig },
    };
    const code = await runCli(['check', repo, '--format', 'json'], io);
    assert.equal(code, 1, err + out);
    const env = (JSON.parse(out) as JsonReport).environments.find((e) => e.applications.some((a) => a.name === 'shop'));
    assert.ok(env, out);
    assert.equal(env.context, 'destination');
    assert.equal(env.error, null);
    const settings = env.resources.find((r) => r.kind === 'ConfigMap' && r.name === 'settings');
    assert.equal(settings?.verdict, 'Drifted', out);
    // The destination's own value: the objects were read there, not in the Argo CD cluster.
    assert.equal(settings?.fields.find((f) => f.path === '/data/level')?.live, 'debug');
    const controller = env.applications[0].controller;
    assert.equal(controller?.found, true, out);
    assert.equal(controller?.argo?.sync, 'OutOfSync');
    assert.equal(controller?.argo?.context, '(current context)');

    // The text report says where the status was read.
    out = '';
    await runCli(['check', repo], io);
    assert.match(out, /read in context \(current context\), where Argo CD runs/);
  });

  it('argocd.inClusterContext names the Argo CD cluster; without it the current context is used', async () => {
    writeFileSync(join(repo, '.gitops-drift.yaml'), 'argocd:\n  inClusterContext: destination\n');
    try {
      let out = '';
      const io: CliIO = {
        stdout: (t) => (out += t),
        stderr: () => undefined,
        cwd: process.cwd(),
        color: false,
        env: { KUBECONFIG: kubeconfig },
      };
      await runCli(['check', repo, '--format', 'json'], io);
      const env = (JSON.parse(out) as JsonReport).environments.find((e) =>
        e.applications.some((a) => a.name === 'shop'),
      );
      // The destination runs no Argo CD (no CRDs): its status reads "not in the cluster", the objects are compared.
      assert.equal(env?.resources[0]?.verdict, 'Drifted', out);
      assert.equal(env?.applications[0].controller?.found, false, out);
    } finally {
      rmSync(join(repo, '.gitops-drift.yaml'));
    }
  });

  it('the editor’s session: destinations resolved at load, status only (no object read), then the whole check', async () => {
    const settings = sessionSettings(kubeconfig);
    const logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
    const session = new DriftSession({ repoRoot: repo, settings, logger, context: undefined, env: {}, trusted: true });
    try {
      const model = await session.load();
      const env = model.environments.find((e) => e.applications.some((a) => a.name === 'shop'));
      assert.equal(env?.context, 'destination');
      const status = await session.controllerStatus(env!);
      assert.equal(status.statusOnly, true);
      assert.equal(status.resources[0]?.verdict, 'NotChecked');
      assert.equal(status.applications[0].controller?.argo?.sync, 'OutOfSync');
      const report = await session.check(env!);
      assert.equal(report.context, 'destination');
      assert.equal(report.resources[0]?.verdict, 'Drifted');
      assert.equal(report.applications[0].controller?.argo?.context, '(current context)');
    } finally {
      session.dispose();
    }
  });
});
