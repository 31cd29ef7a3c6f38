/** How `check` prints its reports: a short text report, or the documented JSON (docs/configuration.md). */
import type { EnvironmentReport } from '../../core/engine';
import { formatProblem } from '../../core/engine';
import type { FieldDrift, ResourceDrift } from '../../core/model/drift';
import { keyLabel } from '../../core/model/resource';

/** The JSON document: every rendered object once with its verdict; paths repo-relative, lines 1-based. */
export function reportsToJson(reports: EnvironmentReport[]): string {
  const environments = reports.map((r) => ({
    name: r.name,
    path: r.path,
    context: r.context,
    namespace: r.namespace ?? null,
    error: r.error,
    summary: summarize(r.resources),
    problems: r.problems.map((p) => ({ severity: p.severity, message: p.message, location: p.location ?? null })),
    resources: r.resources.map((d) => ({
      apiVersion: d.apiVersion,
      kind: d.key.kind,
      namespace: d.key.namespace,
      name: d.key.name,
      verdict: d.verdict,
      ...(d.message !== undefined ? { message: d.message } : {}),
      source: d.source ?? null,
      fields: d.fields.map((f) => ({
        path: f.path,
        desired: f.desired ?? null,
        live: f.live ?? null,
        origin: f.origin ? { file: f.origin.file, line: f.origin.line, column: f.origin.column, kind: f.origin.kind } : null,
        ...(f.changedBy ? { changedBy: f.changedBy } : {}),
        ...(f.secret ? { secret: true } : {}),
      })),
    })),
  }));
  return JSON.stringify({ environments }, null, 2) + '\n';
}

/** Counts per verdict. */
export function summarize(resources: ResourceDrift[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
  return counts;
}

const paint = (on: boolean, code: string, text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

/**
 * The text report: one line per drifted field (`prod  Deployment shop-prod/web  replicas: git 3, live 5
 * envs/prod/web-patch.yaml:7`), one per missing/extra/unreadable object, and a summary line per environment.
 */
export function reportsToText(reports: EnvironmentReport[], color: boolean): string {
  const lines: string[] = [];
  const width = Math.max(...reports.map((r) => r.name.length));
  for (const r of reports) {
    const env = paint(color, '1', r.name.padEnd(width));
    if (r.error) {
      lines.push(`${env}  ${paint(color, '31', 'error')}: ${r.error}`);
      continue;
    }
    for (const d of r.resources) {
      const what = keyLabel(d.key);
      switch (d.verdict) {
        case 'InSync':
          break;
        case 'Drifted':
          for (const f of d.fields) lines.push(`${env}  ${what}  ${fieldLine(f, color)}${f.origin ? `   ${f.origin.file}:${f.origin.line}` : ''}${changed(f)}`);
          break;
        case 'Missing':
          lines.push(`${env}  ${what}  ${paint(color, '31', 'missing in the cluster')}${d.source ? `   ${d.source.file}:${d.source.line}` : ''}`);
          break;
        case 'Extra':
          lines.push(`${env}  ${what}  ${paint(color, '33', 'in the cluster, not in git')}`);
          break;
        default:
          lines.push(`${env}  ${what}  ${paint(color, '31', d.verdict)}: ${d.message ?? ''}`);
      }
    }
    const counts = summarize(r.resources);
    const parts = Object.entries(counts).map(([verdict, n]) => `${n} ${verdict}`);
    lines.push(`${env}  ${r.resources.length} objects: ${parts.join(', ') || 'none'}   (${r.context}${r.namespace ? `, namespace ${r.namespace}` : ''})`);
  }
  const problems = reports.flatMap((r) => r.problems.map((p) => `${r.name}: ${p.severity}: ${formatProblem(p)}`));
  return [...lines, ...problems].join('\n') + '\n';
}

function fieldLine(f: FieldDrift, color: boolean): string {
  const label = fieldLabel(f.path);
  if (f.secret) return `${label}: ${paint(color, '33', f.desired === undefined || f.live === undefined ? (f.live === undefined ? 'missing in the cluster' : 'not in git') : 'value differs')}`;
  return `${label}: git ${paint(color, '32', show(f.desired))}, live ${paint(color, '31', show(f.live))}`;
}

function changed(f: FieldDrift): string {
  if (!f.changedBy) return '';
  return `   (${f.changedBy.manager}${f.changedBy.time ? ` at ${f.changedBy.time}` : ''})`;
}

/** `/spec/template/spec/containers/0/image` → `containers[0].image`; `/data/LOG_LEVEL` → `data.LOG_LEVEL`. */
export function fieldLabel(pointer: string): string {
  let segs = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (segs[0] === 'spec' && segs[1] === 'template' && segs[2] === 'spec') segs = segs.slice(3);
  else if (segs[0] === 'spec' && segs[1] === 'jobTemplate' && segs[2] === 'spec' && segs[3] === 'template' && segs[4] === 'spec') segs = segs.slice(5);
  else if (segs[0] === 'spec' && segs.length > 1) segs = segs.slice(1);
  return segs.reduce((out, s) => (/^\d+$/.test(s) ? `${out}[${s}]` : out ? `${out}.${s}` : s), '') || '(object)';
}

function show(v: unknown): string {
  if (v === undefined) return '(none)';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 80 ? text.slice(0, 77) + '...' : text;
}
