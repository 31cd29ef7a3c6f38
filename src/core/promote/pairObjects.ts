import type { RenderedObject } from '../render/types';

/** A target object and the source object it corresponds to. */
export interface ObjectPair {
  source: RenderedObject;
  target: RenderedObject;
}

/** kustomize's generator name hash: `-` and ten characters of its encoding alphabet. */
const HASH_SUFFIX = /-[2-9bcdfghkmt]{10}$/;

/**
 * Pairs the objects of two environments: first by the shared base document they come from, then by group, kind
 * and name (namespaces differ between environments by design; generated names differ by their hash).
 */
export function pairObjects(source: RenderedObject[], target: RenderedObject[]): ObjectPair[] {
  const pairs: ObjectPair[] = [];
  const used = new Set<RenderedObject>();
  const claim = (t: RenderedObject, candidates: RenderedObject[]) => {
    const s = candidates.find((c) => !used.has(c));
    if (!s) return false;
    used.add(s);
    pairs.push({ source: s, target: t });
    return true;
  };
  const remaining: RenderedObject[] = [];
  for (const t of target) {
    const bySource = source.filter(
      (s) => s.key.group === t.key.group && s.key.kind === t.key.kind && sameLocation(s, t),
    );
    if (!claim(t, bySource)) remaining.push(t);
  }
  for (const t of remaining) {
    const sameKind = source.filter((s) => s.key.group === t.key.group && s.key.kind === t.key.kind);
    if (
      claim(
        t,
        sameKind.filter((s) => s.key.name === t.key.name),
      )
    )
      continue;
    claim(
      t,
      sameKind.filter((s) => baseName(s.key.name) === baseName(t.key.name)),
    );
  }
  return pairs;
}

/** The name without a generator hash suffix. */
export function baseName(name: string): string {
  return name.replace(HASH_SUFFIX, '');
}

function sameLocation(a: RenderedObject, b: RenderedObject): boolean {
  return a.source.file === b.source.file && a.source.line === b.source.line && a.source.column === b.source.column;
}
