/**
 * `gitops-drift reconcile` against the real API server with Flux's CRDs: the same core as the editor's Reconcile Now.
 * It asks on a terminal (and writes nothing when the answer is no), refuses without a terminal unless --yes, and
 * refuses suspended and absent Kustomizations before asking, creating nothing.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { runCli } from '../../../src/cli/main';
import type { KubeObject } from '../../../src/core/model/resource';
import { RECONCILE_FIELD_MANAGER, RECONCILE_REQUESTED_AT } from '../../../src/core/promote/fluxReconcile';
import { writeRepo } from '../../support/cliRepo';
import { testbedBin, testbedFluxCrds } from '../../testbed/bins';
import { freshNamespace, testCluster } from '../support';

const FLUX_API = '/apis/kustomize.toolkit.fluxcd.io/v1';

const kustomization = (name: string, namespace: string) =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  interval: 10m\n  prune: true\n  sourceRef: {kind: GitRepository, name: flux-system}\n  path: ./apps\n`;

describe('gitops-drift reconcile (Flux), against the real API server', function () {
  this.timeout(120_000);
  let ns: string;
  let repo: string;

  before(async () => {
    const c = testCluster();
    const kubectl = (...args: string[]) =>
      execFileSync(testbedBin('kubectl'), ['--kubeconfig', c.kubeconfigPath, '--context', c.adminContext, ...args], {
        stdio: 'pipe',
      });
    kubectl('apply', '--server-side', '--field-manager=flux-install', '-f', testbedFluxCrds());
    kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd/kustomizations.kustomize.toolkit.fluxcd.io');
    ns = await freshNamespace('flux-cli');
    for (const [name, suspend] of [
      ['apps', false],
      ['paused', true],
    ] as const) {
      const created = await c.adminRequest('POST', `${FLUX_API}/namespaces/${ns}/kustomizations`, {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name, namespace: ns },
        spec: {
          interval: '10m',
          prune: true,
          suspend,
          path: './apps',
          sourceRef: { kind: 'GitRepository', name: 'flux-system' },
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    repo = writeRepo('gitops-drift-reconcile-cli-', {
      'clusters/prod/apps.yaml': kustomization('apps', ns),
      'clusters/prod/paused.yaml': kustomization('paused', ns),
      'clusters/prod/gone.yaml': kustomization('gone', ns),
      'apps/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: b\n',
    });
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  /** Runs the CLI in the repo against the test bed; `answer` is what the person at the terminal says (none: no terminal). */
  async function reconcile(args: string[], answer?: boolean) {
    let out = '';
    let err = '';
    const questions: string[] = [];
    const c = testCluster();
    const code = await runCli(['reconcile', '--env', 'prod', '--context', c.adminContext, ...args], {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      cwd: repo,
      color: false,
      env: { KUBECONFIG: c.kubeconfigPath },
      ...(answer === undefined
        ? {}
        : {
            confirm: async (q: string) => {
              questions.push(q);
              return answer;
            },
          }),
    });
    return { code, out, err, questions };
  }

  async function read(name: string): Promise<{ status: number; object: KubeObject }> {
    const res = await testCluster().adminRequest('GET', `${FLUX_API}/namespaces/${ns}/kustomizations/${name}`);
    return { status: res.status, object: res.body as KubeObject };
  }
  const requestedAt = async (name: string) => (await read(name)).object.metadata.annotations?.[RECONCILE_REQUESTED_AT];

  it('without a terminal and without --yes it refuses and writes nothing', async () => {
    const run = await reconcile(['--app', 'apps']);
    assert.equal(run.code, 2);
    assert.match(run.err, /not a terminal to confirm on, pass --yes\. Nothing was changed\./);
    assert.equal(await requestedAt('apps'), undefined);
  });

  it('asks on a terminal naming the Kustomization and context; no writes nothing, yes sets only the annotation', async () => {
    const no = await reconcile(['--app', 'apps'], false);
    assert.equal(no.code, 2);
    assert.deepEqual(no.questions, [
      `Ask Flux to reconcile Kustomization ${ns}/apps in ${testCluster().adminContext}? (sets its annotation ${RECONCILE_REQUESTED_AT}; nothing else changes)`,
    ]);
    assert.match(no.err, /Not confirmed: nothing was changed/);
    assert.equal(await requestedAt('apps'), undefined);
    const before = await read('apps');
    const yes = await reconcile(['--app', 'apps'], true);
    assert.equal(yes.code, 0, yes.err);
    const at = await requestedAt('apps');
    assert.ok(at && !Number.isNaN(Date.parse(at)));
    assert.match(
      yes.out,
      new RegExp(
        `Asked Flux to reconcile Kustomization ${ns}/apps in testbed-admin \\(${RECONCILE_REQUESTED_AT}: ${at}\\)`,
      ),
    );
    const after = await read('apps');
    assert.deepEqual(after.object.spec, before.object.spec);
    assert.equal(after.object.metadata.generation, before.object.metadata.generation);
    const managers = (after.object.metadata as { managedFields?: { manager: string }[] }).managedFields ?? [];
    assert.ok(managers.some((m) => m.manager === RECONCILE_FIELD_MANAGER));
  });

  it('--yes requests without asking, and a later request moves the time on', async () => {
    const first = await requestedAt('apps');
    await new Promise((r) => setTimeout(r, 5));
    const run = await reconcile(['--app', 'apps', '--yes'], true);
    assert.equal(run.code, 0, run.err);
    assert.deepEqual(run.questions, []);
    const second = await requestedAt('apps');
    assert.ok(second && first && Date.parse(second) > Date.parse(first), `${first} then ${second}`);
  });

  it('refuses a suspended Kustomization before asking, and writes nothing', async () => {
    const run = await reconcile(['--app', 'paused'], true);
    assert.equal(run.code, 2);
    assert.deepEqual(run.questions, []);
    assert.match(run.err, new RegExp(`Flux Kustomization ${ns}/paused is suspended`));
    assert.equal(await requestedAt('paused'), undefined);
  });

  it('refuses one the cluster does not have, creating nothing', async () => {
    const run = await reconcile(['--app', 'gone', '--yes']);
    assert.equal(run.code, 2);
    assert.match(run.err, new RegExp(`cannot read Flux Kustomization ${ns}/gone`));
    assert.equal((await read('gone')).status, 404);
  });

  it('names the known applications for an unknown --app, and asks for --app when there are several', async () => {
    const unknown = await reconcile(['--app', 'nope', '--yes']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /prod has no Flux application 'nope' \(known: apps, gone, paused\)/);
    const several = await reconcile(['--yes']);
    assert.equal(several.code, 2);
    assert.match(several.err, /several Flux applications: pick one with --app/);
  });
});
