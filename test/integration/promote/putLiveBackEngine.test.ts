import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DriftEngine, type LiveSource } from '../../../src/core/engine';
import { keyLabel, keyString } from '../../../src/core/model/resource';
import { silentLogger } from '../../../src/core/ports';
import { applyPutLiveBack, previewPutLiveBack } from '../../../src/core/promote/putLiveBack';
import { planPutBack, previewPutBack } from '../../../src/core/putBackService';
import { createKubeApplier } from '../../../src/node/kubeApplier';
import { createKubeClusterReader } from '../../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { freshNamespace, testCluster } from '../support';
import { writeRepo } from './configRepo';

describe('put live back, end to end: rendered desired state → drift → put back → in sync', function () {
  const roots: string[] = [];
  let ns: string;
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it('clears a drifted Deployment and a deleted ConfigMap, as the engine then reports', async () => {
    const c = testCluster();
    ns = await freshNamespace('putback-e2e');
    const root = writeRepo(ns);
    roots.push(root);
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
      assert.deepEqual(
        (await engine.check(env, live)).resources.map((r) => r.verdict),
        ['InSync', 'InSync'],
      );

      // Drift: someone scales by hand and deletes the ConfigMap.
      const cm = rendered.objects.find((r) => r.key.kind === 'ConfigMap')!;
      assert.equal(
        (
          await c.adminRequest(
            'PATCH',
            `/apis/apps/v1/namespaces/${ns}/deployments/web?fieldManager=kubectl-scale`,
            { spec: { replicas: 7 } },
            'application/merge-patch+json',
          )
        ).status,
        200,
      );
      assert.equal((await c.adminRequest('DELETE', `/api/v1/namespaces/${ns}/configmaps/${cm.key.name}`)).status, 200);
      const drifted = await engine.check(env, live);
      assert.deepEqual(drifted.resources.map((r) => `${keyLabel(r.key)} ${r.verdict}`).sort(), [
        `ConfigMap ${ns}/${cm.key.name} Missing`,
        `Deployment ${ns}/web Drifted`,
      ]);

      // Put back what the report flags, from the rendered objects.
      const flagged = new Set(
        drifted.resources
          .filter((r) => r.verdict === 'Drifted' || r.verdict === 'Missing')
          .map((r) => keyString(r.key)),
      );
      const desired = rendered.objects
        .filter((r) => flagged.has(keyString({ ...r.key, namespace: ns })))
        .map((r) => r.object);
      const preview = await previewPutLiveBack(applier, { apply: desired }, silentLogger);
      assert.deepEqual(
        preview.items.map((i) => [i.key.kind, i.action, i.conflicts.map((x) => `${x.manager} ${x.field}`)]).sort(),
        [
          ['ConfigMap', 'create', []],
          ['Deployment', 'update', ['kubectl-scale .spec.replicas']],
        ],
      );
      const results = await applyPutLiveBack(applier, preview, { forceConflicts: true }, silentLogger);
      assert.deepEqual(
        results.map((r) => [r.status, r.matchesPreview]),
        [
          ['applied', true],
          ['applied', true],
        ],
      );

      const after = await engine.check(env, live);
      assert.deepEqual(after.resources.map((r) => `${keyLabel(r.key)} ${r.verdict}`).sort(), [
        `ConfigMap ${ns}/${cm.key.name} InSync`,
        `Deployment ${ns}/web InSync`,
      ]);
    } finally {
      applier.dispose();
    }
  });

  it('through the put-back service: an overlay naming no namespace is put back in the one the check used', async () => {
    const c = testCluster();
    const target = await freshNamespace('putback-service');
    const root = writeRepo(target);
    roots.push(root);
    // No namespace in git: the check pairs the objects in the context's namespace, and the put-back must write there.
    const overlay = join(root, 'envs/test/kustomization.yaml');
    writeFileSync(overlay, readFileSync(overlay, 'utf8').replace(`namespace: ${target}\n`, ''));
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: root });
    const env = await engine.environment('test');
    const reader = await createKubeClusterReader({ kubeconfigPath: c.kubeconfigPath, context: c.adminContext });
    const live: LiveSource = { reader, context: c.adminContext, namespace: target };
    const applier = await createKubeApplier({ kubeconfigPath: c.kubeconfigPath, context: c.adminContext });
    try {
      const plan = await planPutBack(engine, env, live);
      assert.deepEqual(plan.apply.map((o) => `${o.kind} ${o.metadata.namespace}`).sort(), [
        `ConfigMap ${target}`,
        `Deployment ${target}`,
      ]);
      const preview = await previewPutBack(plan, applier, { deleteExtra: false, allowIncomplete: false }, silentLogger);
      assert.deepEqual(preview.items.map((i) => `${i.action} ${i.key.kind} ${i.key.namespace}`).sort(), [
        `create ConfigMap ${target}`,
        `create Deployment ${target}`,
      ]);
      const results = await applyPutLiveBack(applier, preview, { forceConflicts: false }, silentLogger);
      assert.deepEqual(
        results.map((r) => [r.status, r.matchesPreview]),
        [
          ['applied', true],
          ['applied', true],
        ],
      );
      assert.deepEqual(
        (await engine.check(env, live)).resources
          .map((r) => `${keyLabel(r.key)} ${r.verdict}`)
          .sort()
          .map((l) => l.replace(/-config-\w+/, '-config')),
        [`ConfigMap ${target}/web-config InSync`, `Deployment ${target}/web InSync`],
      );

      // Scaled by hand: only the named object is planned, and its field is taken over only when forced.
      assert.equal(
        (
          await c.adminRequest(
            'PATCH',
            `/apis/apps/v1/namespaces/${target}/deployments/web?fieldManager=kubectl-scale`,
            { spec: { replicas: 4 } },
            'application/merge-patch+json',
          )
        ).status,
        200,
      );
      const web = await planPutBack(engine, env, live, { pick: (r) => r.key.kind === 'Deployment' });
      assert.deepEqual(
        web.picked.map((r) => `${keyLabel(r.key)} ${r.verdict}`),
        [`Deployment ${target}/web Drifted`],
      );
      const scaled = await previewPutBack(web, applier, { deleteExtra: false, allowIncomplete: false }, silentLogger);
      assert.deepEqual(
        scaled.items.map((i) => [i.action, i.conflicts.map((x) => `${x.manager} ${x.field}`)]),
        [['update', ['kubectl-scale .spec.replicas']]],
      );
      await applyPutLiveBack(applier, scaled, { forceConflicts: true }, silentLogger);
      assert.deepEqual(
        (await engine.check(env, live)).resources.map((r) => r.verdict),
        ['InSync', 'InSync'],
      );
    } finally {
      applier.dispose();
    }
  });
});
