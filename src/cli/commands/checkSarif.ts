/** SARIF 2.1.0 output of `check`, for code-scanning UIs: one result per drifted field, missing or unreadable object. */
import type { EnvironmentReport } from '../../core/engine';
import type { SourceLocation } from '../../core/model/location';
import { keyLabel } from '../../core/model/resource';
import { fieldLabel } from './checkOutput';

const RULES = [
  { id: 'drift/field', shortDescription: { text: 'A field in the cluster differs from git' } },
  { id: 'drift/missing', shortDescription: { text: 'An object in git is missing from the cluster' } },
  { id: 'drift/extra', shortDescription: { text: 'An object tracked by this environment is in the cluster but not in git' } },
  { id: 'drift/unchecked', shortDescription: { text: 'An object or environment could not be checked' } },
];

/** The reports as one SARIF log (results point at the git line that set each value). */
export function reportsToSarif(reports: EnvironmentReport[]): string {
  const results: unknown[] = [];
  const result = (ruleId: string, level: string, text: string, at?: SourceLocation) =>
    results.push({
      ruleId,
      level,
      message: { text },
      ...(at ? { locations: [{ physicalLocation: { artifactLocation: { uri: at.file, uriBaseId: 'SRCROOT' }, region: { startLine: Math.max(1, at.line), startColumn: Math.max(1, at.column) } } }] } : {}),
    });
  for (const r of reports) {
    if (r.error) result('drift/unchecked', 'error', `${r.name}: ${r.error}`, r.problems[0]?.location);
    for (const d of r.resources) {
      const what = `${r.name}: ${keyLabel(d.key)}`;
      if (d.verdict === 'Drifted') {
        for (const f of d.fields) {
          const values = f.secret ? 'Secret value differs' : `git ${JSON.stringify(f.desired ?? null)}, live ${JSON.stringify(f.live ?? null)}`;
          const who = f.changedBy ? ` (changed by ${f.changedBy.manager}${f.changedBy.time ? ` at ${f.changedBy.time}` : ''})` : '';
          result('drift/field', 'warning', `${what} ${fieldLabel(f.path)}: ${values}${who}`, f.origin ?? d.source);
        }
      } else if (d.verdict === 'Missing') result('drift/missing', 'warning', `${what} is missing in the cluster`, d.source);
      else if (d.verdict === 'Extra') result('drift/extra', 'warning', `${what} is in the cluster but not in git`);
      else if (d.verdict !== 'InSync') result('drift/unchecked', 'error', `${what}: ${d.verdict}: ${d.message ?? ''}`, d.source);
    }
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'gitops-drift', informationUri: 'https://github.com/gitops-drift/gitops-drift', rules: RULES } }, results }],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
