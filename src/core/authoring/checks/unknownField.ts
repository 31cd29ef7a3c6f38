/** `unknown-field`: a top-level kustomization field kustomize does not know (its build fails on it). */
import type { Node } from 'yaml';
import { editDistance } from '../../repo/didYouMean';
import { KNOWN } from '../../render/kustomize/kustomizationFields';
import type { LintFinding } from '../finding';
import { nodeRange } from '../lintFiles';
import { canonicalField, keyText, type KustomizationSource } from '../lintKustomization';

/** The known field closest to `key` (case-insensitive edit distance of at most 2), if any. */
export function closestField(key: string): string | undefined {
  let best: { field: string; distance: number } | undefined;
  for (const field of KNOWN) {
    const distance = editDistance(field.toLowerCase(), key.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { field, distance };
  }
  return best?.field;
}

/** One finding per top-level key that is not a kustomization field, with the likely intended one. */
export function unknownFields(k: KustomizationSource): LintFinding[] {
  const out: LintFinding[] = [];
  for (const pair of k.root?.items ?? []) {
    const key = keyText(pair);
    if (canonicalField(key)) continue;
    const suggestion = closestField(key);
    out.push({
      code: 'unknown-field',
      severity: 'error',
      message: `unknown kustomization field '${key}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`,
      range: nodeRange(k.yaml, pair.key as Node),
      ...(suggestion ? { suggestion } : {}),
    });
  }
  return out;
}
