/**
 * An Argo CD Application's status against the real API server with Argo CD's CRDs (from the pinned argo-cd module):
 * the Application is created from git's manifest and its status written as Argo CD's application controller writes
 * it (a merge patch of the Application itself: Argo CD's CRD has no status subresource), the objects applied with
 * the controller's field manager and tracking label; then `check` (engine and CLI, text and JSON) shows Argo CD's
 * verdicts beside ours and names where they disagree.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CliIO } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/main';
import { DriftEngine, type EnvironmentReport, type LiveSource } from '../../../src/core/engine';
import { LiveCache } from '../../../src/core/live/liveCache';
import { keyLabel, type KubeObject } from '../../../src/core/model/resource';
import { controllerStates } from '../../../src/core/model/verdictState';
import { createKubeApplier, type KubeApplier } from '../../../src/node/kubeApplier';
import { createKubeClusterReader } from '../../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { SimpleGitAdapter } from '../../../src/node/simpleGit';
import { testbedArgoCdCrds, testbedBin } from '../../testbed/bins';
import { freshNamespace, testCluster } from '../support';
import { argoApplication } from '../../support/argoApplication';

const ARGO_API = '/apis/argoproj.io/v1alpha1';

function git(root: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
    { cwd: root, encoding: 'utf8' },
  ).trim();
}

function applicationManifest(ns: string): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    // The test's namespace stands in for Argo CD's own (`argocd`): Applications in any namespace are read alike.
    metadata: { name: 'shop', namespace: ns },
    spec: {
      project: 'default',
      source: { repoURL: 'https://example.com/acme/config.git', path: 'apps/shop', targetRevision: 'main' },
      destination: { server: 'https://kubernetes.default.svc', namespace: ns },
      syncPolicy: { automated: { prune: false, selfHeal: true } },
    },
  };
}

/** What the controller compared with (its CRD requires the source's repoURL and the destination). */
function comparedTo(ns: string): Record<string, unknown> {
  const spec = applicationManifest(ns).spec as Record<string, unknown>;
  return { source: spec.source, destination: spec.destination };
}

/** A repo with one Argo CD Application (`shop`, in namespace `ns`) over `apps/shop`. */
function writeArgoRepo(ns: string): string {
  const root = mkdtempSync(join(tmpdir(), 'gitops-drift-argo-'));
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
    server: https://kubernetes.default.svc
    namespace: ${ns}
  syncPolicy:
    automated:
      prune: false
      selfHeal: true
`,
    'apps/shop/web.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.0
`,
    'apps/shop/settings.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n',
  };
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'shop');
  return root;
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    cwd: process.cwd(),
    color: false,
    env: { KUBECONFIG: testCluster().kubeconfigPath },
  };
  return { code: await runCli(argv, io), out, err };
}

const resource = (ns: string, group: string, kind: string, name: string, status: string, extra = {}) => ({
  group,
  version: 'v1',
  kind,
  namespace: ns,
  name,
  status,
  health: kind === 'Deployment' ? { status: 'Healthy' } : undefined,
  ...extra,
});

