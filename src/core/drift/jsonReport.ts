/**
 * The `check --format json` document, documented in docs/check-output.md. Every rendered object appears once with
 * its verdict; absent values are `null`; file paths are repo-relative, lines and columns 1-based.
 */
import type { EnvironmentDrift, FieldDrift, ResourceDrift, Verdict } from '../model/drift';

/** The JSON document's shape (schemaVersion 1). */
export interface JsonReport {
  schemaVersion: 1;
  environments: JsonEnvironment[];
}

export interface JsonEnvironment {
  name: string;
  path: string;
  context: string;
  namespace: string | null;
  error: string | null;
  summary: Record<Verdict, number>;
  resources: JsonResource[];
}

export interface JsonResource {
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
  verdict: Verdict;
  message: string | null;
  source: { file: string; line: number; column: number } | null;
  fields: JsonField[];
}

export interface JsonField {
  path: string;
  livePath: string | null;
  label: string | null;
  desired: unknown;
  live: unknown;
  secret: boolean;
  cause: 'removal' | 'outOfBand' | null;
  origin: { file: string; line: number; column: number; kind: string } | null;
  changedBy: { manager: string; operation: string; time: string | null } | null;
}

/** Builds the JSON document (serialise with `JSON.stringify(report, null, 2)`). */
export function jsonReport(environments: readonly EnvironmentDrift[]): JsonReport {
  return { schemaVersion: 1, environments: environments.map(jsonEnvironment) };
}

function jsonEnvironment(env: EnvironmentDrift): JsonEnvironment {
  const summary: Record<Verdict, number> = { InSync: 0, Drifted: 0, Missing: 0, Extra: 0, UnknownKind: 0, Forbidden: 0, Error: 0 };
  for (const r of env.resources) summary[r.verdict]++;
  return { name: env.name, path: env.path, context: env.context, namespace: env.namespace ?? null, error: env.error, summary, resources: env.resources.map(jsonResource) };
}

function jsonResource(r: ResourceDrift): JsonResource {
  return {
    apiVersion: r.apiVersion,
    kind: r.key.kind,
    namespace: r.key.namespace || null,
    name: r.key.name,
    verdict: r.verdict,
    message: r.message ?? null,
    source: r.source ? { file: r.source.file, line: r.source.line, column: r.source.column } : null,
    fields: r.fields.map(jsonField),
  };
}

function jsonField(f: FieldDrift): JsonField {
  return {
    path: f.path,
    livePath: f.livePath ?? null,
    label: f.label ?? null,
    desired: f.desired === undefined ? null : f.desired,
    live: f.live === undefined ? null : f.live,
    secret: f.secret ?? false,
    cause: f.cause ?? null,
    origin: f.origin ? { file: f.origin.file, line: f.origin.line, column: f.origin.column, kind: f.origin.kind } : null,
    changedBy: f.changedBy ? { manager: f.changedBy.manager, operation: f.changedBy.operation, time: f.changedBy.time ?? null } : null,
  };
}
