/**
 * The `check --format json` document, documented in docs/check-output.md (a superset of the shape in
 * docs/configuration.md). Every rendered object appears once with its verdict; absent values are `null`; file paths
 * are repo-relative, lines and columns 1-based.
 */
import type {
  ApplicationSummary,
  ArgoStatus,
  ControllerStatus,
  EnvironmentDrift,
  FieldDrift,
  ReleaseStatus,
  ResourceDrift,
  Verdict,
} from '../model/drift';
import type { Problem } from '../model/problem';
import { skippedContent } from './incomplete';
import {
  controllerStates,
  countStates,
  environmentNeedsAttention,
  environmentState,
  needsAttention,
  objectState,
  STATE_ORDER,
  verdictState,
  type ControllerState,
  type EnvironmentState,
  type ObjectState,
} from '../model/verdictState';

/** The JSON document's shape (schemaVersion 1). */
export interface JsonReport {
  schemaVersion: 1;
  /** Problems of the repo itself (its .gitops-drift.yaml, discovery): an error here makes `check` exit 2. */
  problems: JsonProblem[];
  environments: JsonEnvironment[];
}

/** A problem with its repo-relative location. */
export interface JsonProblem {
  severity: string;
  message: string;
  location: { file: string; line: number; column: number } | null;
}

/** One environment in the JSON document. */
export interface JsonEnvironment {
  name: string;
  path: string;
  context: string;
  namespace: string | null;
  error: string | null;
  /** True when `error` says the cluster could not be reached: `resources` then lists the rendered objects, `NotChecked`. */
  noCluster: boolean;
  /** The environment's state in the one vocabulary (src/core/model/verdictState.ts): `inSync` only when every object is. */
  state: EnvironmentState;
  /** Count per verdict present (of every object, also with --only-drifted). */
  summary: Partial<Record<Verdict, number>>;
  /** Count per state present (of every object, also with --only-drifted): `missing` apart from `drifted`, … */
  states: Partial<Record<ObjectState, number>>;
  /**
   * What the render skipped (remote resources, Helm charts, plugins): when not empty, the verdicts cover only the
   * rest and the environment is not checked (`check` exits 2 unless --allow-incomplete).
   */
  incomplete: { message: string; location: { file: string; line: number; column: number } | null }[];
  /** Render warnings, when the caller passes them. */
  problems: JsonProblem[];
  /** What a controller applies to the environment, in order; most environments hold one. */
  applications: JsonApplication[];
  resources: JsonResource[];
}

/** One application of an environment in the JSON document. */
export interface JsonApplication {
  name: string;
  /** Its renderer: `kustomize`, `plain-directory` (and, as they land, `flux-kustomization`, `helm`, `argo-directory`). */
  kind: string;
  /** A repo folder, `chart FOLDER`, or the source outside this repo as its manifest names it. */
  source: string;
  /** The controller's manifest or config entry that declares it; null for a plain overlay. */
  declaredAt: { file: string; line: number; column: number } | null;
  /** `rendered`, `failed` (its render failed: see `message`) or `outside` (nothing of it compared). */
  state: 'rendered' | 'failed' | 'outside';
  message: string | null;
  /**
   * Rendered, but its live objects could not be read (Argo CD's API refused its managed resources): the state of its
   * objects (`forbidden`, `notChecked`), `message` saying why; absent otherwise.
   */
  unread?: ObjectState;
  /** The app-of-apps Application whose render declares it, and that parent's source line; absent otherwise. */
  parent?: { name: string; at: { file: string; line: number; column: number } };
  /** Its controller's object as the cluster reports it (a Flux Kustomization); absent when none was read. */
  controller?: JsonControllerStatus;
  /** For a Helm release (kind `helm`): the release Helm stored and git's HelmRelease against it; values never appear. */
  release?: ReleaseStatus;
}

/** A Flux Kustomization's or an Argo CD Application's status (docs/check-output.md); absent values are null. */
export interface JsonControllerStatus {
  kind: 'Kustomization' | 'Application';
  name: string;
  namespace: string;
  found: boolean;
  ready: { status: 'True' | 'False' | 'Unknown'; reason: string | null; message: string | null } | null;
  suspended: boolean;
  prune: boolean;
  interval: string | null;
  appliedRevision: string | null;
  attemptedRevision: string | null;
  headRevision: string | null;
  behind: number | null;
  revision: string | null;
  pendingPrune: number;
  notYetApplied: number;
  message: string | null;
  /**
   * Its states (`notDeployed`, `suspended`, `notReady`, `behind`, `pendingPrune`, `notYetApplied`; for Argo CD also
   * `outOfSync`, `degraded`, `progressing`, `healthMissing`, `syncFailed`, `disagrees`); empty when settled.
   */
  states: ControllerState[];
  /** For an Argo CD Application: its status in Argo CD's words and where it and this check disagree. */
  argo?: ArgoStatus;
}

