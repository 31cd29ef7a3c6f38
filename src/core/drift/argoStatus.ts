/**
 * An Argo CD Application's status set beside the verdicts of the objects it applies, and where the two disagree:
 * - `.status.sync` (Synced/OutOfSync against `revision`), `.status.health`, `.status.operationState` and
 *   `.status.conditions` become the application's controller status;
 * - `.status.resources[]` gives Argo CD's verdict per object: `requiresPruning` on an object git no longer renders is
 *   **pending prune** (as for Flux), and an object Argo CD calls Synced that this check finds drifted (or the other
 *   way round) is a **disagreement**, named with its likely cause: Argo CD compared an older commit, a mutating
 *   webhook changed what Argo CD applied, a normalisation (a field git does not set; defaults and quantities), or an
 *   ignore rule one side has and the other lacks.
 */
import type { ArgoDisagreement, ControllerStatus, FieldDrift, ResourceDrift } from '../model/drift';
import {
  type ArgoApplicationRead,
  type ArgoApplicationRef,
  type ArgoApplicationState,
  type ArgoResourceStatus,
  parseArgoApplication,
} from '../live/argoApplication';
import type { LiveRead } from '../live/fluxKustomization';
import { keyLabel, keyString, type KubeObject } from '../model/resource';
import { ARGO_FAILED_PHASES, objectState, STATE_LABEL, UNREAD } from '../model/verdictState';
import { describeRevision, type GitPosition, liveLeftovers, type ObjectsOf, revisionCommit } from './fluxStatus';
import type { ReconcileDetail } from './reconcile';

/** The field managers Argo CD applies with (server-side apply; kubectl's client-side apply inside the controller). */
const ARGO_APPLIERS: ReadonlySet<string> = new Set(['argocd-controller', 'argocd-application-controller']);

/** What one application's Argo CD Application says: its status, and objects it would prune that no verdict covers. */
export interface ArgoStatusOutcome {
  status: ControllerStatus;
  unreported: ArgoResourceStatus[];
}

/**
 * Sets the Application's per-object verdicts, notes and disagreements on `resources` (the environment's verdicts,
 * `application` set) and returns the application's controller status. `via` says where the Application was read.
 */
