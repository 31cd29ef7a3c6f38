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
import { argoBadge, describeArgoStatus } from '../drift/argoStatus';
import { describeRelease } from '../drift/helmRelease';
import { describeNextUpgradeChange } from '../drift/nextUpgrade';
import type {
  ApplicationSummary,
  ControllerStatus,
  EnvironmentDrift,
  FieldDrift,
  ReleaseStatus,
  ResourceDrift,
} from '../model/drift';
import {
  countParts,
  countStates,
  objectState,
  STATE_LABEL,
  stateSummary,
  type StateCounts,
} from '../model/verdictState';
import { pointerSegments } from '../yaml/pointer';

/**
 * A group of objects (a kind, an application) in a few words: `3` when every one is in sync, `1 of 2 drifted` for
 * one state beside in-sync objects, `12 missing` when all share it, `2 drifted · 1 missing (of 9)` for several.
 */
export function groupDescription(counts: StateCounts): string {
  if (counts.byState.inSync === counts.total) return `${counts.total}`;
  const parts = countParts(counts, { withInSync: false });
  if (!counts.byState.inSync) return parts.join(' · ');
  if (parts.length === 1) {
    const [n, ...words] = parts[0].split(' ');
    return `${n} of ${counts.total} ${words.join(' ')}`;
  }
  return `${parts.join(' · ')} (of ${counts.total})`;
}

/**
 * A controller's state in a few words for a tree description: `Flux: ready · 3 behind`, `Flux: suspended`,
 * `Flux: not ready (BuildFailed)`, `Flux: not in the cluster`.
 */
export function controllerBadge(status: ControllerStatus): string {
  if (status.kind === 'Application') return argoBadge(status);
  if (!status.found) return `Flux: ${STATE_LABEL.notDeployed}`;
  const parts: string[] = [];
  if (status.suspended) parts.push(STATE_LABEL.suspended);
  const ready = status.ready;
  parts.push(
    !ready
      ? 'not reconciled yet'
      : ready.status === 'True'
        ? 'ready'
        : ready.status === 'False'
          ? `${STATE_LABEL.notReady}${ready.reason ? ` (${ready.reason})` : ''}`
          : 'readiness unknown',
  );
  if (status.behind) parts.push(`${status.behind} ${STATE_LABEL.behind}`);
  return `Flux: ${parts.join(' · ')}`;
}

