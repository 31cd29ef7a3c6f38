/**
 * Strategic merge patch over origin-tracked trees (kustomize's patchstrategicmerge filter on kyaml's merge2):
 * maps merge, built-in lists with a merge key merge by key (dest order kept, new items appended), other lists
 * and scalars are replaced, `null` deletes. Directives: `$patch: delete|replace|merge`. Like kyaml (and unlike
 * kubectl), `$setElementOrder/<list>` and `$retainKeys` are not applied: they merge as ordinary keys and stay in
 * the output. Values taken from the patch keep the patch's origins.
 */
import { ProblemError } from '../../../model/problem';
import { clone, tseq, type TMap, type TNode, type TSeq } from '../../../yaml/tree';
import { childSchema, listStrategy, rootSchema, type TypeSchema } from './mergeKeys';

const PATCH = '$patch';

/**
 * Applies `patch` to `target` in place. Returns false when the patch deletes the whole object (`$patch: delete`
 * at the top).
 */
export function applyStrategicMerge(target: TMap, patch: TMap, apiVersion: string, kind: string): boolean {
  if (directive(patch) === 'delete') return false;
  if (directive(patch) === 'replace') {
    target.entries = stripDirectives(clone(patch)).entries;
    target.origin = patch.origin;
    return true;
  }
  const schema = rootSchema(apiVersion, kind);
  mergeMap(target, patch, schema);
  dropBlankNulls(target, schema);
  return true;
}

/**
 * kyaml's merge walks the whole patched object, and a field whose value is a null written as nothing (`key:`) comes
 * out of that walk removed (a null written `null` or `~` stays). The walk goes into maps and into the items of lists
 * that merge by key, not into lists that are replaced whole.
 */
