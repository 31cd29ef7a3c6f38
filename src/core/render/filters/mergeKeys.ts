/**
 * Merge keys of built-in Kubernetes types for strategic merge patch (`x-kubernetes-patch-merge-key` in the
 * OpenAPI schema kustomize embeds). Lists not listed here are replaced by a patch, as kustomize does for
 * built-in lists without a patch strategy and for every list of a custom resource.
 */

/** How a list merges: by a key field, or as a set of scalars. */
export interface ListStrategy {
  key?: string;
  /** `x-kubernetes-list-map-keys` when there are several (ports: number and protocol); `key` is the first. */
  keys?: string[];
}

export interface TypeSchema {
  fields?: Record<string, TypeSchema>;
  /** Set when the field is a list that merges. */
  list?: ListStrategy;
  /** Type of the list's items. */
  items?: TypeSchema;
}

const container: TypeSchema = {
  fields: {
    env: { list: { key: 'name' } },
    ports: { list: { key: 'containerPort', keys: ['containerPort', 'protocol'] } },
    volumeMounts: { list: { key: 'mountPath' } },
    volumeDevices: { list: { key: 'devicePath' } },
  },
};

const objectMeta: TypeSchema = {
  fields: { finalizers: { list: {} }, ownerReferences: { list: { key: 'uid' } } },
};

const podSpec: TypeSchema = {
  fields: {
    containers: { list: { key: 'name' }, items: container },
    initContainers: { list: { key: 'name' }, items: container },
    ephemeralContainers: { list: { key: 'name' }, items: container },
    volumes: { list: { key: 'name' } },
    imagePullSecrets: { list: { key: 'name' } },
    hostAliases: { list: { key: 'ip' } },
    topologySpreadConstraints: { list: { key: 'topologyKey', keys: ['topologyKey', 'whenUnsatisfiable'] } },
  },
};

const podTemplate: TypeSchema = { fields: { metadata: objectMeta, spec: podSpec } };
const withTemplate: TypeSchema = { fields: { template: podTemplate, volumeClaimTemplates: { items: { fields: { metadata: objectMeta } } } } };
const jobTemplate: TypeSchema = { fields: { metadata: objectMeta, spec: withTemplate } };

const kinds: Record<string, TypeSchema> = {
  Pod: podSpec,
  Deployment: withTemplate,
  ReplicaSet: withTemplate,
  DaemonSet: withTemplate,
  StatefulSet: withTemplate,
  Job: withTemplate,
  ReplicationController: withTemplate,
  CronJob: { fields: { jobTemplate } },
  Service: { fields: { ports: { list: { key: 'port', keys: ['port', 'protocol'] } } } },
};

const roots = new Map<string, TypeSchema>();

/** The schema at the root of an object of a kind (groups of built-in kinds only; custom kinds have none). */
export function rootSchema(group: string, kind: string): TypeSchema | undefined {
  const builtin = group === '' || group === 'apps' || group === 'batch' || group === 'extensions';
  if (!builtin) return undefined;
  let root = roots.get(kind);
  if (!root) {
    const spec = kinds[kind];
    root = { fields: { metadata: objectMeta, ...(spec ? { spec } : {}), ...(kind === 'PodTemplate' ? { template: podTemplate } : {}) } };
    roots.set(kind, root);
  }
  return root;
}

/** The schema of a field (or of a list's items when `field` is undefined). */
export function childSchema(schema: TypeSchema | undefined, field?: string): TypeSchema | undefined {
  if (!schema) return undefined;
  return field === undefined ? schema.items : schema.fields?.[field];
}

/** The merge strategy of a list-typed schema, undefined when the list is replaced. */
export function listStrategy(schema: TypeSchema | undefined): ListStrategy | undefined {
  return schema?.list;
}

