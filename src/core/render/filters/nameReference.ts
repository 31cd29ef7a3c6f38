/**
 * Name-reference fix-up (kustomize's nameref filter), run once at the root after prefixes, suffixes and hashes:
 * a field holding the earlier name of an object (a ConfigMap in a pod template, a Service in an Ingress, ...)
 * is rewritten to the object's final name.
 */
import { ProblemError } from '../../model/problem';
import { nameReferences, type NameReference } from '../defaultConfig';
import { visitFieldSpecs } from '../fieldSpec';
import { describe, effectiveNamespace, gvkOf, isClusterScoped, nameOf, namespaceOf, type Resource } from '../resource';
import { getMap, getString, tscalar, type TMap, type TNode } from '../tree';

/** Referral candidates by each earlier name they had. */
type Candidates = Map<string, Resource[]>;

function isReferral(res: Resource, ref: NameReference): boolean {
  const gvk = gvkOf(res);
  return gvk.kind === ref.kind && (!ref.group || gvk.group === ref.group) && (!ref.version || gvk.version === ref.version);
}

/** kustomize's sieve: earlier names only, then scope, then role kind. */
function select(oldName: string, candidates: Candidates, referrer: Resource, at: TNode, roleKind?: string, namespace?: string): Resource | undefined {
  const referrerNs = namespaceOf(referrer);
  const referrerClusterScoped = isClusterScoped(gvkOf(referrer).kind);
  let found = candidates.get(oldName) ?? [];
  // A {name, namespace} reference only considers objects that are, or were, in that namespace.
  if (namespace !== undefined) {
    const same = (kind: string, ns: string) => effectiveNamespace(kind, ns) === effectiveNamespace(kind, namespace);
    found = found.filter((c) => same(gvkOf(c).kind, namespaceOf(c)) || c.history.some((h) => same(gvkOf(c).kind, h.namespace)));
  }
  if (roleKind) found = found.filter((c) => gvkOf(c).kind === roleKind);
  found = found.filter((c) => {
    const kind = gvkOf(c).kind;
    if (referrerClusterScoped || isClusterScoped(kind) || kind === 'ServiceAccount') return true;
    return effectiveNamespace(kind, namespaceOf(c)) === effectiveNamespace(kind, referrerNs);
  });
  if (found.length <= 1) return found[0];
  if (found.every((c) => nameOf(c) === nameOf(found[0]))) return found[0];
  throw new ProblemError({
    severity: 'error',
    message: `'${oldName}' in ${describe(referrer)} could refer to any of: ${found.map(describe).join(', ')}`,
    location: at.origin,
  });
}

function renamed(target: Resource) {
  const origin = getMap(target.node, 'metadata')?.entries.get('name')?.origin;
  return (value: string) => tscalar(value, { ...(origin ?? target.node.origin), kind: 'nameReference' });
}

function fixScalar(node: TNode, candidates: Candidates, referrer: Resource, roleKind?: string): TNode {
  if (node.kind !== 'scalar' || typeof node.value !== 'string') return node;
  const target = select(node.value, candidates, referrer, node, roleKind);
  return target && nameOf(target) !== node.value ? renamed(target)(nameOf(target)) : node;
}

/** A `{name, namespace}` map (RBAC subjects, webhook services): both follow the referred object. */
function fixMapping(map: TMap, candidates: Candidates, referrer: Resource): void {
  const nameNode = map.entries.get('name');
  if (nameNode?.kind !== 'scalar' || typeof nameNode.value !== 'string') return;
  const nsNode = map.entries.get('namespace');
  const ns = nsNode ? getString(map, 'namespace') : undefined;
  const target = select(nameNode.value, candidates, referrer, nameNode, undefined, ns);
  if (!target) return;
  const make = renamed(target);
  if (nameOf(target) !== nameNode.value) map.entries.set('name', make(nameOf(target)));
  // The namespace follows the object too, and is added when the reference had none (kustomize's setMapping).
  if (namespaceOf(target) && namespaceOf(target) !== ns) {
    const nsOrigin = getMap(target.node, 'metadata')?.entries.get('namespace')?.origin ?? nsNode?.origin ?? target.node.origin;
    map.entries.set('namespace', tscalar(namespaceOf(target), { ...nsOrigin, kind: 'nameReference' }));
  }
}

function fix(node: TNode, candidates: Candidates, referrer: Resource, roleKind?: string): TNode {
  if (node.kind === 'scalar') return fixScalar(node, candidates, referrer, roleKind);
  if (node.kind === 'map') fixMapping(node, candidates, referrer);
  else for (let i = 0; i < node.items.length; i++) node.items[i] = fix(node.items[i], candidates, referrer, roleKind);
  return node;
}

/** Rewrites every reference to a renamed object. */
export function fixNameReferences(resources: Resource[]): void {
  for (const ref of nameReferences) {
    const candidates: Candidates = new Map();
    for (const r of resources) {
      if (!isReferral(r, ref)) continue;
      for (const name of new Set(r.history.map((h) => h.name))) {
        const list = candidates.get(name);
        if (list) list.push(r);
        else candidates.set(name, [r]);
      }
    }
    if (candidates.size === 0) continue;
    for (const referrer of resources) {
      visitFieldSpecs(referrer, ref.referrers, referrer.node.origin, (parent, key) => {
        const value = parent.entries.get(key);
        if (value === undefined) return;
        // roleRef names a Role or a ClusterRole: only the kind it names may match.
        const roleKind = key === 'name' && parent.entries.has('apiGroup') && parent.entries.has('kind') ? getString(parent, 'kind') : undefined;
        parent.entries.set(key, fix(value, candidates, referrer, roleKind));
      });
    }
  }
}