export function applyArgoStatus(
  app: string,
  ref: ArgoApplicationRef,
  read: ArgoApplicationRead,
  resources: ResourceDrift[],
  position: GitPosition,
  via: 'cluster' | 'api',
  objectsOf: ObjectsOf = () => [],
): ArgoStatusOutcome {
  const base = {
    kind: 'Application' as const,
    name: ref.name,
    namespace: ref.namespace,
    suspended: false,
    pendingPrune: 0,
    notYetApplied: 0,
  };
  if (read.status !== 'ok')
    return { status: { ...base, found: false, prune: false, message: read.message }, unreported: [] };
  const state = parseArgoApplication(read.object);
  const status: ControllerStatus = {
    ...base,
    found: true,
    prune: state.automated?.prune === true,
    ...(state.revision ? { appliedRevision: state.revision } : {}),
    ...(position.head ? { headRevision: position.head } : {}),
    ...(position.behind !== undefined ? { behind: position.behind } : {}),
    argo: {
      via,
      sync: state.sync || 'Unknown',
      ...(state.health ? { health: state.health } : {}),
      ...(state.operation
        ? {
            operation: {
              phase: state.operation.phase,
              ...(state.operation.message ? { message: state.operation.message } : {}),
              ...(state.operation.finishedAt ? { finishedAt: state.operation.finishedAt } : {}),
            },
          }
        : {}),
      conditions: state.conditions,
      resources: {
        total: state.resources.filter((r) => !r.hook).length,
        outOfSync: state.resources.filter((r) => !r.hook && r.status === 'OutOfSync').length,
        requiresPruning: state.resources.filter((r) => r.requiresPruning).length,
      },
      ...(state.automated ? { automated: state.automated } : {}),
      ...(state.reconciledAt ? { reconciledAt: state.reconciledAt } : {}),
      disagreements: [],
    },
  };
  const revision = describeRevision(state.revision, position, 'compared');
  if (revision) status.revision = revision;
  const argo = status.argo!;
  const byKey = new Map(state.resources.filter((r) => !r.hook).map((r) => [keyString(r.key), r]));
  const reported = new Set<string>();
  let differing = 0;
  for (const r of resources) {
    if (r.application !== app && r.verdict !== 'Extra') continue;
    const key = keyString(r.key);
    const entry = byKey.get(key);
    if (r.application !== app && !entry?.requiresPruning) continue;
    if (entry) reported.add(key);
    if (r.application !== app) r.application = app;
    const here = objectState(r);
    if (here === 'drifted' || here === 'missing' || here === 'extra') differing++;
    const controller: NonNullable<ResourceDrift['controller']> = { ...r.controller };
    if (entry)
      controller.argo = {
        status: entry.status,
        ...(entry.health ? { health: entry.health } : {}),
        ...(entry.requiresPruning ? { requiresPruning: true } : {}),
      };
    if (r.verdict === 'Extra' && entry?.requiresPruning) {
      controller.state = 'pendingPrune';
      status.pendingPrune++;
      const note = pruneNote(state, objectsOf(r.key));
      if (note) controller.note = note;
    } else if (r.verdict === 'Drifted' || r.verdict === 'Missing') controller.note = revertNote(state, r.verdict);
    const disagreement = entry ? disagreementOf(r, entry, state, position) : undefined;
    if (disagreement) {
      controller.disagreement = `Argo CD says ${disagreement.argo}, here ${disagreement.here}: ${disagreement.cause}`;
      argo.disagreements.push({ key: r.key, ...disagreement });
    }
    if (Object.keys(controller).length) r.controller = controller;
  }
  // The application as a whole, when no object explains it (Argo CD lists no objects, or this check read none).
  if (!argo.disagreements.length) {
    if (state.sync === 'Synced' && differing)
      argo.disagreements.push({
        argo: 'Synced',
        here: `${differing} differ`,
        cause: causeWithoutEntry(position, state),
      });
    // Only objects this check compared can agree with Argo CD: a status read alone (objects not checked) says nothing.
    else if (
      state.sync === 'OutOfSync' &&
      !differing &&
      resources.some((r) => r.application === app && !UNREAD.has(objectState(r)))
    )
      argo.disagreements.push({
        argo: 'OutOfSync',
        here: STATE_LABEL.inSync,
        cause: causeWithoutEntry(position, state),
      });
  }
  const unreported = state.resources.filter((r) => r.requiresPruning && !reported.has(keyString(r.key)));
  return { status, unreported };
}

/** Argo CD's verdict on one object against this check's, when they disagree. */
function disagreementOf(
  r: ResourceDrift,
  entry: ArgoResourceStatus,
  state: ArgoApplicationState,
  position: GitPosition,
): Omit<ArgoDisagreement, 'key'> | undefined {
  const here = objectState(r);
  const label = STATE_LABEL[here];
  if (entry.requiresPruning && r.verdict !== 'Extra' && (here === 'inSync' || here === 'drifted'))
    return {
      argo: 'requires pruning',
      here: `git renders it (${label})`,
      cause: behindCause(position, state) ?? "Argo CD's render of the source differs from this one",
    };
  if (entry.status === 'Synced' && (here === 'drifted' || here === 'missing'))
    return { argo: 'Synced', here: label, cause: causeArgoSynced(r, state, position) };
  if (entry.status === 'OutOfSync' && here === 'inSync')
    return { argo: 'OutOfSync', here: label, cause: causeArgoOutOfSync(r, state, position) };
  return undefined;
}

