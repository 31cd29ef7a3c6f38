import { fixNameReferences } from '../../../../src/core/render/kustomize/filters/nameReference';
import { applyNamespace } from '../../../../src/core/render/kustomize/filters/namespace';
import { applyPrefixSuffix } from '../../../../src/core/render/kustomize/filters/prefixSuffix';
import { runFilterTable } from '../../../support/filterTable';

/** The renames that give the name references something to fix: a kustomization's namespace, prefix and suffix. */
interface Config {
  namespace?: string;
  prefix?: string;
  suffix?: string;
}

const origin = (kind: 'namespace' | 'namePrefix' | 'nameSuffix') => ({
  file: 'kustomization.yaml',
  line: 1,
  column: 1,
  kind,
});
const obj = (apiVersion: string, kind: string, meta: string, rest = '') =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: ${meta}\n${rest}`;
const rbac = 'rbac.authorization.k8s.io/v1';

runFilterTable<Config>({
  title: 'nameReference filter (table)',
  apply(resources, { namespace, prefix, suffix }) {
    if (namespace) applyNamespace(resources, namespace, origin('namespace'));
    applyPrefixSuffix(
      resources,
      prefix === undefined ? undefined : { value: prefix, origin: origin('namePrefix') },
      suffix === undefined ? undefined : { value: suffix, origin: origin('nameSuffix') },
    );
    fixNameReferences(resources);
  },
  kustomization: ({ namespace, prefix, suffix }) =>
    (namespace ? `namespace: ${JSON.stringify(namespace)}\n` : '') +
    (prefix ? `namePrefix: ${JSON.stringify(prefix)}\n` : '') +
    (suffix ? `nameSuffix: ${JSON.stringify(suffix)}\n` : ''),
  rows: [
    {
      name: 'ConfigMap references in a Pod: volumes, projected volumes, envFrom and env',
      input:
        obj('v1', 'ConfigMap', '{name: cfg}') +
        '---\n' +
        obj(
          'v1',
          'Pod',
          '{name: p}',
          'spec:\n  containers:\n  - name: a\n    envFrom: [{configMapRef: {name: cfg}}]\n    env: [{name: X, valueFrom: {configMapKeyRef: {name: cfg, key: x}}}]\n  volumes:\n  - {name: v, configMap: {name: cfg}}\n  - name: w\n    projected: {sources: [{configMap: {name: cfg}}, {configMap: {name: absent}}]}\n',
        ),
      config: { suffix: '-v1' },
      expected:
        obj('v1', 'ConfigMap', '{name: cfg-v1}') +
        '---\n' +
        obj(
          'v1',
          'Pod',
          '{name: p-v1}',
          'spec:\n  containers:\n  - name: a\n    envFrom: [{configMapRef: {name: cfg-v1}}]\n    env: [{name: X, valueFrom: {configMapKeyRef: {name: cfg-v1, key: x}}}]\n  volumes:\n  - {name: v, configMap: {name: cfg-v1}}\n  - name: w\n    projected: {sources: [{configMap: {name: cfg-v1}}, {configMap: {name: absent}}]}\n',
        ),
    },
    {
      name: "Secret references: imagePullSecrets, secret volumes, Ingress TLS; not a ServiceAccount's secrets (kustomize's config leaves them out)",
      input:
        obj('v1', 'Secret', '{name: s}', 'type: Opaque\n') +
        '---\n' +
        obj('v1', 'ServiceAccount', '{name: sa}', 'secrets: [{name: s}]\nimagePullSecrets: [{name: s}]\n') +
        '---\n' +
        obj(
          'batch/v1',
          'CronJob',
          '{name: cj}',
          'spec:\n  schedule: "@daily"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          serviceAccountName: sa\n          imagePullSecrets: [{name: s}]\n          containers: []\n          volumes: [{name: v, secret: {secretName: s}}]\n',
        ) +
        '---\n' +
        obj(
          'networking.k8s.io/v1',
          'Ingress',
          '{name: i}',
          'spec:\n  tls: [{secretName: s, hosts: [a.example.com]}]\n',
        ),
      config: { prefix: 'x-' },
      expected:
        obj('v1', 'Secret', '{name: x-s}', 'type: Opaque\n') +
        '---\n' +
        obj('v1', 'ServiceAccount', '{name: x-sa}', 'secrets: [{name: s}]\nimagePullSecrets: [{name: x-s}]\n') +
        '---\n' +
        obj(
          'batch/v1',
          'CronJob',
          '{name: x-cj}',
          'spec:\n  schedule: "@daily"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          serviceAccountName: x-sa\n          imagePullSecrets: [{name: x-s}]\n          containers: []\n          volumes: [{name: v, secret: {secretName: x-s}}]\n',
        ) +
        '---\n' +
        obj(
          'networking.k8s.io/v1',
          'Ingress',
          '{name: x-i}',
          'spec:\n  tls: [{secretName: x-s, hosts: [a.example.com]}]\n',
        ),
    },
    {
      name: "Service references: a StatefulSet's serviceName and an HPA's target Deployment",
      input:
        obj('v1', 'Service', '{name: db}') +
        '---\n' +
        obj('apps/v1', 'StatefulSet', '{name: db}', 'spec: {serviceName: db, template: {}}\n') +
        '---\n' +
        obj('apps/v1', 'Deployment', '{name: web}', 'spec: {template: {}}\n') +
        '---\n' +
        obj(
          'autoscaling/v2',
          'HorizontalPodAutoscaler',
          '{name: web}',
          'spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, maxReplicas: 3}\n',
        ),
      config: { prefix: 'p-' },
      expected:
        obj('v1', 'Service', '{name: p-db}') +
        '---\n' +
        obj('apps/v1', 'StatefulSet', '{name: p-db}', 'spec: {serviceName: p-db, template: {}}\n') +
        '---\n' +
        obj('apps/v1', 'Deployment', '{name: p-web}', 'spec: {template: {}}\n') +
        '---\n' +
        obj(
          'autoscaling/v2',
          'HorizontalPodAutoscaler',
          '{name: p-web}',
          'spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: p-web}, maxReplicas: 3}\n',
        ),
    },
    {
      name: 'a PersistentVolumeClaim in a pod volume, and a cluster-scoped StorageClass and PriorityClass',
      input:
        obj('v1', 'PersistentVolumeClaim', '{name: data}', 'spec: {storageClassName: fast}\n') +
        '---\n' +
        obj('storage.k8s.io/v1', 'StorageClass', '{name: fast}', 'provisioner: x\n') +
        '---\n' +
        obj('scheduling.k8s.io/v1', 'PriorityClass', '{name: high}', 'value: 10\n') +
        '---\n' +
        obj(
          'apps/v1',
          'Deployment',
          '{name: web}',
          'spec:\n  template:\n    spec:\n      priorityClassName: high\n      containers: []\n      volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]\n',
        ),
      config: { namespace: 'team', suffix: '-a' },
      expected:
        obj('v1', 'PersistentVolumeClaim', '{name: data-a, namespace: team}', 'spec: {storageClassName: fast-a}\n') +
        '---\n' +
        obj('storage.k8s.io/v1', 'StorageClass', '{name: fast-a}', 'provisioner: x\n') +
        '---\n' +
        obj('scheduling.k8s.io/v1', 'PriorityClass', '{name: high-a}', 'value: 10\n') +
        '---\n' +
        obj(
          'apps/v1',
          'Deployment',
          '{name: web-a, namespace: team}',
          'spec:\n  template:\n    spec:\n      priorityClassName: high-a\n      containers: []\n      volumes: [{name: d, persistentVolumeClaim: {claimName: data-a}}]\n',
        ),
    },
    {
      name: 'RBAC: roleRef follows the kind it names; subjects follow their ServiceAccount, namespace included',
      input:
        obj('v1', 'ServiceAccount', '{name: bot, namespace: ops}') +
        '---\n' +
        obj(rbac, 'ClusterRole', '{name: view}', 'rules: []\n') +
        '---\n' +
        obj(rbac, 'Role', '{name: edit}', 'rules: []\n') +
        '---\n' +
        obj(
          rbac,
          'ClusterRoleBinding',
          '{name: crb}',
          `roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: ops}]\n`,
        ) +
        '---\n' +
        obj(
          rbac,
          'RoleBinding',
          '{name: rb}',
          `roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: edit}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: ops}, {kind: ServiceAccount, name: other, namespace: ops}]\n`,
        ),
      config: { namespace: 'team', prefix: 'p-' },
      expected:
        obj('v1', 'ServiceAccount', '{name: p-bot, namespace: team}') +
        '---\n' +
        obj(rbac, 'ClusterRole', '{name: p-view}', 'rules: []\n') +
        '---\n' +
        obj(rbac, 'Role', '{name: p-edit, namespace: team}', 'rules: []\n') +
        '---\n' +
        obj(
          rbac,
          'ClusterRoleBinding',
          '{name: p-crb}',
          `roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: p-view}\nsubjects: [{kind: ServiceAccount, name: p-bot, namespace: team}]\n`,
        ) +
        '---\n' +
        obj(
          rbac,
          'RoleBinding',
          '{name: p-rb, namespace: team}',
          `roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: p-edit}\nsubjects: [{kind: ServiceAccount, name: p-bot, namespace: team}, {kind: ServiceAccount, name: other, namespace: ops}]\n`,
        ),
    },
    {
      name: 'an APIService service follows its Service, name and namespace',
      input:
        obj('v1', 'Service', '{name: metrics, namespace: system}') +
        '---\n' +
        obj(
          'apiregistration.k8s.io/v1',
          'APIService',
          '{name: v1.m.example.com}',
          'spec: {service: {name: metrics, namespace: system}, group: m.example.com}\n',
        ),
      config: { prefix: 'p-' },
      expected:
        obj('v1', 'Service', '{name: p-metrics, namespace: system}') +
        '---\n' +
        obj(
          'apiregistration.k8s.io/v1',
          'APIService',
          '{name: v1.m.example.com}',
          'spec: {service: {name: p-metrics, namespace: system}, group: m.example.com}\n',
        ),
    },
    {
      name: 'a reference from another namespace does not match; a reference to a name nobody had stays',
      input:
        obj('v1', 'ConfigMap', '{name: cfg, namespace: a}') +
        '---\n' +
        obj(
          'v1',
          'Pod',
          '{name: p, namespace: b}',
          'spec:\n  containers: []\n  volumes: [{name: v, configMap: {name: cfg}}, {name: w, configMap: {name: nobody}}]\n',
        ),
      config: { prefix: 'p-' },
      expected:
        obj('v1', 'ConfigMap', '{name: p-cfg, namespace: a}') +
        '---\n' +
        obj(
          'v1',
          'Pod',
          '{name: p-p, namespace: b}',
          'spec:\n  containers: []\n  volumes: [{name: v, configMap: {name: cfg}}, {name: w, configMap: {name: nobody}}]\n',
        ),
    },
    {
      name: "no namespace and 'default' are the same namespace when matching",
      input:
        obj('v1', 'ConfigMap', '{name: cfg, namespace: default}') +
        '---\n' +
        obj('v1', 'Pod', '{name: p}', 'spec:\n  containers: []\n  volumes: [{name: v, configMap: {name: cfg}}]\n'),
      config: { prefix: 'p-' },
      expected:
        obj('v1', 'ConfigMap', '{name: p-cfg, namespace: default}') +
        '---\n' +
        obj('v1', 'Pod', '{name: p-p}', 'spec:\n  containers: []\n  volumes: [{name: v, configMap: {name: p-cfg}}]\n'),
    },
    {
      name: "a pod's serviceAccountName does not follow a ServiceAccount of another namespace",
      input:
        obj('v1', 'ServiceAccount', '{name: bot, namespace: a}') +
        '---\n' +
        obj('v1', 'Pod', '{name: p, namespace: b}', 'spec: {serviceAccountName: bot, containers: []}\n'),
      config: { suffix: '-2' },
      expected:
        obj('v1', 'ServiceAccount', '{name: bot-2, namespace: a}') +
        '---\n' +
        obj('v1', 'Pod', '{name: p-2, namespace: b}', 'spec: {serviceAccountName: bot, containers: []}\n'),
    },
    {
      name: 'a RoleBinding sees ServiceAccounts in the namespaces its subjects name',
      input:
        obj('v1', 'ServiceAccount', '{name: bot, namespace: ops}') +
        '---\n' +
        obj(
          rbac,
          'RoleBinding',
          '{name: rb, namespace: team}',
          `roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: ops}]\n`,
        ) +
        '---\n' +
        obj(
          rbac,
          'RoleBinding',
          '{name: rb2, namespace: team}',
          `roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: ServiceAccount, name: bot}]\n`,
        ),
      config: { prefix: 'p-' },
      expected:
        obj('v1', 'ServiceAccount', '{name: p-bot, namespace: ops}') +
        '---\n' +
        obj(
          rbac,
          'RoleBinding',
          '{name: p-rb, namespace: team}',
          `roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: ServiceAccount, name: p-bot, namespace: ops}]\n`,
        ) +
        '---\n' +
        obj(
          rbac,
          'RoleBinding',
          '{name: p-rb2, namespace: team}',
          `roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: ServiceAccount, name: bot}]\n`,
        ),
    },
    {
      name: 'a ConfigMap and a Secret of the same name: each reference follows its own kind',
      input:
        obj('v1', 'ConfigMap', '{name: same}') +
        '---\n' +
        obj('v1', 'Secret', '{name: same}') +
        '---\n' +
        obj(
          'v1',
          'Pod',
          '{name: p}',
          'spec:\n  containers: [{name: a, envFrom: [{configMapRef: {name: same}}, {secretRef: {name: same}}]}]\n',
        ),
      config: { suffix: '-z' },
      expected:
        obj('v1', 'ConfigMap', '{name: same-z}') +
        '---\n' +
        obj('v1', 'Secret', '{name: same-z}') +
        '---\n' +
        obj(
          'v1',
          'Pod',
          '{name: p-z}',
          'spec:\n  containers: [{name: a, envFrom: [{configMapRef: {name: same-z}}, {secretRef: {name: same-z}}]}]\n',
        ),
    },
    {
      name: 'an Ingress path backend follows a Service moved by namespace and suffix',
      input:
        obj('v1', 'Service', '{name: web}') +
        '---\n' +
        obj(
          'networking.k8s.io/v1',
          'Ingress',
          '{name: i}',
          'spec:\n  rules:\n  - http:\n      paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}]\n',
        ),
      config: { namespace: 'shop', suffix: '-b' },
      expected:
        obj('v1', 'Service', '{name: web-b, namespace: shop}') +
        '---\n' +
        obj(
          'networking.k8s.io/v1',
          'Ingress',
          '{name: i-b, namespace: shop}',
          'spec:\n  rules:\n  - http:\n      paths: [{path: /, pathType: Prefix, backend: {service: {name: web-b, port: {name: http}}}}]\n',
        ),
    },
  ],
});
