/**
 * src/core/editor/: the editor's model without the editor: what markers, hovers, tree items and ignore-rule edits
 * say, as pure functions the vscode/ side shows. It may import promote, repo, drift, render, live and the base
 * layers.
 *
 * How drift results read in the editor: summaries, labels, messages and ghost text. Pure functions over the
 * drift model so the tree, diagnostics, decorations and hovers say the same thing, and tests need no editor.
 */
import { isIncomplete, NOT_CHECKED_INCOMPLETE, skippedCount } from '../drift/incomplete';
import { describeControllerStatus } from '../drift/fluxStatus';
import { describeRelease } from '../drift/helmRelease';
import type {
  ApplicationSummary,
  ControllerStatus,
  EnvironmentDrift,
  FieldDrift,
  ReleaseStatus,
  ResourceDrift,
  Verdict,
} from '../model/drift';
import { pointerSegments } from '../yaml/pointer';

/** Verdicts that mean "git and the cluster disagree". */
export const DRIFT_VERDICTS: ReadonlySet<Verdict> = new Set<Verdict>(['Drifted', 'Missing', 'Extra']);
/** Verdicts that mean "could not tell". */
export const TROUBLE_VERDICTS: ReadonlySet<Verdict> = new Set<Verdict>(['UnknownKind', 'Forbidden', 'Error']);

/** Counts per verdict for one environment. */
export interface EnvironmentSummary {
  total: number;
  /** Drifted + Missing + Extra. */
  drifted: number;
  byVerdict: Record<Verdict, number>;
  /** Of `drifted`, what the controller has yet to do rather than a hand-made change (a Flux Kustomization's states). */
  pendingPrune: number;
  notYetApplied: number;
}

/** Counts an environment's verdicts. */
export function summarize(env: Pick<EnvironmentDrift, 'resources'>): EnvironmentSummary {
  const byVerdict: Record<Verdict, number> = {
    InSync: 0,
    Drifted: 0,
    Missing: 0,
    Extra: 0,
    UnknownKind: 0,
    Forbidden: 0,
    Error: 0,
  };
  const byController = { pendingPrune: 0, notYetApplied: 0 };
  for (const r of env.resources) {
    byVerdict[r.verdict]++;
    if (r.controller?.state && DRIFT_VERDICTS.has(r.verdict)) byController[r.controller.state]++;
  }
  return {
    total: env.resources.length,
    drifted: byVerdict.Drifted + byVerdict.Missing + byVerdict.Extra,
    byVerdict,
    ...byController,
  };
}

/**
 * `N drifted`, with what the controller has yet to apply or prune counted apart: `1 drifted · 2 pending prune`;
 * empty when nothing differs.
 */
export function driftCounts(s: EnvironmentSummary): string[] {
  const handMade = s.drifted - s.pendingPrune - s.notYetApplied;
  return [
    handMade ? `${handMade} drifted` : '',
    s.pendingPrune ? `${s.pendingPrune} pending prune` : '',
    s.notYetApplied ? `${s.notYetApplied} not yet applied` : '',
  ].filter(Boolean);
}

/**
 * A controller's state in a few words for a tree description: `Flux: ready · 3 behind`, `Flux: suspended`,
 * `Flux: not ready (BuildFailed)`, `Flux: not in the cluster`.
 */
export function controllerBadge(status: ControllerStatus): string {
  if (!status.found) return 'Flux: not in the cluster';
  const parts: string[] = [];
  if (status.suspended) parts.push('suspended');
  const ready = status.ready;
  parts.push(
    !ready
      ? 'not reconciled yet'
      : ready.status === 'True'
        ? 'ready'
        : ready.status === 'False'
          ? `not ready${ready.reason ? ` (${ready.reason})` : ''}`
          : 'readiness unknown',
  );
  if (status.behind) parts.push(`${status.behind} behind`);
  return `Flux: ${parts.join(' · ')}`;
}

/** The full line for a tooltip: `Kustomization flux-system/apps: ready; applied abc1234, git is at …`. */
export function controllerTooltip(status: ControllerStatus): string {
  return `${status.kind} ${status.namespace}/${status.name}: ${describeControllerStatus(status)}`;
}

/**
 * The applications an environment's tree shows: the repo's, then the Helm releases its check found (a Flux
 * HelmRelease is an object of the repo's application and an application of its own in the report).
 */
export function applicationNames(
  applications: readonly { name: string }[],
  report: Pick<EnvironmentDrift, 'applications'> | undefined,
): string[] {
  const names = applications.map((a) => a.name);
  for (const a of report?.applications ?? []) if (a.release && !names.includes(a.name)) names.push(a.name);
  return names;
}

