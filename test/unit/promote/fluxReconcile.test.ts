import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model/resource';
import type { ClusterWriter, WriteOutcome } from '../../../src/core/ports';
import type { ApplicationSummary, ControllerStatus } from '../../../src/core/model/drift';
import type { Application } from '../../../src/core/model/environment';
import {
  fluxApplications,
  RECONCILE_FIELD_MANAGER,
  RECONCILE_REQUESTED_AT,
  reconcileRequest,
  requestFluxReconcile,
} from '../../../src/core/promote/fluxReconcile';

const ref = { name: 'apps', namespace: 'flux-system' };
const at = new Date('2026-12-06T15:04:05.678Z');

/** A writer holding one live object (or none), recording each apply. */
type Applied = { obj: KubeObject; fieldManager: string; force: boolean; dryRun: boolean };
function fakeWriter(live: KubeObject | undefined): ClusterWriter & { applied: Applied[] } {
  const applied: Applied[] = [];
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

describe('Flux applications of an environment', () => {
  const fluxApp = (name: string): Application => ({
    name,
    source: { type: 'folder', path: `apps/${name}` },
    renderer: 'flux-kustomization',
    controller: {
      object: { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name } },
      at: { file: `clusters/prod/${name}.yaml`, line: 1, column: 1 },
    },
  });
  const plain: Application = { name: 'extras', source: { type: 'folder', path: 'extras' }, renderer: 'kustomize' };
  const env = { applications: [fluxApp('web'), fluxApp('jobs'), plain] };
  /** A checked application; `controller` undefined: no Kustomization status was read. */
  const summary = (name: string, controller?: Partial<ControllerStatus>): ApplicationSummary => {
    const status: ControllerStatus = {
      kind: 'Kustomization',
      name,
      namespace: 'flux-system',
      found: true,
      suspended: false,
      prune: true,
      pendingPrune: 0,
      notYetApplied: 0,
      ...controller,
    };
    return {
      name,
      kind: 'flux-kustomization',
      source: name,
      state: 'rendered',
      ...(controller ? { controller: status } : {}),
    };
  };

  it('lists the applications a Kustomization applies, its namespace defaulting to flux-system', () => {
    assert.deepEqual(fluxApplications(env), [
      { app: 'web', ref: { name: 'web', namespace: 'flux-system' } },
      { app: 'jobs', ref: { name: 'jobs', namespace: 'flux-system' } },
    ]);
    assert.deepEqual(
      fluxApplications(env, { apps: new Set(['jobs', 'extras']) }).map((a) => a.app),
      ['jobs'],
    );
  });

  it('with a check, keeps only Kustomizations the cluster has and that are not suspended', () => {
    const summaries = [summary('web', { suspended: true }), summary('jobs', {}), summary('extras')];
    assert.deepEqual(
      fluxApplications(env, { summaries }).map((a) => a.app),
      ['jobs'],
    );
    assert.deepEqual(fluxApplications(env, { summaries: [summary('jobs', { found: false })] }), []);
  });

  it('an object naming no application belongs to the sole application', () => {
    const one = { applications: [fluxApp('web')] };
    assert.deepEqual(
      fluxApplications(one, { apps: new Set([undefined]) }).map((a) => a.app),
      ['web'],
    );
    assert.deepEqual(fluxApplications(env, { apps: new Set([undefined]) }), []);
  });
});
