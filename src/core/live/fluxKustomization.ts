/**
 * A Flux Kustomization as the cluster reports it: which one an application is, reading it through the ClusterReader,
 * and the parts of its spec and status that say where the controller stands (kustomize-controller's
 * api/v1 KustomizationStatus: conditions, lastAppliedRevision, inventory).
 */
import type { Application } from '../model/environment';
import { type LiveState, scopeKey } from '../model/live';
import { keyOf, keyString, type KubeObject, type ResourceKey } from '../model/resource';

export const FLUX_KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io';

/** A Flux Kustomization's name and namespace. */
export interface FluxKustomizationRef {
  name: string;
  namespace: string;
}

/**
 * The Flux Kustomization behind an application: its controller object when that is one (discovery by cluster sets
 * it), else the environment's tracking (discovery of one environment per Kustomization sets that). Flux's own
 * default namespace is `flux-system`.
 */
export function fluxKustomizationOf(
  app: Application,
  tracking?: { fluxKustomization?: FluxKustomizationRef },
): FluxKustomizationRef | undefined {
  const object = app.controller?.object;
  if (object) {
    if (
      object.kind !== 'Kustomization' ||
      !object.apiVersion?.startsWith(`${FLUX_KUSTOMIZE_GROUP}/`) ||
      !object.metadata?.name
    )
      return undefined;
    return { name: object.metadata.name, namespace: object.metadata.namespace || 'flux-system' };
  }
  return tracking?.fluxKustomization;
}

/** What a Kustomization's spec and status say, as plain data. */
export interface FluxKustomizationState {
  ready?: { status: 'True' | 'False' | 'Unknown'; reason?: string; message?: string };
  suspended: boolean;
  prune: boolean;
  interval?: string;
  lastAppliedRevision?: string;
  lastAttemptedRevision?: string;
  /** `status.inventory.entries`, parsed; undefined when the status has no inventory (never applied). */
  inventory?: FluxInventoryEntry[];
}

/** One inventory entry: the object's key and the API version it was applied in. */
export interface FluxInventoryEntry {
  key: ResourceKey;
  version: string;
}

/** Reads the parts of a live Kustomization that matter here; tolerant of any shape (it comes from the cluster). */
export function parseFluxKustomization(obj: KubeObject): FluxKustomizationState {
  const spec = record(obj.spec);
  const status = record(obj.status);
  const conditions = Array.isArray(status.conditions) ? status.conditions.map(record) : [];
  const ready = conditions.find((c) => c.type === 'Ready');
  const state: FluxKustomizationState = { suspended: spec.suspend === true, prune: spec.prune === true };
  if (ready) {
    const s = ready.status === 'True' || ready.status === 'False' ? ready.status : 'Unknown';
    state.ready = {
      status: s,
      ...(typeof ready.reason === 'string' && ready.reason ? { reason: ready.reason } : {}),
      ...(typeof ready.message === 'string' && ready.message ? { message: ready.message } : {}),
    };
  }
  if (typeof spec.interval === 'string') state.interval = spec.interval;
  if (typeof status.lastAppliedRevision === 'string' && status.lastAppliedRevision)
    state.lastAppliedRevision = status.lastAppliedRevision;
  if (typeof status.lastAttemptedRevision === 'string' && status.lastAttemptedRevision)
    state.lastAttemptedRevision = status.lastAttemptedRevision;
  const inventory = record(status.inventory);
  if (Array.isArray(inventory.entries)) {
    state.inventory = inventory.entries.map(record).flatMap((e) => {
      const key = typeof e.id === 'string' ? parseInventoryId(e.id) : undefined;
      return key ? [{ key, version: typeof e.v === 'string' ? e.v : '' }] : [];
    });
  }
  return state;
}

/**
 * An inventory id, `<namespace>_<name>_<group>_<kind>` (empty namespace for cluster-scoped objects, empty group for
 * the core group). Names, namespaces and groups cannot hold `_`, so the split is exact.
 */
export function parseInventoryId(id: string): ResourceKey | undefined {
  const parts = id.split('_');
  if (parts.length !== 4 || !parts[1] || !parts[3]) return undefined;
  return { namespace: parts[0], name: parts[1], group: parts[2], kind: parts[3] };
}

/** The live Kustomization, `absent` when the cluster has none of that name, or why it could not be read. */
export type FluxKustomizationRead =
  | { status: 'ok'; object: KubeObject }
  | { status: 'absent'; message: string }
  | { status: 'unreadable'; message: string };

/** How live objects are read: the engine's own way (a watch-backed cache in the editor, shared LISTs in the CLI). */
export type LiveRead = (desired: readonly KubeObject[], defaultNamespace: string) => Promise<LiveState>;

/**
 * Reads one Kustomization the way the environment's objects are read (one LIST of its namespace, or the watch that
 * already holds it), asking for the `v1` API (Flux ≥ 2.0).
 */
export async function readFluxKustomization(read: LiveRead, ref: FluxKustomizationRef): Promise<FluxKustomizationRead> {
  const wanted: KubeObject = {
    apiVersion: `${FLUX_KUSTOMIZE_GROUP}/v1`,
    kind: 'Kustomization',
    metadata: { name: ref.name, namespace: ref.namespace },
  };
  const state = await read([wanted], ref.namespace);
  const failure = state.failures.get(scopeKey(FLUX_KUSTOMIZE_GROUP, 'Kustomization', ref.namespace));
  // The live layer's message names the kind, group and version, and asks whether its CRD is installed.
  if (failure?.verdict === 'UnknownKind') return { status: 'absent', message: failure.message };
  if (failure)
    return { status: 'unreadable', message: `cannot read Flux Kustomizations in ${ref.namespace}: ${failure.message}` };
  const object = state.objects.get(keyString(keyOf(wanted)));
  return object
    ? { status: 'ok', object }
    : { status: 'absent', message: `the cluster has no Flux Kustomization ${ref.namespace}/${ref.name}` };
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
