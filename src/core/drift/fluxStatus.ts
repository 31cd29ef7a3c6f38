/**
 * A Flux Kustomization's status set beside the verdicts of the objects it applies, as kustomize-controller works:
 * - its inventory (`status.inventory`) lists what it applied at `lastAppliedRevision`. An object in it that git no
 *   longer renders is **pending prune** (deleted at the next reconcile when `spec.prune` is on, else left behind);
 *   a rendered object not in it is **not yet applied**. Neither is a hand-made change.
 * - every reconcile (each `spec.interval`) server-side applies the whole render, so hand-made drift in what git sets
 *   is reverted then, whatever `prune` and `force` say; a suspended Kustomization reconciles nothing.
 * - `lastAppliedRevision` (`main@sha1:<sha>`) against the repo's HEAD says how far behind git the cluster is.
 */
import type { ControllerStatus, ResourceDrift } from '../model/drift';
import type {
  FluxInventoryEntry,
  FluxKustomizationRead,
  FluxKustomizationRef,
  LiveRead,
} from '../live/fluxKustomization';
import { parseFluxKustomization } from '../live/fluxKustomization';
import { keyString, type KubeObject, type ResourceKey } from '../model/resource';
import { STATE_LABEL } from '../model/verdictState';
import { liveOnlyDetail, type ReconcileDetail } from './reconcile';
import type { Git } from '../ports';

/** Where the applied revision stands against the repo's HEAD. */
export interface GitPosition {
  head?: string;
  /** Commits from the applied revision to HEAD. */
  behind?: number;
  /** Why `behind` is unknown (not in this clone's history, too far back, no git). */
  unknown?: string;
}

/** How far back `behind` is counted; past it the cluster is "more than N commits behind". */
export const BEHIND_LIMIT = 200;

/**
 * The commit a Flux revision names: `main@sha1:<sha>` (Flux ≥ 2.0, also `refs/heads/main@sha1:`, `sha1:<sha>`),
 * `main/<sha>` (before), or a bare sha. Undefined for an OCI digest or a tag without a commit.
 */
export function revisionCommit(revision: string): string | undefined {
  const m = /(?:^|@|\/)(?:sha1:)?([0-9a-f]{40})$/.exec(revision);
  return m?.[1];
}

/**
 * HEAD's recent commits, newest first, as far back as `behind` is counted: every commit (a merge too), as the
 * revision Flux applied is one of the whole repo's commits.
 */
export async function recentHistory(git: Git): Promise<string[]> {
  if (git.revList) return git.revList(BEHIND_LIMIT + 1);
  return (await git.log([], BEHIND_LIMIT + 1)).map((c) => c.sha);
}

/**
 * Where `applied` stands against HEAD, from HEAD's recent history (`recentHistory`, shared by the applications of
 * one check); never throws: git trouble is `unknown`.
 */
