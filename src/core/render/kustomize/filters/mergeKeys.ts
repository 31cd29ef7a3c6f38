/**
 * Merge keys of built-in Kubernetes types for strategic merge patch, from the one generated table of list types
 * (src/core/k8s/listTypes.ts), as kustomize's own embedded schema has them: a list with patch strategy `merge`
 * merges by its `x-kubernetes-patch-merge-key` (by the cluster's list-map keys when there are several and the first
 * is the merge key: ports by number and protocol), or as a set of scalars without a key. Other lists are replaced
 * by a patch, as kustomize does for built-in lists without a patch strategy, for lists newer than its schema, and for
 * every list of a custom resource.
 */
import { fieldInfo, kustomizeKindType } from '../../../k8s/listTypes';

/** How a list merges: by a key field, or as a set of scalars. */
export interface ListStrategy {
  key?: string;
  /** `x-kubernetes-list-map-keys` when there are several (ports: number and protocol); `key` is the first. */
  keys?: string[];
}

/** A position in a built-in type: a type of the table (or none, for a custom resource or a plain field). */
export interface TypeSchema {
  /** The type of this value (for a list: of its items, for a map: of its values). */
  type?: string;
  /** Set when this value is a list that merges. */
  list?: ListStrategy;
  /** Set when this value is a map of `type` (its keys are names, not fields). */
  map?: boolean;
}

const roots = new Map<string, TypeSchema | undefined>();

/** The schema at the root of an object of a kind (kinds kustomize's schema knows only; others have none). */
export function rootSchema(apiVersion: string, kind: string): TypeSchema | undefined {
  const id = `${apiVersion}/${kind}`;
  if (!roots.has(id)) {
    const type = kustomizeKindType(apiVersion, kind);
    roots.set(id, type === undefined ? undefined : { type });
  }
  return roots.get(id);
}

/** The schema of a field (or of a list's items, or a map's values, when `field` is undefined). */
export function childSchema(schema: TypeSchema | undefined, field?: string): TypeSchema | undefined {
  if (!schema?.type) return undefined;
  // A list's items, or a map's value whatever its key, are of the type itself.
  if (field === undefined || schema.map) return { type: schema.type };
  const info = fieldInfo(schema.type, field);
  if (!info) return undefined;
  const out: TypeSchema = {};
  if (info.type) out.type = info.type;
  if (info.map) out.map = true;
  const smp = info.smp;
  if (smp?.strategy.split(',').includes('merge')) {
    const mapKeys = info.list?.mapKeys;
    out.list = smp.mergeKey
      ? {
          key: smp.mergeKey,
          ...(mapKeys && mapKeys.length > 1 && mapKeys[0] === smp.mergeKey ? { keys: mapKeys } : {}),
        }
      : {};
  }
  return out.type || out.list ? out : undefined;
}

/** The merge strategy of a list-typed schema, undefined when the list is replaced. */
export function listStrategy(schema: TypeSchema | undefined): ListStrategy | undefined {
  return schema?.list;
}
