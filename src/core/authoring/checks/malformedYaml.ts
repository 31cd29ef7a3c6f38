/** `malformed-yaml`: a kustomization file, or a YAML file one lists, that does not parse. */
import type { LintFinding } from '../finding';
import type { LintedYaml } from '../lintFiles';

/** The finding for a file that did not parse, at its first error; undefined for a file that parsed. */
export function malformedYaml(parsed: LintedYaml): LintFinding | undefined {
  if (parsed.status !== 'malformed') return undefined;
  return {
    code: 'malformed-yaml',
    severity: 'error',
    message: `malformed YAML: ${parsed.message}`,
    range: parsed.range,
  };
}