describe('Argo CD Application status, against the real API server', function () {
  const roots: string[] = [];
  const appliers: KubeApplier[] = [];

  before(function () {
    this.timeout(120_000);
    const c = testCluster();
    const kubectl = (...args: string[]) =>
      execFileSync(testbedBin('kubectl'), ['--kubeconfig', c.kubeconfigPath, '--context', c.adminContext, ...args], {
        stdio: 'pipe',
      });
    kubectl('apply', '--server-side', '--field-manager=argocd-install', '-f', testbedArgoCdCrds());
    kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd/applications.argoproj.io');
  });
  after(() => {
    appliers.forEach((a) => a.dispose());
    roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
  });

  async function setUp(prefix: string) {
    const c = testCluster();
    const ns = await freshNamespace(prefix);
    const root = writeArgoRepo(ns);
    roots.push(root);
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: root, git: new SimpleGitAdapter(root) });
    const reader = await createKubeClusterReader({ kubeconfigPath: c.kubeconfigPath, context: c.adminContext });
    const live: LiveSource = { reader, context: c.adminContext, namespace: ns };
    const applier = await createKubeApplier({ kubeconfigPath: c.kubeconfigPath, context: c.adminContext });
    appliers.push(applier);
    /** Applies an object as Argo CD's controller does: its field manager, its tracking label. */
    const applyAsArgo = async (obj: KubeObject) => {
      const res = await applier.apply(
        {
          ...obj,
          metadata: {
            ...obj.metadata,
            namespace: ns,
            labels: { ...obj.metadata.labels, 'app.kubernetes.io/instance': 'shop' },
          },
        },
        { fieldManager: 'argocd-controller', dryRun: false, force: true },
      );
      assert.equal(res.status, 'ok', JSON.stringify(res));
    };
    const sync = async () => {
      for (const r of (await engine.render(await argoApplication(engine, 'shop'))).objects) await applyAsArgo(r.object);
    };
    /** Creates the Application and writes its status as the application controller does (a merge patch). */
    const application = async (status: Record<string, unknown>) => {
      const created = await c.adminRequest(
        'POST',
        `${ARGO_API}/namespaces/${ns}/applications`,
        applicationManifest(ns),
      );
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const patched = await c.adminRequest(
        'PATCH',
        `${ARGO_API}/namespaces/${ns}/applications/shop?fieldManager=argocd-application-controller`,
        { status },
        'application/merge-patch+json',
      );
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal((patched.body as KubeObject).status !== undefined, true, 'the status was stored');
    };
    const check = async (): Promise<EnvironmentReport> => {
      await engine.load();
      return engine.check(await argoApplication(engine, 'shop'), live);
    };
    return { c, ns, root, engine, live, applyAsArgo, sync, application, check };
  }

  it("shows Argo CD's verdicts beside ours and names each disagreement's likely cause, in the report, the CLI and JSON", async () => {
    const f = await setUp('argo-status');
    const head = git(f.root, 'rev-parse', 'HEAD');
    await f.sync();
    // A webhook rewrote the image as Argo CD applied it (the API server records Argo CD's manager on the field).
    const web = (await f.engine.render(await argoApplication(f.engine, 'shop'))).objects.find(
      (r) => r.object.kind === 'Deployment',
    )!.object as KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } };
    const mutated = structuredClone(web);
    mutated.spec.template.spec.containers[0].image = 'mirror.local/acme/web:1.4.0';
    await f.applyAsArgo(mutated);
    // An object of an earlier render that Argo CD would prune, and a hand-made change to the ConfigMap.
    await f.applyAsArgo({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'old-settings' }, data: { a: 'b' } });
    const patched = await f.c.adminRequest(
      'PATCH',
      `/api/v1/namespaces/${f.ns}/configmaps/settings?fieldManager=kubectl-edit`,
      { data: { level: 'debug' } },
      'application/merge-patch+json',
    );
    assert.equal(patched.status, 200);
    await f.application({
      sync: { status: 'OutOfSync', revision: head, comparedTo: comparedTo(f.ns) },
      health: { status: 'Healthy' },
      operationState: {
        phase: 'Succeeded',
        message: 'successfully synced (all tasks run)',
        startedAt: '2026-12-06T10:00:00Z',
        finishedAt: '2026-12-06T10:00:05Z',
        operation: { sync: { revision: head } },
        syncResult: { revision: head, source: (applicationManifest(f.ns).spec as { source: unknown }).source },
      },
      conditions: [{ type: 'OrphanedResourceWarning', message: 'Application has 1 orphaned resources' }],
      resources: [
        resource(f.ns, 'apps', 'Deployment', 'web', 'Synced'),
        resource(f.ns, '', 'ConfigMap', 'settings', 'OutOfSync'),
        resource(f.ns, '', 'ConfigMap', 'old-settings', 'OutOfSync', { requiresPruning: true }),
      ],
      reconciledAt: '2026-12-06T10:01:00Z',
    });

    const report = await f.check();
    assert.equal(report.error, null);
    const byName = new Map(report.resources.map((r) => [r.key.name, r]));
    assert.deepEqual(
      report.resources
        .map(
          (r) =>
            `${keyLabel(r.key)} ${r.verdict} ${r.controller?.state ?? '-'} argo=${r.controller?.argo?.status ?? '-'}`,
        )
        .sort(),
      [
        `ConfigMap ${f.ns}/old-settings Extra pendingPrune argo=OutOfSync`,
        `ConfigMap ${f.ns}/settings Drifted - argo=OutOfSync`,
        `Deployment ${f.ns}/web Drifted - argo=Synced`,
      ],
    );
    assert.match(
      byName.get('web')!.controller!.disagreement!,
      /^Argo CD says Synced, here drifted: likely a mutating webhook: .*image was last written by argocd-controller applying git's value/,
    );
    assert.equal(byName.get('settings')!.controller!.disagreement, undefined, 'both say it differs');
    assert.equal(byName.get('settings')!.controller!.note, 'Argo CD will revert this (automated sync with self-heal)');
    assert.equal(
      byName.get('old-settings')!.controller!.note,
      'prune is off: Argo CD leaves this in the cluster (OutOfSync) until a sync with prune',
    );
    const status = report.applications[0].controller!;
    assert.equal(status.kind, 'Application');
    assert.equal(status.behind, 0);
    assert.deepEqual(status.argo!.health, { status: 'Healthy' });
    assert.deepEqual(status.argo!.conditions, [
      { type: 'OrphanedResourceWarning', message: 'Application has 1 orphaned resources' },
    ]);
    assert.deepEqual(controllerStates(status), ['outOfSync', 'pendingPrune', 'disagrees']);

    const text = await cli(['check', f.root, '--context', f.c.adminContext]);
    assert.equal(text.code, 1, text.err);
    assert.match(
      text.out,
      new RegExp(
        `Application ${f.ns}/shop +Argo CD: OutOfSync, Healthy; compared ${head.slice(0, 7)}, git is at ${head.slice(0, 7)} \\(up to date\\); 2 of 3 objects out of sync; 1 pending prune; OrphanedResourceWarning: Application has 1 orphaned resources; automated sync, self-heal; disagrees on 1 object`,
      ),
    );
    assert.match(
      text.out,
      new RegExp(`Deployment ${f.ns}/web +Argo CD says Synced, here drifted: likely a mutating webhook`),
    );
    const json = await cli(['check', f.root, '--context', f.c.adminContext, '--format', 'json']);
    const doc = JSON.parse(json.out);
    const app = doc.environments[0].applications[0];
    assert.equal(app.controller.argo.sync, 'OutOfSync');
    assert.deepEqual(app.controller.states, ['outOfSync', 'pendingPrune', 'disagrees']);
    const jsonWeb = doc.environments[0].resources.find((r: { name: string }) => r.name === 'web');
    assert.deepEqual(jsonWeb.controller.argo, { status: 'Synced', health: 'Healthy', requiresPruning: false });
  });

  it('reads every Application from one watch in the editor, and follows a status the controller rewrites', async () => {
    const f = await setUp('argo-watch');
    const head = git(f.root, 'rev-parse', 'HEAD');
    await f.sync();
    await f.application({
      sync: { status: 'Synced', revision: head, comparedTo: comparedTo(f.ns) },
      health: { status: 'Progressing' },
      resources: [
        resource(f.ns, 'apps', 'Deployment', 'web', 'Synced'),
        resource(f.ns, '', 'ConfigMap', 'settings', 'Synced'),
      ],
    });
    const cache = new LiveCache(f.live.reader);
    try {
      const live: LiveSource = { ...f.live, cache };
      await f.engine.load();
      const env = await argoApplication(f.engine, 'shop');
      const first = await f.engine.check(env, live);
      assert.deepEqual(controllerStates(first.applications[0].controller!), ['progressing']);
      // The controller finds the rollout done and a sync that failed since: the watch brings the new status.
      const changed = new Promise<void>((resolve) => {
        const sub = cache.onDidChange(() => {
          sub.dispose();
          resolve();
        });
      });
      const patched = await f.c.adminRequest(
        'PATCH',
        `${ARGO_API}/namespaces/${f.ns}/applications/shop?fieldManager=argocd-application-controller`,
        {
          status: {
            health: { status: 'Healthy' },
            operationState: {
              phase: 'Failed',
              message: 'one or more objects failed to apply',
              startedAt: '2026-12-06T10:00:00Z',
              operation: { sync: { revision: head } },
            },
          },
        },
        'application/merge-patch+json',
      );
      assert.equal(patched.status, 200);
      await changed;
      const states = controllerStates((await f.engine.check(env, live)).applications[0].controller!);
      assert.deepEqual(states, ['syncFailed']);
    } finally {
      cache.dispose();
    }
  });
});
