/**
 * The one vocabulary of states every view uses: the tree, the status bar, tooltips, the log, the CLI text and its
 * JSON. A state is what a person acts on; the engine's `Verdict` says how an object compared, and its controller's
 * state (a Flux Kustomization's inventory) can change what that means: a missing object Flux has not applied yet is
 * `notYetApplied`, not a hand-made change. Counting and naming go through here, so no view can call a missing object
 * "drifted" or an environment nothing of which could be read "in sync".
 */
import type { ControllerStatus, EnvironmentDrift, ResourceDrift, Verdict } from './drift';

/** Where one object stands. */
export type ObjectState =
  | 'inSync'
  | 'drifted'
  | 'missing'
  | 'extra'
  /** A Flux Kustomization applied it and git no longer renders it: its next reconcile prunes it. */
  | 'pendingPrune'
  /** Git renders it and its Flux Kustomization has not applied it yet. */
  | 'notYetApplied'
  /** The cluster does not serve its kind (a CRD not installed, an API version not served). */
  | 'notDeployed'
  /** RBAC refused to list it. */
  | 'forbidden'
  | 'error'
  /** Its live state was not read: no cluster (no kubeconfig, unreachable server, refused credentials). */
  | 'notChecked'
  /** An Argo CD hook (a sync's PreSync Job, a Helm hook): runs around a sync, never compared. */
  | 'hook';

/**
 * Where an application's controller (a Flux Kustomization, an Argo CD Application) stands, besides ready and up to
 * date. Argo CD's: `outOfSync` (its sync status), `degraded`, `progressing`, `healthMissing` (its health),
 * `syncFailed` (its last operation failed), `disagrees` (it and this check judge some object differently).
 */
export type ControllerState =
  | 'notDeployed'
  | 'suspended'
  | 'notReady'
  | 'behind'
  | 'pendingPrune'
  | 'notYetApplied'
  | 'outOfSync'
  | 'degraded'
  | 'progressing'
  | 'healthMissing'
  | 'syncFailed'
  | 'disagrees';

/** Every state's words, as every view prints them. */
export const STATE_LABEL: Readonly<Record<ObjectState | ControllerState, string>> = {
  inSync: 'in sync',
  drifted: 'drifted',
  missing: 'missing',
  extra: 'extra',
  pendingPrune: 'pending prune',
  notYetApplied: 'not yet applied',
  notDeployed: 'not deployed',
  forbidden: 'forbidden',
  error: 'error',
  notChecked: 'not checked',
  hook: 'hook',
  suspended: 'suspended',
  notReady: 'not ready',
  behind: 'behind',
  outOfSync: 'out of sync',
  degraded: 'degraded',
  progressing: 'progressing',
  healthMissing: 'resources missing',
  syncFailed: 'sync failed',
  disagrees: 'disagrees',
};

/** The order counts are listed in. */
export const STATE_ORDER: readonly ObjectState[] = [
  'inSync',
  'drifted',
  'missing',
  'extra',
  'pendingPrune',
  'notYetApplied',
  'notDeployed',
  'forbidden',
  'error',
  'notChecked',
  'hook',
];

/** Git and the cluster disagree, and no controller is about to settle it. */
export const DIFFERS: ReadonlySet<ObjectState> = new Set<ObjectState>(['drifted', 'missing', 'extra']);
/** Git and the cluster disagree, and the controller has yet to apply or prune (not a hand-made change). */
export const PENDING: ReadonlySet<ObjectState> = new Set<ObjectState>(['pendingPrune', 'notYetApplied']);
/** Nothing could be said of the object: these never count as in sync. */
export const UNREAD: ReadonlySet<ObjectState> = new Set<ObjectState>([
  'notDeployed',
  'forbidden',
  'error',
  'notChecked',
]);

const BY_VERDICT: Record<Verdict, ObjectState> = {
  InSync: 'inSync',
  Drifted: 'drifted',
  Missing: 'missing',
  Extra: 'extra',
  UnknownKind: 'notDeployed',
  Forbidden: 'forbidden',
  Error: 'error',
  NotChecked: 'notChecked',
  Hook: 'hook',
};

/** The state of one object: its verdict, unless its controller has yet to apply or prune it. */
export function objectState(r: Pick<ResourceDrift, 'verdict' | 'controller'>): ObjectState {
  const pending = r.controller?.state;
  if (pending === 'pendingPrune' && r.verdict === 'Extra') return 'pendingPrune';
  if (pending === 'notYetApplied' && (r.verdict === 'Drifted' || r.verdict === 'Missing' || r.verdict === 'Extra'))
    return 'notYetApplied';
  return BY_VERDICT[r.verdict];
}

/** The state's name for a verdict alone (no controller), e.g. `UnknownKind` → `notDeployed`. */
export function verdictState(verdict: Verdict): ObjectState {
  return BY_VERDICT[verdict];
}

/** How many objects are in each state. */
export interface StateCounts {
  total: number;
  byState: Record<ObjectState, number>;
}

/** Counts objects by state. */
export function countStates(resources: readonly Pick<ResourceDrift, 'verdict' | 'controller'>[]): StateCounts {
  const byState = Object.fromEntries(STATE_ORDER.map((s) => [s, 0])) as Record<ObjectState, number>;
  for (const r of resources) byState[objectState(r)]++;
  return { total: resources.length, byState };
}

