/** `deprecated-field`: kustomization fields kustomize v5 warns about, each with what replaces it. */
import type { Node } from 'yaml';
import { DEPRECATED_FIELDS, type DeprecatedField } from '../deprecatedFields';
import type { LintFinding } from '../finding';
import { nodeRange } from '../lintFiles';
import { canonicalField, keyText, type KustomizationSource } from '../lintKustomization';

/** `vars` is deprecated too, but no edit rewrites it: a var and the replacement doing its job differ in shape. */
const VARS_REPLACEMENT = 'Use replacements, which copy a field of one object into fields of others.';

/**
 * One finding per deprecated top-level field, on its key. `field` is set for the fields `rewriteDeprecatedField`
 * rewrites (not for `vars`).
 */
export function deprecatedFields(k: KustomizationSource): LintFinding[] {
  const out: LintFinding[] = [];
  for (const pair of k.root?.items ?? []) {
    const field = canonicalField(keyText(pair));
    const range = nodeRange(k.yaml, pair.key as Node);
    if (field === 'vars')
      out.push({
        code: 'deprecated-field',
        severity: 'warning',
        message: `'vars' is deprecated. ${VARS_REPLACEMENT}`,
        range,
      });
    else if (field && field in DEPRECATED_FIELDS) {
      out.push({
        code: 'deprecated-field',
        severity: 'warning',
        message: `'${field}' is deprecated. ${DEPRECATED_FIELDS[field as DeprecatedField]}`,
        range,
        field,
      });
    }
  }
  return out;
}
