/** Whether a live object carries this environment's tracking marks (Argo CD, Flux, ours): a candidate for `Extra`. */
import type { KubeObject, ResourceKey } from '../model/resource';
import type { TrackingOptions } from './options';
import { isMap } from '../yaml/pointer';

const ARGOCD_TRACKING_ID = 'argocd.argoproj.io/tracking-id';
const FLUX_NAME = 'kustomize.toolkit.fluxcd.io/name';
const FLUX_NAMESPACE = 'kustomize.toolkit.fluxcd.io/namespace';

/** Whether any tracking mark is configured (without one, nothing is ever `Extra`). */
export function hasTracking(tracking: TrackingOptions): boolean {
  return Boolean(
    tracking.argocdApp ||
    tracking.argocdApps?.length ||
    tracking.fluxKustomization ||
    tracking.fluxKustomizations?.length ||
    (tracking.labels && Object.keys(tracking.labels).length),
  );
}

/**
 * Whether `obj` (with key `key`) is tracked by this environment. Objects a controller owns (ReplicaSets, Pods: they
 * inherit template labels) are never tracked, as Argo CD does.
 */
export function isTracked(obj: KubeObject, key: ResourceKey, tracking: TrackingOptions): boolean {
  const owners = obj.metadata.ownerReferences;
  if (Array.isArray(owners) && owners.some((o) => isMap(o) && o.controller === true)) return false;
  const labels = obj.metadata.labels ?? {};
  const annotations = obj.metadata.annotations ?? {};
  for (const app of argoApplicationsTracked(tracking)) {
    const id = annotations[ARGOCD_TRACKING_ID];
    // `<app>:<group>/<kind>:<namespace>/<name>`; an id naming another object marks a copy, not ours.
    if (id !== undefined && id === `${app}:${key.group}/${key.kind}:${key.namespace}/${key.name}`) return true;
    if (id === undefined && labels[tracking.argocdLabel ?? 'app.kubernetes.io/instance'] === app) return true;
  }
  const flux = [
    ...(tracking.fluxKustomization ? [tracking.fluxKustomization] : []),
    ...(tracking.fluxKustomizations ?? []),
  ];
  if (flux.some((k) => labels[FLUX_NAME] === k.name && labels[FLUX_NAMESPACE] === k.namespace)) return true;
  const ours = tracking.labels;
  if (ours && Object.keys(ours).length && Object.entries(ours).every(([k, v]) => labels[k] === v)) return true;
  return false;
}

/** The Argo CD Applications whose marks track objects here: `argocdApp` and `argocdApps`. */
export function argoApplicationsTracked(tracking: TrackingOptions): string[] {
  return [...(tracking.argocdApp ? [tracking.argocdApp] : []), ...(tracking.argocdApps ?? [])];
}

/** Whether the environment is Argo CD's (its hooks and compare options apply). */
export function trackedByArgoCd(tracking: TrackingOptions): boolean {
  return tracking.argocdApp !== undefined || tracking.argocdApps !== undefined;
}
