/**
 * Kustomize's built-in transformer configuration (api/konfig/builtinpluginconsts): which fields each transformer
 * touches in which kinds.
 */
import type { FieldSpec } from './fieldSpec';

/** Where pod templates live, per workload kind. */
const podTemplates: Array<{ kind: string; group?: string; prefix: string }> = [
  { kind: 'Pod', prefix: '' },
  { kind: 'Deployment', prefix: 'spec/template/' },
  { kind: 'ReplicaSet', prefix: 'spec/template/' },
  { kind: 'DaemonSet', prefix: 'spec/template/' },
  { kind: 'StatefulSet', prefix: 'spec/template/' },
  { kind: 'Job', prefix: 'spec/template/' },
  { kind: 'CronJob', prefix: 'spec/jobTemplate/spec/template/' },
  { kind: 'ReplicationController', prefix: 'spec/template/' },
];

const selectorLabels: FieldSpec[] = [
  { path: 'spec/selector', create: true, version: 'v1', kind: 'Service' },
  { path: 'spec/selector', create: true, version: 'v1', kind: 'ReplicationController' },
  { path: 'spec/selector/matchLabels', create: true, kind: 'Deployment' },
  ...affinity('apps', 'Deployment'),
  { path: 'spec/selector/matchLabels', create: true, kind: 'ReplicaSet' },
  { path: 'spec/selector/matchLabels', create: true, kind: 'DaemonSet' },
  { path: 'spec/selector/matchLabels', create: true, group: 'apps', kind: 'StatefulSet' },
  { path: 'spec/volumeClaimTemplates[]/metadata/labels', create: true, group: 'apps', kind: 'StatefulSet' },
  ...affinity('apps', 'StatefulSet'),
  { path: 'spec/selector/matchLabels', create: false, group: 'batch', kind: 'Job' },
  { path: 'spec/jobTemplate/spec/selector/matchLabels', create: false, group: 'batch', kind: 'CronJob' },
  { path: 'spec/selector/matchLabels', create: false, group: 'policy', kind: 'PodDisruptionBudget' },
  { path: 'spec/podSelector/matchLabels', create: false, group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  {
    path: 'spec/ingress/from/podSelector/matchLabels',
    create: false,
    group: 'networking.k8s.io',
    kind: 'NetworkPolicy',
  },
  { path: 'spec/egress/to/podSelector/matchLabels', create: false, group: 'networking.k8s.io', kind: 'NetworkPolicy' },
];

function affinity(group: string, kind: string): FieldSpec[] {
  return [
    'spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
    'spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
    'spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
    'spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
    'spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels',
  ].map((path) => ({ path, create: false, group, kind }));
}

/** Pod-template metadata fields (labels or annotations) of workloads. */
function templateMeta(field: 'labels' | 'annotations'): FieldSpec[] {
  return [
    { path: `spec/template/metadata/${field}`, create: true, version: 'v1', kind: 'ReplicationController' },
    { path: `spec/template/metadata/${field}`, create: true, kind: 'Deployment' },
    { path: `spec/template/metadata/${field}`, create: true, kind: 'ReplicaSet' },
    { path: `spec/template/metadata/${field}`, create: true, kind: 'DaemonSet' },
    { path: `spec/template/metadata/${field}`, create: true, group: 'apps', kind: 'StatefulSet' },
    { path: `spec/template/metadata/${field}`, create: true, group: 'batch', kind: 'Job' },
    { path: `spec/jobTemplate/metadata/${field}`, create: true, group: 'batch', kind: 'CronJob' },
    { path: `spec/jobTemplate/spec/template/metadata/${field}`, create: true, group: 'batch', kind: 'CronJob' },
  ];
}

/** `labels:` without selectors: metadata only. */
export const metadataLabelSpecs: FieldSpec[] = [{ path: 'metadata/labels', create: true }];

/** `labels: includeTemplates`: metadata plus pod templates. */
export const templateLabelSpecs: FieldSpec[] = [
  ...metadataLabelSpecs,
  ...templateMeta('labels'),
  { path: 'spec/volumeClaimTemplates[]/metadata/labels', create: true, group: 'apps', kind: 'StatefulSet' },
];

/** `commonLabels` and `labels: includeSelectors`. */
export const commonLabelSpecs: FieldSpec[] = [...selectorLabels, ...templateLabelSpecs];

/** `commonAnnotations`. */
export const commonAnnotationSpecs: FieldSpec[] = [
  { path: 'metadata/annotations', create: true },
  ...templateMeta('annotations'),
];

/** `replicas`. */
export const replicaSpecs: FieldSpec[] = ['Deployment', 'ReplicationController', 'ReplicaSet', 'StatefulSet'].map(
  (kind) => ({ path: 'spec/replicas', create: true, kind }),
);

/** Kinds `namePrefix`/`nameSuffix` leave alone. */
export const prefixSuffixSkip: Array<{ kind: string; group?: string }> = [
  { kind: 'CustomResourceDefinition' },
  { kind: 'APIService', group: 'apiregistration.k8s.io' },
  { kind: 'Namespace' },
];

/** One kind of referenced object and the fields that hold its name. */
export interface NameReference {
  kind: string;
  group?: string;
  version?: string;
  referrers: FieldSpec[];
}

function inPods(paths: string[]): FieldSpec[] {
  return podTemplates.flatMap(({ kind, prefix }) => paths.map((p) => ({ path: prefix + p, kind })));
}

const configMapPodPaths = [
  'spec/volumes/configMap/name',
  'spec/containers/env/valueFrom/configMapKeyRef/name',
  'spec/initContainers/env/valueFrom/configMapKeyRef/name',
  'spec/containers/envFrom/configMapRef/name',
  'spec/initContainers/envFrom/configMapRef/name',
  'spec/volumes/projected/sources/configMap/name',
];

const secretPodPaths = [
  'spec/volumes/secret/secretName',
  'spec/containers/env/valueFrom/secretKeyRef/name',
  'spec/initContainers/env/valueFrom/secretKeyRef/name',
  'spec/containers/envFrom/secretRef/name',
  'spec/initContainers/envFrom/secretRef/name',
  'spec/imagePullSecrets/name',
  'spec/volumes/projected/sources/secret/name',
];

const hpa = (): FieldSpec[] => [{ path: 'spec/scaleTargetRef/name', kind: 'HorizontalPodAutoscaler' }];

/** api/konfig/builtinpluginconsts/namereference.go, with pod-template paths generated per workload kind. */
export const nameReferences: NameReference[] = [
  { kind: 'Deployment', referrers: hpa() },
  { kind: 'ReplicationController', referrers: hpa() },
  { kind: 'ReplicaSet', referrers: hpa() },
  { kind: 'StatefulSet', referrers: hpa() },
  {
    kind: 'ConfigMap',
    version: 'v1',
    referrers: [
      ...inPods(configMapPodPaths),
      { path: 'spec/configSource/configMap', kind: 'Node' },
      { path: 'rules/resourceNames', kind: 'Role' },
      { path: 'rules/resourceNames', kind: 'ClusterRole' },
      { path: 'metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap', kind: 'Ingress' },
      {
        path: 'spec/template/spec/containers/env/valueFrom/configMapKeyRef/name',
        kind: 'Service',
        group: 'serving.knative.dev',
        version: 'v1',
      },
      {
        path: 'spec/template/spec/containers/envFrom/configMapRef/name',
        kind: 'Service',
        group: 'serving.knative.dev',
        version: 'v1',
      },
    ],
  },
  {
    kind: 'Secret',
    version: 'v1',
    referrers: [
      ...inPods(secretPodPaths),
      { path: 'spec/tls/secretName', kind: 'Ingress' },
      { path: 'metadata/annotations/ingress.kubernetes.io\\/auth-secret', kind: 'Ingress' },
      { path: 'metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret', kind: 'Ingress' },
      { path: 'metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret', kind: 'Ingress' },
      { path: 'imagePullSecrets/name', kind: 'ServiceAccount' },
      { path: 'parameters/secretName', kind: 'StorageClass' },
      { path: 'parameters/adminSecretName', kind: 'StorageClass' },
      { path: 'parameters/userSecretName', kind: 'StorageClass' },
      { path: 'parameters/secretRef', kind: 'StorageClass' },
      { path: 'rules/resourceNames', kind: 'Role' },
      { path: 'rules/resourceNames', kind: 'ClusterRole' },
      {
        path: 'spec/template/spec/containers/env/valueFrom/secretKeyRef/name',
        kind: 'Service',
        group: 'serving.knative.dev',
        version: 'v1',
      },
      { path: 'spec/azureFile/secretName', kind: 'PersistentVolume' },
    ],
  },
  {
    kind: 'Service',
    version: 'v1',
    referrers: [
      { path: 'spec/serviceName', kind: 'StatefulSet', group: 'apps' },
      { path: 'spec/rules/http/paths/backend/serviceName', kind: 'Ingress' },
      { path: 'spec/backend/serviceName', kind: 'Ingress' },
      { path: 'spec/rules/http/paths/backend/service/name', kind: 'Ingress' },
      { path: 'spec/defaultBackend/service/name', kind: 'Ingress' },
      { path: 'spec/service/name', kind: 'APIService', group: 'apiregistration.k8s.io' },
      {
        path: 'webhooks/clientConfig/service',
        kind: 'ValidatingWebhookConfiguration',
        group: 'admissionregistration.k8s.io',
      },
      {
        path: 'webhooks/clientConfig/service',
        kind: 'MutatingWebhookConfiguration',
        group: 'admissionregistration.k8s.io',
      },
    ],
  },
  {
    kind: 'Role',
    group: 'rbac.authorization.k8s.io',
    referrers: [{ path: 'roleRef/name', kind: 'RoleBinding', group: 'rbac.authorization.k8s.io' }],
  },
  {
    kind: 'ClusterRole',
    group: 'rbac.authorization.k8s.io',
    referrers: [
      { path: 'roleRef/name', kind: 'RoleBinding', group: 'rbac.authorization.k8s.io' },
      { path: 'roleRef/name', kind: 'ClusterRoleBinding', group: 'rbac.authorization.k8s.io' },
    ],
  },
  {
    kind: 'ServiceAccount',
    version: 'v1',
    referrers: [
      { path: 'subjects', kind: 'RoleBinding', group: 'rbac.authorization.k8s.io' },
      { path: 'subjects', kind: 'ClusterRoleBinding', group: 'rbac.authorization.k8s.io' },
      ...inPods(['spec/serviceAccountName']).filter((s) => s.kind !== 'ReplicaSet'),
    ],
  },
  {
    kind: 'PersistentVolumeClaim',
    version: 'v1',
    referrers: inPods(['spec/volumes/persistentVolumeClaim/claimName']).filter((s) => s.kind !== 'ReplicaSet'),
  },
  {
    kind: 'PersistentVolume',
    version: 'v1',
    referrers: [
      { path: 'spec/volumeName', kind: 'PersistentVolumeClaim' },
      { path: 'rules/resourceNames', kind: 'ClusterRole' },
    ],
  },
  {
    kind: 'StorageClass',
    version: 'v1',
    group: 'storage.k8s.io',
    referrers: [
      { path: 'spec/storageClassName', kind: 'PersistentVolume' },
      { path: 'spec/storageClassName', kind: 'PersistentVolumeClaim' },
      { path: 'spec/volumeClaimTemplates/spec/storageClassName', kind: 'StatefulSet' },
    ],
  },
  {
    kind: 'PriorityClass',
    version: 'v1',
    group: 'scheduling.k8s.io',
    referrers: inPods(['spec/priorityClassName']).filter((s) => s.kind !== 'ReplicaSet'),
  },
  // kustomize's config says `group: networking.k8s.io/v1`, which no object has: it never fixes ingressClassName.
  // Kept as is so the output matches.
  {
    kind: 'IngressClass',
    version: 'v1',
    group: 'networking.k8s.io/v1',
    referrers: [{ path: 'spec/ingressClassName', kind: 'Ingress' }],
  },
];
