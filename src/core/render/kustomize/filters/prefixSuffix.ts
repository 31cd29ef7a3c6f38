/** `namePrefix` / `nameSuffix` (kustomize's prefixsuffix transformer). */
import type { Origin } from '../../../model/location';
import { prefixSuffixSkip } from '../defaultConfig';
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
    const { group, kind } = gvkOf(res);
    if (prefixSuffixSkip.some((s) => s.kind === kind && (!s.group || s.group === group))) continue;
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
