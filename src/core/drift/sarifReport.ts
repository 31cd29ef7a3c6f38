/**
 * `check --format sarif`: SARIF 2.1.0 for code-scanning UIs (GitHub, VS Code's SARIF viewer). Each drifted field
 * is a result at the git line that set it; each non-InSync object is one result at its declaration; Extra objects
 * (not in git) carry only a logical location. Values are the engine's (Secrets already masked).
 */
import type { EnvironmentDrift, ResourceDrift } from '../model/drift';
import type { SourceLocation } from '../model/location';
import type { Problem } from '../model/problem';
import { keyString } from '../model/resource';
import { sarifFingerprint, sarifLog } from '../sarif';
import { describeField, objectLabel } from './format';
import { NOT_CHECKED_INCOMPLETE, skippedContent } from './incomplete';

const DOCS = 'https://github.com/gitops-drift/gitops-drift/blob/main/docs/check-output.md';

/** The rules, one per kind of finding (the ids docs/configuration.md names). */
const RULES = [
  { id: 'drift/field', level: 'warning', text: 'A field in the cluster differs from git' },
  { id: 'drift/missing', level: 'error', text: 'An object in git is missing from the cluster' },
  {
    id: 'drift/extra',
    level: 'warning',
    text: 'An object tracked by this environment is in the cluster but not in git',
  },
  {
    id: 'drift/unchecked',
    level: 'error',
    text: 'An object or environment could not be checked (unknown kind, forbidden, error, content the render skipped)',
  },
  {
    id: 'config/invalid',
    level: 'error',
    text: "The repo's .gitops-drift.yaml has an error: what was checked may not be what it meant",
  },
] as const;

type RuleId = (typeof RULES)[number]['id'];

const RULE_OF: Record<Exclude<ResourceDrift['verdict'], 'InSync' | 'Drifted' | 'Hook'>, RuleId> = {
  Missing: 'drift/missing',
  Extra: 'drift/extra',
  UnknownKind: 'drift/unchecked',
  Forbidden: 'drift/unchecked',
  Error: 'drift/unchecked',
  NotChecked: 'drift/unchecked',
};

/** Options: the tool version to report. */
export interface SarifOptions {
  version?: string;
}

/** Builds the SARIF log (serialise with `JSON.stringify`). */
export function sarifReport(
  environments: readonly EnvironmentDrift[],
  options: SarifOptions = {},
  repoProblems: readonly Problem[] = [],
): Record<string, unknown> {
  const results: Record<string, unknown>[] = [];
  // Only errors: a config warning (an unknown key) is lint's business, not a code-scanning alert of drift.
  for (const p of repoProblems) {
    if (p.severity === 'error')
      results.push(
        result('config/invalid', p.message, p.location, p.location?.file ?? 'repo', [
          'config',
          p.location?.file ?? '',
          p.message,
        ]),
      );
  }
  for (const env of environments) {
    if (env.error !== null) {
      results.push(
        result('drift/unchecked', `${env.name}: ${env.error}`, { file: env.path, line: 0, column: 0 }, env.name, [
          env.name,
        ]),
      );
      continue;
    }
    // Each skipped part is a result of its own, at the line that asks for it: the environment is not checked.
    for (const s of skippedContent(env)) {
      results.push(
        result('drift/unchecked', `${env.name}: ${NOT_CHECKED_INCOMPLETE}: ${s.message}`, s.location, env.name, [
          env.name,
          'incomplete',
          s.location?.file ?? '',
          s.message,
        ]),
      );
    }
    for (const r of env.resources) {
      const logical = `${env.name}/${objectLabel(r)}`;
      // A hook is never compared (Argo CD runs it around a sync): not a finding.
      if (r.verdict === 'InSync' || r.verdict === 'Hook') continue;
      if (r.verdict === 'Drifted') {
        for (const f of r.fields) {
          const res = result(
            'drift/field',
            `${env.name}: ${objectLabel(r)} ${describeField(f)}`,
            f.origin ?? r.source,
            logical,
            [env.name, keyString(r.key), f.path],
          );
          // Where a substituted value's variable is defined (Flux postBuild): SARIF's related locations.
          const related = f.origin?.related ?? [];
          if (related.length)
            res.relatedLocations = related.map((r, id) => ({
              id,
              physicalLocation: physicalLocation(r.location),
              message: { text: r.message },
            }));
          res.properties = {
            environment: env.name,
            path: f.path,
            ...(f.changedBy ? { changedBy: f.changedBy } : {}),
            ...(f.cause ? { cause: f.cause } : {}),
          };
          results.push(res);
        }
        continue;
      }
      const message = `${env.name}: ${objectLabel(r)} ${r.verdict === 'Missing' ? 'is missing from the cluster' : r.verdict === 'Extra' ? 'is in the cluster but not in git' : (r.message ?? r.verdict)}`;
      results.push(result(RULE_OF[r.verdict], message, r.source, logical, [env.name, keyString(r.key), r.verdict]));
    }
  }
  return sarifLog(
    { name: 'gitops-drift', informationUri: DOCS, version: options.version },
    RULES.map((rule) => ({ ...rule, helpUri: `${DOCS}#${rule.id.replace('/', '-')}` })),
    results,
  );
}

function result(
  ruleId: RuleId,
  text: string,
  location: SourceLocation | undefined,
  logical: string,
  identity: string[],
): Record<string, unknown> {
  const rule = RULES.find((r) => r.id === ruleId);
  const physical = location ? { physicalLocation: physicalLocation(location) } : {};
  return {
    ruleId,
    level: rule?.level ?? 'warning',
    message: { text },
    locations: [{ ...physical, logicalLocations: [{ fullyQualifiedName: logical, kind: 'object' }] }],
    partialFingerprints: { 'gitopsDrift/v1': sarifFingerprint(identity) },
  };
}

/** A file and, when known, line and column, relative to the repo root. */
function physicalLocation(location: SourceLocation): Record<string, unknown> {
  return {
    artifactLocation: { uri: location.file, uriBaseId: 'REPO_ROOT' },
    ...(location.line > 0
      ? { region: { startLine: location.line, ...(location.column > 0 ? { startColumn: location.column } : {}) } }
      : {}),
  };
}
