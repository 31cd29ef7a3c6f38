/**
 * When the editor reads Argo CD environments as their Applications' status only (one LIST of Argo CD's
 * Applications, no live object) until one is opened: Argo CD's fleet shape. At that scale Argo CD's controllers have
 * compared every object already; an opened environment's objects are read then (its live objects, or Argo CD's
 * managed resources).
 */
import { argoApplicationOf } from '../live/argoApplication';
import type { ApplicationSummary, ResourceDrift } from '../model/drift';
import { keyString } from '../model/resource';
import type { RepoEnvironment } from '../repo/config';
import { FEW_ENVIRONMENTS } from './treeLayout';

/**
 * `gitopsDrift.argocd.fleetThreshold`'s default: beyond this many Argo CD Applications the fleet shape starts. The
 * tree's fold threshold, which was the fleet threshold before it was a setting (one Application was one environment).
 */
export const DEFAULT_FLEET_THRESHOLD = FEW_ENVIRONMENTS;

/** How many Argo CD Applications the environments hold (a multi-source Application once). */
export function argoApplicationCount(environments: readonly RepoEnvironment[]): number {
  const names = new Set<string>();
  for (const env of environments)
    for (const app of env.applications) {
      const ref = argoApplicationOf(app, env.tracking);
      if (ref) names.add(`${ref.namespace}/${ref.name}`);
    }
  return names.size;
}

/**
 * Whether an environment is read as its Argo CD status only: it holds an Argo CD Application, it is not opened, and
 * the repo has more Argo CD Applications than `threshold`.
 */
export function readsStatusOnly(
  env: RepoEnvironment,
  applications: number,
  opened: boolean,
  threshold: number = DEFAULT_FLEET_THRESHOLD,
): boolean {
  return !opened && applications > threshold && env.applications.some((a) => argoApplicationOf(a, env.tracking));
}

/**
 * Whether the environment's Applications are opened one by one in the tree: a destination of several Argo CD
 * Applications (argocd.environments: cluster | namespace) at fleet shape. Opening the environment shows their
 * rows (status only); opening one Application reads its objects.
 */
export function opensByApplication(
  env: RepoEnvironment,
  applications: number,
  threshold: number = DEFAULT_FLEET_THRESHOLD,
): boolean {
  return env.applications.length > 1 && readsStatusOnly(env, applications, false, threshold);
}

/**
 * What a refresh reads of an environment: `all` its objects, its Argo CD `status` only, or the status and the objects
 * of the `applications` opened (a destination opened one Application at a time: opensByApplication).
 */
export type FleetRead = { read: 'all' } | { read: 'status' } | { read: 'applications'; applications: string[] };

/**
 * What a refresh reads of `env` (see FleetRead), given whether it was opened (or checked on request) and which of its
 * applications were opened. Outside the fleet shape, everything.
 */
export function fleetRead(
  env: RepoEnvironment,
  applications: number,
  opened: { environment: boolean; applications: ReadonlySet<string> },
  threshold: number = DEFAULT_FLEET_THRESHOLD,
): FleetRead {
  if (opensByApplication(env, applications, threshold)) {
    const names = env.applications.filter((a) => opened.applications.has(a.name)).map((a) => a.name);
    return names.length ? { read: 'applications', applications: names } : { read: 'status' };
  }
  return readsStatusOnly(env, applications, opened.environment, threshold) ? { read: 'status' } : { read: 'all' };
}

/**
 * The applications opened with `name`: those of the same Argo CD Application (a multi-source one is one application
 * per source; Argo CD's API gives their objects in one answer), else `name` alone.
 */
export function openedTogether(env: RepoEnvironment, name: string): string[] {
  const app = env.applications.find((a) => a.name === name);
  const ref = app ? argoApplicationOf(app, env.tracking) : undefined;
  if (!ref) return [name];
  return env.applications
    .filter((a) => {
      const other = argoApplicationOf(a, env.tracking);
      return other?.name === ref.name && other.namespace === ref.namespace;
    })
    .map((a) => a.name);
}