/** One object in the JSON document: every rendered object appears once. */
export interface JsonResource {
  apiVersion: string;
  kind: string;
  /** `` for cluster-scoped objects. */
  namespace: string;
  name: string;
  verdict: Verdict;
  /** Its state in the one vocabulary: the verdict's, or `pendingPrune`/`notYetApplied` from its controller. */
  state: ObjectState;
  /** The application that renders it; null for an Extra object (live only). */
  application: string | null;
  /** For UnknownKind/Forbidden/Error (and a duplicate declaration); absent otherwise. */
  message?: string;
  source: { file: string; line: number; column: number } | null;
  fields: JsonField[];
  /**
   * Where it stands with its controller: `state` `pendingPrune` (applied, no longer rendered) or `notYetApplied`
   * (rendered, not applied yet), else null; `note`, what the controller will do about it. Absent when the controller
   * says nothing of it (or no controller status was read).
   */
  controller?: {
    state: 'pendingPrune' | 'notYetApplied' | null;
    note: string | null;
    /** Argo CD's verdict on the object (`.status.resources[]`); absent for other controllers. */
    argo?: { status: string; health: string | null; requiresPruning: boolean };
    /** Where Argo CD's verdict and this check's disagree, with the likely cause; absent when they agree. */
    disagreement?: string;
  } | null;
  /** For an object of a Helm release: the chart template it came from; absent otherwise. */
  template?: string;
  /**
   * Differences an ignore rule hides (not drift), each with the rule's place: a `.gitops-drift.yaml` entry, an Argo CD
   * Application's `ignoreDifferences` entry or an `argocd-cm` key's line. Absent when none.
   */
  ignored?: { path: string; label: string | null; rule: { file: string; line: number; column: number } | null }[];
}

/** One drifted field in the JSON document (values masked for Secrets). */
export interface JsonField {
  path: string;
  livePath: string | null;
  label: string | null;
  desired: unknown;
  live: unknown;
  secret: boolean;
  cause: 'removal' | 'outOfBand' | null;
  /**
   * The git line that set the value; `related`, only when there are any: other lines behind it (for a value a Flux
   * postBuild variable set, the line that defines the variable).
   */
  origin: {
    file: string;
    line: number;
    column: number;
    kind: string;
    related?: { file: string; line: number; column: number; message: string }[];
  } | null;
  changedBy: { manager: string; operation: string; time: string | null } | null;
}

/** An environment's result, with the render warnings met on the way when the caller has them. */
export type ReportedEnvironment = EnvironmentDrift & { problems?: readonly Problem[] };

/** Options of the JSON document. */
export interface JsonReportOptions {
  /**
   * `--only-drifted`: only the environments and objects that need attention (differ, wait on their controller, or
   * could not be read); the counts still cover every object.
   */
  onlyProblems?: boolean;
}

/** Builds the JSON document (serialise with `JSON.stringify(report, null, 2)`). */
export function jsonReport(
  environments: readonly ReportedEnvironment[],
  repoProblems: readonly Problem[] = [],
  options: JsonReportOptions = {},
): JsonReport {
  const shown = options.onlyProblems ? environments.filter(environmentNeedsAttention) : environments;
  return {
    schemaVersion: 1,
    problems: repoProblems.map(jsonProblem),
    environments: shown.map((env) => jsonEnvironment(env, options.onlyProblems ?? false)),
  };
}

function jsonProblem(p: Problem): JsonProblem {
  return {
    severity: p.severity,
    message: p.message,
    location: p.location ? { file: p.location.file, line: p.location.line, column: p.location.column } : null,
  };
}