export async function gitPosition(
  git: Git,
  applied: string | undefined,
  history: Promise<readonly string[]> = recentHistory(git),
): Promise<GitPosition> {
  try {
    const commits = await history;
    const head = commits[0];
    if (!head) return { unknown: 'the repo has no commit' };
    const sha = applied === undefined ? undefined : revisionCommit(applied);
    if (!sha)
      return { head, ...(applied === undefined ? {} : { unknown: 'the applied revision names no git commit' }) };
    const at = commits.indexOf(sha);
    if (at >= 0) return { head, behind: at };
    const known = (await git.commit(sha)) !== undefined;
    if (known && commits.length > BEHIND_LIMIT) return { head, unknown: `more than ${BEHIND_LIMIT} commits behind` };
    return {
      head,
      unknown: known
        ? 'the applied commit is not in the history of HEAD'
        : 'the applied commit is not in this clone (fetch?)',
    };
  } catch (e) {
    return { unknown: `git: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** `applied abc1234, git is at def5678 (3 commits behind)`; `verb` names what the controller did with it. */
export function describeRevision(
  applied: string | undefined,
  position: GitPosition,
  verb: 'applied' | 'compared' = 'applied',
): string | undefined {
  const short = (sha: string) => sha.slice(0, 7);
  const appliedSha = applied === undefined ? undefined : revisionCommit(applied);
  const what = applied === undefined ? `nothing ${verb} yet` : `${verb} ${appliedSha ? short(appliedSha) : applied}`;
  if (!position.head) return position.unknown ? `${what} (${position.unknown})` : what;
  const where = `git is at ${short(position.head)}`;
  if (position.behind === 0) return `${what}, ${where} (up to date)`;
  if (position.behind !== undefined)
    return `${what}, ${where} (${position.behind} commit${position.behind === 1 ? '' : 's'} behind)`;
  return `${what}, ${where}${position.unknown ? ` (${position.unknown})` : ''}`;
}

/** What one application's Kustomization says: its status, and inventory entries no rendered object answers. */
export interface FluxStatusOutcome {
  status: ControllerStatus;
  /** Applied and no longer rendered, and not among the report's objects: the caller looks them up live. */
  unreported: FluxInventoryEntry[];
}

/**
 * Sets the Kustomization's states and notes on `resources` (the environment's verdicts, `application` set): marks
 * this application's objects not in the inventory `notYetApplied`, live leftovers in it `pendingPrune`, and notes
 * what Flux will do about each difference. Returns the application's controller status.
 */
export function applyFluxStatus(
  app: string,
  ref: FluxKustomizationRef,
  read: FluxKustomizationRead,
  resources: ResourceDrift[],
  position: GitPosition,
  objectsOf: ObjectsOf = () => [],
): FluxStatusOutcome {
  const base = {
    kind: 'Kustomization' as const,
    name: ref.name,
    namespace: ref.namespace,
    pendingPrune: 0,
    notYetApplied: 0,
  };
  if (read.status !== 'ok')
    return { status: { ...base, found: false, suspended: false, prune: false, message: read.message }, unreported: [] };
  const state = parseFluxKustomization(read.object);
  const status: ControllerStatus = {
    ...base,
    found: true,
    suspended: state.suspended,
    prune: state.prune,
    ...(state.ready ? { ready: state.ready } : {}),
    ...(state.interval ? { interval: state.interval } : {}),
    ...(state.lastAppliedRevision ? { appliedRevision: state.lastAppliedRevision } : {}),
    ...(state.lastAttemptedRevision && state.lastAttemptedRevision !== state.lastAppliedRevision
      ? { attemptedRevision: state.lastAttemptedRevision }
      : {}),
    ...(position.head ? { headRevision: position.head } : {}),
    ...(position.behind !== undefined ? { behind: position.behind } : {}),
  };
  const revision = describeRevision(state.lastAppliedRevision, position);
  if (revision) status.revision = revision;
  const inventory = new Map((state.inventory ?? []).map((e) => [keyString(e.key), e]));
  const reported = new Set<string>();
  const ahead = (position.behind ?? 0) > 0;
  for (const r of resources) {
    // Called once per Kustomization over the environment's every verdict: the key is made only where it is used.
    if (r.application !== app && r.verdict !== 'Extra') continue;
    const key = keyString(r.key);
    if (r.application === app) {
      reported.add(key);
      // Without an inventory (never applied) every object is not yet applied.
      if (!inventory.has(key)) {
        r.controller = { state: 'notYetApplied', ...noteFor('apply', r, state, objectsOf(r.key)) };
        status.notYetApplied++;
      } else if (r.verdict === 'Drifted' || r.verdict === 'Missing')
        // Behind HEAD, the difference may be a commit Flux has not applied yet rather than a hand edit: either way
        // its next reconcile applies git's value, so say that and not "revert".
        r.controller = noteFor(ahead ? 'applyAhead' : 'revert', r, state, objectsOf(r.key), position.behind);
    } else if (r.verdict === 'Extra' && inventory.has(key)) {
      reported.add(key);
      r.application = app;
      r.controller = { state: 'pendingPrune', ...noteFor('prune', r, state, objectsOf(r.key)) };
      status.pendingPrune++;
    }
  }
  return { status, unreported: [...inventory].filter(([k]) => !reported.has(k)).map(([, e]) => e) };
}

/** The git and live objects behind a verdict (either may be absent), where Flux's per-object marks are read. */
export type ObjectsOf = (key: ResourceKey) => readonly KubeObject[];

const FLUX_MARK = 'kustomize.toolkit.fluxcd.io/';

/** A Flux mark (`reconcile`, `ssa`, `prune`) set on any of the objects, as a label or an annotation (Flux reads both). */
function fluxMark(objects: readonly KubeObject[], name: string): string | undefined {
  for (const o of objects) {
    const value = o.metadata?.annotations?.[FLUX_MARK + name] ?? o.metadata?.labels?.[FLUX_MARK + name];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * What Flux will do at its next reconcile: apply, revert or prune; nothing when suspended or when the object opts
 * out (`reconcile: disabled`; `ssa: Ignore`; `ssa: IfNotPresent` only creates; `prune: disabled`).
 */
function noteFor(
  action: 'apply' | 'applyAhead' | 'revert' | 'prune',
  r: ResourceDrift,
  state: ReturnType<typeof parseFluxKustomization>,
  objects: readonly KubeObject[],
  behind?: number,
): { note?: string } {
  if (action === 'apply' && r.verdict === 'InSync') return {};
  const verb = action === 'apply' || action === 'applyAhead' ? 'apply' : action === 'prune' ? 'prune' : 'revert';
  if (state.suspended) return { note: `suspended: Flux will not ${verb} this` };
  if (fluxMark(objects, 'reconcile') === 'disabled')
    return { note: `reconcile: disabled on this object: Flux will not ${verb} it` };
  if (action === 'prune' && fluxMark(objects, 'prune') === 'disabled')
    return { note: 'prune: disabled on this object: Flux will leave it in the cluster' };
  if (action === 'prune' && !state.prune) return { note: 'prune is off: Flux will leave this in the cluster' };
  const ssa = fluxMark(objects, 'ssa');
  if (action !== 'prune' && ssa === 'Ignore') return { note: `ssa: Ignore on this object: Flux will not ${verb} it` };
  if (action !== 'prune' && ssa === 'IfNotPresent' && r.verdict !== 'Missing')
    return { note: `ssa: IfNotPresent on this object: Flux only creates it, it will not ${verb} this` };
  const interval = state.interval ? ` (interval ${state.interval})` : '';
  if (action === 'applyAhead')
    return {
      note: `Flux will apply git's value at its next reconcile${interval}: git is ${behind} commit${behind === 1 ? '' : 's'} ahead of what it applied`,
    };
  return { note: `Flux will ${action === 'prune' ? 'delete' : verb} this at its next reconcile${interval}` };
}

/**
 * The live objects among inventory entries no verdict covers (a kind git no longer renders, or no tracking marks
 * to find them by), read as the environment's objects are: each found is an `Extra` object pending prune of `app`,
 * with its cluster side to show. An entry whose scope cannot be read or whose object is gone is left out (the
 * inventory is what Flux applied, not what still exists).
 */
export async function pendingPruneObjects(
  read: LiveRead,
  app: string,
  entries: readonly FluxInventoryEntry[],
  kustomization: FluxKustomizationRead,
): Promise<ReconcileDetail[]> {
  if (kustomization.status !== 'ok' || !entries.length) return [];
  const state = parseFluxKustomization(kustomization.object);
  return liveLeftovers(read, app, entries, (_, r, found) => ({
    state: 'pendingPrune',
    ...noteFor('prune', r, state, [found]),
  }));
}

/**
 * The live objects a controller lists (Flux's inventory, Argo CD's resources to prune) that no verdict covers, read as
 * the environment's objects are: each found is an `Extra` object of `app`, marked as `mark` says. Every entry names
 * its namespace (or none, cluster-scoped): the default namespace is never used.
 */
export async function liveLeftovers<E extends { key: ResourceKey; version?: string }>(
  read: LiveRead,
  app: string,
  entries: readonly E[],
  mark: (entry: E, r: ResourceDrift, found: KubeObject) => NonNullable<ResourceDrift['controller']>,
): Promise<ReconcileDetail[]> {
  const wanted = entries.map((e) => ({
    e,
    object: {
      apiVersion: apiVersionOf(e.key, e.version || 'v1'),
      kind: e.key.kind,
      metadata: { name: e.key.name, ...(e.key.namespace ? { namespace: e.key.namespace } : {}) },
    },
  }));
  const live = await read(
    wanted.map((w) => w.object),
    '',
  );
  const out: ReconcileDetail[] = [];
  for (const { e } of wanted) {
    const found = live.objects.get(keyString(e.key));
    if (!found) continue;
    const r: ResourceDrift = {
      apiVersion: found.apiVersion,
      key: e.key,
      verdict: 'Extra',
      fields: [],
      application: app,
    };
    r.controller = mark(e, r, found);
    out.push(liveOnlyDetail(found, r));
  }
  return out;
}

function apiVersionOf(key: ResourceKey, version: string): string {
  return key.group ? `${key.group}/${version}` : version;
}

/**
 * A controller status as one line, for the CLI text and the tree: `ready; applied abc1234, git is at def5678 (3
 * commits behind); 2 pending prune`, `not ready (BuildFailed): …`, `suspended`, `not in the cluster: …`.
 */
export function describeControllerStatus(status: ControllerStatus): string {
  if (!status.found) return `not in the cluster: ${status.message ?? ''}`.trimEnd();
  const parts: string[] = [];
  if (status.suspended) parts.push(STATE_LABEL.suspended);
  const ready = status.ready;
  if (!ready) parts.push('no Ready condition yet');
  else if (ready.status === 'True') parts.push('ready');
  else
    parts.push(
      `${ready.status === 'False' ? STATE_LABEL.notReady : 'readiness unknown'}${ready.reason ? ` (${ready.reason})` : ''}${ready.message ? `: ${ready.message}` : ''}`,
    );
  if (status.revision) parts.push(status.revision);
  if (status.attemptedRevision) parts.push(`last attempted ${status.attemptedRevision}`);
  if (status.pendingPrune) parts.push(`${status.pendingPrune} ${STATE_LABEL.pendingPrune}`);
  if (status.notYetApplied) parts.push(`${status.notYetApplied} ${STATE_LABEL.notYetApplied}`);
  return parts.join('; ');
}

/** Whether the controller is where git is: found, ready, not suspended, up to date, nothing pending. */
export function controllerSettled(status: ControllerStatus): boolean {
  return (
    status.found &&
    !status.suspended &&
    status.ready?.status === 'True' &&
    status.behind === 0 &&
    !status.pendingPrune &&
    !status.notYetApplied
  );
}
