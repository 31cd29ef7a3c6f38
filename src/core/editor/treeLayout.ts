/**
 * How the Environments view lays out many environments: groups by how the repo groups itself, what folds by default,
 * which context is said once for all, and which names need their namespace beside them. Pure functions over the
 * environments and their reports, so the tree and its tests agree.
 */
import { isInClusterDestination, normalizeServer } from '../repo/argoDestinations';
import type { RepoEnvironment } from '../repo/config';

/**
 * How environments are grouped: `auto` (how the repo groups itself: Argo CD Applications by destination cluster, the
 * rest by parent folder, else by namespace), `cluster` (kube context, an Argo CD destination's as resolved), `folder` (the folder above
 * the environment's, `envs/eu` for `envs/eu/prod`), `namespace`, or `none`.
 */
export type TreeGrouping = 'auto' | 'cluster' | 'folder' | 'namespace' | 'none';

export const TREE_GROUPINGS: readonly TreeGrouping[] = ['auto', 'cluster', 'folder', 'namespace', 'none'];

/**
 * Up to this many environments the view opens each one and groups nothing: a promotion chain or two (dev, staging,
 * prod per region) of about five kinds each fills a side bar of ~35 rows at 22 px. Beyond it environments start
 * folded, and `auto` groups them.
 */
export const FEW_ENVIRONMENTS = 6;

/** What grouping reads of an environment. */
export type GroupableEnvironment = Pick<
  RepoEnvironment,
  'name' | 'path' | 'context' | 'namespace' | 'source' | 'argoDestination'
>;

/** One group row: its environments in the repo's order. */
export interface EnvironmentGroup {
  /** Stable within a grouping: the folder, destination, context or namespace. */
  key: string;
  by: Exclude<TreeGrouping, 'auto' | 'none'>;
  label: string;
  environments: string[];
}

/** The folder above an environment's (`envs/eu` for `envs/eu/prod`), `.` at the top. */
export function parentFolder(path: string): string {
  const i = path.replace(/\/+$/, '').lastIndexOf('/');
  return i > 0 ? path.slice(0, i) : '.';
}

/**
 * The cluster an environment runs in: its kube context (its own, or its Argo CD destination's as resolved at load:
 * `destination.server` by URL, `destination.name` through `argocd.clusters`, in-cluster through
 * `argocd.inClusterContext`), so Applications naming one cluster in different ways group together; else the
 * destination as written (`in-cluster` for both of its spellings, a server URL normalised), else the current context.
 */
function clusterOf(env: GroupableEnvironment): string {
  if (env.context) return env.context;
  const dest = env.argoDestination;
  if (dest?.server || dest?.name)
    return isInClusterDestination(dest) ? 'in-cluster' : (dest.name ?? normalizeServer(dest.server!));
  return '(current context)';
}

function keyOf(env: GroupableEnvironment, by: EnvironmentGroup['by']): { key: string; label: string } {
  switch (by) {
    case 'cluster': {
      const c = clusterOf(env);
      return { key: c, label: c };
    }
    case 'folder': {
      const f = parentFolder(env.path);
      return { key: f, label: f };
    }
    case 'namespace': {
      const n = env.namespace ?? '(no namespace)';
      return { key: n, label: n };
    }
  }
}

function groupBy(
  envs: readonly GroupableEnvironment[],
  keyFor: (env: GroupableEnvironment) => { key: string; label: string; by: EnvironmentGroup['by'] },
): EnvironmentGroup[] {
  const groups = new Map<string, EnvironmentGroup>();
  for (const env of envs) {
    const { key, label, by } = keyFor(env);
    const id = `${by}:${key}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { key, by, label, environments: [] }));
    g.environments.push(env.name);
  }
  return [...groups.values()].sort((a, b) => a.label.localeCompare(b.label));
}

/** A grouping tells environments apart when it makes more than one group and not one group per environment. */
function separates(groups: readonly EnvironmentGroup[], total: number): boolean {
  return groups.length > 1 && groups.length < total;
}

/**
 * The view's groups, or none (the environments at the top level). `auto` groups only beyond FEW_ENVIRONMENTS, and only
 * by a grouping that tells environments apart: each Argo CD Application by its destination and every other
 * environment by its parent folder (a Flux cluster's `clusters/`, an overlay tree's `envs/eu`), else by namespace.
 * A chosen grouping that makes a single group shows none either: one row above everything says nothing.
 */
export function groupEnvironments(envs: readonly GroupableEnvironment[], grouping: TreeGrouping): EnvironmentGroup[] {
  if (grouping === 'none') return [];
  if (grouping !== 'auto') {
    const groups = groupBy(envs, (e) => ({ ...keyOf(e, grouping), by: grouping }));
    return groups.length > 1 ? groups : [];
  }
  if (envs.length <= FEW_ENVIRONMENTS) return [];
  const byRepo = groupBy(envs, (e) =>
    e.source === 'argocd' && e.argoDestination
      ? { ...keyOf(e, 'cluster'), by: 'cluster' }
      : { ...keyOf(e, 'folder'), by: 'folder' },
  );
  if (separates(byRepo, envs.length)) return byRepo;
  const byNamespace = groupBy(envs, (e) => ({ ...keyOf(e, 'namespace'), by: 'namespace' }));
  return separates(byNamespace, envs.length) ? byNamespace : [];
}

/** Whether environment rows start open: only when there are few of them. */
export function environmentsStartOpen(total: number): boolean {
  return total <= FEW_ENVIRONMENTS;
}

/**
 * The kube context said once for the whole view (the one most environments check against, the first seen on a tie),
 * and the environments whose context differs from it: only those rows name theirs.
 */
export function sharedContext(envs: readonly { name: string; context: string | undefined }[]): {
  shared: string | undefined;
  differing: Set<string>;
} {
  const counts = new Map<string, number>();
  for (const e of envs) if (e.context !== undefined) counts.set(e.context, (counts.get(e.context) ?? 0) + 1);
  let shared: string | undefined;
  for (const [context, n] of counts) if (shared === undefined || n > counts.get(shared)!) shared = context;
  return {
    shared,
    differing: new Set(envs.filter((e) => e.context !== undefined && e.context !== shared).map((e) => e.name)),
  };
}

/** The names that appear more than once among siblings: those rows also show their namespace. */
export function repeatedNames(names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const n of names) (seen.has(n) ? repeated : seen).add(n);
  return repeated;
}