/** A Helm release in a few words for the tree: `web 1.2.0 · rev 3 deployed · git values not applied`. */
export function releaseBadge(release: ReleaseStatus): string {
  const parts = release.found
    ? [`${release.chart} ${release.chartVersion}`, `rev ${release.revision} ${release.status}`]
    : ['not installed'];
  if (release.latest) parts.push(`rev ${release.latest.revision} ${release.latest.status}`);
  if (release.git?.message) parts.push(`git ${release.git.values === 'differs' ? 'values' : 'chart'} not applied`);
  return parts.join(' · ');
}

/** A Helm release's tooltip lines: the release, and where git is ahead of it. */
export function releaseTooltip(release: ReleaseStatus): string {
  return [
    `release ${release.releaseName}: ${describeRelease(release)}`,
    ...(release.git?.message ? [release.git.message] : []),
  ].join('\n');
}

/** The controller status of an environment's only application (the tree then shows it on the environment). */
export function soleController(applications: readonly ApplicationSummary[] | undefined): ControllerStatus | undefined {
  return applications?.length === 1 ? applications[0].controller : undefined;
}

/** The environment's overall state: the worst verdict among its objects, or its own error. */
export function environmentVerdict(env: Pick<EnvironmentDrift, 'resources' | 'error'>): Verdict {
  if (env.error) return 'Error';
  const present = new Set(env.resources.map((r) => r.verdict));
  // Drift outranks "could not read one kind": what differs is what people act on.
  for (const v of ['Missing', 'Extra', 'Drifted', 'Error', 'Forbidden', 'UnknownKind'] as Verdict[])
    if (present.has(v)) return v;
  return 'InSync';
}

/**
 * The tree description of an environment, e.g. `3 drifted · ctx prod-eu`; an environment whose render skipped
 * content starts with `not checked: incomplete (1 part skipped)` and is never called "in sync".
 */
export function environmentDescription(
  env: Pick<EnvironmentDrift, 'resources' | 'error' | 'context' | 'skipped'>,
): string {
  const ctx = env.context ? `ctx ${env.context}` : '';
  if (env.error) return ['error', ctx].filter(Boolean).join(' · ');
  const s = summarize(env);
  const parts: string[] = [];
  if (isIncomplete(env)) {
    parts.push(`${NOT_CHECKED_INCOMPLETE} (${skippedCount(env)})`);
    parts.push(...driftCounts(s));
  } else parts.push(...(s.drifted ? driftCounts(s) : [s.total ? 'in sync' : 'no objects']));
  const trouble = s.byVerdict.Forbidden + s.byVerdict.UnknownKind + s.byVerdict.Error;
  if (trouble) parts.push(`${trouble} unreadable`);
  if (ctx) parts.push(ctx);
  return parts.join(' · ');
}

