/**
 * "What does this Helm value set?" (the hover on a values key, issue #16): the rendered fields whose origin is that
 * values line (render/helm/valuesTrace.ts traced them), in each environment whose HelmReleases use it, one group per
 * distinct rendered value. A Secret's values are masked, as in the rendered preview.
 */
import { fieldLabel, formatValue } from '../editor/presentation';
import type { SourceLocation } from '../model/location';
import { keyLabel, type ResourceKey } from '../model/resource';
import type { RenderedObject } from '../render/types';
import { valueAt } from '../yaml/pointer';
import { maskedObject } from './renderedText';

/** One environment's Helm release render, as the hover reads it. */
export interface HelmReleaseObjects {
  environment: string;
  /** `HelmRelease NS/NAME`. */
  release: string;
  objects: readonly RenderedObject[];
}

/** One rendered field a values line set, in one environment. */
export interface HelmValueUse {
  environment: string;
  release: string;
  object: ResourceKey;
  pointer: string;
  /** Formatted as formatValue formats it; a Secret's masked. */
  value: string;
}

/** One distinct rendered value of the fields a values line sets. */
export interface HelmValueGroup {
  value: string;
  /** In the order given, each once. */
  environments: string[];
  /** `Deployment apps/web replicas`, each once. */
  fields: string[];
}

/** What the hover on a values key says, before formatting. */
export interface HelmValueSummary {
  key: string;
  /** Every field it sets (distinct labels, in order). */
  fields: string[];
  groups: HelmValueGroup[];
  uses: HelmValueUse[];
}

/**
 * The fields whose values-line origin is `at` (file and line; its column is the key's), the value's main origin or
 * one of the others it was combined with (`repository:tag`).
 */
export function helmValueUses(at: SourceLocation, releases: readonly HelmReleaseObjects[]): HelmValueUse[] {
  const here = (loc: SourceLocation) => loc.file === at.file && loc.line === at.line;
  const out: HelmValueUse[] = [];
  for (const { environment, release, objects } of releases)
    for (const object of objects)
      for (const [pointer, origin] of object.origins) {
        if (origin.kind !== 'helmValue') continue;
        const combined = origin.related?.some((r) => r.message === 'also from this value' && here(r.location));
        if (!here(origin) && !combined) continue;
        out.push({
          environment,
          release,
          object: object.key,
          pointer,
          value: formatValue(valueAt(maskedObject(object), pointer)),
        });
      }
  return out;
}

/** The field's label in a hover: `Deployment apps/web replicas`. */
export function helmFieldLabel(use: Pick<HelmValueUse, 'object' | 'pointer'>): string {
  return `${keyLabel(use.object)} ${fieldLabel({ path: use.pointer })}`;
}

/** The uses grouped by rendered value, in order. */
export function summarizeHelmValueUses(key: string, uses: readonly HelmValueUse[]): HelmValueSummary {
  const groups = new Map<string, HelmValueGroup>();
  const fields: string[] = [];
  for (const use of uses) {
    const label = helmFieldLabel(use);
    if (!fields.includes(label)) fields.push(label);
    let group = groups.get(use.value);
    if (!group) groups.set(use.value, (group = { value: use.value, environments: [], fields: [] }));
    if (!group.environments.includes(use.environment)) group.environments.push(use.environment);
    if (!group.fields.includes(label)) group.fields.push(label);
  }
  return { key, fields, groups: [...groups.values()], uses: [...uses] };
}
