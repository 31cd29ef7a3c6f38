/**
 * `selector-label`: `commonLabels` (or `labels:` with `includeSelectors: true`) that reach a workload's selector.
 * Selectors are immutable in the cluster: changing such a label later makes every apply of the workload fail.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Origin } from '../../model/location';
import { childPointer } from '../../yaml/pointer';
import type { RenderedObject } from '../../render/types';
import type { LintFinding } from '../finding';
import { nodeRange } from '../lintFiles';
import { canonicalField, fieldPair, keyText, type KustomizationSource } from '../lintKustomization';

/** Kinds whose `spec.selector` the API server refuses to change (a Service's selector may change: not here). */
const IMMUTABLE_SELECTOR_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** A label the renderer put into an immutable selector, with where it was declared. */
export interface SelectorLabel {
  /** The label's key in the kustomization that set it (its file, line and column). */
  origin: Origin;
  /** `Deployment web`, for the message. */
  object: string;
}

/** The labels in the immutable selectors of a render's workloads that came from a `commonLabels`/`labels` entry. */
export function selectorLabelsOf(objects: readonly RenderedObject[]): SelectorLabel[] {
  const out: SelectorLabel[] = [];
  for (const rendered of objects) {
    if (!IMMUTABLE_SELECTOR_KINDS.has(rendered.key.kind)) continue;
    const matchLabels = (rendered.object.spec as { selector?: { matchLabels?: unknown } } | undefined)?.selector
      ?.matchLabels;
    if (matchLabels === null || typeof matchLabels !== 'object') continue;
    for (const key of Object.keys(matchLabels)) {
      const origin = rendered.origins.get(childPointer('/spec/selector/matchLabels', key));
      if (origin?.kind === 'labels') out.push({ origin, object: `${rendered.key.kind} ${rendered.key.name}` });
    }
  }
  return out;
}

/** One label a kustomization adds to selectors: its key node, and the field key to flag for `commonLabels`. */
interface SelectorLabelDeclaration {
  name: string;
  key: Node;
  flag: Node;
  field: 'commonLabels' | 'labels';
}

/** The labels this kustomization would put into selectors, in file order. */
function declarations(k: KustomizationSource): SelectorLabelDeclaration[] {
  const out: SelectorLabelDeclaration[] = [];
  for (const pair of k.root?.items ?? []) {
    const field = canonicalField(keyText(pair));
    if (field === 'commonLabels' && isMap(pair.value)) {
      for (const label of pair.value.items)
        out.push({ name: keyText(label), key: label.key as Node, flag: pair.key as Node, field });
    } else if (field === 'labels' && isSeq(pair.value)) {
      for (const entry of pair.value.items) {
        const include = fieldPair(entry, 'includeSelectors')?.value;
        if (!isScalar(include) || String(include.value) !== 'true') continue;
        const pairs = fieldPair(entry, 'pairs')?.value;
        if (isMap(pairs))
          for (const label of pairs.items)
            out.push({ name: keyText(label), key: label.key as Node, flag: label.key as Node, field });
      }
    }
  }
  return out;
}

/** Whether the kustomization adds any label to selectors (only those are worth rendering for this check). */
export function addsSelectorLabels(k: KustomizationSource): boolean {
  return declarations(k).length > 0;
}

/**
 * At most one finding for the kustomization: on the `commonLabels` key, or on the first `labels:` key with
 * `includeSelectors: true`, that the renders put into a workload's selector.
 */
export function selectorLabelFinding(
  k: KustomizationSource,
  labels: readonly SelectorLabel[],
): LintFinding | undefined {
  const here = labels.filter((l) => l.origin.file === k.file);
  if (here.length === 0) return undefined;
  for (const declared of declarations(k)) {
    const at = nodeRange(k.yaml, declared.key);
    const hit = here.find((l) => l.origin.line === at.line && l.origin.column === at.column);
    if (!hit) continue;
    const how = declared.field === 'commonLabels' ? "'commonLabels' adds" : `'labels' with includeSelectors: true adds`;
    return {
      code: 'selector-label',
      severity: 'warning',
      message: `${how} label '${declared.name}' to the selector of ${hit.object}: selectors are immutable, so changing this label later makes apply fail; use 'labels:' with includeSelectors: false`,
      range: nodeRange(k.yaml, declared.flag),
    };
  }
  return undefined;
}
