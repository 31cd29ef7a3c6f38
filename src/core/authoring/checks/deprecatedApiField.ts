/**
 * `deprecated-field` for Kubernetes objects: fields of the built-in kinds that the pinned Kubernetes version's API
 * marks deprecated (src/core/k8s/apiFields.ts, generated from its OpenAPI document), reported where the render says
 * the value was set (the resource's line, or the patch that set it).
 */
import { apiFieldsVersion, deprecatedFieldsIn } from '../../k8s/apiFields';
import type { Origin } from '../../model/location';
import type { RenderedObject } from '../../render/types';
import type { LintFinding, LintRange } from '../finding';

/** A deprecated field a rendered object sets, and where it was set. */
export interface DeprecatedApiUse {
  kind: string;
  /** The field's own name (its key in the file). */
  field: string;
  /**
   * The field's path in the object, list items as `[]` (`spec.template.spec.volumes[].gitRepo`): the same line
   * renders into objects of other names and list positions in other environments.
   */
  path: string;
  /** Why, in the API document's words (empty when it gives none). */
  why: string;
  origin: Origin;
}

/** The deprecated fields the rendered objects set, once per place that set one. */
export function deprecatedApiUses(objects: readonly RenderedObject[]): DeprecatedApiUse[] {
  const out: DeprecatedApiUse[] = [];
  for (const rendered of objects) {
    for (const use of deprecatedFieldsIn(rendered.object)) {
      const origin = rendered.origins.get(use.pointer);
      if (origin)
        out.push({
          kind: rendered.object.kind,
          field: use.field,
          path: use.path.replace(/\[[^\]]*\]/g, '[]'),
          why: use.why,
          origin,
        });
    }
  }
  return out;
}

/** The finding for one place that set a deprecated field; `range` is its key. */
export function deprecatedApiFinding(use: DeprecatedApiUse, range: LintRange): LintFinding {
  const why = use.why ? ` ${use.why}` : '';
  const message = `${use.kind} field '${use.path}' is deprecated in the Kubernetes ${apiFieldsVersion} API.${why}`;
  return { code: 'deprecated-field', severity: 'warning', message, range };
}
