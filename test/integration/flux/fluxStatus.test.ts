/**
 * A Flux Kustomization's status against the real API server with Flux's CRDs: the Kustomization is created and its
 * status written through the status subresource as kustomize-controller writes it (a merge patch: conditions,
 * lastAppliedRevision, inventory), the objects applied with its field manager; then `check` (engine and CLI) reports
 * each state: behind, pending prune, not yet applied, suspended, not ready.
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
import { keyLabel } from '../../../src/core/model/resource';
import { createKubeApplier, type KubeApplier } from '../../../src/node/kubeApplier';
import { createKubeClusterReader } from '../../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { SimpleGitAdapter } from '../../../src/node/simpleGit';
import { testbedBin, testbedFluxCrds } from '../../testbed/bins';
import { freshNamespace, testCluster } from '../support';

const FLUX_API = '/apis/kustomize.toolkit.fluxcd.io/v1';

function git(root: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
    { cwd: root, encoding: 'utf8' },
  ).trim();
}

/** A repo whose cluster folder holds one Flux Kustomization (`apps`, in namespace `ns`) over `apps/prod`: cluster `prod`. */
function writeFluxRepo(ns: string, suspend = false): string {
  const root = mkdtempSync(join(tmpdir(), 'gitops-drift-flux-'));
  const files: Record<string, string> = {
    'clusters/prod/apps.yaml': `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: ${ns}
spec:
  interval: 10m
  prune: true
  suspend: ${suspend}
  path: ./apps/prod
  targetNamespace: ${ns}
  sourceRef:
    kind: GitRepository
    name: flux-system
`,
    'apps/prod/kustomization.yaml': 'resources:\n  - web.yaml\n  - settings.yaml\n',
    'apps/prod/web.yaml': `apiVersion: apps/v1
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
    'apps/prod/settings.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n',
  };
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'apps');
  return root;
}

function commitChange(root: string, file: string, text: string, message: string): string {
  writeFileSync(join(root, file), text);
  git(root, 'add', file);
  git(root, 'commit', '-q', '-m', message);
  return git(root, 'rev-parse', 'HEAD');
}

interface Fixture {
  ns: string;
  root: string;
  engine: DriftEngine;
  live: LiveSource;
  applier: KubeApplier;
  /** Applies what git renders, as kustomize-controller would (its field manager). */
  sync(): Promise<void>;
  /** Creates the Kustomization from git's manifest (with `spec` changes) and writes its status as the controller does. */
  kustomization(status: Record<string, unknown>, spec?: Record<string, unknown>): Promise<void>;
  check(): Promise<EnvironmentReport>;
}

async function fixture(prefix: string, roots: string[], suspend = false): Promise<Fixture> {
  const c = testCluster();
  const ns = await freshNamespace(prefix);
  const root = writeFluxRepo(ns, suspend);
  roots.push(root);
  const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: root, git: new SimpleGitAdapter(root) });
  const reader = await createKubeClusterReader({ kubeconfigPath: c.kubeconfigPath, context: c.adminContext });
  const live: LiveSource = { reader, context: c.adminContext, namespace: ns };
  const applier = await createKubeApplier({ kubeconfigPath: c.kubeconfigPath, context: c.adminContext });
  return {
    ns,
    root,
    engine,
    live,
    applier,
    async sync() {
      const env = await engine.environment('prod');
      for (const r of (await engine.render(env)).objects) {
        const res = await applier.apply(
          { ...r.object, metadata: { ...r.object.metadata, namespace: ns } },
          { fieldManager: 'kustomize-controller', dryRun: false, force: false },
        );
        assert.equal(res.status, 'ok', JSON.stringify(res));
      }
    },
    async kustomization(status, spec = {}) {
      const created = await c.adminRequest('POST', `${FLUX_API}/namespaces/${ns}/kustomizations`, {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: 'apps', namespace: ns },
        spec: {
          interval: '10m',
          prune: true,
          suspend,
          path: './apps/prod',
          targetNamespace: ns,
          sourceRef: { kind: 'GitRepository', name: 'flux-system' },
          ...spec,
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const patched = await c.adminRequest(
        'PATCH',
        `${FLUX_API}/namespaces/${ns}/kustomizations/apps/status?fieldManager=kustomize-controller`,
        { status },
        'application/merge-patch+json',
      );
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
    },
    async check() {
      await engine.load();
      return engine.check(await engine.environment('prod'), live);
    },
  };
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

function readyCondition(status: 'True' | 'False', reason: string, message: string) {
  return {
    type: 'Ready',
    status,
    reason,
    message,
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    observedGeneration: 1,
  };
}

/** The inventory kustomize-controller writes: `<namespace>_<name>_<group>_<kind>` and the version. */
function inventory(ns: string, ...objects: [string, string, string, string][]) {
  return { entries: objects.map(([name, group, kind, v]) => ({ id: `${ns}_${name}_${group}_${kind}`, v })) };
}

const rendered = (): [string, string, string, string][] => [
  ['settings', '', 'ConfigMap', 'v1'],
  ['web', 'apps', 'Deployment', 'v1'],
];

function verdicts(report: EnvironmentReport): string[] {
  return report.resources
    .map((r) => `${keyLabel(r.key)} ${r.verdict} ${r.controller?.state ?? '-'} ${r.controller?.note ?? '-'}`)
    .sort();
}

describe('Flux Kustomization status, against the real API server', function () {
  const roots: string[] = [];
  const appliers: KubeApplier[] = [];

  before(function () {
    this.timeout(120_000);
    const c = testCluster();
    const kubectl = (...args: string[]) =>
      execFileSync(testbedBin('kubectl'), ['--kubeconfig', c.kubeconfigPath, '--context', c.adminContext, ...args], {
        stdio: 'pipe',
      });
    kubectl('apply', '--server-side', '--field-manager=flux-install', '-f', testbedFluxCrds());
    kubectl(
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/kustomizations.kustomize.toolkit.fluxcd.io',
      'crd/gitrepositories.source.toolkit.fluxcd.io',
    );
  });
  after(() => {
    appliers.forEach((a) => a.dispose());
    roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
  });

  it('behind: the applied revision against HEAD, counted in commits, in the report and the CLI', async () => {
    const f = await fixture('flux-behind', roots);
    appliers.push(f.applier);
    const applied = git(f.root, 'rev-parse', 'HEAD');
    await f.sync();
    commitChange(f.root, 'README.md', 'one\n', 'docs');
    const head = commitChange(f.root, 'README.md', 'two\n', 'more docs');
    await f.kustomization({
      conditions: [readyCondition('True', 'ReconciliationSucceeded', `Applied revision: main@sha1:${applied}`)],
      lastAppliedRevision: `main@sha1:${applied}`,
      lastAttemptedRevision: `main@sha1:${applied}`,
      inventory: inventory(f.ns, ...rendered()),
    });
    const report = await f.check();
    const status = report.applications[0].controller!;
    assert.deepEqual(
      {
        found: status.found,
        ready: status.ready?.status,
        behind: status.behind,
        head: status.headRevision,
        suspended: status.suspended,
      },
      { found: true, ready: 'True', behind: 2, head, suspended: false },
    );
    assert.equal(status.revision, `applied ${applied.slice(0, 7)}, git is at ${head.slice(0, 7)} (2 commits behind)`);
    assert.deepEqual(verdicts(report), [`ConfigMap ${f.ns}/settings InSync - -`, `Deployment ${f.ns}/web InSync - -`]);

    const text = await cli(['check', f.root, '--context', testCluster().adminContext]);
    assert.equal(text.code, 0, text.err);
    assert.match(
      text.out,
      new RegExp(
        `Kustomization ${f.ns}/apps +ready; applied ${applied.slice(0, 7)}, git is at ${head.slice(0, 7)} \\(2 commits behind\\)`,
      ),
    );
  });

  it('pending prune: applied objects git no longer renders, found by tracking labels or by the inventory alone', async () => {
    const f = await fixture('flux-prune', roots);
    appliers.push(f.applier);
    await f.sync();
    // Applied by an older revision: a ConfigMap with Flux's labels, a Service of a kind git no longer renders at all.
    const labels = { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': f.ns };
    for (const obj of [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'old-settings', namespace: f.ns, labels },
        data: { level: 'debug' },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'old-web', namespace: f.ns, labels },
        spec: { ports: [{ port: 80 }], selector: { app: 'web' } },
      },
    ])
      assert.equal(
        (await f.applier.apply(obj, { fieldManager: 'kustomize-controller', dryRun: false, force: false })).status,
        'ok',
      );
    const head = git(f.root, 'rev-parse', 'HEAD');
    await f.kustomization({
      conditions: [readyCondition('True', 'ReconciliationSucceeded', 'Applied')],
      lastAppliedRevision: `main@sha1:${head}`,
      // Also one entry the cluster no longer has (deleted by hand): the inventory is what was applied, not what is.
      inventory: inventory(
        f.ns,
        ...rendered(),
        ['old-settings', '', 'ConfigMap', 'v1'],
        ['old-web', '', 'Service', 'v1'],
        ['gone', '', 'Secret', 'v1'],
      ),
    });
    const report = await f.check();
    const prune = 'Flux will delete this at its next reconcile (interval 10m)';
    assert.deepEqual(verdicts(report), [
      `ConfigMap ${f.ns}/old-settings Extra pendingPrune ${prune}`,
      `ConfigMap ${f.ns}/settings InSync - -`,
      `Deployment ${f.ns}/web InSync - -`,
      `Service ${f.ns}/old-web Extra pendingPrune ${prune}`,
    ]);
    assert.ok(
      report.resources.filter((r) => r.controller?.state === 'pendingPrune').every((r) => r.application === 'apps'),
    );
    assert.equal(report.applications[0].controller?.pendingPrune, 2);
    assert.equal(
      report.applications[0].controller?.revision,
      `applied ${head.slice(0, 7)}, git is at ${head.slice(0, 7)} (up to date)`,
    );

    // diff and put back get the object behind each verdict, the leftovers' cluster side included.
    const { report: detailed, objects } = await f.engine.compareObjects(await f.engine.environment('prod'), f.live);
    assert.equal(objects.length, detailed.resources.length);
    const oldWeb = objects.find((o) => o.result.key.name === 'old-web');
    assert.deepEqual(
      [
        oldWeb?.result.controller?.state,
        oldWeb?.diff?.desired,
        (oldWeb?.diff?.live?.spec as { ports?: { port: number }[] })?.ports?.[0]?.port,
      ],
      ['pendingPrune', undefined, 80],
    );

    // The CLI's JSON names them the same way (docs/check-output.md).
    const json = await cli(['check', f.root, '--context', testCluster().adminContext, '--format', 'json']);
    const [env] = JSON.parse(json.out).environments;
    assert.deepEqual(
      env.resources
        .filter((r: { controller?: unknown }) => r.controller)
        .map(
          (r: { kind: string; name: string; verdict: string; application: string; controller: { state: string } }) =>
            `${r.kind} ${r.name} ${r.verdict} ${r.application} ${r.controller.state}`,
        ),
      ['ConfigMap old-settings Extra apps pendingPrune', 'Service old-web Extra apps pendingPrune'],
    );
    assert.deepEqual(
      [
        env.applications[0].controller.pendingPrune,
        env.applications[0].controller.behind,
        env.applications[0].controller.ready.status,
      ],
      [2, 0, 'True'],
    );
  });

  it('not yet applied: a rendered object the inventory does not hold, missing or not', async () => {
    const f = await fixture('flux-notyet', roots);
    appliers.push(f.applier);
    await f.sync();
    commitChange(
      f.root,
      'apps/prod/extra.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: b\n',
      'extra',
    );
    const head = commitChange(
      f.root,
      'apps/prod/kustomization.yaml',
      'resources:\n  - web.yaml\n  - settings.yaml\n  - extra.yaml\n',
      'add extra',
    );
    // As the editor tells it on save: the render cache drops what changed.
    for (const file of ['apps/prod/extra.yaml', 'apps/prod/kustomization.yaml']) await f.engine.fileChanged(file);
    // Flux applied the earlier revision: the inventory has only web and settings.
    await f.kustomization({
      conditions: [readyCondition('True', 'ReconciliationSucceeded', 'Applied')],
      lastAppliedRevision: `main@sha1:${git(f.root, 'rev-parse', 'HEAD~2')}`,
      inventory: inventory(f.ns, ...rendered()),
    });
    const report = await f.check();
    assert.deepEqual(verdicts(report), [
      `ConfigMap ${f.ns}/extra Missing notYetApplied Flux will apply this at its next reconcile (interval 10m)`,
      `ConfigMap ${f.ns}/settings InSync - -`,
      `Deployment ${f.ns}/web InSync - -`,
    ]);
    assert.equal(report.applications[0].controller?.notYetApplied, 1);
    assert.equal(report.applications[0].controller?.behind, 2);
    assert.equal(report.applications[0].controller?.headRevision, head);
  });

  it('suspended: hand-made drift is not reverted, and the report says so; unsuspended it is', async () => {
    const f = await fixture('flux-suspend', roots, true);
    appliers.push(f.applier);
    await f.sync();
    const head = git(f.root, 'rev-parse', 'HEAD');
    await f.kustomization({
      conditions: [readyCondition('True', 'ReconciliationSucceeded', 'Applied')],
      lastAppliedRevision: `main@sha1:${head}`,
      inventory: inventory(f.ns, ...rendered()),
    });
    const c = testCluster();
    assert.equal(
      (
        await c.adminRequest(
          'PATCH',
          `/apis/apps/v1/namespaces/${f.ns}/deployments/web?fieldManager=kubectl-scale`,
          { spec: { replicas: 7 } },
          'application/merge-patch+json',
        )
      ).status,
      200,
    );
    const suspended = await f.check();
    assert.equal(suspended.applications[0].controller?.suspended, true);
    assert.deepEqual(verdicts(suspended), [
      `ConfigMap ${f.ns}/settings InSync - -`,
      `Deployment ${f.ns}/web Drifted - suspended: Flux will not revert this`,
    ]);

    assert.equal(
      (
        await c.adminRequest(
          'PATCH',
          `${FLUX_API}/namespaces/${f.ns}/kustomizations/apps`,
          { spec: { suspend: false } },
          'application/merge-patch+json',
        )
      ).status,
      200,
    );
    const resumed = await f.check();
    assert.deepEqual(verdicts(resumed), [
      `ConfigMap ${f.ns}/settings InSync - -`,
      `Deployment ${f.ns}/web Drifted - Flux will revert this at its next reconcile (interval 10m)`,
    ]);
  });

  it("through the editor's watch-backed cache: the controller writing a new status arrives as a change, and the next check shows it", async () => {
    const f = await fixture('flux-watch', roots);
    appliers.push(f.applier);
    await f.sync();
    const applied = git(f.root, 'rev-parse', 'HEAD');
    const head = commitChange(f.root, 'README.md', 'docs\n', 'docs');
    await f.kustomization({
      conditions: [readyCondition('True', 'ReconciliationSucceeded', 'Applied')],
      lastAppliedRevision: `main@sha1:${applied}`,
      inventory: inventory(f.ns, ...rendered()),
    });
    const cache = new LiveCache(f.live.reader);
    try {
      const live: LiveSource = { ...f.live, cache };
      await f.engine.load();
      const env = await f.engine.environment('prod');
      assert.equal((await f.engine.check(env, live)).applications[0].controller?.behind, 1);
      const key = `kustomize.toolkit.fluxcd.io/Kustomization/${f.ns}/apps`;
      const changed = new Promise<void>((resolve) => {
        const sub = cache.onDidChange((change) => {
          if (!change.objects.includes(key)) return;
          sub.dispose();
          resolve();
        });
      });
      // The controller applies HEAD and says so.
      const patched = await testCluster().adminRequest(
        'PATCH',
        `${FLUX_API}/namespaces/${f.ns}/kustomizations/apps/status?fieldManager=kustomize-controller`,
        { status: { lastAppliedRevision: `main@sha1:${head}` } },
        'application/merge-patch+json',
      );
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      await changed;
      const after = (await f.engine.check(env, live)).applications[0].controller!;
      assert.deepEqual(
        [after.behind, after.revision],
        [0, `applied ${head.slice(0, 7)}, git is at ${head.slice(0, 7)} (up to date)`],
      );
    } finally {
      cache.dispose();
    }
  });

  it('not ready: the Ready condition False with its reason and message; a Kustomization the cluster lacks is said too', async () => {
    const f = await fixture('flux-notready', roots);
    appliers.push(f.applier);
    const missing = await f.check();
    assert.equal(missing.applications[0].controller?.found, false);
    assert.equal(missing.applications[0].controller?.message, `the cluster has no Flux Kustomization ${f.ns}/apps`);

    await f.kustomization({
      conditions: [
        readyCondition(
          'False',
          'BuildFailed',
          'kustomize build failed: accumulating resources: web.yaml: no such file',
        ),
      ],
      lastAttemptedRevision: `main@sha1:${git(f.root, 'rev-parse', 'HEAD')}`,
    });
    const report = await f.check();
    const status = report.applications[0].controller!;
    assert.deepEqual(status.ready, {
      status: 'False',
      reason: 'BuildFailed',
      message: 'kustomize build failed: accumulating resources: web.yaml: no such file',
    });
    // Never applied: no inventory, so everything git renders is not yet applied (and missing).
    assert.equal(status.notYetApplied, 2);
    assert.deepEqual(verdicts(report), [
      `ConfigMap ${f.ns}/settings Missing notYetApplied Flux will apply this at its next reconcile (interval 10m)`,
      `Deployment ${f.ns}/web Missing notYetApplied Flux will apply this at its next reconcile (interval 10m)`,
    ]);
  });
});
