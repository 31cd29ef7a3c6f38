import type { LiveFailure } from '../model/live';
import { scopeKey } from '../model/live';
import { type KubeObject, splitApiVersion } from '../model/resource';
import type { ClusterReader, ResourceType } from '../ports';

/** One LIST the desired state needs: a kind in a namespace ('' for cluster-scoped kinds). */
export interface LiveScope {
  /** `scopeKey(group, kind, namespace)`. */
  key: string;
  type: ResourceType;
  namespace: string;
}

/** The LISTs to make for some desired objects, and the kinds the cluster does not serve. */
export interface ScopePlan {
  scopes: LiveScope[];
  /** UnknownKind failures, by scope key. */
  failures: Map<string, LiveFailure>;
  /** Whether each served kind is namespaced, by `group/kind`. */
  namespaced: Map<string, boolean>;
}

/**
 * Groups desired objects into scopes: one per (group/kind, namespace) for namespaced kinds, one per kind for
 * cluster-scoped kinds. Objects that name no namespace use `defaultNamespace`. Asks the reader once per kind,
 * in the version most of the desired objects use, so live objects come back in the shape git declares.
 */
export async function planScopes(
  desired: readonly KubeObject[],
  reader: ClusterReader,
  defaultNamespace: string,
): Promise<ScopePlan> {
  const kinds = new Map<
    string,
    { group: string; kind: string; versions: Map<string, number>; namespaces: Set<string>; explicit: Set<string> }
  >();
  // Thousands of objects share a handful of apiVersion/kind pairs: split and key each pair once.
  const ids = new Map<string, { group: string; version: string; id: string }>();
  for (const obj of desired) {
    if (!obj.kind) continue;
    const pair = `${obj.apiVersion ?? ''} ${obj.kind}`;
    let split = ids.get(pair);
    if (!split) {
      const { group, version } = splitApiVersion(obj.apiVersion ?? '');
      ids.set(pair, (split = { group, version, id: `${group}/${obj.kind}` }));
    }
    const { group, version, id } = split;
    let entry = kinds.get(id);
    if (!entry)
      kinds.set(
        id,
        (entry = { group, kind: obj.kind, versions: new Map(), namespaces: new Set(), explicit: new Set() }),
      );
    entry.versions.set(version, (entry.versions.get(version) ?? 0) + 1);
    const ns = obj.metadata?.namespace;
    entry.namespaces.add(ns || defaultNamespace);
    if (ns) entry.explicit.add(ns);
  }

  const plan: ScopePlan = { scopes: [], failures: new Map(), namespaced: new Map() };
  const entries = [...kinds.entries()];
  // The reader caches discovery, so asking for every kind at once costs one discovery round at most.
  const types = await Promise.all(entries.map(([, e]) => reader.resourceType(e.group, e.kind, mostUsed(e.versions))));
  entries.forEach(([id, e], i) => {
    const type = types[i];
    if (!type) {
      const failure: LiveFailure = {
        verdict: 'UnknownKind',
        message: `the cluster does not serve kind ${e.kind} in API group ${e.group ? `"${e.group}"` : 'core'} (${[...e.versions.keys()].map((v) => (e.group ? `${e.group}/${v}` : v)).join(', ')}): is its CRD installed?`,
      };
      // Namespacedness is unknown without discovery: record the failure where a consumer may look for it.
      for (const ns of e.namespaces) plan.failures.set(scopeKey(e.group, e.kind, ns), failure);
      if (e.explicit.size < e.namespaces.size) plan.failures.set(scopeKey(e.group, e.kind, ''), failure);
      return;
    }
    plan.namespaced.set(id, type.namespaced);
    const wanted = mostUsed(e.versions);
    if (wanted && type.version !== wanted) {
      // Discovery answers with another version when the one asked for is not served (a CRD version with
      // `served: false`, or an API version this release removed). Listing that other version would call every
      // object Missing, and applying them would get one 404 each: the verdict is that the version is not served.
      const as = (v: string) => (e.group ? `${e.group}/${v}` : v);
      const failure: LiveFailure = {
        verdict: 'UnknownKind',
        message: `version not served: the cluster does not serve ${e.kind} in ${as(wanted)} (it serves it in ${as(type.version)}; a CRD version with served: false, or an API version this Kubernetes release removed): change the apiVersion in git`,
      };
      const namespaces = type.namespaced ? e.namespaces : new Set(['']);
      for (const ns of namespaces) plan.failures.set(scopeKey(e.group, e.kind, ns), failure);
      return;
    }
    const namespaces = type.namespaced ? [...e.namespaces].sort() : [''];
    for (const namespace of namespaces)
      plan.scopes.push({ key: scopeKey(e.group, e.kind, namespace), type, namespace });
  });
  return plan;
}

function mostUsed(counts: Map<string, number>): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount) [best, bestCount] = [value, count];
  }
  return best;
}

/** A short name for a resource in messages: `deployments.apps`, `configmaps`. */
export function resourceLabel(type: ResourceType): string {
  return type.group ? `${type.resource}.${type.group}` : type.resource;
}
