/** kustomize's legacy output order (kyaml/resid gvk.go orderFirst/orderLast, then ResId.String()). */
import { gvkOf, nameOf, namespaceOf, type Resource } from './resource';

const orderFirst = [
  'Namespace', 'ResourceQuota', 'StorageClass', 'CustomResourceDefinition', 'ServiceAccount', 'PodSecurityPolicy', 'Role',
  'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Secret', 'Endpoints', 'Service', 'LimitRange',
  'PriorityClass', 'PersistentVolume', 'PersistentVolumeClaim', 'Deployment', 'StatefulSet', 'CronJob', 'PodDisruptionBudget',
];
const orderLast = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

function ranks(first: readonly string[], last: readonly string[]): Map<string, number> {
  return new Map<string, number>([...first.map((k, i) => [k, i - first.length] as const), ...last.map((k, i) => [k, i + 1] as const)]);
}

const defaultRank = ranks(orderFirst, orderLast);

function gvkString(res: Resource): string {
  const { group, version, kind } = gvkOf(res);
  return `${group || '~G'}_${version || '~V'}_${kind || '~K'}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts in place the way `kustomize build` orders output (`legacySortOptions` lists replace the defaults). */
export function sortLegacy(resources: Resource[], first?: readonly string[], last?: readonly string[]): void {
  const rank = first || last ? ranks(first ?? [], last ?? []) : defaultRank;
  const keyed = resources.map((res) => {
    const kind = gvkOf(res).kind;
    const gvk = gvkString(res);
    return { res, rank: rank.get(kind) ?? 0, gvk, rest: `${nameOf(res) || '[noName]'}_${namespaceOf(res) || '[noNs]'}` };
  });
  keyed.sort((x, y) => x.rank - y.rank || compare(x.gvk, y.gvk) || compare(x.rest, y.rest));
  resources.splice(0, resources.length, ...keyed.map((k) => k.res));
}
