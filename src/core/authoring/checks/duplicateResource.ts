/** `duplicate-resource` (static): one kustomization listing the same resource twice. */
import type { LintFinding } from '../finding';
import { nodeRange } from '../lintFiles';
import type { KustomizationSource } from '../lintKustomization';
import type { ResolvedPath } from '../lintPaths';

/**
 * A finding on each repeat of a `resources:`/`bases:` entry that leads to the same place (`./base` and `base/`
 * are one), related to the first. kustomize fails on it (the same objects twice) unless the target renders nothing.
 */
export function duplicateResources(k: KustomizationSource, resolved: ResolvedPath[]): LintFinding[] {
  const out: LintFinding[] = [];
  const first = new Map<string, ResolvedPath>();
  for (const r of resolved) {
    if (!r.entry.resource || r.target === undefined) continue;
    const earlier = first.get(r.target);
    if (!earlier) {
      first.set(r.target, r);
      continue;
    }
    const at = nodeRange(k.yaml, earlier.entry.node);
    out.push({
      code: 'duplicate-resource',
      severity: 'warning',
      message: `'${r.entry.path}' is listed twice in ${r.entry.field} (first at line ${at.line})`,
      range: nodeRange(k.yaml, r.entry.node),
      related: [
        {
          location: { file: at.file, line: at.line, column: at.column },
          message: `first listed here as '${earlier.entry.path}'`,
        },
      ],
    });
  }
  return out;
}
