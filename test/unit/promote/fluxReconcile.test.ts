import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model/resource';
import type { ClusterWriter, WriteOutcome } from '../../../src/core/ports';
import {
  RECONCILE_FIELD_MANAGER,
  RECONCILE_REQUESTED_AT,
  reconcileRequest,
  requestFluxReconcile,
} from '../../../src/core/promote/fluxReconcile';

const ref = { name: 'apps', namespace: 'flux-system' };
const at = new Date('2026-12-06T15:04:05.678Z');

/** A writer holding one live object (or none), recording each apply. */
function fakeWriter(live: KubeObject | undefined): ClusterWriter & { applied: { obj: KubeObject; fieldManager: string; force: boolean; dryRun: boolean }[] } {
  const applied: { obj: KubeObject; fieldManager: string; force: boolean; dryRun: boolean }[] = [];
  return {
    applied,
    get: async (): Promise<WriteOutcome> =>
      live ? { status: 'ok', object: live, created: false } : { status: 'notFound', message: 'not found' },
    apply: async (obj, options): Promise<WriteOutcome> => {
      applied.push({ obj, ...options });
      return { status: 'ok', object: obj, created: false };
    },
    delete: async () => {
      throw new Error('reconcile never deletes');
    },
  };
}

const kustomization = (suspend: boolean): KubeObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'apps', namespace: 'flux-system' },
  spec: { interval: '10m', prune: true, suspend },
});

describe('Flux reconcile request', () => {
  it('is a body with only identity and the requestedAt annotation, in RFC 3339', () => {
    assert.deepEqual(reconcileRequest(ref, at), {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {
        name: 'apps',
        namespace: 'flux-system',
        annotations: { 'reconcile.fluxcd.io/requestedAt': '2026-12-06T15:04:05.678Z' },
      },
    });
  });

  it('applies that body for real, forced, under its own field manager', async () => {
    const writer = fakeWriter(kustomization(false));
    const out = await requestFluxReconcile(writer, ref, at);
    assert.deepEqual(out, { status: 'requested', requestedAt: at.toISOString() });
    assert.equal(writer.applied.length, 1);
    assert.deepEqual(writer.applied[0].obj, reconcileRequest(ref, at));
    assert.equal(writer.applied[0].fieldManager, RECONCILE_FIELD_MANAGER);
    assert.notEqual(RECONCILE_FIELD_MANAGER, 'gitops-drift');
    assert.equal(writer.applied[0].dryRun, false);
    assert.equal(writer.applied[0].force, true);
    assert.ok(RECONCILE_REQUESTED_AT in (writer.applied[0].obj.metadata.annotations ?? {}));
  });

  it('writes nothing for a Kustomization that does not exist (an apply would create one)', async () => {
    const writer = fakeWriter(undefined);
    const out = await requestFluxReconcile(writer, ref, at);
    assert.equal(out.status, 'refused');
    assert.match(out.status === 'refused' ? out.message : '', /flux-system\/apps.*not found/);
    assert.equal(writer.applied.length, 0);
  });

  it('writes nothing for a suspended Kustomization, which would ignore the request', async () => {
    const writer = fakeWriter(kustomization(true));
    const out = await requestFluxReconcile(writer, ref, at);
    assert.equal(out.status, 'refused');
    assert.match(out.status === 'refused' ? out.message : '', /suspended/);
    assert.equal(writer.applied.length, 0);
  });
});