function jsonEnvironment(env: ReportedEnvironment, onlyProblems: boolean): JsonEnvironment {
  const summary: Partial<Record<Verdict, number>> = {};
  for (const r of env.resources) summary[r.verdict] = (summary[r.verdict] ?? 0) + 1;
  const counts = countStates(env.resources);
  const states: Partial<Record<ObjectState, number>> = {};
  for (const s of STATE_ORDER) if (counts.byState[s]) states[s] = counts.byState[s];
  const resources = onlyProblems ? env.resources.filter((r) => needsAttention(objectState(r))) : env.resources;
  return {
    name: env.name,
    path: env.path,
    context: env.context,
    namespace: env.namespace ?? null,
    error: env.error,
    noCluster: env.noCluster ?? false,
    state: environmentState(env),
    summary,
    states,
    incomplete: skippedContent(env).map((s) => ({
      message: s.message,
      location: s.location ? { file: s.location.file, line: s.location.line, column: s.location.column } : null,
    })),
    problems: (env.problems ?? []).map(jsonProblem),
    applications: (env.applications ?? []).map((a) => ({
      name: a.name,
      kind: a.kind,
      source: a.source,
      declaredAt: a.declaredAt
        ? { file: a.declaredAt.file, line: a.declaredAt.line, column: a.declaredAt.column }
        : null,
      state: finishedState(a.state, env.name),
      message: a.message ?? null,
      ...(a.unread ? { unread: verdictState(a.unread) } : {}),
      ...(a.parent
        ? {
            parent: {
              name: a.parent.name,
              at: { file: a.parent.at.file, line: a.parent.at.line, column: a.parent.at.column },
            },
          }
        : {}),
      ...(a.controller ? { controller: jsonController(a.controller) } : {}),
      ...(a.release ? { release: a.release } : {}),
    })),
    resources: resources.map(jsonResource),
  };
}

function jsonResourceController(c: NonNullable<ResourceDrift['controller']>): JsonResource['controller'] {
  return {
    state: c.state ?? null,
    note: c.note ?? null,
    ...(c.argo
      ? {
          argo: {
            status: c.argo.status,
            health: c.argo.health ?? null,
            requiresPruning: c.argo.requiresPruning === true,
          },
        }
      : {}),
    ...(c.disagreement ? { disagreement: c.disagreement } : {}),
  };
}

function jsonResource(r: ResourceDrift): JsonResource {
  return {
    apiVersion: r.apiVersion,
    kind: r.key.kind,
    namespace: r.key.namespace,
    name: r.key.name,
    verdict: r.verdict,
    state: objectState(r),
    application: r.application ?? null,
    ...(r.message !== undefined ? { message: r.message } : {}),
    source: r.source ? { file: r.source.file, line: r.source.line, column: r.source.column } : null,
    fields: r.fields.map(jsonField),
    ...(r.controller ? { controller: jsonResourceController(r.controller) } : {}),
    ...(r.template ? { template: r.template } : {}),
    ...(r.ignored?.length
      ? {
          ignored: r.ignored.map((i) => ({
            path: i.path,
            label: i.label ?? null,
            rule: i.rule ? { file: i.rule.file, line: i.rule.line, column: i.rule.column } : null,
          })),
        }
      : {}),
  };
}

function jsonController(c: ControllerStatus): JsonControllerStatus {
  return {
    kind: c.kind,
    name: c.name,
    namespace: c.namespace,
    found: c.found,
    ready: c.ready
      ? { status: c.ready.status, reason: c.ready.reason ?? null, message: c.ready.message ?? null }
      : null,
    suspended: c.suspended,
    prune: c.prune,
    interval: c.interval ?? null,
    appliedRevision: c.appliedRevision ?? null,
    attemptedRevision: c.attemptedRevision ?? null,
    headRevision: c.headRevision ?? null,
    behind: c.behind ?? null,
    revision: c.revision ?? null,
    pendingPrune: c.pendingPrune,
    notYetApplied: c.notYetApplied,
    message: c.message ?? null,
    states: controllerStates(c),
    ...(c.argo ? { argo: c.argo } : {}),
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
    origin: f.origin
      ? {
          file: f.origin.file,
          line: f.origin.line,
          column: f.origin.column,
          kind: f.origin.kind,
          ...(f.origin.related?.length
            ? {
                related: f.origin.related.map((r) => ({
                  file: r.location.file,
                  line: r.location.line,
                  column: r.location.column,
                  message: r.message,
                })),
              }
            : {}),
        }
      : null,
    changedBy: f.changedBy
      ? { manager: f.changedBy.manager, operation: f.changedBy.operation, time: f.changedBy.time ?? null }
      : null,
  };
}

/** An application's state in JSON: only finished reports have a JSON form (the editor's partial ones never do). */
function finishedState(state: ApplicationSummary['state'], env: string): JsonApplication['state'] {
  if (state === 'rendering') throw new Error(`environment '${env}': a report of a render in progress has no JSON form`);
  return state;
}
