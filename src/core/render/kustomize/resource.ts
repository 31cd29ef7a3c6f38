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
 * The group/version/kinds kustomize knows to be cluster-scoped: kyaml's precomputed table for its embedded
 * Kubernetes 1.21 schema (kyaml v0.20.1 openapi.go, precomputedIsNamespaceScoped), plus the review kinds that schema
 * holds. kustomize treats every other GVK as namespaced: CRDs such as ClusterIssuer, and versions newer than that
 * schema (flowcontrol.apiserver.k8s.io/v1 FlowSchema, admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy),
 * which get the kustomization's namespace.
 */
const clusterScoped = new Set(
  Object.entries({
    'admissionregistration.k8s.io/v1': ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
    'admissionregistration.k8s.io/v1beta1': ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
    'apiextensions.k8s.io/v1': ['CustomResourceDefinition'],
    'apiextensions.k8s.io/v1beta1': ['CustomResourceDefinition'],
    'apiregistration.k8s.io/v1': ['APIService'],
    'apiregistration.k8s.io/v1beta1': ['APIService'],
    'authentication.k8s.io/v1': ['TokenReview'],
    'authentication.k8s.io/v1beta1': ['TokenReview'],
    'authorization.k8s.io/v1': ['SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview'],
    'authorization.k8s.io/v1beta1': ['SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview'],
    'certificates.k8s.io/v1': ['CertificateSigningRequest'],
    'certificates.k8s.io/v1beta1': ['CertificateSigningRequest'],
    'flowcontrol.apiserver.k8s.io/v1beta1': ['FlowSchema', 'PriorityLevelConfiguration'],
    'networking.k8s.io/v1': ['IngressClass'],
    'networking.k8s.io/v1beta1': ['IngressClass'],
    'node.k8s.io/v1': ['RuntimeClass'],
    'node.k8s.io/v1beta1': ['RuntimeClass'],
    'policy/v1beta1': ['PodSecurityPolicy'],
    'rbac.authorization.k8s.io/v1': ['ClusterRole', 'ClusterRoleBinding'],
    'rbac.authorization.k8s.io/v1beta1': ['ClusterRole', 'ClusterRoleBinding'],
    'scheduling.k8s.io/v1': ['PriorityClass'],
    'scheduling.k8s.io/v1beta1': ['PriorityClass'],
    'storage.k8s.io/v1': ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'],
    'storage.k8s.io/v1beta1': ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'],
    v1: ['ComponentStatus', 'Namespace', 'Node', 'NodeProxyOptions', 'PersistentVolume'],
  }).flatMap(([apiVersion, kinds]) => kinds.map((kind) => `${apiVersion} ${kind}`)),
);

/** Whether kustomize considers objects of this GVK cluster-scoped. */
export function isClusterScoped({ group, version, kind }: Gvk): boolean {
  return clusterScoped.has(`${group ? `${group}/${version}` : version} ${kind}`);
}

/** The namespace kustomize compares ids by: '' and 'default' are the same for namespaced kinds. */
export function effectiveNamespace(gvk: Gvk, namespace: string): string {
  if (isClusterScoped(gvk)) return '_non_namespaceable_';
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
  const gvk = gvkOf(res);
  return `${gvk.group}|${gvk.version}|${gvk.kind}|${effectiveNamespace(gvk, namespaceOf(res))}|${nameOf(res)}`;
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
