/**
 * Kustomize field specs: "this path, in these kinds", walked the way kustomize's fsslice filter walks them
 * (lists on the way are entered element by element; `create` makes missing maps).
 */
import type { Origin } from '../../model/location';
import { gvkOf, type Gvk, type Resource } from './resource';
import { tmap, type TMap, type TNode } from '../../yaml/tree';

/** Where a transformer writes: a path, optionally limited to a group/version/kind. */
export interface FieldSpec {
  group?: string;
  version?: string;
  kind?: string;
  path: string;
  create?: boolean;
}

/** Whether a spec applies to a GVK (empty spec fields match anything). */
export function specMatches(spec: FieldSpec, gvk: Gvk): boolean {
  return (
    (!spec.kind || spec.kind === gvk.kind) &&
    (!spec.group || spec.group === gvk.group) &&
    (!spec.version || spec.version === gvk.version)
  );
}

/** Splits a field-spec path on unescaped `/` and drops `[]` list markers. */
export function splitPath(path: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '\\' && path[i + 1] === '/') {
      cur += '/';
      i++;
    } else if (c === '/') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts.map((p) => (p.endsWith('[]') ? p.slice(0, -2) : p));
}

const splitCache = new Map<string, string[]>();

function cachedSplit(path: string): string[] {
  let parts = splitCache.get(path);
  if (!parts) splitCache.set(path, (parts = splitPath(path)));
  return parts;
}

/**
 * Calls `visit(parent, key)` for every place the specs select in the resource. When `create` is set on the spec,
 * missing maps on the way are made (with `origin`) and `visit` is called for a missing last key too.
 */
export function visitFieldSpecs(
  res: Resource,
  specs: readonly FieldSpec[],
  origin: Origin,
  visit: (parent: TMap, key: string) => void,
  /** The resource's GVK, when the caller has it already. */
  gvk: Gvk = gvkOf(res),
): void {
  for (const { parts, lists, create } of applicable(specs, gvk)) walk(res.node, parts, lists, 0, create, origin, visit);
}

/** Whether any of the specs applies to objects of `gvk` (memoized like the visit itself). */
export function selectsAny(specs: readonly FieldSpec[], gvk: Gvk): boolean {
  return applicable(specs, gvk).length > 0;
}

const applicableMemo = new WeakMap<
  readonly FieldSpec[],
  WeakMap<Gvk, Array<{ parts: string[]; lists: boolean[]; create: boolean }>>
>();

/** The specs of a list that apply to a GVK, each path once (memoized: the same lists run over every object). */
function applicable(
  specs: readonly FieldSpec[],
  gvk: Gvk,
): Array<{ parts: string[]; lists: boolean[]; create: boolean }> {
  let byGvk = applicableMemo.get(specs);
  if (!byGvk) applicableMemo.set(specs, (byGvk = new WeakMap()));
  // gvkOf returns one shared object per GVK, so identity is the key.
  let out = byGvk.get(gvk);
  if (!out) {
    const seen = new Set<string>();
    out = [];
    for (const spec of specs) {
      if (!specMatches(spec, gvk) || seen.has(spec.path)) continue;
      seen.add(spec.path);
      out.push({
        parts: cachedSplit(spec.path),
        lists: spec.path.split(/(?<!\\)\//).map((p) => p.endsWith('[]')),
        create: Boolean(spec.create),
      });
    }
    byGvk.set(gvk, out);
  }
  return out;
}

function walk(
  node: TNode,
  parts: string[],
  lists: boolean[],
  i: number,
  create: boolean,
  origin: Origin,
  visit: (parent: TMap, key: string) => void,
): void {
  if (node.kind === 'seq') {
    for (const item of node.items) walk(item, parts, lists, i, create, origin, visit);
    return;
  }
  if (node.kind !== 'map') return;
  const key = parts[i];
  if (i === parts.length - 1) {
    if (node.entries.has(key) || create) visit(node, key);
    return;
  }
  let next = node.entries.get(key);
  if (next === undefined || (next.kind === 'scalar' && next.value === null)) {
    // A missing list (`volumeClaimTemplates[]`) is never made: there is no item to put the field in (kustomize
    // leaves a StatefulSet without volumeClaimTemplates as it is).
    if (!create || lists[i]) return;
    next = tmap(origin);
    node.entries.set(key, next);
  }
  walk(next, parts, lists, i + 1, create, origin, visit);
}
