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
  // kustomize renames by metadata/name only objects of apiVersion v1 (removeUnneededMetaFieldSpecs): a Namespace kind
  // of another group keeps its name (and, being namespaced to kustomize, gets the namespace).
  const specsOutsideCoreV1 = specs.filter((s) => s.path !== 'metadata/name');
  for (const res of resources) {
    rememberName(res);
    const gvk = gvkOf(res);
    const { kind } = gvk;
    const set = (parent: { entries: Map<string, unknown> }, key: string) =>
      parent.entries.set(key, tscalar(namespace, origin));
    if (!isClusterScoped(gvk)) set(lookupCreateMap(res.node, ['metadata'], origin)!, 'namespace');
    visitFieldSpecs(res, gvk.group === '' && gvk.version === 'v1' ? specs : specsOutsideCoreV1, origin, set);
    if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') {
      // kustomize sets the namespace only on subjects named "default" (the namespace's default ServiceAccount).
      const subjects = res.node.entries.get('subjects');
      if (subjects?.kind === 'seq')
        for (const s of subjects.items) if (s.kind === 'map' && getString(s, 'name') === 'default') set(s, 'namespace');
    }
  }
}
