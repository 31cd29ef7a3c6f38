/**
 * A Flux HelmRelease (helm.toolkit.fluxcd.io, helm-controller api v2): which Helm release it makes (its name,
 * namespace and storage namespace, as helm-controller derives them), and what its status says (the Ready condition,
 * `status.history`, the drift-detection mode). Tolerant of any shape: git and the cluster both hand it over.
 */
import { createHash } from 'node:crypto';
import { keyOf, keyString, type KubeObject } from '../model/resource';
import type { LiveRead } from './fluxKustomization';
import { scopeKey } from '../model/live';

export const FLUX_HELM_GROUP = 'helm.toolkit.fluxcd.io';

/** Whether an object is a Flux HelmRelease. */
export function isFluxHelmRelease(obj: { apiVersion?: string; kind?: string }): boolean {
  return obj.kind === 'HelmRelease' && (obj.apiVersion ?? '').startsWith(`${FLUX_HELM_GROUP}/`);
}

/** The Helm release a HelmRelease makes. */
export interface HelmReleaseTarget {
  /** The HelmRelease object itself. */
  name: string;
  namespace: string;
  /** The Helm release's name (`spec.releaseName`, else `[targetNamespace-]name`, shortened past 53 characters). */
  releaseName: string;
  /** Where its objects go (`spec.targetNamespace`, else the HelmRelease's namespace). */
  releaseNamespace: string;
  /** Where its release records are kept (`spec.storageNamespace`, else the HelmRelease's namespace). */
  storageNamespace: string;
}

/**
 * What helm-controller derives from a HelmRelease (api v2 GetReleaseName, GetReleaseNamespace,
 * GetStorageNamespace, and internal/release.ShortenName). `namespace` is where the HelmRelease itself lives.
 */
export function helmReleaseTarget(obj: KubeObject, namespace: string): HelmReleaseTarget {
  const spec = record(obj.spec);
  const name = obj.metadata?.name ?? '';
  const target = str(spec.targetNamespace);
  const releaseName = str(spec.releaseName) ?? (target ? `${target}-${name}` : name);
  return {
    name,
    namespace,
    releaseName: shortenReleaseName(releaseName),
    releaseNamespace: target ?? namespace,
    storageNamespace: str(spec.storageNamespace) ?? namespace,
  };
}

/** helm-controller's ShortenName: past 53 characters, the first 40 and the first 12 hex digits of its SHA-256. */
export function shortenReleaseName(name: string): string {
  if (name.length <= 53) return name;
  return `${name.slice(0, 40)}-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
}

/** One entry of `status.history` (a Snapshot: newest first, as helm-controller keeps it). */
export interface HelmReleaseSnapshot {
  version: number;
  status: string;
  chartName: string;
  chartVersion: string;
  /** Digest of the values the release was made with (`sha256:…`), never the values. */
  configDigest?: string;
  lastDeployed?: string;
}

/** What a live HelmRelease's spec and status say. */
export interface FluxHelmReleaseState {
  ready?: { status: 'True' | 'False' | 'Unknown'; reason?: string; message?: string; lastTransitionTime?: string };
  /** The `Released` condition (the last install or upgrade). */
  released?: { status: 'True' | 'False' | 'Unknown'; reason?: string; message?: string };
  suspended: boolean;
  interval?: string;
  /** `spec.driftDetection.mode`: `enabled` (helm-controller corrects drift), `warn` (reports it), `disabled` (default). */
  driftDetection: 'enabled' | 'warn' | 'disabled';
  history: HelmReleaseSnapshot[];
  lastAttemptedRevision?: string;
  /** Whether helm-controller has seen the current spec (`status.observedGeneration` ≥ `metadata.generation`). */
  observed: boolean;
  failures?: number;
}

/** Reads a live HelmRelease. */
export function parseFluxHelmRelease(obj: KubeObject): FluxHelmReleaseState {
  const spec = record(obj.spec);
  const status = record(obj.status);
  const conditions = Array.isArray(status.conditions) ? status.conditions.map(record) : [];
  const condition = (type: string) => {
    const c = conditions.find((x) => x.type === type);
    if (!c) return undefined;
    return {
      status: (c.status === 'True' || c.status === 'False' ? c.status : 'Unknown') as 'True' | 'False' | 'Unknown',
      ...(str(c.reason) ? { reason: str(c.reason) } : {}),
      ...(str(c.message) ? { message: str(c.message) } : {}),
      ...(str(c.lastTransitionTime) ? { lastTransitionTime: str(c.lastTransitionTime) } : {}),
    };
  };
  const mode = str(record(spec.driftDetection).mode);
  const generation = typeof obj.metadata?.generation === 'number' ? obj.metadata.generation : undefined;
  const observedGeneration = typeof status.observedGeneration === 'number' ? status.observedGeneration : undefined;
  const ready = condition('Ready');
  const released = condition('Released');
  const history = (Array.isArray(status.history) ? status.history.map(record) : []).map((h) => ({
    version: typeof h.version === 'number' ? h.version : 0,
    status: str(h.status) ?? '',
    chartName: str(h.chartName) ?? '',
    chartVersion: str(h.chartVersion) ?? '',
    ...(str(h.configDigest) ? { configDigest: str(h.configDigest) } : {}),
    ...(str(h.lastDeployed) ? { lastDeployed: str(h.lastDeployed) } : {}),
  }));
  return {
    ...(ready ? { ready } : {}),
    ...(released ? { released } : {}),
    suspended: spec.suspend === true,
    ...(str(spec.interval) ? { interval: str(spec.interval) } : {}),
    driftDetection: mode === 'enabled' || mode === 'warn' ? mode : 'disabled',
    history,
    ...(str(status.lastAttemptedRevision) ? { lastAttemptedRevision: str(status.lastAttemptedRevision) } : {}),
    observed: generation === undefined || (observedGeneration !== undefined && observedGeneration >= generation),
    ...(typeof status.failures === 'number' && status.failures ? { failures: status.failures } : {}),
  };
}

/** The live HelmRelease, `absent` when the cluster has none of that name, or why it could not be read. */
export type FluxHelmReleaseRead =
  | { status: 'ok'; object: KubeObject }
  | { status: 'absent'; message: string }
  | { status: 'unreadable'; message: string };

/** Reads one HelmRelease as the environment's objects are read, asking for the `v2` API. */
export async function readFluxHelmRelease(
  read: LiveRead,
  ref: { name: string; namespace: string },
): Promise<FluxHelmReleaseRead> {
  const wanted: KubeObject = {
    apiVersion: `${FLUX_HELM_GROUP}/v2`,
    kind: 'HelmRelease',
    metadata: { name: ref.name, namespace: ref.namespace },
  };
  const state = await read([wanted], ref.namespace);
  const failure = state.failures.get(scopeKey(FLUX_HELM_GROUP, 'HelmRelease', ref.namespace));
  if (failure?.verdict === 'UnknownKind') return { status: 'absent', message: failure.message };
  if (failure)
    return { status: 'unreadable', message: `cannot read HelmReleases in ${ref.namespace}: ${failure.message}` };
  const object = state.objects.get(keyString(keyOf(wanted)));
  return object
    ? { status: 'ok', object }
    : { status: 'absent', message: `the cluster has no HelmRelease ${ref.namespace}/${ref.name}` };
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}
