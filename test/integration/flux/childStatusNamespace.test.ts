/**
 * A child Kustomization's status is read where its parent applied it: the parent's `targetNamespace` moves the child
 * Kustomization (an object of the parent's render) out of the namespace the child's own file declares, and Flux runs
 * it there. Against the real API server with Flux's CRDs.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DriftEngine } from '../../../src/core/engine';
import { createKubeClusterReader } from '../../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { testbedBin, testbedFluxCrds } from '../../testbed/bins';
import { freshNamespace, testCluster } from '../support';

const FLUX_API = '/apis/kustomize.toolkit.fluxcd.io/v1';

const kustomization = (
  name: string,
  namespace: string,
  path: string,
  extra = '',
) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  interval: 10m
  prune: true
  path: ${path}
  sourceRef:
    kind: GitRepository
    name: flux-system
${extra}`;

describe("a child Flux Kustomization's status, read where its parent applied it (real API server)", function () {
  const roots: string[] = [];

  before(function () {
    this.timeout(120_000);
    const c = testCluster();
    for (const args of [
      ['apply', '--server-side', '--field-manager=flux-install', '-f', testbedFluxCrds()],
      ['wait', '--for=condition=Established', '--timeout=60s', 'crd/kustomizations.kustomize.toolkit.fluxcd.io'],
    ])
      execFileSync(testbedBin('kubectl'), ['--kubeconfig', c.kubeconfigPath, '--context', c.adminContext, ...args], {
        stdio: 'pipe',
      });
  });
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it("the parent's targetNamespace moves the child: its Ready status is read there, not in its file's namespace", async () => {
    const c = testCluster();
    const declared = await freshNamespace('flux-child-declared');
    const moved = await freshNamespace('flux-child-moved');
    const root = mkdtempSync(join(tmpdir(), 'gitops-drift-flux-child-'));
    roots.push(root);
    const files: Record<string, string> = {
      // The parent puts everything its folder renders, the child Kustomization included, in `moved`.
      'clusters/prod/apps.yaml': kustomization('apps', declared, './kubernetes/apps', `  targetNamespace: ${moved}\n`),
      'kubernetes/apps/kustomization.yaml': 'resources:\n  - ./web/ks.yaml\n',
      'kubernetes/apps/web/ks.yaml': kustomization('web', declared, './kubernetes/apps/web/app'),
      'kubernetes/apps/web/app/kustomization.yaml': 'resources:\n  - settings.yaml\n',
      'kubernetes/apps/web/app/settings.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n',
    };
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), text);
    }
    // Flux runs the child where the parent applied it, and writes its status there.
    const created = await c.adminRequest('POST', `${FLUX_API}/namespaces/${moved}/kustomizations`, {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'web', namespace: moved },
      spec: {
        interval: '10m',
        prune: true,
        path: './kubernetes/apps/web/app',
        sourceRef: { kind: 'GitRepository', name: 'flux-system', namespace: declared },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const patched = await c.adminRequest(
      'PATCH',
      `${FLUX_API}/namespaces/${moved}/kustomizations/web/status?fieldManager=kustomize-controller`,
      {
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'ReconciliationSucceeded',
              message: 'Applied revision: main@sha1:0000000',
              lastTransitionTime: new Date().toISOString(),
            },
          ],
        },
      },
      'application/merge-patch+json',
    );
    assert.equal(patched.status, 200, JSON.stringify(patched.body));

    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: root });
    await engine.load();
    const env = await engine.environment('prod');
    assert.equal(env.applications.find((a) => a.name === 'web')?.controller?.appliedBy, 'apps');
    const reader = await createKubeClusterReader({ kubeconfigPath: c.kubeconfigPath, context: c.adminContext });
    const report = await engine.check(env, { reader, context: c.adminContext, namespace: moved });
    const web = report.applications.find((a) => a.name === 'web')?.controller;
    assert.deepEqual(
      { found: web?.found, ready: web?.ready?.status, reason: web?.ready?.reason },
      { found: true, ready: 'True', reason: 'ReconciliationSucceeded' },
    );
    // The parent itself was never created: said as such, in the namespace its own file declares.
    const apps = report.applications.find((a) => a.name === 'apps')?.controller;
    assert.equal(apps?.found, false);
    assert.equal(apps?.message, `the cluster has no Flux Kustomization ${declared}/apps`);
  });
});
