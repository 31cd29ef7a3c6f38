/**
 * "Reconcile Now": asks Flux to reconcile a Kustomization, the GitOps way back to desired, the way `flux reconcile`
 * does: by setting the `reconcile.fluxcd.io/requestedAt` annotation, which kustomize-controller watches for. The
 * write goes through the ClusterWriter port as a server-side apply of that one annotation under a field manager of
 * its own, so it neither owns nor changes any other field of the Kustomization.
 */
import {
  FLUX_KUSTOMIZE_GROUP,
  type FluxKustomizationRef,
  fluxKustomizationOf,
  parseFluxKustomization,
} from '../live/fluxKustomization';
import type { ApplicationSummary } from '../model/drift';
import type { Application } from '../model/environment';
import type { KubeObject } from '../model/resource';
import type { ClusterWriter } from '../ports';

export const RECONCILE_REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
/** Distinct from put-back's `gitops-drift`: this manager owns the annotation and nothing else. */
export const RECONCILE_FIELD_MANAGER = 'gitops-drift-reconcile';

/** The apply body that sets only the request annotation: RFC 3339 time of the request. */
export function reconcileRequest(ref: FluxKustomizationRef, now: Date): KubeObject {
  return {
    apiVersion: `${FLUX_KUSTOMIZE_GROUP}/v1`,
    kind: 'Kustomization',
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      annotations: { [RECONCILE_REQUESTED_AT]: now.toISOString() },
    },
  };
}

export type ReconcileOutcome =
  | { status: 'requested'; requestedAt: string }
  /** Nothing was written: `message` says why (no such Kustomization, suspended, forbidden, …). */
  | { status: 'refused'; message: string };

/**
 * Sets the request annotation on an existing, not suspended Kustomization (a suspended one ignores the request). It
 * is read first because an apply would otherwise create a Kustomization that does not exist. The annotation is taken
 * over from whoever set it last (the `flux` CLI, another user): its value is only a trigger.
 */
export async function requestFluxReconcile(
  writer: ClusterWriter,
  ref: FluxKustomizationRef,
  now: Date = new Date(),
): Promise<ReconcileOutcome> {
  const label = `Flux Kustomization ${ref.namespace}/${ref.name}`;
  const ready = await checkReconcilable(writer, ref);
  if (ready.status === 'refused') return ready;
  const body = reconcileRequest(ref, now);
  const requestedAt = now.toISOString();
  const applied = await writer.apply(body, { fieldManager: RECONCILE_FIELD_MANAGER, dryRun: false, force: true });
  if (applied.status !== 'ok') return { status: 'refused', message: `${label}: ${applied.message}` };
  return { status: 'requested', requestedAt };
}

/**
 * Whether a reconcile request would move the Kustomization: the cluster has it and it is not suspended (a suspended
 * one ignores the request); why not otherwise. Read before asking anyone to confirm, and again before the write.
 */
export async function checkReconcilable(
  writer: ClusterWriter,
  ref: FluxKustomizationRef,
): Promise<{ status: 'ready' } | { status: 'refused'; message: string }> {
  const label = `Flux Kustomization ${ref.namespace}/${ref.name}`;
  const current = await writer.get(`${FLUX_KUSTOMIZE_GROUP}/v1`, 'Kustomization', ref.namespace, ref.name);
  if (current.status !== 'ok' || !current.object)
    return {
      status: 'refused',
      message: `cannot read ${label}: ${current.status === 'ok' ? 'no object' : current.message}`,
    };
  if (parseFluxKustomization(current.object).suspended)
    return { status: 'refused', message: `${label} is suspended: Flux ignores reconcile requests until it is resumed` };
  return { status: 'ready' };
}

/** An environment's application and the Flux Kustomization that applies it. */
export interface FluxApplication {
  app: string;
  ref: FluxKustomizationRef;
}

/**
 * The applications of `env` that a Flux Kustomization applies; only those named in `apps` when given (an object of an
 * environment with one application may name none: that one is meant). With `summaries` (a check's), only those whose
 * Kustomization the cluster has and that are not suspended: the ones a reconcile request would move.
 */
export function fluxApplications(
  env: { applications: readonly Application[]; tracking?: { fluxKustomization?: FluxKustomizationRef } },
  options: { apps?: ReadonlySet<string | undefined>; summaries?: readonly ApplicationSummary[] } = {},
): FluxApplication[] {
  const { apps, summaries } = options;
  const named = (name: string) => !apps || apps.has(name) || (env.applications.length === 1 && apps.has(undefined));
  return env.applications.flatMap((app) => {
    const ref = fluxKustomizationOf(app, env.tracking);
    if (!ref || !named(app.name)) return [];
    if (summaries) {
      const controller = summaries.find((s) => s.name === app.name)?.controller;
      if (!controller?.found || controller.suspended) return [];
    }
    return [{ app: app.name, ref }];
  });
}