/** The full line for a tooltip: `Kustomization flux-system/apps: ready; applied abc1234, git is at …`. */
export function controllerTooltip(status: ControllerStatus): string {
  if (status.kind === 'Application')
    return `Argo CD Application ${status.namespace}/${status.name}: ${describeArgoStatus(status)}`;
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
  const next = release.render?.nextUpgrade;
  if (next?.length) parts.push(`next upgrade: ${next.length} change${next.length === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

/** A Helm release's tooltip lines: the release, and where git is ahead of it. */
export function releaseTooltip(release: ReleaseStatus): string {
  return [
    `release ${release.releaseName}: ${describeRelease(release)}`,
    ...(release.git?.message ? [release.git.message] : []),
    ...nextUpgradeLines(release),
  ].join('\n');
}

/** At most this many next-upgrade changes in a tooltip. */
const MAX_NEXT_UPGRADE_LINES = 10;

/**
 * What the next upgrade changes, for the tooltip: git's chart render against the deployed revision, object keys and
 * field paths only (never values); or why git's chart was not rendered.
 */
function nextUpgradeLines(release: ReleaseStatus): string[] {
  const render = release.render;
  if (!render) return [];
  if (render.state !== 'rendered') return [`git's chart not rendered: ${render.message ?? 'no reason given'}`];
  const changes = render.nextUpgrade ?? [];
  if (!changes.length) return ["next upgrade: no change (git's chart renders what the release applied)"];
  const shown = changes.slice(0, MAX_NEXT_UPGRADE_LINES).map((c) => `• ${describeNextUpgradeChange(c)}`);
  const more = changes.length - shown.length;
  return [
    `next upgrade: git's chart, rendered with git's values, against the deployed revision (paths only, no values; helm-controller applies it at its next reconcile):`,
    ...shown,
    ...(more ? [`• +${more} more (gitops-drift check lists them all)`] : []),
  ];
}

/** The controller status of an environment's only application (the tree then shows it on the environment). */
export function soleController(applications: readonly ApplicationSummary[] | undefined): ControllerStatus | undefined {
  return applications?.length === 1 ? applications[0].controller : undefined;
}

/**
 * The tree description of an environment, e.g. `2 drifted · 1 missing · ctx prod-eu`: `in sync` only when every
 * object is; `not checked: no cluster` when its live state could not be read; an environment whose render skipped
 * content starts with `not checked: incomplete (1 part skipped)`. `context: false` leaves the context out (the view
 * says it once when environments share it).
 */
export function environmentDescription(
  env: Pick<EnvironmentDrift, 'resources' | 'error' | 'context' | 'skipped' | 'noCluster'>,
  options: { context?: boolean } = {},
): string {
  const ctx = env.context && options.context !== false ? `ctx ${env.context}` : '';
  if (env.error !== null)
    return [env.noCluster ? `${STATE_LABEL.notChecked}: no cluster` : STATE_LABEL.error, ctx]
      .filter(Boolean)
      .join(' · ');
  const counts = countStates(env.resources);
  const parts = isIncomplete(env)
    ? [`${NOT_CHECKED_INCOMPLETE} (${skippedCount(env)})`, ...countParts(counts, { withInSync: false })]
    : [stateSummary(counts)];
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
 * A resource's tree description: for a drifted object its fields as `git → live` (`replicas 3 → 12`) where they fit,
 * else the state's words (`missing`, `pending prune`, `not deployed`, …).
 */
export function resourceDescription(r: ResourceDrift): string {
  const state = objectState(r);
  // Argo CD's own verdict beside ours, where the two disagree (the tooltip names the likely cause).
  const argo = r.controller?.disagreement && r.controller.argo ? ` · Argo CD: ${r.controller.argo.status}` : '';
  if (state !== 'drifted') return STATE_LABEL[state] + argo;
  const shown = r.fields.slice(0, 2).map(fieldChange);
  return `${shown.join(', ')}${r.fields.length > 2 ? ` +${r.fields.length - 2} more` : ''}${argo}`;
}

/** Longest `label git → live` a tree row shows; past it, the field's name alone. */
const MAX_CHANGE = 48;

/** One drifted field in a few words: `replicas 3 → 12`, `labels.team unset → checkout`, `data.KEY (secret)`. */
export function fieldChange(field: FieldDrift): string {
  const label = fieldLabel(field);
  if (field.secret) return `${label} (secret)`;
  const side = (v: unknown) => (v === undefined ? 'unset' : formatValue(v));
  const text = `${label} ${side(field.desired)} → ${side(field.live)}`;
  return text.length <= MAX_CHANGE ? text : label;
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
      return `${env}: ${what} is ${STATE_LABEL.notDeployed}: the cluster does not serve ${r.key.kind}${r.message ? ` (${r.message})` : ''}`;
    case 'NotChecked':
      return `${env}: ${what} is ${STATE_LABEL.notChecked}: ${r.message ?? 'its live state was not read'}`;
    case 'Hook':
      return `${env}: ${what} is a ${STATE_LABEL.hook}: ${r.message ?? 'run around a sync, never compared'}`;
    case 'Forbidden':
      return `${env}: cannot read ${what}: ${r.message ?? 'forbidden'}`;
    case 'Error':
      return `${env}: ${what}: ${r.message ?? 'error'}`;
    default:
      return `${env}: ${what} is ${STATE_LABEL[objectState(r)]}`;
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
