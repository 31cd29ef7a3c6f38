/**
 * kustomize's legacy output order (api/internal/builtins/SortOrderTransformer.go, v5.7.1): kind rank from
 * orderFirst/orderLast, then the GVK string, then `namespace|name` as one string (`~X` / `~N` when empty), compared
 * byte-wise. Comparing the name before the namespace, or joining with another separator, puts `carts-db` before
 * `carts` (`-` sorts before `_` but after the end of a string).
 */
import { gvkOf, nameOf, namespaceOf, type Resource } from './resource';

const orderFirst = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
const orderLast = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

function ranks(first: readonly string[], last: readonly string[]): Map<string, number> {
  return new Map<string, number>([
    ...first.map((k, i) => [k, i - first.length] as const),
    ...last.map((k, i) => [k, i + 1] as const),
  ]);
}

const defaultRank = ranks(orderFirst, orderLast);

function gvkString(res: Resource): string {
  const { group, version, kind } = gvkOf(res);
  return `${group || '~G'}_${version || '~V'}_${kind || '~K'}`;
}

/** Two Namespace kinds, one of them in the core group, compare reversed (kustomize #5458: core Namespace first). */
function compareGvk(
  a: { kind: string; group: string; gvk: string },
  b: { kind: string; group: string; gvk: string },
): number {
  if (a.kind === 'Namespace' && b.kind === 'Namespace' && (a.group === '' || b.group === ''))
    return compare(b.gvk, a.gvk);
  return compare(a.gvk, b.gvk);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts in place the way `kustomize build` orders output (`legacySortOptions` lists replace the defaults). */
export function sortLegacy(resources: Resource[], first?: readonly string[], last?: readonly string[]): void {
  const rank = first || last ? ranks(first ?? [], last ?? []) : defaultRank;
  const keyed = resources.map((res) => {
    const { kind, group } = gvkOf(res);
    return {
      res,
      kind,
      group,
      rank: rank.get(kind) ?? 0,
      gvk: gvkString(res),
      rest: `${namespaceOf(res) || '~X'}|${nameOf(res) || '~N'}`,
    };
  });
  keyed.sort((x, y) => x.rank - y.rank || compareGvk(x, y) || compare(x.rest, y.rest));
  resources.splice(0, resources.length, ...keyed.map((k) => k.res));
}
