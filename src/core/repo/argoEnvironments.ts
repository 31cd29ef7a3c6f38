/**
 * Environments of Argo CD Applications: one per destination cluster (or cluster and namespace), each holding the
 * Applications that deploy there, as issue #17 says ("an environment is a destination cluster, or cluster plus
 * namespace"). Discovery reads one environment per Application (repo/discover.ts); this merges them once their
 * destinations are resolved (repo/argoDestinations.ts), so two spellings of one cluster are one environment.
 */
import type { IgnoreRule } from '../drift/options';
import { isInClusterDestination, normalizeServer } from './argoDestinations';
import type { ArgoEnvironmentGrouping, RepoEnvironment } from './config';

/** Whether discovery made the environment of one Argo CD Application with a destination (what is grouped). */
function groupable(env: RepoEnvironment): boolean {
  return (
    env.source === 'argocd' &&
    env.argoDestination !== undefined &&
    !env.appOfAppsRoot &&
    env.tracking?.argocdApp !== undefined &&
    Boolean(env.argoDestination.server || env.argoDestination.name)
  );
}

/** The cluster an Application deploys to: its resolved kube context, else its destination as written (normalised). */
function clusterKey(env: RepoEnvironment): string {
  if (env.context !== undefined) return `context:${env.context}`;
  const dest = env.argoDestination!;
  if (isInClusterDestination(dest)) return 'in-cluster';
  return dest.server ? `server:${normalizeServer(dest.server)}` : `name:${dest.name}`;
}

/**
 * A destination cluster's name as the repo writes it, the same for everyone whatever their kubeconfig: the first
 * Argo CD cluster name (`destination.name`), else `in-cluster`, else the first server's host (and port).
 */
function clusterLabel(members: readonly RepoEnvironment[]): string {
  const dests = members.map((m) => m.argoDestination!);
  const named = dests.find((d) => d.name && !d.server && !isInClusterDestination(d));
  if (named) return named.name!;
  if (dests.some(isInClusterDestination)) return 'in-cluster';
  const server = dests.find((d) => d.server)?.server ?? 'cluster';
  return normalizeServer(server).replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
}

/**
 * Merges the environments of Argo CD Applications by destination: `cluster` (one per destination cluster),
 * `namespace` (one per cluster and destination namespace, named `CLUSTER/NAMESPACE`), or `application` (as
 * discovered: one per Application). Each merged environment keeps every Application as an application (its objects
 * in its destination namespace), tracks objects by any of them, and scopes each Application's `ignoreDifferences`
 * to its own objects. Other environments (Flux, config, an app-of-apps root, an Application without destination)
 * stay as they are, in their place; a merged one takes its first Application's place.
 */
export function groupArgoEnvironments(
  environments: readonly RepoEnvironment[],
  grouping: ArgoEnvironmentGrouping,
): RepoEnvironment[] {
  if (grouping === 'application' || !environments.some(groupable)) return [...environments];
  const groups = new Map<string, RepoEnvironment[]>();
  const clusters = new Map<string, RepoEnvironment[]>();
  const add = (map: Map<string, RepoEnvironment[]>, key: string, env: RepoEnvironment) =>
    map.set(key, [...(map.get(key) ?? []), env]);
  for (const env of environments) {
    if (!groupable(env)) continue;
    add(clusters, clusterKey(env), env);
    add(groups, grouping === 'namespace' ? `${clusterKey(env)} ${env.namespace ?? ''}` : clusterKey(env), env);
  }
  // One name per cluster, from all its Applications, so its namespaces' environments share it.
  const labels = new Map([...clusters].map(([key, members]) => [key, clusterLabel(members)]));
  const taken = new Set(environments.filter((e) => !groupable(e)).map((e) => e.name));
  const merged = new Map<RepoEnvironment, RepoEnvironment>();
  for (const members of groups.values()) {
    const cluster = labels.get(clusterKey(members[0]))!;
    const namespace = grouping === 'namespace' ? members[0].namespace : undefined;
    let name = namespace ? `${cluster}/${namespace}` : cluster;
    // A destination named like another environment (a Flux cluster called `prod`) gets a suffix, never its place.
    for (let i = 2; taken.has(name); i++) name = `${namespace ? `${cluster}/${namespace}` : cluster}-${i}`;
    taken.add(name);
    merged.set(members[0], mergeDestination(name, members));
  }
  return environments.flatMap((env) => (groupable(env) ? (merged.has(env) ? [merged.get(env)!] : []) : [env]));
}

function mergeDestination(name: string, members: readonly RepoEnvironment[]): RepoEnvironment {
  const first = members[0];
  const namespaces = new Set(members.map((m) => m.namespace));
  const ignore: IgnoreRule[] = [];
  for (const m of members) {
    // Each Application's objects land in its destination namespace, whatever the environment's.
    for (const app of m.applications) if (!app.namespace && m.namespace) app.namespace = m.namespace;
    const names = m.applications.map((a) => a.name);
    for (const rule of m.ignore ?? []) ignore.push({ ...rule, applications: names });
  }
  const label = first.tracking?.argocdLabel;
  return {
    name,
    path: first.path,
    source: 'argocd',
    ...(first.definedAt ? { definedAt: first.definedAt } : {}),
    ...(first.context !== undefined ? { context: first.context } : {}),
    ...(namespaces.size === 1 && first.namespace ? { namespace: first.namespace } : {}),
    argoDestination: first.argoDestination!,
    tracking: { argocdApps: members.map((m) => m.tracking!.argocdApp!), ...(label ? { argocdLabel: label } : {}) },
    applications: members.flatMap((m) => m.applications),
    ...(ignore.length ? { ignore } : {}),
  };
}