/** Resources grouped by kind, kinds sorted by name, resources by namespace/name. */
export function groupByKind(
  resources: readonly ResourceDrift[],
): { kind: string; group: string; resources: ResourceDrift[] }[] {
  const groups = new Map<string, { kind: string; group: string; resources: ResourceDrift[] }>();
  for (const r of resources) {
    const id = `${r.key.group}/${r.key.kind}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { kind: r.key.kind, group: r.key.group, resources: [] }));
    g.resources.push(r);
  }
  const byName = (a: ResourceDrift, b: ResourceDrift) =>
    `${a.key.namespace}/${a.key.name}`.localeCompare(`${b.key.namespace}/${b.key.name}`);
  return [...groups.values()]
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.group.localeCompare(b.group))
    .map((g) => ({ ...g, resources: g.resources.sort(byName) }));
}

/**
 * A one-line verdict phrase for a resource: `replicas, image drifted`, `missing in the cluster`, `pending prune`,
 * `not yet applied`, …
 */
export function resourceDescription(r: ResourceDrift): string {
  if (r.controller?.state === 'pendingPrune' && r.verdict === 'Extra') return 'pending prune';
  if (r.controller?.state === 'notYetApplied' && DRIFT_VERDICTS.has(r.verdict)) return 'not yet applied';
  switch (r.verdict) {
    case 'InSync':
      return 'in sync';
    case 'Drifted': {
      const labels = r.fields.map(fieldLabel);
      return labels.length > 2
        ? `${labels.slice(0, 2).join(', ')} +${labels.length - 2} drifted`
        : `${labels.join(', ')} drifted`;
    }
    case 'Missing':
      return 'missing in the cluster';
    case 'Extra':
      return 'in the cluster, not in git';
    case 'UnknownKind':
      return 'kind not served by the cluster';
    case 'Forbidden':
      return 'forbidden';
    case 'Error':
      return 'error';
  }
}

/**
 * A short field name: the engine's label without the workload boilerplate, e.g. `replicas`,
 * `containers[web].image`, `data.LOG_LEVEL`.
 */
export function fieldLabel(field: Pick<FieldDrift, 'path' | 'label'>): string {
  const label = field.label ?? pointerLabel(field.path);
  return label.replace(/^spec\.template\.spec\./, '').replace(/^spec\.(?=replicas$|suspend$|schedule$|type$)/, '');
}

function pointerLabel(pointer: string): string {
  return pointerSegments(pointer).reduce(
    (acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg),
    '',
  );
}

const MAX_VALUE = 60;

/** A value as it reads in a message: scalars bare, structures as compact JSON, long ones cut. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'absent';
  const text =
    typeof value === 'string'
      ? value === '' || /^\s|\s$|^(true|false|null|-?\d[\d.e+-]*)$/.test(value)
        ? JSON.stringify(value)
        : value
      : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** `12 min ago`, `3 h ago`, `2 d ago`, `just now` (relative to `now`). */
export function timeAgo(time: string, now: Date): string | undefined {
  const t = Date.parse(time);
  if (Number.isNaN(t)) return undefined;
  const s = Math.max(0, Math.round((now.getTime() - t) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** `changed by kubectl-scale 12 min ago`, or undefined when the cluster recorded no manager. */
export function changedByText(field: Pick<FieldDrift, 'changedBy'>, now: Date): string | undefined {
  const c = field.changedBy;
  if (!c) return undefined;
  const when = c.time ? timeAgo(c.time, now) : undefined;
  return `changed by ${c.manager}${when ? ` ${when}` : ''}`;
}

/**
 * The diagnostic message for one drifted field in one environment, e.g.
 * `prod: replicas is 5 in the cluster, 4 in git (changed by kubectl-scale 12 min ago)`. Secret values never appear.
 */
export function fieldDriftMessage(env: string, field: FieldDrift, now: Date): string {
  const name = fieldLabel(field);
  let text: string;
  if (field.secret) text = `${name} differs in the cluster (Secret value hidden)`;
  else if (field.desired === undefined && field.cause === 'removal')
    text = `${name} is ${formatValue(field.live)} in the cluster; git no longer sets it`;
  else if (field.desired === undefined) text = `${name} is ${formatValue(field.live)} in the cluster, not set in git`;
  else if (field.live === undefined) text = `${name} is absent in the cluster, ${formatValue(field.desired)} in git`;
  else text = `${name} is ${formatValue(field.live)} in the cluster, ${formatValue(field.desired)} in git`;
  const by = changedByText(field, now);
  return `${env}: ${text}${by ? ` (${by})` : ''}`;
}

/** The message for an object-level verdict (Missing, Extra, Forbidden, UnknownKind, Error). */
export function resourceMessage(env: string, r: ResourceDrift): string {
  const what = `${r.key.kind} ${r.key.namespace ? `${r.key.namespace}/` : ''}${r.key.name}`;
  if (r.controller?.state === 'pendingPrune' && r.verdict === 'Extra')
    return `${env}: ${what} is pending prune: Flux applied it and git no longer renders it`;
  if (r.controller?.state === 'notYetApplied' && r.verdict === 'Missing')
    return `${env}: ${what} is not yet applied: git renders it, Flux has not applied it`;
  switch (r.verdict) {
    case 'Missing':
      return `${env}: ${what} is in git but not in the cluster`;
    case 'Extra':
      return `${env}: ${what} is in the cluster but no longer in git`;
    case 'UnknownKind':
      return `${env}: the cluster does not serve ${r.key.kind}${r.message ? ` (${r.message})` : ''}`;
    case 'Forbidden':
      return `${env}: cannot read ${what}: ${r.message ?? 'forbidden'}`;
    case 'Error':
      return `${env}: ${what}: ${r.message ?? 'error'}`;
    default:
      return `${env}: ${what} is ${r.verdict === 'InSync' ? 'in sync' : 'drifted'}`;
  }
}

/** The live value as after-line ghost text: `← live: 5`; per environment when several disagree on one line. */
export function ghostText(entries: readonly { env: string; field: FieldDrift }[]): string {
  const value = (f: FieldDrift) => (f.secret ? '(hidden)' : formatValue(f.live));
  const distinct = new Set(entries.map((e) => value(e.field)));
  if (entries.length === 1 || distinct.size === 1)
    return `← live: ${value(entries[0].field)}${entries.length > 1 ? ` (${entries.map((e) => e.env).join(', ')})` : ''}`;
  return `← live: ${entries.map((e) => `${value(e.field)} (${e.env})`).join(' · ')}`;
}

/**
 * Whether an environment's error is about reaching its cluster (not its render): a render failure always comes
 * with an error-severity problem pointing into the repo.
 */
export function isClusterFailure(report: {
  error: string | null;
  problems?: readonly { severity: string }[];
}): boolean {
  return report.error !== null && !(report.problems ?? []).some((p) => p.severity === 'error');
}
