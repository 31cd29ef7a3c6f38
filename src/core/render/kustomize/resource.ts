/** One object moving through the render pipeline, with the identity kustomize tracks for it. */
import type { SourceLocation } from '../../model/location';
import { splitApiVersion } from '../../model/resource';
import { getMap, getString, type TMap } from '../../yaml/tree';

/** A resource being rendered. */
export interface Resource {
  node: TMap;
  /** Where its document (or generator entry) is declared. */
  source: SourceLocation;
  /** Every name and namespace it had before renames (prefix/suffix/hash/namespace), oldest first. */
  history: Array<{ name: string; namespace: string }>;
  /** namePrefix / nameSuffix values applied to it, innermost first (name references prefer matching ones). */
  prefixes: string[];
  suffixes: string[];
  /** A generated ConfigMap/Secret whose name still gets the content hash suffix. */
  needsHash: boolean;
  /** For generated objects: the generator behavior that produced it. */
  behavior?: 'create' | 'merge' | 'replace';
  /** For an object a `helmCharts` entry inflated: Helm's `# Source:` template (`web/templates/deployment.yaml`). */
  template?: string;
}

/** Group/version/kind of a resource's tree. */
export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

const interned = new Map<string, Gvk>();

/**
 * The GVK of a resource: one shared (frozen) object per distinct GVK, so callers may key caches by identity.
 * Memoized per tree: transformations replace the apiVersion/kind nodes rather than mutating them, so an
 * unchanged pair of nodes means an unchanged GVK.
 */
export function gvkOf(res: Resource | TMap): Gvk {
  const node = 'node' in res ? res.node : res;
  const apiVersion = node.entries.get('apiVersion');
  const kind = node.entries.get('kind');
  const memo = node.gvkMemo;
  if (memo && memo.apiVersion === apiVersion && memo.kind === kind) return memo.gvk;
  const api = getString(node, 'apiVersion');
  const k = getString(node, 'kind');
  const key = api + '|' + k;
  let gvk = interned.get(key);
  if (!gvk) {
    const { group, version } = splitApiVersion(api);
    interned.set(key, (gvk = Object.freeze({ group, version, kind: k })));
  }
  node.gvkMemo = { apiVersion, kind, gvk };
  return gvk;
}

/** Current metadata.name. */
export function nameOf(res: Resource): string {
  return getString(getMap(res.node, 'metadata'), 'name');
}

/** Current metadata.namespace ('' when unset). */
export function namespaceOf(res: Resource): string {
  return getString(getMap(res.node, 'metadata'), 'namespace');
}

/**
 * Built-in kinds served cluster-wide in the Kubernetes 1.21 schema kustomize embeds; kustomize treats any other
 * kind as namespaced: CRDs such as ClusterIssuer, and kinds newer than that schema (ValidatingAdmissionPolicy).
 */
const clusterScoped = new Set([
  'APIService',
  'CertificateSigningRequest',
  'ClusterRole',
  'ClusterRoleBinding',
  'ComponentStatus',
  'CSIDriver',
  'CSINode',
  'CustomResourceDefinition',
  'FlowSchema',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PodSecurityPolicy',
  'PriorityClass',
  'PriorityLevelConfiguration',
  'RuntimeClass',
  'SelfSubjectAccessReview',
  'SelfSubjectRulesReview',
  'StorageClass',
  'SubjectAccessReview',
  'TokenReview',
  'ValidatingWebhookConfiguration',
  'VolumeAttachment',
]);

/** Whether kustomize considers the kind cluster-scoped. */
export function isClusterScoped(kind: string): boolean {
  return clusterScoped.has(kind);
}

/** The namespace kustomize compares ids by: '' and 'default' are the same for namespaced kinds. */
export function effectiveNamespace(kind: string, namespace: string): string {
  if (isClusterScoped(kind)) return '_non_namespaceable_';
  return namespace === '' ? 'default' : namespace;
}

/** `Kind group/namespace/name` for messages. */
export function describe(res: Resource): string {
  const { group, kind } = gvkOf(res);
  const ns = namespaceOf(res);
  return `${kind}${group ? '.' + group : ''} ${ns ? ns + '/' : ''}${nameOf(res)}`;
}

/** Records the current name/namespace in the history before a rename. */
export function rememberName(res: Resource): void {
  const last = res.history[res.history.length - 1];
  const name = nameOf(res);
  const namespace = namespaceOf(res);
  if (!last || last.name !== name || last.namespace !== namespace) res.history.push({ name, namespace });
}

/** The identity used to detect duplicates and to match generator merges: gvk + effective namespace + name. */
export function idString(res: Resource): string {
  const { group, version, kind } = gvkOf(res);
  return `${group}|${version}|${kind}|${effectiveNamespace(kind, namespaceOf(res))}|${nameOf(res)}`;
}

/**
 * Resources by kind and by every name they had, so patch and generator lookups do not scan every object.
 * Built on first use; call invalidate() after anything that adds, removes or renames resources.
 */
export class NameIndex {
  private byName: Map<string, Resource[]> | undefined;

  constructor(private readonly resources: Resource[]) {}

  invalidate(): void {
    this.byName = undefined;
  }

  /** Resources of `kind` that are or were called `name`, in list order. */
  get(kind: string, name: string): Resource[] {
    if (!this.byName) {
      const map = new Map<string, Resource[]>();
      for (const res of this.resources) {
        const k = gvkOf(res).kind;
        for (const n of new Set([nameOf(res), ...res.history.map((h) => h.name)])) {
          const key = k + '\0' + n;
          const list = map.get(key);
          if (list) list.push(res);
          else map.set(key, [res]);
        }
      }
      this.byName = map;
    }
    return this.byName.get(kind + '\0' + name) ?? [];
  }
}
