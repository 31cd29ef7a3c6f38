/**
 * End to end with the real kustomize-controller (built by scripts/setup-testbed.sh from its pinned module) on the
 * test bed. No source-controller: the test serves each commit of a fixture repo over loopback as the tar.gz
 * source-controller would store, and writes the GitRepository's `status.artifact` as source-controller does
 * (test/testbed/fluxController.ts). The controller then does the rest for real: it fetches and verifies the artifact,
 * builds the Kustomization (Flux's generated kustomization, postBuild substitution, a child Kustomization with
 * substituteFrom), server-side applies, prunes and writes the status our `check` reads.
 *
 * The steps build on each other, in order: applied and Ready → zero drift, "applied <rev>"; a new commit → behind,
 * then applied once its artifact is published; an object removed from git while suspended → pending prune, pruned once
 * resumed; a hand edit → drift at the `${VAR}` line with "Flux will revert this", reverted by our Reconcile Now; a
 * commit the API server rejects → not ready, last attempted, not yet applied, until the next commit.
 * Skipped (saying why) only when the controller binary is not built.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { runCli } from '../../../src/cli/main';
import { RECONCILE_REQUESTED_AT } from '../../../src/core/promote/fluxReconcile';
import { builtTestbedBin, testbedBin, testbedFluxCrds } from '../../testbed/bins';
import type { TestbedProcess } from '../../testbed/cluster';
import {
  type ArtifactServer,
  publishGitArtifact,
  startArtifactServer,
  startKustomizeController,
} from '../../testbed/fluxController';
import { freshNamespace, testCluster } from '../support';

const FLUX_API = '/apis/kustomize.toolkit.fluxcd.io/v1';
/** How long one step may wait for the controller; a step takes 1–3 s on an idle machine. */
const STEP_TIMEOUT_MS = 30_000;

function git(root: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
    { cwd: root, encoding: 'utf8' },
  ).trim();
}

/**
 * Cluster `prod`: Kustomization `apps` (created by the test, as bootstrap would) renders `apps/prod` with postBuild
 * substitution; it applies the child Kustomization `addons`, whose folder has no kustomization file (Flux generates
 * one) and whose variables come from the ConfigMap `cluster-settings` that `apps` applies.
 */
function fixtureFiles(ns: string): Record<string, string> {
  const kustomization = (name: string, path: string, postBuild: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  interval: 10m
  prune: true
  path: ${path}
  targetNamespace: ${ns}
  sourceRef:
    kind: GitRepository
    name: flux-system
  postBuild:
${postBuild}`;
  return {
    'clusters/prod/apps.yaml': kustomization(
      'apps',
      './apps/prod',
      '    substitute:\n      REPLICAS: "2"\n      LEVEL: info\n',
    ),
    'apps/prod/kustomization.yaml':
      'resources:\n  - cluster-settings.yaml\n  - web.yaml\n  - workloads.yaml\n  - settings.yaml\n  - extra.yaml\n  - addons.yaml\n',
    'apps/prod/cluster-settings.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-settings\ndata:\n  DOMAIN: shop.example.com\n',
    'apps/prod/web.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: \${REPLICAS}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
`,
    // Other built-in kinds kustomize-controller applies with Go's zero values filled in (as it does a Deployment's).
    'apps/prod/workloads.yaml': `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 1
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - name: db
          image: postgres:17
          ports:
            - containerPort: 5432
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
        - name: agent
          image: busybox:1.37
          args: [sleep, infinity]
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: cleanup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: cleanup
              image: busybox:1.37
---
apiVersion: v1
kind: Secret
metadata:
  name: api-token
stringData:
  token: not-a-real-token
`,
    'apps/prod/settings.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: ${LEVEL}\n',
    'apps/prod/extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: b\n',
    'apps/prod/addons.yaml': kustomization(
      'addons',
      './addons',
      '    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-settings\n',
    ),
    'addons/edge.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: edge\ndata:\n  url: https://${DOMAIN}/\n',
  };
}

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

