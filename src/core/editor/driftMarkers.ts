/**
 * Where drift shows in the repo's files: one marker per drifted field on the line that set its git value, one per
 * missing object on its `metadata.name` line, and one per Helm release git's HelmRelease is ahead of (its `values:`). The editor turns markers into diagnostics and decorations.
 */
import type { EnvironmentDrift, FieldDrift, ResourceDrift } from '../model/drift';
import type { SourceLocation } from '../model/location';
import { fieldDriftMessage, resourceMessage } from './presentation';

/** What kind of drift a marker shows; the diagnostic code, with a docs anchor of the same name. */
export type DriftCode =
  | 'value-changed'
  | 'secret-changed'
  | 'set-in-cluster'
  | 'removed-from-git'
  | 'absent-in-cluster'
  | 'missing-object'
  | 'release-not-applied';

/** The documentation page the diagnostic codes link to (anchor = code). */
export const DRIFT_DOCS_URL = 'https://github.com/gitops-drift/gitops-drift/blob/main/docs/drift-kinds.md';

/** One drift shown on a line of a repo file. Line and column are 1-based; file is repo-relative. */
export interface DriftMarker extends SourceLocation {
  code: DriftCode;
  message: string;
  env: string;
  context: string;
  resource: ResourceDrift;
  /** The drifted field; absent for a missing object. */
  field?: FieldDrift;
  /** Other places involved (the object's declaration when a patch or overlay set the value). */
  related: { location: SourceLocation; message: string }[];
}

/** The code for a drifted field. */
export function fieldCode(field: FieldDrift): DriftCode {
  if (field.secret) return 'secret-changed';
  if (field.desired === undefined) return field.cause === 'removal' ? 'removed-from-git' : 'set-in-cluster';
  if (field.live === undefined) return 'absent-in-cluster';
  return 'value-changed';
}

/** Markers for every drifted field and missing object of the given environments. */
export function driftMarkers(reports: readonly EnvironmentDrift[], now: Date): DriftMarker[] {
  const out: DriftMarker[] = [];
  for (const env of reports) {
    for (const r of env.resources) {
      if (r.verdict === 'Drifted') {
        for (const field of r.fields) {
          const at = field.origin ?? r.source;
          if (!at) continue;
          const related: DriftMarker['related'] = [];
          if (r.source && (r.source.file !== at.file || r.source.line !== at.line)) {
            related.push({ location: r.source, message: `${r.key.kind} ${r.key.name} is declared here` });
          }
          if (field.origin?.related) related.push(...field.origin.related);
          out.push({
            file: at.file,
            line: at.line,
            column: at.column,
            code: fieldCode(field),
            message: fieldDriftMessage(env.name, field, now),
            env: env.name,
            context: env.context,
            resource: r,
            field,
            related,
          });
        }
      } else if (r.verdict === 'Missing' && r.source) {
        out.push({
          ...r.source,
          code: 'missing-object',
          message: resourceMessage(env.name, r),
          env: env.name,
          context: env.context,
          resource: r,
          related: [],
        });
      }
    }
    // A HelmRelease whose values (or chart version) in git differ from its deployed release: on its `values:` line.
    for (const app of env.applications ?? []) {
      const release = app.release;
      const at = release?.git?.valuesAt;
      if (!release?.git?.message || !at || !release.controller) continue;
      const { name, namespace } = release.controller;
      const resource = env.resources.find(
        (r) => r.key.kind === 'HelmRelease' && r.key.name === name && r.key.namespace === namespace,
      );
      if (!resource) continue;
      out.push({
        ...at,
        code: 'release-not-applied',
        message: `${env.name}: ${release.git.message}`,
        env: env.name,
        context: env.context,
        resource,
        related: [],
      });
    }
  }
  return out;
}

/** Groups markers by file. */
export function markersByFile(markers: readonly DriftMarker[]): Map<string, DriftMarker[]> {
  const byFile = new Map<string, DriftMarker[]>();
  for (const m of markers) {
    const list = byFile.get(m.file);
    if (list) list.push(m);
    else byFile.set(m.file, [m]);
  }
  return byFile;
}

/**
 * The 1-based line of `metadata.name` in the YAML document that starts at or contains `fromLine`, so a missing
 * object is marked on its name; `fromLine` when the document has none (a generator entry, a list item).
 */
export function metadataNameLine(text: string, fromLine: number): number {
  const lines = text.split(/\r?\n/);
  let start = Math.max(0, fromLine - 1);
  // Back up to the start of the document the line belongs to.
  while (start > 0 && !/^---/.test(lines[start])) start--;
  let inMetadata = false;
  let metadataIndent = -1;
  let childIndent = -1;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i];
    if (i > start && /^---/.test(line)) break;
    const m = /^(\s*)(-\s+)?([A-Za-z]+):/.exec(line);
    if (!m) continue;
    const indent = m[1].length + (m[2]?.length ?? 0);
    if (m[3] === 'metadata' && !inMetadata) {
      inMetadata = true;
      metadataIndent = indent;
      childIndent = -1;
      continue;
    }
    if (!inMetadata) continue;
    if (indent <= metadataIndent) {
      inMetadata = false;
      continue;
    }
    // Only metadata's own `name:`, not a label or annotation called name.
    if (childIndent < 0) childIndent = indent;
    if (indent === childIndent && m[3] === 'name') return i + 1;
  }
  return fromLine;
}
