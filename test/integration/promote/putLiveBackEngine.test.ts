import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { DriftEngine, type LiveSource } from '../../../src/core/engine';
import { keyLabel, keyString } from '../../../src/core/model/resource';
import { silentLogger } from '../../../src/core/ports';
import { applyPutLiveBack, previewPutLiveBack } from '../../../src/core/promote/putLiveBack';
import { createKubeApplier } from '../../../src/node/kubeApplier';
import { createKubeClusterReader } from '../../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { freshNamespace, testCluster } from '../support';
import { writeRepo } from './configRepo';

describe('put live back, end to end: rendered desired state → drift → put back → in sync', function () {
  let root: string;
  let ns: string;
  after(() => rmSync(root, { recursive: true, force: true }));

  it('clears a drifted Deployment and a deleted ConfigMap, as the engine then reports', async () => {
    const c = testCluster();
    ns = await freshNamespace('putback-e2e');
    root = writeRepo(ns);
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: root });
    await engine.load();
    const env = await engine.environment('test');
    const reader = await createKubeClusterReader({ kubeconfigPath: c.kubeconfigPath, context: c.adminContext });
    const live: LiveSource = { reader, context: c.adminContext, namespace: ns };
    const applier = await createKubeApplier({ kubeconfigPath: c.kubeconfigPath, context: c.adminContext });
    try {
      // "Sync": what a GitOps controller would have applied.
      const rendered = await engine.render(env);
      for (const r of rendered.objects) {
        const res = await applier.apply(r.object, { fieldManager: 'argocd-controller', dryRun: false, force: false });
        assert.equal(res.status, 'ok', JSON.stringify(res));
      }
      assert.deepEqual((await engine.check(env, live)).resources.map((r) => r.verdict), ['InSync', 'InSync']);

      // Drift: someone scales by hand and deletes the ConfigMap.
      const cm = rendered.objects.find((r) => r.key.kind === 'ConfigMap')!;
      assert.equal((await c.adminRequest('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/web?fieldManager=kubectl-scale`, { spec: { replicas: 7 } }, 'application/merge-patch+json')).status, 200);
      assert.equal((await c.adminRequest('DELETE', `/api/v1/namespaces/${ns}/configmaps/${cm.key.name}`)).status, 200);
      const drifted = await engine.check(env, live);
      assert.deepEqual(drifted.resources.map((r) => `${keyLabel(r.key)} ${r.verdict}`).sort(), [`ConfigMap ${ns}/${cm.key.name} Missing`, `Deployment ${ns}/web Drifted`]);

      // Put back what the report flags, from the rendered objects.
      const flagged = new Set(drifted.resources.filter((r) => r.verdict === 'Drifted' || r.verdict === 'Missing').map((r) => keyString(r.key)));
      const desired = rendered.objects.filter((r) => flagged.has(keyString({ ...r.key, namespace: ns }))).map((r) => r.object);
      const preview = await previewPutLiveBack(applier, { apply: desired }, silentLogger);
      assert.deepEqual(preview.items.map((i) => [i.key.kind, i.action, i.conflicts.map((x) => `${x.manager} ${x.field}`)]).sort(), [
        ['ConfigMap', 'create', []],
        ['Deployment', 'update', ['kubectl-scale .spec.replicas']],
      ]);
      const results = await applyPutLiveBack(applier, preview, { forceConflicts: true }, silentLogger);
      assert.deepEqual(results.map((r) => [r.status, r.matchesPreview]), [['applied', true], ['applied', true]]);

      const after = await engine.check(env, live);
      assert.deepEqual(after.resources.map((r) => `${keyLabel(r.key)} ${r.verdict}`).sort(), [`ConfigMap ${ns}/${cm.key.name} InSync`, `Deployment ${ns}/web InSync`]);
    } finally {
      applier.dispose();
    }
  });
});
