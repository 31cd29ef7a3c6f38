/**
 * Name-reference fix-up (kustomize's nameref filter), run once at the root after prefixes, suffixes and hashes:
 * a field holding the earlier name of an object (a ConfigMap in a pod template, a Service in an Ingress, ...)
 * is rewritten to the object's final name.
 */
import { ProblemError } from '../../../model/problem';
import { nameReferences, type NameReference } from '../defaultConfig';
import { selectsAny, visitFieldSpecs } from '../fieldSpec';
import {
  describe,
  effectiveNamespace,
  type Gvk,
  gvkOf,
  isClusterScoped,
  nameOf,
  namespaceOf,
  type Resource,
} from '../resource';
import { getMap, getString, tscalar, type TMap, type TNode } from '../../../yaml/tree';

/** The referral kind's objects, and the same by each earlier name they had. */
interface Candidates {
  all: Resource[];
  byName: Map<string, Resource[]>;
}

function originalNamespace(res: Resource): string {
  return res.history[0]?.namespace ?? namespaceOf(res);
}

/** kustomize's SameEndingSubSlice: the shorter list is the end of the longer one. */
function sameEnding(a: readonly string[], b: readonly string[]): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.every((v, i) => v === long[long.length - short.length + i]);
}

function isReferral(gvk: Gvk, ref: NameReference): boolean {
  return (
    gvk.kind === ref.kind && (!ref.group || gvk.group === ref.group) && (!ref.version || gvk.version === ref.version)
  );
}

/** The namespaces a RoleBinding's ServiceAccount subjects name (kustomize's getNamespacesForRoleBinding). */
function subjectNamespaces(referrer: Resource): Set<string> {
  const out = new Set<string>();
  const subjects = referrer.node.entries.get('subjects');
  if (gvkOf(referrer).kind !== 'RoleBinding' || subjects?.kind !== 'seq') return out;
  for (const s of subjects.items)
    if (getString(s, 'kind') === 'ServiceAccount' && s.kind === 'map' && s.entries.has('namespace'))
      out.add(getString(s, 'namespace'));
  return out;
}

/**
 * kustomize's selectReferral: objects that had the name, of the role kind a roleRef names, that the referrer can
 * see (a cluster-scoped referrer sees everything; a namespaced one cluster-scoped objects, its own namespace, and,
 * for a RoleBinding, ServiceAccounts in the namespaces its subjects name); then, if several are left, those with
 * the referrer's name prefixes and suffixes.
 */
function select(
  oldName: string,
  pool: Resource[],
  referrer: Resource,
  at: TNode,
  roleKind?: string,
): Resource | undefined {
  const referrerNs = namespaceOf(referrer);
  const referrerClusterScoped = isClusterScoped(gvkOf(referrer));
  let found = pool.filter((c) => c.history.some((h) => h.name === oldName));
  if (roleKind) found = found.filter((c) => gvkOf(c).kind === roleKind);
  const accountNamespaces = referrerClusterScoped ? new Set<string>() : subjectNamespaces(referrer);
  found = found.filter((c) => {
    const gvk = gvkOf(c);
    if (referrerClusterScoped || isClusterScoped(gvk)) return true;
    if (effectiveNamespace(gvk, namespaceOf(c)) === effectiveNamespace(gvk, referrerNs)) return true;
    return gvk.kind === 'ServiceAccount' && accountNamespaces.has(namespaceOf(c));
  });
  if (found.length <= 1) return found[0];
  found = found.filter((c) => sameEnding(c.prefixes, referrer.prefixes) && sameEnding(c.suffixes, referrer.suffixes));
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
  const target = select(node.value, candidates.byName.get(node.value) ?? [], referrer, node, roleKind);
  return target && nameOf(target) !== node.value ? renamed(target)(nameOf(target)) : node;
}

/**
 * A `{name, namespace}` map (RBAC subjects, webhook services): both follow the referred object. With a namespace,
 * only objects originally in it are considered, else (if there are none) objects now in it (kustomize's
 * filterMapCandidatesByNamespace).
 */