/** Why Argo CD may call an object Synced that this check finds drifted or missing. */
function causeArgoSynced(r: ResourceDrift, state: ArgoApplicationState, position: GitPosition): string {
  const behind = behindCause(position, state);
  if (behind) return behind;
  if (r.verdict === 'Missing')
    return `Argo CD finds it live; here it was looked for as ${keyLabel(r.key)} (a namespace or name Argo CD renders differently)`;
  const fields = r.fields;
  const byApplier = fields.find((f) => f.changedBy && ARGO_APPLIERS.has(f.changedBy.manager));
  if (byApplier)
    return `likely a mutating webhook: ${fieldName(byApplier)} was last written by ${byApplier.changedBy!.manager} applying git's value, so the API server changed it on the way in, which Argo CD's diff does not count`;
  if (fields.length && fields.every((f) => f.desired === undefined))
    return `a normalisation: ${fields.map(fieldName).join(', ')} ${fields.length === 1 ? 'is a field' : 'are fields'} git does not set, which Argo CD's diff leaves out`;
  const rules = state.comparedIgnoreRules
    ? ` (its comparison used ${state.comparedIgnoreRules} ignoreDifferences rules)`
    : '';
  return `likely an ignore rule Argo CD has and this repo lacks (the cluster's argocd-cm or Application)${rules}, or a normalisation of its own`;
}

/** Why Argo CD may call an object OutOfSync that this check finds in sync. */
function causeArgoOutOfSync(r: ResourceDrift, state: ArgoApplicationState, position: GitPosition): string {
  const ignored = r.ignored ?? [];
  if (ignored.length) {
    const first = ignored[0];
    const where = first.rule ? ` (${first.rule.file}:${first.rule.line})` : '';
    return `an ignore rule here hides ${ignored.map((i) => i.label ?? i.path).join(', ')}${where}, and Argo CD does not apply it`;
  }
  const behind = behindCause(position, state);
  if (behind) return behind;
  return "a normalisation here: API defaults, quantities (500m = 0.5) and list order compare as equal, while Argo CD's diff counts one of them";
}

function causeWithoutEntry(position: GitPosition, state: ArgoApplicationState): string {
  return (
    behindCause(position, state) ??
    (state.resources.length
      ? "Argo CD's objects are not the ones this check renders (overrides, parameters or a plugin)"
      : 'Argo CD lists no objects for it yet')
  );
}

/** When Argo CD compared another commit than git's HEAD. */
function behindCause(position: GitPosition, state: ArgoApplicationState): string | undefined {
  if (!position.behind || !state.revision) return undefined;
  const sha = revisionCommit(state.revision) ?? state.revision;
  return `Argo CD compared ${sha.slice(0, 7)}, ${position.behind} commit${position.behind === 1 ? '' : 's'} behind git's HEAD: the difference may come from a newer commit`;
}

function fieldName(f: FieldDrift): string {
  return f.label ?? f.path;
}

/** What Argo CD will do about a drifted or missing object, from its sync policy. */
function revertNote(state: ArgoApplicationState, verdict: 'Drifted' | 'Missing'): string {
  const what = verdict === 'Missing' ? 'create it' : 'revert this';
  if (state.automated?.selfHeal) return `Argo CD will ${what} (automated sync with self-heal)`;
  if (state.automated)
    return `self-heal is off: Argo CD syncs when git changes, so it will not ${what} until the next sync`;
  return `Argo CD syncs this Application by hand: it will not ${what} until someone syncs it`;
}

/** What Argo CD will do about an object it would prune. */
function pruneNote(state: ArgoApplicationState, objects: readonly KubeObject[]): string {
  const options = objects.map((o) => o.metadata?.annotations?.['argocd.argoproj.io/sync-options'] ?? '').join(',');
  if (/(^|,)\s*Prune=false\s*(,|$)/.test(options)) return 'Prune=false on this object: Argo CD never prunes it';
  if (state.automated?.prune) return 'Argo CD will delete this at its next sync (automated prune)';
  return 'prune is off: Argo CD leaves this in the cluster (OutOfSync) until a sync with prune';
}

/**
 * The live objects Argo CD would prune that no verdict covers (not tracked the way this check finds Extra objects),
 * read as the environment's objects are: each found is an `Extra` object pending prune of `app`.
 */
export async function argoPruneObjects(
  read: LiveRead,
  app: string,
  entries: readonly ArgoResourceStatus[],
  application: ArgoApplicationRead,
): Promise<ReconcileDetail[]> {
  if (application.status !== 'ok' || !entries.length) return [];
  const state = parseArgoApplication(application.object);
  return liveLeftovers(read, app, entries, (e, _, found) => ({
    state: 'pendingPrune',
    argo: { status: e.status, requiresPruning: true },
    note: pruneNote(state, [found]),
  }));
}

