/** Ignore rules (Argo CD `ignoreDifferences` style): which objects, which JSON pointers, which managers. */
import type { ResourceKey } from '../model/resource';
import type { ManagedEntry } from './managedFields';
import type { IgnoreRule } from './options';
import { pointerSegments } from '../yaml/pointer';
import { globToRegExp } from '../glob';

/** Whether a rule's object selectors match the key (omitted selectors match anything). */
export function ruleMatchesObject(rule: IgnoreRule, key: ResourceKey): boolean {
  const test = (glob: string | undefined, value: string): boolean =>
    glob === undefined || globToRegExp(glob).test(value);
  return (
    test(rule.group, key.group) &&
    test(rule.kind, key.kind) &&
    test(rule.name, key.name) &&
    test(rule.namespace, key.namespace)
  );
}

/** Whether `pattern` (segments, `*` = any one) equals `pointer` or is an ancestor of it. */
export function pointerPatternCovers(pattern: string, pointer: string): boolean {
  const want = pointerSegments(pattern);
  const have = pointerSegments(pointer);
  if (want.length > have.length) return false;
  return want.every((segment, i) => segment === '*' || segment === have[i]);
}

/** Whether `pattern` (segments, `null` = any one) equals the pointer or is an ancestor of it. */
function segmentsCover(pattern: readonly (string | null)[], pointer: string): boolean {
  const have = pointerSegments(pointer);
  if (pattern.length > have.length) return false;
  return pattern.every((segment, i) => segment === null || segment === have[i]);
}

/** Whether a difference at `paths` (desired and live pointers) owned by `owners` is ignored for this object. */
export function isIgnored(
  rules: readonly IgnoreRule[],
  key: ResourceKey,
  paths: (string | undefined)[],
  owners: ManagedEntry[],
): boolean {
  return ignoringRule(rules, key, paths, owners) !== undefined;
}

/** The first rule that ignores a difference at `paths` owned by `owners`, or undefined. */
export function ignoringRule(
  rules: readonly IgnoreRule[],
  key: ResourceKey,
  paths: (string | undefined)[],
  owners: ManagedEntry[],
): IgnoreRule | undefined {
  const present = paths.filter((p): p is string => p !== undefined);
  for (const rule of rules) {
    if (!ruleMatchesObject(rule, key)) continue;
    const covers = rule.literalPointers
      ? (pattern: string, p: string) => segmentsCover(pointerSegments(pattern), p)
      : pointerPatternCovers;
    if (rule.jsonPointers?.some((pattern) => present.some((p) => covers(pattern, p)))) return rule;
    if (rule.paths?.some((pattern) => present.some((p) => segmentsCover(pattern, p)))) return rule;
    if (rule.managers?.length && owners.some((o) => rule.managers?.includes(o.manager))) return rule;
  }
  return undefined;
}
