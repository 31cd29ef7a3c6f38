/** `deprecated-field`: kustomization fields kustomize v5 warns about, each with what replaces it. */
import type { Node } from 'yaml';
import type { LintFinding } from '../finding';
import { nodeRange } from '../lintFiles';
import { canonicalField, keyText, type KustomizationSource } from '../lintKustomization';

/** Deprecated field → what to write instead (kustomize's own deprecation warnings name the same replacements). */
export const DEPRECATED_FIELDS: Record<string, string> = {
  bases: "list these directories under 'resources'",
  commonLabels: "use 'labels' (includeSelectors: true keeps commonLabels' behaviour; false leaves selectors alone)",
  patchesStrategicMerge: "use 'patches' (a '- path:' or '- patch:' entry each)",
  patchesJson6902: "use 'patches' (the same path/patch and target entries)",
  imageTags: "use 'images'",
  vars: "use 'replacements'",
};

/** One finding per deprecated top-level field, on its key. */
export function deprecatedFields(k: KustomizationSource): LintFinding[] {
  const out: LintFinding[] = [];
  for (const pair of k.root?.items ?? []) {
    const field = canonicalField(keyText(pair));
    if (!field || !(field in DEPRECATED_FIELDS)) continue;
    out.push({ code: 'deprecated-field', severity: 'warning', message: `'${field}' is deprecated: ${DEPRECATED_FIELDS[field]}`, range: nodeRange(k.yaml, pair.key as Node), field });
  }
  return out;
}
