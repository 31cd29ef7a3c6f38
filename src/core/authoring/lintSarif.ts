/**
 * `gitops-drift lint --format sarif`: SARIF 2.1.0 for code-scanning UIs, one rule per lint code (its help is the
 * code's section of docs/authoring.md) and one result per finding, on its exact span.
 */
import { sarifFingerprint, sarifLog } from '../sarif';
import type { LintCode } from '../model/lintCodes';
import { AUTHORING_DOCS_URL, type LintFinding, type LintSeverity } from './finding';

/** Each code's default severity and one-line description. */
export const LINT_RULES: Record<LintCode, { severity: LintSeverity; text: string }> = {
  'malformed-yaml': { severity: 'error', text: 'A kustomization file, or a YAML file it lists, does not parse' },
  'missing-path': { severity: 'error', text: 'A path a kustomization names does not exist' },
  'path-outside-repo': { severity: 'error', text: 'A path a kustomization names leads outside the repository' },
  'unknown-field': { severity: 'error', text: 'A kustomization field kustomize does not know' },
  'deprecated-field': {
    severity: 'warning',
    text: 'A kustomization field kustomize deprecates, or an object field the Kubernetes API deprecates',
  },
  'patch-no-match': { severity: 'warning', text: 'A patch whose target matches no object' },
  'duplicate-resource': { severity: 'warning', text: 'The same resource listed or declared twice' },
  'selector-label': { severity: 'warning', text: 'A common label that reaches an immutable workload selector' },
  'mutable-image-tag': { severity: 'information', text: 'A container image without a digest, on no tag or latest' },
  'plaintext-secret': { severity: 'warning', text: 'A Secret manifest with its values in git' },
  'render-error': { severity: 'error', text: 'An environment does not render' },
  'render-warning': {
    severity: 'warning',
    text: 'A render warning (an unsupported field, a remote resource not fetched)',
  },
  'invalid-config': {
    severity: 'error',
    text: "The repo's .gitops-drift.yaml has an error (or a warning: an unknown key)",
  },
};

const LEVEL: Record<LintSeverity, string> = { error: 'error', warning: 'warning', information: 'note' };

/** Builds the SARIF log of lint findings (serialise with `JSON.stringify`). */
export function lintSarif(
  findings: readonly LintFinding[],
  options: { version?: string } = {},
): Record<string, unknown> {
  const codes = Object.keys(LINT_RULES) as LintCode[];
  const rules = codes.map((code) => ({
    id: code,
    level: LEVEL[LINT_RULES[code].severity],
    text: LINT_RULES[code].text,
    helpUri: `${AUTHORING_DOCS_URL}#${code}`,
  }));
  const results = findings.map((f) => ({
    ruleId: f.code,
    ruleIndex: codes.indexOf(f.code),
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: f.range.file, uriBaseId: 'REPO_ROOT' },
          region: {
            startLine: f.range.line,
            startColumn: f.range.column,
            endLine: f.range.endLine,
            endColumn: f.range.endColumn,
          },
        },
      },
    ],
    ...(f.related?.length
      ? {
          relatedLocations: f.related.map((r, i) => ({
            id: i,
            message: { text: r.message },
            physicalLocation: {
              artifactLocation: { uri: r.location.file, uriBaseId: 'REPO_ROOT' },
              region: { startLine: r.location.line, startColumn: r.location.column },
            },
          })),
        }
      : {}),
    partialFingerprints: { 'gitopsDriftLint/v1': sarifFingerprint([f.code, f.range.file, f.message]) },
  }));
  return sarifLog(
    { name: 'gitops-drift lint', informationUri: AUTHORING_DOCS_URL, version: options.version },
    rules,
    results,
  );
}
