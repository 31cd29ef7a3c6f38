/** `namespace:` (kustomize's namespace filter, including its RoleBinding and Namespace special cases). */
import type { Origin } from '../../../model/location';
import { visitFieldSpecs, type FieldSpec } from '../fieldSpec';
import { gvkOf, isClusterScoped, rememberName, type Resource } from '../resource';
import { getString, lookupCreateMap, tscalar } from '../../../yaml/tree';

const extraSpecs: FieldSpec[] = [
  { path: 'metadata/name', kind: 'Namespace', create: true },
  { path: 'spec/service/namespace', group: 'apiregistration.k8s.io', kind: 'APIService', create: true },
  {
    path: 'spec/conversion/webhook/clientConfig/service/namespace',
    group: 'apiextensions.k8s.io',
    kind: 'CustomResourceDefinition',
  },
];

/** Sets the namespace of every namespaced object (and the fields kustomize ties to it, plus `moreSpecs` from configurations). */
export function applyNamespace(
  resources: Resource[],
  namespace: string,
  origin: Origin,
  moreSpecs: readonly FieldSpec[] = [],
): void {
  const specs = moreSpecs.length ? [...extraSpecs, ...moreSpecs] : extraSpecs;
  for (const res of resources) {
    rememberName(res);
    const { kind } = gvkOf(res);
    const set = (parent: { entries: Map<string, unknown> }, key: string) =>
      parent.entries.set(key, tscalar(namespace, origin));
    if (!isClusterScoped(kind)) set(lookupCreateMap(res.node, ['metadata'], origin)!, 'namespace');
    visitFieldSpecs(res, specs, origin, set);
    if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') {
      // kustomize sets the namespace only on subjects named "default" (the namespace's default ServiceAccount).
      const subjects = res.node.entries.get('subjects');
      if (subjects?.kind === 'seq')
        for (const s of subjects.items) if (s.kind === 'map' && getString(s, 'name') === 'default') set(s, 'namespace');
    }
  }
}
