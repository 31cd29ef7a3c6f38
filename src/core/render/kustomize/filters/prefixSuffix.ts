/** `namePrefix` / `nameSuffix` (kustomize's prefixsuffix transformer). */
import type { Origin } from '../../../model/location';
import { prefixSuffixSkip } from '../defaultConfig';
import { type FieldSpec, visitFieldSpecs } from '../fieldSpec';
import { gvkOf, nameOf, rememberName, type Resource } from '../resource';
import { getMap, tscalar } from '../../../yaml/tree';

/** Adds a prefix and/or suffix to metadata.name of every object except the kinds kustomize skips. */
export function applyPrefixSuffix(
  resources: Resource[],
  prefix: { value: string; origin: Origin } | undefined,
  suffix: { value: string; origin: Origin } | undefined,
): void {
  if (!prefix?.value && !suffix?.value) return;
  for (const res of resources) {
    if (skipsPrefixSuffix(res)) continue;
    const meta = getMap(res.node, 'metadata');
    if (!meta) continue;
    rememberName(res);
    if (prefix?.value) res.prefixes.push(prefix.value);
    if (suffix?.value) res.suffixes.push(suffix.value);
    // The name's origin: the suffix when there is one (the last thing that changed it), else the prefix.
    const origin = suffix?.value ? suffix.origin : prefix!.origin;
    meta.entries.set('name', tscalar(`${prefix?.value ?? ''}${nameOf(res)}${suffix?.value ?? ''}`, origin));
  }
}

/** The kinds kustomize's prefix/suffix transformers never change (any field of them). */
function skipsPrefixSuffix(res: Resource): boolean {
  const { group, kind } = gvkOf(res);
  return prefixSuffixSkip.some((s) => s.kind === kind && (!s.group || s.group === group));
}

/**
 * A PrefixSuffixTransformer's field specs other than metadata/name (`spec/secretName` of cert-manager
 * Certificates, kubebuilder's common-name transformers): the value at each selected path becomes
 * prefix + value + suffix, as kustomize's prefixsuffix filter sets it (a missing field only with `create`, and then
 * prefix + suffix; a null one as if empty). A map or list there fails kustomize's build: `refuse` is called for it.
 */
export function applyPrefixSuffixToFields(
  resources: Resource[],
  specs: readonly FieldSpec[],
  prefix: { value: string; origin: Origin } | undefined,
  suffix: { value: string; origin: Origin } | undefined,
  refuse: (spec: FieldSpec, res: Resource, found: 'map' | 'seq') => never,
): void {
  if (!prefix?.value && !suffix?.value) return;
  const origin = suffix?.value ? suffix.origin : prefix!.origin;
  for (const res of resources) {
    if (skipsPrefixSuffix(res)) continue;
    for (const spec of specs)
      visitFieldSpecs(res, [spec], origin, (parent, key) => {
        const current = parent.entries.get(key);
        if (current !== undefined && current.kind !== 'scalar') refuse(spec, res, current.kind);
        const value = current?.value === null || current === undefined ? '' : String(current.value);
        parent.entries.set(key, tscalar(`${prefix?.value ?? ''}${value}${suffix?.value ?? ''}`, origin));
      });
  }
}
