/**
 * Which kube context an Argo CD Application's destination is: `destination.server` matched to the kubeconfig cluster
 * with that server URL (normalised: scheme and host lower case, default port and trailing slash dropped),
 * `destination.name` through `argocd.clusters` of `.gitops-drift.yaml`, and the cluster Argo CD runs in
 * (`https://kubernetes.default.svc`, or the name `in-cluster`) through `argocd.inClusterContext`, else the current
 * context. An environment with its own context (config, `--context`) keeps it.
 */
import type { Problem } from '../model/problem';
import type { ArgoSettings, RepoEnvironment } from './config';

/**
 * Argo CD's in-cluster destination (`KubernetesInternalAPIServerAddr`). Here, not in applicationSet.ts, so the
 * editor's activation bundle, which reads destinations, does not take in that module's YAML library.
 */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/** A kubeconfig context and its cluster's server URL. */
export interface KubeContextServer {
  name: string;
  server?: string;
}

/** Sets `context` on each Argo CD environment whose destination names a known cluster; returns what matched nothing. */
export function resolveArgoDestinations(
  environments: readonly RepoEnvironment[],
  settings: ArgoSettings,
  contexts: readonly KubeContextServer[],
): Problem[] {
  const problems: Problem[] = [];
  const byServer = new Map<string, string[]>();
  for (const c of contexts) {
    if (!c.server) continue;
    const key = normalizeServer(c.server);
    byServer.set(key, [...(byServer.get(key) ?? []), c.name]);
  }
  for (const env of environments) {
    const dest = env.argoDestination;
    if (!dest || env.context !== undefined) continue;
    if (isInClusterDestination(dest)) {
      if (settings.inClusterContext) env.context = settings.inClusterContext;
      continue;
    }
    if (dest.name && !dest.server) {
      const context = settings.clusters[dest.name];
      if (context) env.context = context;
      else
        problems.push({
          severity: 'warning',
          message: `Application '${env.name}': destination.name '${dest.name}' has no kube context: add it to argocd.clusters in .gitops-drift.yaml (checked in the current context until then)`,
          location: dest.at,
        });
      continue;
    }
    if (!dest.server) continue;
    const matches = byServer.get(normalizeServer(dest.server)) ?? [];
    // Several contexts of one cluster (different users or namespaces): the first in kubeconfig order.
    if (matches.length) env.context = matches[0];
    else
      problems.push({
        severity: 'warning',
        message: `Application '${env.name}': no kubeconfig context has the server ${dest.server} (checked in the current context)`,
        location: dest.at,
      });
  }
  return problems;
}

/** Whether a destination is the cluster Argo CD runs in: `https://kubernetes.default.svc`, or the name `in-cluster`. */
export function isInClusterDestination(dest: { server?: string; name?: string }): boolean {
  return dest.server === IN_CLUSTER_SERVER || (!dest.server && dest.name === 'in-cluster');
}

/**
 * Whether an environment's Argo CD Application is kept in another cluster than the one it deploys to: its destination
 * is a cluster other than the one Argo CD runs in. Its status is then read from Argo CD's cluster
 * (`argocd.inClusterContext`, else the current context), while its objects are read where they are deployed. An
 * Application deploying to Argo CD's own cluster, or an environment whose destination is not known (a config entry
 * tracking an Application by name), is read in the environment's own cluster: with one Argo CD per cluster, that is
 * where its Applications are.
 */
export function statusInArgoCdCluster(env: Pick<RepoEnvironment, 'argoDestination'>): boolean {
  const dest = env.argoDestination;
  return dest !== undefined && Boolean(dest.server || dest.name) && !isInClusterDestination(dest);
}

/** A server URL as compared: lower-case scheme and host, no default port, no trailing slash. */
export function normalizeServer(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]+)(.*)$/i.exec(url.trim());
  if (!m) return url.trim().replace(/\/+$/, '');
  const scheme = m[1].toLowerCase();
  let host = m[2].toLowerCase();
  if ((scheme === 'https' && host.endsWith(':443')) || (scheme === 'http' && host.endsWith(':80')))
    host = host.slice(0, host.lastIndexOf(':'));
  return `${scheme}://${host}${m[3].replace(/\/+$/, '')}`;
}
