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

/** Whether a difference at `paths` (desired and live pointers) owned by `owners` is ignored for this object. */
export function isIgnored(
  rules: readonly IgnoreRule[],
  key: ResourceKey,
  paths: (string | undefined)[],
  owners: ManagedEntry[],
): boolean {
  for (const rule of rules) {
    if (!ruleMatchesObject(rule, key)) continue;
    if (rule.jsonPointers?.some((pattern) => paths.some((p) => p !== undefined && pointerPatternCovers(pattern, p))))
      return true;
    if (rule.managers?.length && owners.some((o) => rule.managers?.includes(o.manager))) return true;
  }
  return false;
}