/**
 * A destination's report after a check of some of its opened applications (`next`, from `DriftEngine.check` with
 * `applications`, or `controllerStatus` when none was re-checked): `next`, with the objects and summaries of the
 * applications in `kept` (opened earlier, not re-checked now) taken from `previous` where it had read them. An Extra
 * of no application follows the latest read of the application that found it (`foundBy`): from `previous` only when
 * that application is kept and `next` has no such object. `next` is returned when nothing is kept.
 */
export function joinApplicationChecks<R extends CheckedApplications>(
  previous: R | undefined,
  next: R,
  kept: readonly string[],
): R {
  const keep = new Set(
    kept.filter((name) => previous?.applications.some((a) => a.name === name && !a.statusOnly && !previous.statusOnly)),
  );
  if (!previous || !keep.size || next.error !== null) return next;
  const inNext = new Set(next.resources.map((r) => keyString(r.key)));
  const resources = [
    ...next.resources.filter((r) => r.application === undefined || !keep.has(r.application)),
    ...previous.resources.filter((r) =>
      r.application === undefined
        ? !inNext.has(keyString(r.key)) && (r.foundBy === undefined || keep.has(r.foundBy))
        : keep.has(r.application),
    ),
  ];
  const applications = next.applications.map((a) =>
    keep.has(a.name) ? (previous.applications.find((p) => p.name === a.name) ?? a) : a,
  );
  const { statusOnly: _statusOnly, ...rest } = next;
  return { ...rest, resources, applications } as R;
}

/** What joinApplicationChecks reads of a report (the engine's EnvironmentReport). */
interface CheckedApplications {
  resources: ResourceDrift[];
  applications: ApplicationSummary[];
  error: string | null;
  statusOnly?: true;
}

/** What reading the objects of some Applications of a destination asks of the cluster, or of Argo CD's API. */
export interface ReadCost {
  /** The Argo CD Applications read (a multi-source one once). */
  applications: number;
  /**
   * Through a kube context: at most this many LISTs, one per kind and namespace of their rendered objects (fewer when
   * a watch already holds a scope); through Argo CD's API: one `managed-resources` per Application.
   */
  requests: number;
  via: 'cluster' | 'api';
}

/**
 * What reading the objects of `apps` of `env` costs, counted from its last report's objects (their kinds and
 * namespaces; an object naming none is in its application's namespace, else the report's): what Read All Applications
 * says before it starts at fleet scale.
 */
export function readCost(
  env: RepoEnvironment,
  report: Pick<CheckedApplications, 'resources'> & { namespace?: string },
  apps: readonly string[],
  via: 'cluster' | 'api',
): ReadCost {
  const names = new Set(apps);
  const chosen = env.applications.filter((a) => names.has(a.name));
  const argo = new Set(
    chosen.map((a) => {
      const ref = argoApplicationOf(a, env.tracking);
      return ref ? `${ref.namespace}/${ref.name}` : a.name;
    }),
  );
  if (via === 'api') return { applications: argo.size, requests: argo.size, via };
  const namespaceOf = new Map(chosen.map((a) => [a.name, a.namespace]));
  const scopes = new Set<string>();
  for (const r of report.resources) {
    if (r.application === undefined || !names.has(r.application)) continue;
    const namespace =
      r.key.namespace || namespaceOf.get(r.application) || report.namespace || env.namespace || 'default';
    scopes.add(`${r.key.group}/${r.key.kind}/${namespace}`);
  }
  return { applications: argo.size, requests: scopes.size, via };
}

/**
 * The objects of the applications a check read as their status only (a destination opened one Application at a
 * time: those not opened yet); none when it read every application, or none (`statusOnly`).
 */
export function unopenedResources(report: Pick<CheckedApplications, 'applications' | 'resources'>): ResourceDrift[] {
  const unopened = new Set(report.applications.filter((a) => a.statusOnly).map((a) => a.name));
  return unopened.size
    ? report.resources.filter((r) => r.application !== undefined && unopened.has(r.application))
    : [];
}