/** Adds counts (an environment's, its applications'). */
export function addCounts(a: StateCounts, b: StateCounts): StateCounts {
  const byState = { ...a.byState };
  for (const s of STATE_ORDER) byState[s] += b.byState[s];
  return { total: a.total + b.total, byState };
}

/** How many objects git and the cluster disagree on by hand (drifted + missing + extra). */
export function differing(counts: StateCounts): number {
  return [...DIFFERS].reduce((n, s) => n + counts.byState[s], 0);
}

/** How many objects nothing could be said of (not deployed, forbidden, error, not checked). */
export function unread(counts: StateCounts): number {
  return [...UNREAD].reduce((n, s) => n + counts.byState[s], 0);
}

/** `3 drifted`, `1 not deployed`, … in STATE_ORDER, zero counts left out; `inSync` too unless `withInSync` is false. */
export function countParts(counts: StateCounts, options: { withInSync?: boolean } = {}): string[] {
  return STATE_ORDER.filter((s) => counts.byState[s] && (s !== 'inSync' || options.withInSync !== false)).map(
    // `hook` is the one noun among the labels: `2 hooks`.
    (s) => `${counts.byState[s]} ${STATE_LABEL[s]}${s === 'hook' && counts.byState[s] !== 1 ? 's' : ''}`,
  );
}

/**
 * What a group of objects amounts to, in a few words: `in sync` when every object is; otherwise the counts that are
 * not in sync (`2 drifted · 1 missing`), never the word "in sync" beside objects nothing could be said of;
 * `no objects` for none.
 */
export function stateSummary(counts: StateCounts, separator = ' · '): string {
  if (!counts.total) return 'no objects';
  // Hooks are never compared: beside in-sync objects they leave the group in sync.
  if (counts.byState.inSync + counts.byState.hook === counts.total && counts.byState.inSync) return STATE_LABEL.inSync;
  return countParts(counts, { withInSync: false }).join(separator);
}

/** An environment's state as the views show it: an object state, or `error` when it could not be checked. */
export type EnvironmentState = ObjectState;

/** Which object state outranks which for an environment's icon: what differs is what people act on. */
const WORST_FIRST: readonly ObjectState[] = [
  'missing',
  'extra',
  'drifted',
  'notYetApplied',
  'pendingPrune',
  'error',
  'forbidden',
  'notDeployed',
  'notChecked',
];

/**
 * The environment's overall state: `notChecked` when its live state could not be read (no cluster), `error` when
 * it could not be rendered, else the worst state among its objects; `inSync` only when every object is in sync.
 * An environment whose render skipped content is `notChecked` unless something already differs.
 */
export function environmentState(
  env: Pick<EnvironmentDrift, 'resources' | 'error' | 'skipped' | 'noCluster'>,
): EnvironmentState {
  if (env.error !== null) return env.noCluster ? 'notChecked' : 'error';
  const counts = countStates(env.resources);
  const worst = WORST_FIRST.find((s) => counts.byState[s] > 0);
  const incomplete = (env.skipped?.length ?? 0) > 0;
  if (incomplete && (worst === undefined || !(DIFFERS.has(worst) || PENDING.has(worst)))) return 'notChecked';
  return worst ?? 'inSync';
}

/** A controller's states: empty when it is ready, up to date, and has nothing to apply or prune. */
export function controllerStates(status: ControllerStatus): ControllerState[] {
  if (!status.found) return ['notDeployed'];
  const states: ControllerState[] = [];
  const argo = status.argo;
  if (argo) {
    if (argo.sync === 'OutOfSync') states.push('outOfSync');
    const health = ARGO_HEALTH_STATE[argo.health?.status ?? ''];
    if (health) states.push(health);
    if (argo.operation && ARGO_FAILED_PHASES.has(argo.operation.phase)) states.push('syncFailed');
  }
  if (status.suspended) states.push('suspended');
  if (status.ready?.status === 'False') states.push('notReady');
  if (status.behind) states.push('behind');
  if (status.pendingPrune) states.push('pendingPrune');
  if (status.notYetApplied) states.push('notYetApplied');
  if (argo?.disagreements.length) states.push('disagrees');
  return states;
}

/** Argo CD health statuses that are a state of their own (`Healthy` and `Unknown` are none). */
const ARGO_HEALTH_STATE: Readonly<Record<string, ControllerState>> = {
  Degraded: 'degraded',
  Progressing: 'progressing',
  Missing: 'healthMissing',
  Suspended: 'suspended',
};

/** Phases of an Argo CD operation that ended badly (gitops-engine's OperationPhase). */
export const ARGO_FAILED_PHASES: ReadonlySet<string> = new Set(['Failed', 'Error']);

/**
 * Whether an object belongs in the "only problems" view (the tree's filter, `check --only-drifted`): git and the
 * cluster disagree, or it could not be read. Not an in-sync object, and not one nobody looked at (no cluster).
 */
export function needsAttention(state: ObjectState): boolean {
  return state !== 'inSync' && state !== 'notChecked' && state !== 'hook';
}

/** Whether an environment belongs in the "only problems" view: an error, skipped content, or an object that needs attention. */
export function environmentNeedsAttention(env: Pick<EnvironmentDrift, 'resources' | 'error' | 'skipped'>): boolean {
  return (
    env.error !== null || (env.skipped?.length ?? 0) > 0 || env.resources.some((r) => needsAttention(objectState(r)))
  );
}