function dropBlankNulls(node: TNode, schema: TypeSchema | undefined): void {
  if (node.kind === 'map') {
    for (const [key, value] of [...node.entries]) {
      if (value.kind === 'scalar' && value.value === null && value.blank) node.entries.delete(key);
      else dropBlankNulls(value, childSchema(schema, key));
    }
  } else if (node.kind === 'seq' && listStrategy(schema)?.key !== undefined) {
    for (const item of node.items) dropBlankNulls(item, childSchema(schema));
  }
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
  // A `- $patch: replace` item (nothing else in it) replaces the whole list.
  if (patch.items.some((i) => directive(i) === 'replace' && i.kind === 'map' && i.entries.size === 1))
    return stripDirectives(clone(patch));
  if (!strategy) return stripDirectives(clone(patch));
  const out = tseq(dest.origin, [...dest.items]);
  if (strategy.key === undefined) {
    // A set of scalars (e.g. finalizers), as kyaml merges it (ListIncreaseDirection=prepend): the patch's values
    // first, then the target's others, each value once. A value both have keeps the target's node (and origin).
    const inDest = new Map<string | undefined, TNode>();
    for (const item of dest.items) if (!inDest.has(scalarText(item))) inDest.set(scalarText(item), item);
    const seen = new Set<string | undefined>();
    out.items = [];
    for (const item of [...patch.items, ...dest.items]) {
      const text = scalarText(item);
      if (seen.has(text)) continue;
      seen.add(text);
      out.items.push(inDest.get(text) ?? clone(item));
    }
    return out;
  }
  if (strategy.keys && strategy.keys.length > 1)
    return mergeMultiKeyList(dest, patch, strategy.keys, childSchema(schema));
  // kyaml merges with ListIncreaseDirection=prepend: the patch's items come first, in the patch's order, then
  // the target's items the patch does not mention, in their order.
  const key = strategy.key;
  const itemSchema = childSchema(schema);
  const merged: TNode[] = [];
  const used = new Set<number>();
  for (const item of patch.items) {
    if (item.kind !== 'map') {
      throw new ProblemError({
        severity: 'error',
        message: `patch list item must be a map with '${key}' to merge`,
        location: item.origin,
      });
    }
    const k = keyOf(item, key);
    const index = k === undefined ? -1 : dest.items.findIndex((d, i) => !used.has(i) && keyOf(d, key) === k);
    if (index >= 0) used.add(index);
    if (directive(item) === 'delete') continue;
    const existing = index >= 0 ? dest.items[index] : undefined;
    // kyaml leaves a matched item alone when the patch item says `$patch: replace` (what kustomize prints).
    if (existing !== undefined && directive(item) === 'replace') merged.push(existing);
    else if (existing === undefined || existing.kind !== 'map') merged.push(stripDirectives(clone(item)));
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

/** An item's values for the keys ('' for a missing key), as kyaml's ElementValuesList reads them. */
function tuple(item: TNode, keys: string[]): string[] {
  return keys.map((k) => keyOf(item, k) ?? '');
}

function matches(item: TNode, keys: string[], values: string[]): boolean {
  const n = Math.min(keys.length, values.length);
  for (let i = 0; i < n; i++) if ((keyOf(item, keys[i]) ?? '') !== values[i]) return false;
  return true;
}

/** kyaml's ElementSetter: drop matches (no element) or put `element` at the first match / the end. */
function setElement(list: TNode[], keys: string[], values: string[], element?: TNode): TNode[] {
  const out: TNode[] = [];
  let found = false;
  for (const item of list) {
    if (item.kind === 'map' && item.entries.size === 0) continue;
    if (!matches(item, keys, values)) out.push(item);
    else if (element && !found) {
      found = true;
      out.push(element);
    }
  }
  if (element && !found) out.push(element);
  return out;
}

/** Two key tuples name the same item when they share a value and differ only where one is empty (kyaml's match). */
function mergeTuples(a: string[], b: string[]): string[] | undefined {
  let common = false;
  const out: string[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) {
      common = true;
      out.push(a[i]);
    } else if (a[i] !== '' && b[i] !== '') return undefined;
    else out.push(a[i] || b[i]);
  }
  return common ? out : undefined;
}

/**
 * Lists with several merge keys (ports: number + protocol), reproducing kyaml's setAssociativeSequenceElements:
 * key tuples from the patch then the target, tuples that differ only by an empty key unified, items matched on the
 * keys that are set, merged targets moved after new items in target order. Its quirks are kept on purpose: a patch
 * port without `protocol` does not merge into a target port that has one (it is dropped), which is what
 * `kustomize build` prints.
 */
function mergeMultiKeyList(dest: TSeq, patch: TSeq, keys: string[], itemSchema: TypeSchema | undefined): TSeq {
  const seen = new Set<string>();
  const list: string[][] = [];
  for (const item of [...patch.items, ...dest.items]) {
    const t = tuple(item, keys);
    const id = JSON.stringify(t);
    if (seen.has(id)) continue;
    seen.add(id);
    list.push(t);
  }
  for (let i = 0; i < list.length; i++) {
    const first = list[i];
    for (let j = 0; j < list.length; j++) {
      const merged = mergeTuples(first, list[j]);
      if (merged) list[i] = list[j] = merged;
    }
  }
  const validKeySet = new Set(keys.filter((_, i) => list.some((t) => t[i] !== '')));
  const validKeys = validKeySet.size === 0 ? keys : keys.filter((k) => validKeySet.has(k));
  let items: TNode[] = [];
  let destItems = dest.items;
  for (const values of list) {
    const validValues = validKeySet.size === 0 ? values : values.filter((v, i) => v !== '' || validKeySet.has(keys[i]));
    // Items are looked up by the keys this tuple sets.
    const lookupKeys = validKeys.filter((_, i) => validValues[i] !== '');
    const lookupValues = validValues.filter((v) => v !== '');
    const d = destItems.find(
      (it) => matches(it, lookupKeys, lookupValues) && lookupKeys.every((k) => keyOf(it, k) !== undefined),
    );
    const p = patch.items.find(
      (it) => matches(it, lookupKeys, lookupValues) && lookupKeys.every((k) => keyOf(it, k) !== undefined),
    );
    let val: TNode | undefined;
    if (p && directive(p) === 'delete') val = undefined;
    else if (d && p && directive(p) === 'replace') val = d;
    else if (d && p && d.kind === 'map' && p.kind === 'map') {
      mergeMap(d, p, itemSchema);
      val = d;
    } else val = p ? stripDirectives(clone(p)) : d;
    if (val === undefined || (val.kind === 'map' && val.entries.size === 0)) {
      destItems = setElement(destItems, validKeys, validValues);
      continue;
    }
    items = setElement(items, validKeys, validValues, val);
  }
  // Prepend: the target's items follow, each replacing its match (so merged items move to target order).
  for (const elem of destItems) {
    const v: string[] = [];
    for (const k of validKeys) {
      const value = keyOf(elem, k);
      if (value === undefined) items.push(elem);
      else v.push(value);
    }
    // With several keys in play kyaml removes the match first, so the item moves to the end.
    if (validKeys.length > 1) items = setElement(items, validKeys, v);
    items = setElement(items, validKeys, v, elem);
  }
  return tseq(dest.origin, items);
}