/**
 * An Application's status as one line, for the CLI text and the tree: `OutOfSync, Degraded (…); last sync Failed:
 * …; compared abc1234, git is at def5678 (2 commits behind); 3 of 12 objects out of sync; 1 pending prune;
 * disagrees on 2 objects`, or `not in the cluster: …`.
 */
export function describeArgoStatus(status: ControllerStatus): string {
  const argo = status.argo;
  if (!status.found || !argo) return `not in the cluster: ${status.message ?? ''}`.trimEnd();
  const health = argo.health ? `, ${argo.health.status}${argo.health.message ? ` (${argo.health.message})` : ''}` : '';
  const parts = [`${argo.sync}${health}`];
  if (argo.operation && argo.operation.phase !== 'Succeeded')
    parts.push(`last sync ${argo.operation.phase}${argo.operation.message ? `: ${argo.operation.message}` : ''}`);
  if (status.revision) parts.push(status.revision);
  if (argo.resources.outOfSync)
    parts.push(`${argo.resources.outOfSync} of ${argo.resources.total} objects ${STATE_LABEL.outOfSync}`);
  if (status.pendingPrune) parts.push(`${status.pendingPrune} ${STATE_LABEL.pendingPrune}`);
  for (const c of argo.conditions) parts.push(`${c.type}${c.message ? `: ${c.message}` : ''}`);
  parts.push(
    argo.automated
      ? `automated sync${argo.automated.selfHeal ? ', self-heal' : ''}${argo.automated.prune ? ', prune' : ''}`
      : 'manual sync',
  );
  const objects = argo.disagreements.filter((d) => d.key).length;
  if (objects) parts.push(`${STATE_LABEL.disagrees} on ${objects} object${objects === 1 ? '' : 's'}`);
  else if (argo.disagreements.length) {
    const d = argo.disagreements[0];
    parts.push(`Argo CD says ${d.argo}, here ${d.here}: ${d.cause}`);
  }
  if (argo.context) parts.push(`read in context ${argo.context}, where Argo CD runs`);
  return parts.join('; ');
}

/** `Argo CD: Synced · Healthy`, `Argo CD: OutOfSync · Degraded · 2 behind · disagrees`, for a tree description. */
export function argoBadge(status: ControllerStatus): string {
  const argo = status.argo;
  if (!status.found || !argo) return `Argo CD: ${STATE_LABEL.notDeployed}`;
  const parts = [argo.sync];
  if (argo.health) parts.push(argo.health.status);
  if (argo.operation && argo.operation.phase !== 'Succeeded' && argo.operation.phase !== 'Running')
    parts.push(`sync ${argo.operation.phase}`);
  if (status.behind) parts.push(`${status.behind} ${STATE_LABEL.behind}`);
  if (argo.disagreements.length) parts.push(STATE_LABEL.disagrees);
  return `Argo CD: ${parts.join(' · ')}`;
}

/** Whether Argo CD is where git is and agrees with this check: Synced, Healthy, up to date, nothing to prune. */
export function argoSettled(status: ControllerStatus): boolean {
  const argo = status.argo;
  return (
    status.found &&
    argo !== undefined &&
    argo.sync === 'Synced' &&
    argo.health?.status === 'Healthy' &&
    status.behind === 0 &&
    !status.pendingPrune &&
    !argo.disagreements.length &&
    !(argo.operation && ARGO_FAILED_PHASES.has(argo.operation.phase))
  );
}

/** Whether Argo CD reports trouble (not found, Degraded, Missing, a failed sync, an error condition). */
export function argoInTrouble(status: ControllerStatus): boolean {
  const argo = status.argo;
  if (!status.found || !argo) return true;
  return (
    argo.health?.status === 'Degraded' ||
    argo.health?.status === 'Missing' ||
    (argo.operation !== undefined && ARGO_FAILED_PHASES.has(argo.operation.phase)) ||
    argo.conditions.some((c) => /Error$/.test(c.type))
  );
}
