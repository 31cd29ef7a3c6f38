import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model/resource';
import { silentLogger } from '../../../src/core/ports';
import { applyPutLiveBack, normalize, previewPutLiveBack } from '../../../src/core/promote/putLiveBack';
import { RefusedError } from '../../../src/core/promote/refusal';
import { createKubeApplier, type KubeApplier } from '../../../src/node/kubeApplier';
import { freshNamespace, testCluster } from '../support';

const deployment = (ns: string, replicas: number, image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: ns, labels: { app: 'web' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
  },
});

const configMap = (ns: string, name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
  data,
});

describe('put live back (real API server)', function () {
  let ns: string;
  let admin: KubeApplier;

  before(async () => {
    ns = await freshNamespace('putback');
    admin = await createKubeApplier({
      kubeconfigPath: testCluster().kubeconfigPath,
      context: testCluster().adminContext,
    });
  });
  after(() => admin.dispose());

  /** What GitOps first applied, then someone changed by hand (an Update by another field manager). */
  async function driftedDeployment(): Promise<void> {
    const c = testCluster();
    const applied = await c.adminRequest(
      'PATCH',
      `/apis/apps/v1/namespaces/${ns}/deployments/web?fieldManager=argocd-controller`,
      deployment(ns, 2, 'ghcr.io/acme/web:1.4.0'),
      'application/apply-patch+yaml',
    );
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    const edited = await c.adminRequest(
      'PATCH',
      `/apis/apps/v1/namespaces/${ns}/deployments/web?fieldManager=kubectl-edit`,
      {
        spec: { replicas: 5, template: { spec: { containers: [{ name: 'web', image: 'ghcr.io/acme/web:hotfix' }] } } },
      },
      'application/strategic-merge-patch+json',
    );
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
  }

  const live = async (path: string) => (await testCluster().adminRequest('GET', path)).body as KubeObject;

  it("previews a drifted Deployment as a diff with the other manager's conflicts, applies only when forced, and the result is the preview", async () => {
    await driftedDeployment();
    const desired = deployment(ns, 2, 'ghcr.io/acme/web:1.4.0');
    const preview = await previewPutLiveBack(admin, { apply: [desired] }, silentLogger);
    assert.equal(preview.items.length, 1);
    const [item] = preview.items;
    assert.equal(item.action, 'update');
    assert.equal(item.error, undefined);
    assert.deepEqual(item.conflicts.map((c) => [c.manager, c.field]).sort(), [
      ['kubectl-edit', '.spec.replicas'],
      ['kubectl-edit', '.spec.template.spec.containers[name="web"].image'],
    ]);
    const changed = item.diff.split('\n').filter((l) => /^[+-][^+-]/.test(l));
    assert.deepEqual(changed, [
      '-  replicas: 5',
      '+  replicas: 2',
      '-          image: ghcr.io/acme/web:hotfix',
      '+          image: ghcr.io/acme/web:1.4.0',
    ]);

    // Conflicts need the second confirmation: without it nothing is written.
    await assert.rejects(
      applyPutLiveBack(admin, preview, { forceConflicts: false }, silentLogger),
      (e: unknown) =>
        e instanceof RefusedError &&
        /nothing was applied: Deployment putback-\w+\/web: \.spec\.replicas is managed by "kubectl-edit"/.test(
          e.message,
        ),
    );
    assert.equal(
      ((await live(`/apis/apps/v1/namespaces/${ns}/deployments/web`)).spec as { replicas: number }).replicas,
      5,
    );

    const [result] = await applyPutLiveBack(admin, preview, { forceConflicts: true }, silentLogger);
    assert.equal(result.status, 'applied');
    assert.equal(result.matchesPreview, true);
    const after = await live(`/apis/apps/v1/namespaces/${ns}/deployments/web`);
    assert.deepEqual(normalize(after), item.after);
    const managers = (after.metadata.managedFields as { manager: string; operation: string }[]).map(
      (m) => `${m.manager}/${m.operation}`,
    );
    assert.ok(managers.includes('gitops-drift/Apply'), managers.join(', '));
  });

  it('recreates a deleted ConfigMap exactly as previewed, and leaves Extra objects alone unless asked to delete them', async () => {
    const c = testCluster();
    const extra = configMap(ns, 'leftover', { stale: 'yes' });
    assert.equal((await c.adminRequest('POST', `/api/v1/namespaces/${ns}/configmaps`, extra)).status, 201);
    const desired = configMap(ns, 'web-config', { LOG_LEVEL: 'info', GREETING: 'hello' });

    const preview = await previewPutLiveBack(admin, { apply: [desired] }, silentLogger);
    assert.deepEqual(
      preview.items.map((i) => [i.key.name, i.action]),
      [['web-config', 'create']],
    );
    assert.match(preview.items[0].diff, /^\+  LOG_LEVEL: info$/m);
    assert.equal(
      (await c.adminRequest('GET', `/api/v1/namespaces/${ns}/configmaps/web-config`)).status,
      404,
      'the dry-run created it',
    );
    const [created] = await applyPutLiveBack(admin, preview, { forceConflicts: false }, silentLogger);
    assert.equal(created.status, 'applied');
    assert.equal(created.matchesPreview, true);
    assert.deepEqual(normalize(await live(`/api/v1/namespaces/${ns}/configmaps/web-config`)), preview.items[0].after);
    assert.equal((await c.adminRequest('GET', `/api/v1/namespaces/${ns}/configmaps/leftover`)).status, 200);

    const withDelete = await previewPutLiveBack(admin, { apply: [desired], delete: [extra] }, silentLogger);
    assert.deepEqual(
      withDelete.items.map((i) => [i.key.name, i.action]),
      [
        ['web-config', 'unchanged'],
        ['leftover', 'delete'],
      ],
    );
    assert.match(withDelete.items[1].diff, /^-  stale: yes$/m);
    // The dry-run deleted nothing.
    assert.equal((await c.adminRequest('GET', `/api/v1/namespaces/${ns}/configmaps/leftover`)).status, 200);
    const results = await applyPutLiveBack(admin, withDelete, { forceConflicts: false }, silentLogger);
    assert.deepEqual(
      results.map((r) => [r.key.name, r.status, r.message]),
      [
        ['web-config', 'skipped', undefined],
        ['leftover', 'deleted', undefined],
      ],
    );
    assert.equal((await c.adminRequest('GET', `/api/v1/namespaces/${ns}/configmaps/leftover`)).status, 404);
  });

  it("refuses in a read-only context with the server's 403, writing nothing", async () => {
    const c = testCluster();
    const readonly = await createKubeApplier({ kubeconfigPath: c.kubeconfigPath, context: c.readonlyContext });
    try {
      const desired = configMap(c.readonlyNamespace, 'should-not-exist', { a: 'b' });
      await assert.rejects(
        previewPutLiveBack(readonly, { apply: [desired] }, silentLogger),
        (e: unknown) =>
          e instanceof RefusedError &&
          /^this context may not change ConfigMap readonly-zone\/should-not-exist: the API server refused the dry-run apply \(403 Forbidden: .*cannot patch resource "configmaps".*\)\. Nothing was changed; use a context with write access\.$/.test(
            e.message,
          ),
      );
      assert.equal(
        (await c.adminRequest('GET', `/api/v1/namespaces/${c.readonlyNamespace}/configmaps/should-not-exist`)).status,
        404,
      );
    } finally {
      readonly.dispose();
    }
  });

  it('never shows Secret values in the preview', async () => {
    const c = testCluster();
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: ns },
      type: 'Opaque',
      data: { password: Buffer.from('hunter2-live').toString('base64') },
    };
    assert.equal((await c.adminRequest('POST', `/api/v1/namespaces/${ns}/secrets`, secret)).status, 201);
    const desired = { ...secret, data: { password: Buffer.from('hunter2-git').toString('base64') } };
    const preview = await previewPutLiveBack(admin, { apply: [desired] }, silentLogger);
    // What is shown: the before/after objects and the diff (`desired` is the caller's own input, kept for the apply).
    const text = JSON.stringify(preview.items.map((i) => [i.before, i.after, i.diff]));
    for (const v of ['hunter2-live', 'hunter2-git'].map((s) => Buffer.from(s).toString('base64')))
      assert.ok(!text.includes(v), 'a secret value leaked into the preview');
    for (const v of ['hunter2-live', 'hunter2-git'])
      assert.ok(!text.includes(v), 'a secret value leaked into the preview');
    // Keyed masks: the value changes, and which is which shows only as two different masks.
    const old = /^-  password: "(\(secret: #[0-9a-f]{12}\))"$/m.exec(preview.items[0].diff)?.[1];
    const applied = /^\+  password: "(\(secret: #[0-9a-f]{12}\))"$/m.exec(preview.items[0].diff)?.[1];
    assert.ok(old && applied && old !== applied, preview.items[0].diff);
  });
});
