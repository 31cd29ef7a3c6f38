/**
 * src/core/model/: plain data shared by every layer: resource keys and objects, locations and origins, problems,
 * environments, drift results, lint codes, and plainText for text from outside. It imports nothing outside model/.
 */
import { plainText } from './untrustedText';
/** A Kubernetes object as plain JSON data. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Identifies an object across git and cluster: group (empty for core), kind, namespace (empty when cluster-scoped), name. */
export interface ResourceKey {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/** Splits `apps/v1` into group `apps` and version `v1`; `v1` into group `` and version `v1`. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The resource key of an object. */
export function keyOf(obj: KubeObject): ResourceKey {
  return {
    group: splitApiVersion(obj.apiVersion ?? '').group,
    kind: obj.kind,
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
  };
}

/** A stable string form of a key, `group/Kind/namespace/name`, usable as a map key and a tree id. */
export function keyString(key: ResourceKey): string {
  return `${key.group}/${key.kind}/${key.namespace}/${key.name}`;
}

/** A short human form: `Deployment shop-prod/web`. */
export function keyLabel(key: ResourceKey): string {
  // Names of live objects come from the cluster: a label is safe to print.
  return plainText(`${key.kind} ${key.namespace ? key.namespace + '/' : ''}${key.name}`);
}
