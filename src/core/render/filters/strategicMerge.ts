/**
 * Strategic merge patch over origin-tracked trees (kustomize's patchstrategicmerge filter on kyaml's merge2):
 * maps merge, built-in lists with a merge key merge by key (dest order kept, new items appended), other lists
 * and scalars are replaced, `null` deletes. Directives: `$patch: delete|replace|merge`. Like kyaml (and unlike
 * kubectl), `$setElementOrder/<list>` and `$retainKeys` are not applied: they merge as ordinary keys and stay in
 * the output. Values taken from the patch keep the patch's origins.
 */
import { ProblemError } from '../../model/problem';
import { clone, tseq, type TMap, type TNode, type TSeq } from '../tree';
import { childSchema, listStrategy, rootSchema, type TypeSchema } from './mergeKeys';

const PATCH = '$patch';

/**
 * Applies `patch` to `target` in place. Returns false when the patch deletes the whole object (`$patch: delete`
 * at the top).
 */
export function applyStrategicMerge(target: TMap, patch: TMap, group: string, kind: string): boolean {
  if (directive(patch) === 'delete') return false;
  if (directive(patch) === 'replace') {
    target.entries = stripDirectives(clone(patch)).entries;
    target.origin = patch.origin;
    return true;
  }
  mergeMap(target, patch, rootSchema(group, kind));
  return true;
}

function directive(node: TNode): string | undefined {
  if (node.kind !== 'map') return undefined;
  const d = node.entries.get(PATCH);
  return d?.kind === 'scalar' && typeof d.value === 'string' ? d.value : undefined;
}

function isNull(node: TNode | undefined): boolean {
  return node?.kind === 'scalar' && node.value === null;
}

/** A copy of a patch value with directives removed (it lands in the output as is). */
function stripDirectives<T extends TNode>(node: T): T {
  if (node.kind === 'map') {
    for (const key of [...node.entries.keys()]) {
      if (key === PATCH) node.entries.delete(key);
      else stripDirectives(node.entries.get(key)!);
    }
  } else if (node.kind === 'seq') {
    node.items = node.items.filter((i) => !(directive(i) && i.kind === 'map' && i.entries.size === 1));
    node.items.forEach(stripDirectives);
  }
  return node;
}

function mergeMap(dest: TMap, patch: TMap, schema: TypeSchema | undefined): void {
  for (const [key, value] of patch.entries) {
    if (key === PATCH) continue;
    const existing = dest.entries.get(key);
    const fieldSchema = childSchema(schema, key);
    if (isNull(value) || directive(value) === 'delete') {
      dest.entries.delete(key);
      continue;
    }
    if (existing === undefined || isNull(existing) || existing.kind !== value.kind || directive(value) === 'replace') {
      dest.entries.set(key, stripDirectives(clone(value)));
      continue;
    }
    if (value.kind === 'map') mergeMap(existing as TMap, value, fieldSchema);
    else if (value.kind === 'seq') dest.entries.set(key, mergeList(existing as TSeq, value, fieldSchema));
    else if (existing.kind !== 'scalar' || existing.value !== value.value) dest.entries.set(key, clone(value));
  }
}

function keyOf(item: TNode, key: string): string | undefined {
  if (item.kind !== 'map') return undefined;
  const v = item.entries.get(key);
  return v?.kind === 'scalar' && v.value !== null ? String(v.value) : undefined;
}

function scalarText(item: TNode): string | undefined {
  return item.kind === 'scalar' && item.value !== null ? String(item.value) : undefined;
}

function mergeList(dest: TSeq, patch: TSeq, schema: TypeSchema | undefined): TSeq {
  const strategy = listStrategy(schema);
  if (patch.items.some((i) => directive(i) === 'replace')) return stripDirectives(clone(patch));
  if (!strategy) return stripDirectives(clone(patch));
  const out = tseq(dest.origin, [...dest.items]);
  if (strategy.key === undefined) {
    // A set of scalars (e.g. finalizers): add what is missing.
    const have = new Set(out.items.map(scalarText));
    for (const item of patch.items) if (!have.has(scalarText(item))) out.items.push(clone(item));
    return out;
  }
  // kyaml merges with ListIncreaseDirection=prepend: the patch's items come first, in the patch's order, then
  // the target's items the patch does not mention, in their order.
  const key = strategy.key;
  const itemSchema = childSchema(schema);
  const merged: TNode[] = [];
  const used = new Set<number>();
  for (const item of patch.items) {
    if (item.kind !== 'map') {
      throw new ProblemError({ severity: 'error', message: `patch list item must be a map with '${key}' to merge`, location: item.origin });
    }
    const k = keyOf(item, key);
    const index = k === undefined ? -1 : dest.items.findIndex((d, i) => !used.has(i) && keyOf(d, key) === k);
    if (index >= 0) used.add(index);
    if (directive(item) === 'delete') continue;
    const existing = index >= 0 ? dest.items[index] : undefined;
    if (existing === undefined || directive(item) === 'replace' || existing.kind !== 'map') merged.push(stripDirectives(clone(item)));
    else {
      mergeMap(existing, item, itemSchema);
      merged.push(existing);
    }
  }
  dest.items.forEach((d, i) => {
    if (!used.has(i)) merged.push(d);
  });
  out.items = merged;
  return out;
}

