/** `missing-path` and `path-outside-repo`: a path a kustomization names that is not there, or not in the repo. */
import type { LintFinding } from '../finding';
import { nodeRange } from '../lintFiles';
import type { KustomizationSource } from '../lintKustomization';
import type { ResolvedPath } from '../lintPaths';

/** One finding per path that leaves the repo root or names nothing, on the path's scalar. */
export function missingPaths(k: KustomizationSource, resolved: ResolvedPath[]): LintFinding[] {
  const out: LintFinding[] = [];
  for (const { entry, target, stat, suggestion, unreadable } of resolved) {
    const range = nodeRange(k.yaml, entry.node);
    if (unreadable) {
      out.push({
        code: 'missing-path',
        severity: 'error',
        message: `${entry.what} '${entry.path}': ${unreadable}`,
        range,
      });
    } else if (target === undefined) {
      out.push({
        code: 'path-outside-repo',
        severity: 'error',
        message: `${entry.what} '${entry.path}' is outside the repository: kustomize's load restrictor refuses to read it`,
        range,
      });
    } else if (!stat) {
      const finding: LintFinding = {
        code: 'missing-path',
        severity: 'error',
        message: `${entry.what} '${entry.path}' not found${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`,
        range,
      };
      // The quick fix replaces the whole scalar: keep a generator entry's `key=` and the quoting around the path.
      const [start, end] = entry.node.range ?? [0, 0];
      if (suggestion) finding.suggestion = k.yaml.text.slice(start, end).replace(entry.path, suggestion);
      out.push(finding);
    }
  }
  return out;
}
