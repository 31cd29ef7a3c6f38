/**
 * "Reconcile Now" against the real API server with Flux's CRDs: the request annotation is set on an existing
 * Kustomization and nothing else of it changes; a second request moves the time on; suspended and absent
 * Kustomizations are left alone (no object is created).
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import type { KubeObject } from '../../../src/core/model/resource';
import {
  RECONCILE_FIELD_MANAGER,
  RECONCILE_REQUESTED_AT,
  requestFluxReconcile,
} from '../../../src/core/promote/fluxReconcile';
import { createKubeApplier, type KubeApplier } from '../../../src/node/kubeApplier';
import { testbedBin, testbedFluxCrds } from '../../testbed/bins';
import { freshNamespace, testCluster } from '../support';

const FLUX_API = '/apis/kustomize.toolkit.fluxcd.io/v1';

describe('Reconcile Now (Flux), against the real API server', function () {
  let applier: KubeApplier;

  before(async function () {
    this.timeout(120_000);
    const c = testCluster();
    const kubectl = (...args: string[]) =>
      execFileSync(testbedBin('kubectl'), ['--kubeconfig', c.kubeconfigPath, '--context', c.adminContext, ...args], {
        stdio: 'pipe',
      });
    kubectl('apply', '--server-side', '--field-manager=flux-install', '-f', testbedFluxCrds());
    kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd/kustomizations.kustomize.toolkit.fluxcd.io');
    applier = await createKubeApplier({ kubeconfigPath: c.kubeconfigPath, context: c.adminContext });
  });
  after(() => applier?.dispose());

  async function createKustomization(ns: string, suspend: boolean): Promise<void> {
    const created = await testCluster().adminRequest('POST', `${FLUX_API}/namespaces/${ns}/kustomizations`, {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'apps', namespace: ns, annotations: { team: 'shop' }, labels: { tier: 'apps' } },
      spec: {
        interval: '10m',
        prune: true,
        suspend,
        path: './apps/prod',
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }

  async function read(ns: string): Promise<{ status: number; object: KubeObject }> {
    const res = await testCluster().adminRequest('GET', `${FLUX_API}/namespaces/${ns}/kustomizations/apps`);
    return { status: res.status, object: res.body as KubeObject };
  }

  /** The object without what any write moves on (version, generation-free metadata) and the new annotation. */
  function rest(obj: KubeObject): unknown {
    const {
      resourceVersion: _rv,
      managedFields: _mf,
      annotations,
      ...metadata
    } = obj.metadata as KubeObject['metadata'] & {
      resourceVersion?: string;
      managedFields?: unknown;
    };
    const { [RECONCILE_REQUESTED_AT]: _at, ...otherAnnotations } = annotations ?? {};
    return { ...obj, metadata: { ...metadata, annotations: otherAnnotations } };
  }

  it('sets the requestedAt annotation and changes nothing else of the Kustomization', async () => {
    const ns = await freshNamespace('flux-reconcile');
    await createKustomization(ns, false);
    const before = await read(ns);
    const at = new Date('2026-12-06T15:04:05.000Z');
    const out = await requestFluxReconcile(applier, { name: 'apps', namespace: ns }, at);
    assert.deepEqual(out, { status: 'requested', requestedAt: at.toISOString() });
    const after = await read(ns);
    assert.equal(after.object.metadata.annotations?.[RECONCILE_REQUESTED_AT], at.toISOString());
    assert.equal(after.object.metadata.annotations?.team, 'shop');
    assert.deepEqual(rest(after.object), rest(before.object));
    // Spec untouched: the generation stays (a reconcile request is not a spec change).
    assert.equal(after.object.metadata.generation, before.object.metadata.generation);
    const mine = (after.object.metadata.managedFields as { manager: string; fieldsV1: unknown }[]).filter(
      (m) => m.manager === RECONCILE_FIELD_MANAGER,
    );
    assert.deepEqual(
      mine.map((m) => m.fieldsV1),
      [{ 'f:metadata': { 'f:annotations': { [`f:${RECONCILE_REQUESTED_AT}`]: {} } } }],
    );

    const later = new Date('2026-12-06T15:10:00.000Z');
    assert.equal((await requestFluxReconcile(applier, { name: 'apps', namespace: ns }, later)).status, 'requested');
    assert.equal((await read(ns)).object.metadata.annotations?.[RECONCILE_REQUESTED_AT], later.toISOString());
  });

  it('leaves a suspended Kustomization alone, and creates none where there is none', async () => {
    const ns = await freshNamespace('flux-reconcile-off');
    await createKustomization(ns, true);
    const out = await requestFluxReconcile(applier, { name: 'apps', namespace: ns });
    assert.equal(out.status, 'refused');
    assert.equal((await read(ns)).object.metadata.annotations?.[RECONCILE_REQUESTED_AT], undefined);

    const absent = await requestFluxReconcile(applier, { name: 'none', namespace: ns });
    assert.equal(absent.status, 'refused');
    const list = await testCluster().adminRequest('GET', `${FLUX_API}/namespaces/${ns}/kustomizations/none`);
    assert.equal(list.status, 404);
  });
});