function fixMapping(map: TMap, candidates: Candidates, referrer: Resource): void {
  const nameNode = map.entries.get('name');
  if (nameNode?.kind !== 'scalar' || typeof nameNode.value !== 'string') return;
  const nsNode = map.entries.get('namespace');
  let pool = candidates.byName.get(nameNode.value) ?? [];
  if (nsNode) {
    const ns = getString(map, 'namespace');
    const inNs = (r: Resource, namespace: string) => effectiveNamespace(gvkOf(r), namespace) === ns;
    const original = candidates.all.filter((r) => inNs(r, originalNamespace(r)));
    pool = (original.length > 0 ? original : candidates.all.filter((r) => inNs(r, namespaceOf(r)))).filter((r) =>
      pool.includes(r),
    );
  }
  const target = select(nameNode.value, pool, referrer, nameNode);
  if (!target) return;
  if (nameOf(target) !== nameNode.value) map.entries.set('name', renamed(target)(nameOf(target)));
  const targetNs = namespaceOf(target);
  if (targetNs && targetNs !== getString(map, 'namespace')) {
    const nsOrigin =
      getMap(target.node, 'metadata')?.entries.get('namespace')?.origin ?? nsNode?.origin ?? target.node.origin;
    map.entries.set('namespace', tscalar(targetNs, { ...nsOrigin, kind: 'nameReference' }));
  }
}

function fix(node: TNode, candidates: Candidates, referrer: Resource, roleKind?: string): TNode {
  if (node.kind === 'scalar') return fixScalar(node, candidates, referrer, roleKind);
  if (node.kind === 'map') fixMapping(node, candidates, referrer);
  else for (let i = 0; i < node.items.length; i++) node.items[i] = fix(node.items[i], candidates, referrer, roleKind);
  return node;
}

/** The built-in config plus `configurations:` entries: referrers of a known kind are added to it. */
function withExtra(extra: readonly NameReference[]): NameReference[] {
  if (extra.length === 0) return nameReferences;
  const out = nameReferences.map((r) => ({ ...r, referrers: [...r.referrers] }));
  for (const e of extra) {
    const same = out.find(
      (r) =>
        r.kind === e.kind &&
        (r.group ?? '') === (e.group ?? '') &&
        (!e.version || !r.version || r.version === e.version),
    );
    if (same) same.referrers.push(...e.referrers);
    else out.push({ ...e, referrers: [...e.referrers] });
  }
  return out;
}

/** Rewrites every reference to a renamed object (`extra`: name references from `configurations:`). */
export function fixNameReferences(resources: Resource[], extra: readonly NameReference[] = []): void {
  // Kinds do not change here (names and namespaces do): each object's GVK is read once, not once per referral kind.
  const gvks = resources.map((r) => gvkOf(r));
  for (const ref of withExtra(extra)) {
    const candidates: Candidates = { all: [], byName: new Map() };
    for (let i = 0; i < resources.length; i++) {
      const r = resources[i];
      if (!isReferral(gvks[i], ref)) continue;
      candidates.all.push(r);
      for (const name of new Set(r.history.map((h) => h.name))) {
        const list = candidates.byName.get(name);
        if (list) list.push(r);
        else candidates.byName.set(name, [r]);
      }
    }
    if (candidates.byName.size === 0) continue;
    resources.forEach((referrer, i) => {
      // Most kinds hold no field of this reference: skipped without a walk.
      if (!selectsAny(ref.referrers, gvks[i])) return;
      visitFieldSpecs(
        referrer,
        ref.referrers,
        referrer.node.origin,
        (parent, key) => {
          const value = parent.entries.get(key);
          if (value === undefined) return;
          // roleRef names a Role or a ClusterRole: only the kind it names may match.
          const roleKind =
            key === 'name' && parent.entries.has('apiGroup') && parent.entries.has('kind')
              ? getString(parent, 'kind')
              : undefined;
          parent.entries.set(key, fix(value, candidates, referrer, roleKind));
        },
        gvks[i],
      );
    });
  }
}