const short = (sha: string) => sha.slice(0, 7);

interface JsonCheck {
  code: number;
  applications: Record<
    string,
    {
      ready: { status: string; reason: string | null } | null;
      suspended: boolean;
      behind: number | null;
      revision: string | null;
      appliedRevision: string | null;
      attemptedRevision: string | null;
      pendingPrune: number;
      notYetApplied: number;
    }
  >;
  /** `Kind name verdict [application state]`, sorted. */
  resources: string[];
}

describe('Flux end to end: the real kustomize-controller applies, our check reads it, Reconcile Now reverts', function () {
  this.timeout(STEP_TIMEOUT_MS + 30_000);
  let controller: TestbedProcess | undefined;
  let artifacts: ArtifactServer | undefined;
  let ns: string;
  let repo: string;
  const revisions: string[] = [];

  before(async function () {
    this.timeout(120_000);
    const bin = builtTestbedBin('kustomize-controller');
    if (!bin) {
      console.log(
        '      skipped: kustomize-controller is not built (`bash scripts/setup-testbed.sh kustomize-controller` builds it; `npm test` does)',
      );
      this.skip();
    }
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
    ns = await freshNamespace('flux-e2e');
    repo = mkdtempSync(join(tmpdir(), 'gitops-drift-flux-e2e-'));
    write(repo, fixtureFiles(ns));
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'prod cluster');

    artifacts = await startArtifactServer();
    const source = await c.adminRequest('POST', `/apis/source.toolkit.fluxcd.io/v1/namespaces/${ns}/gitrepositories`, {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'flux-system', namespace: ns },
      spec: { interval: '1m', url: 'ssh://git@git.example.invalid/fixture.git', ref: { branch: 'main' } },
    });
    assert.equal(source.status, 201, JSON.stringify(source.body));
    revisions.push(await publish());
    controller = startKustomizeController(c, bin!, ns);
    // What bootstrap does: the cluster's root Kustomization applied from git's manifest.
    const root = parse(fixtureFiles(ns)['clusters/prod/apps.yaml']);
    const created = await c.adminRequest('POST', `${FLUX_API}/namespaces/${ns}/kustomizations`, root);
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });

  after(async () => {
    await controller?.stop();
    await artifacts?.close();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  /** Publishes HEAD as the GitRepository's artifact; returns its revision. */
  async function publish(): Promise<string> {
    return publishGitArtifact(
      testCluster(),
      artifacts!,
      { namespace: ns, name: 'flux-system' },
      repo,
      git(repo, 'rev-parse', 'HEAD'),
    );
  }

  function commit(files: Record<string, string | null>, message: string): string {
    for (const [path, text] of Object.entries(files)) {
      if (text === null) git(repo, 'rm', '-q', path);
      else {
        write(repo, { [path]: text });
        git(repo, 'add', path);
      }
    }
    git(repo, 'commit', '-q', '-m', message);
    return git(repo, 'rev-parse', 'HEAD');
  }

  async function kustomization(name: string): Promise<any> {
    const res = await testCluster().adminRequest('GET', `${FLUX_API}/namespaces/${ns}/kustomizations/${name}`);
    return res.status === 200 ? res.body : undefined;
  }

  /** Polls `probe` (every 100 ms) until it returns true; on timeout fails with the controller's last log lines. */
  async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (await probe()) return;
      // Polling the API server for the controller's writes: there is no event to wait on from here.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const statuses = await Promise.all(['apps', 'addons'].map(async (n) => (await kustomization(n))?.status));
    assert.fail(
      `timed out after ${STEP_TIMEOUT_MS} ms waiting for ${what}\n--- Kustomization statuses\n${JSON.stringify(statuses, null, 1)}\n--- kustomize-controller log\n${controller?.logTail(30)}`,
    );
  }

  /** Ready and applied `revision` (the condition's observedGeneration current). */
  const applied = (name: string, revision: string) => async () => {
    const k = await kustomization(name);
    const ready = k?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
    return (
      ready?.status === 'True' &&
      ready.observedGeneration === k.metadata.generation &&
      k.status.lastAppliedRevision === revision
    );
  };

  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli([...argv, '--context', testCluster().adminContext], {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      cwd: repo,
      color: false,
      env: { KUBECONFIG: testCluster().kubeconfigPath },
    });
    return { code, out, err };
  }

  async function checkJson(): Promise<JsonCheck> {
    const run = await cli('check', repo, '--format', 'json');
    assert.ok(run.code === 0 || run.code === 1, `check exited ${run.code}: ${run.err}`);
    const [env] = JSON.parse(run.out).environments;
    return {
      code: run.code,
      applications: Object.fromEntries(
        env.applications.map((a: { name: string; controller: JsonCheck['applications'][string] }) => [
          a.name,
          a.controller,
        ]),
      ),
      resources: env.resources
        .map(
          (r: { kind: string; name: string; verdict: string; application?: string; controller?: { state: string } }) =>
            `${r.kind} ${r.name} ${r.verdict}${r.controller?.state ? ` ${r.application} ${r.controller.state}` : ''}`,
        )
        .sort(),
    };
  }

  /** Fails with check's text report unless check exits 0 (in sync). */
  async function assertClean(report: JsonCheck): Promise<void> {
    if (report.code !== 0) assert.fail(`check exited ${report.code}:\n${(await cli('check', repo)).out}`);
  }

  const inSync = (...extra: string[]) =>
    [
      'ConfigMap cluster-settings InSync',
      'ConfigMap edge InSync',
      'ConfigMap settings InSync',
      'CronJob cleanup InSync',
      'DaemonSet agent InSync',
      'Deployment web InSync',
      'Kustomization addons InSync',
      'Secret api-token InSync',
      'Service web InSync',
      'StatefulSet db InSync',
      ...extra,
    ].sort();

  it('the controller applies the cluster (postBuild, a child Kustomization) and is Ready; check: zero drift, "applied <rev>"', async () => {
    const [rev] = revisions;
    await until(
      `apps and addons Ready at ${rev}`,
      async () => (await applied('apps', rev)()) && applied('addons', rev)(),
    );
    // The controller substituted, in the parent from its own values and in the child from the parent's ConfigMap.
    const c = testCluster();
    const web = await c.adminRequest('GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`);
    const edge = await c.adminRequest('GET', `/api/v1/namespaces/${ns}/configmaps/edge`);
    assert.deepEqual([web.body.spec.replicas, edge.body.data.url], [2, 'https://shop.example.com/']);

    const head = git(repo, 'rev-parse', 'HEAD');
    const report = await checkJson();
    await assertClean(report);
    assert.deepEqual(report.resources, inSync('ConfigMap extra InSync'));
    for (const name of ['apps', 'addons'])
      assert.deepEqual(
        [report.applications[name].ready?.status, report.applications[name].behind, report.applications[name].revision],
        ['True', 0, `applied ${short(head)}, git is at ${short(head)} (up to date)`],
        name,
      );
    const text = await cli('check', repo);
    assert.equal(text.code, 0, text.out + text.err);
    assert.match(
      text.out,
      new RegExp(`Kustomization ${ns}/apps +ready; applied ${short(head)}, git is at ${short(head)} \\(up to date\\)`),
    );
    assert.match(text.out, new RegExp(`Kustomization ${ns}/addons +ready; applied ${short(head)}`));
  });

  it('a new commit is "behind" until its artifact is published; then the controller applies it and check is clean', async () => {
    const before = revisions[0];
    const head = commit(
      {
        'addons/edge.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: edge\ndata:\n  url: https://${DOMAIN}/\n  tier: edge\n',
      },
      'edge tier',
    );
    const behind = await checkJson();
    for (const name of ['apps', 'addons'])
      assert.deepEqual(
        [report(behind, name).behind, report(behind, name).revision],
        [1, `applied ${short(before.split(':')[1])}, git is at ${short(head)} (1 commit behind)`],
        name,
      );
    // git's new field is not in the cluster yet.
    assert.deepEqual(
      behind.resources,
      inSync('ConfigMap extra InSync').map((r) => (r === 'ConfigMap edge InSync' ? 'ConfigMap edge Drifted' : r)),
    );
    // Not a hand edit: the note says Flux will apply git's value, not that it will "revert" it.
    assert.match(
      (await cli('check', repo)).out,
      /ConfigMap \S+\/edge +note: Flux will apply git's value at its next reconcile \(interval [^)]+\): git is 1 commit ahead of what it applied/,
    );

    const rev = await publish();
    revisions.push(rev);
    await until(
      `apps and addons Ready at ${rev}`,
      async () => (await applied('apps', rev)()) && applied('addons', rev)(),
    );
    const after = await checkJson();
    await assertClean(after);
    assert.deepEqual(after.resources, inSync('ConfigMap extra InSync'));
    assert.equal(report(after, 'addons').revision, `applied ${short(head)}, git is at ${short(head)} (up to date)`);
  });

  it('an object removed from git while the Kustomization is suspended is "pending prune"; resumed, the controller prunes it', async () => {
    const c = testCluster();
    const suspend = (value: boolean) =>
      c.adminRequest(
        'PATCH',
        `${FLUX_API}/namespaces/${ns}/kustomizations/apps?fieldManager=flux-client-side-apply`,
        { spec: { suspend: value } },
        'application/merge-patch+json',
      );
    assert.equal((await suspend(true)).status, 200);
    commit(
      {
        'apps/prod/kustomization.yaml':
          'resources:\n  - cluster-settings.yaml\n  - web.yaml\n  - workloads.yaml\n  - settings.yaml\n  - addons.yaml\n',
        'apps/prod/extra.yaml': null,
      },
      'drop extra',
    );
    const rev = await publish();
    revisions.push(rev);
    // The child is not suspended: once it has applied the new revision, the controller has seen it.
    await until(`addons Ready at ${rev}`, applied('addons', rev));
    assert.equal((await kustomization('apps')).status.lastAppliedRevision, revisions[1]);

    const pending = await checkJson();
    assert.deepEqual(pending.resources, inSync('ConfigMap extra Extra apps pendingPrune'));
    assert.deepEqual(
      [report(pending, 'apps').suspended, report(pending, 'apps').pendingPrune, report(pending, 'apps').behind],
      [true, 1, 1],
    );
    const text = await cli('check', repo);
    assert.match(
      text.out,
      new RegExp(`ConfigMap ${ns}/extra +pending prune: Flux applied it, git no longer renders it`),
    );
    assert.match(text.out, new RegExp(`ConfigMap ${ns}/extra +note: suspended: Flux will not prune this`));

    assert.equal((await suspend(false)).status, 200);
    await until(`apps Ready at ${rev}`, applied('apps', rev));
    assert.equal((await c.adminRequest('GET', `/api/v1/namespaces/${ns}/configmaps/extra`)).status, 404);
    const pruned = await checkJson();
    await assertClean(pruned);
    assert.deepEqual(pruned.resources, inSync());
    assert.equal(report(pruned, 'apps').pendingPrune, 0);
  });

  it('a hand edit is drift at the ${VAR} line with "Flux will revert this"; our Reconcile Now makes the controller revert it', async () => {
    const c = testCluster();
    const scaled = await c.adminRequest(
      'PATCH',
      `/apis/apps/v1/namespaces/${ns}/deployments/web?fieldManager=kubectl-scale`,
      { spec: { replicas: 5 } },
      'application/merge-patch+json',
    );
    assert.equal(scaled.status, 200, JSON.stringify(scaled.body));

    const replicasLine =
      fixtureFiles(ns)
        ['apps/prod/web.yaml'].split('\n')
        .findIndex((l) => l.includes('replicas: ${REPLICAS}')) + 1;
    const drifted = await cli('check', repo);
    assert.equal(drifted.code, 1, drifted.out + drifted.err);
    assert.match(
      drifted.out,
      new RegExp(
        `Deployment ${ns}/web +replicas: git 2, live 5 \\(kubectl-scale[^)]*\\) +apps/prod/web\\.yaml:${replicasLine}\\n`,
      ),
    );
    assert.match(
      drifted.out,
      new RegExp(`Deployment ${ns}/web +note: Flux will revert this at its next reconcile \\(interval 10m\\)`),
    );

    const asked = await cli('reconcile', repo, '--env', 'prod', '--app', 'apps', '--yes');
    assert.equal(asked.code, 0, asked.err);
    const requestedAt = (await kustomization('apps')).metadata.annotations[RECONCILE_REQUESTED_AT];
    await until(`apps to handle the request of ${requestedAt}`, async () => {
      const k = await kustomization('apps');
      return k?.status?.lastHandledReconcileAt === requestedAt && (await applied('apps', revisions[2])());
    });
    assert.equal((await c.adminRequest('GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`)).body.spec.replicas, 2);
    const clean = await cli('check', repo);
    assert.equal(clean.code, 0, clean.out + clean.err);
    assert.doesNotMatch(clean.out, /revert this/);
  });

  it('a commit the API server rejects: "not ready" with the reason and the attempted revision, its objects "not yet applied"; the next commit fixes it', async () => {
    const resources =
      'resources:\n  - cluster-settings.yaml\n  - web.yaml\n  - workloads.yaml\n  - settings.yaml\n  - addons.yaml\n';
    const head = commit(
      {
        'apps/prod/kustomization.yaml': `${resources}  - fresh.yaml\n  - bad.yaml\n`,
        'apps/prod/fresh.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fresh\ndata:\n  a: b\n',
        // Renders fine; the API server refuses it, so the controller's dry-run fails before it applies anything.
        'apps/prod/bad.yaml':
          'apiVersion: v1\nkind: Service\nmetadata:\n  name: bad\nspec:\n  ports:\n    - port: 70000\n',
      },
      'fresh settings, and a port out of range',
    );
    const rev = await publish();
    await until(`apps to fail at ${rev}`, async () => {
      const k = await kustomization('apps');
      const ready = k?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
      return ready?.status === 'False' && k.status.lastAttemptedRevision === rev;
    });

    const failed = await checkJson();
    const apps = report(failed, 'apps');
    assert.deepEqual(
      [apps.ready?.status, apps.ready?.reason, apps.appliedRevision, apps.attemptedRevision, apps.notYetApplied],
      ['False', 'ReconciliationFailed', revisions[2], rev, 2],
    );
    assert.deepEqual(
      failed.resources,
      inSync('ConfigMap fresh Missing apps notYetApplied', 'Service bad Missing apps notYetApplied'),
    );
    const text = await cli('check', repo);
    assert.match(
      text.out,
      new RegExp(
        `Kustomization ${ns}/apps +not ready \\(ReconciliationFailed\\): [^\\n]*70000[^\\n]*; applied ${short(revisions[2].split(':')[1])}, git is at ${short(head)} \\(1 commit behind\\); last attempted ${rev}; 2 not yet applied\\n`,
      ),
    );
    assert.match(
      text.out,
      new RegExp(`Service ${ns}/bad +not yet applied: git renders it, Flux has not applied it +apps/prod/bad\\.yaml:1`),
    );

    commit(
      { 'apps/prod/kustomization.yaml': `${resources}  - fresh.yaml\n`, 'apps/prod/bad.yaml': null },
      'no bad port',
    );
    const fixed = await publish();
    await until(`apps Ready at ${fixed}`, applied('apps', fixed));
    const clean = await checkJson();
    await assertClean(clean);
    assert.deepEqual(clean.resources, inSync('ConfigMap fresh InSync'));
  });
});

function report(check: JsonCheck, name: string): JsonCheck['applications'][string] {
  const status = check.applications[name];
  assert.ok(status, `no application ${name} in ${Object.keys(check.applications).join(', ')}`);
  return status;
}
