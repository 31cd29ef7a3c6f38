import type { KubeObject } from './resource';

/** Why a kind could not be read in a namespace. */
export interface LiveFailure {
  verdict: 'UnknownKind' | 'Forbidden' | 'Error';
  /** e.g. `list deployments.apps in namespace shop-prod is forbidden for user readonly`. */
  message: string;
}

/**
 * What the cluster holds for the (group, kind, namespace) scopes an environment's desired state touches.
 * Produced by src/core/live from a ClusterReader (or from a snapshot file); consumed by src/core/drift.
 */
export interface LiveState {
  /** Every object listed, by `keyString(keyOf(obj))`: desired ones and others (others are candidates for Extra). */
  objects: Map<string, KubeObject>;
  /** Scopes that could not be listed, by `scopeKey(group, kind, namespace)`. */
  failures: Map<string, LiveFailure>;
  /** Scopes that were listed successfully, by `scopeKey(group, kind, namespace)`. */
  listed: Set<string>;
  /**
   * Whether each kind the cluster serves is namespaced, by `group/kind` (from discovery). Tells a consumer
   * whether an object that names no namespace lives in the environment's default namespace or is
   * cluster-scoped. Absent when the state did not come from a cluster.
   */
  namespaced?: Map<string, boolean>;
}

/** `group/kind/namespace` ('' namespace for cluster-scoped kinds). */
export function scopeKey(group: string, kind: string, namespace: string): string {
  return `${group}/${kind}/${namespace}`;
}
