import { fixNameReferences } from '../../../../src/core/render/kustomize/filters/nameReference';
import { applyNamespace } from '../../../../src/core/render/kustomize/filters/namespace';
import { runFilterTable } from '../../../support/filterTable';

const origin = { file: 'kustomization.yaml', line: 1, column: 12, kind: 'namespace' } as const;

// `namespace:` in a kustomization. A build fixes name references after every transformer, so each row runs the
// namespace filter and then the name references (RBAC subjects follow a ServiceAccount that moved).
runFilterTable<{ namespace: string }>({
  title: 'namespace filter (table)',
  apply(resources, { namespace }) {
    applyNamespace(resources, namespace, origin);
    fixNameReferences(resources);
  },
  kustomization: ({ namespace }) => `namespace: ${namespace}\n`,
  rows: [
    {
      name: 'adds a namespace to a namespaced object without one',
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata: {a: "1"}\n',
      config: { namespace: 'team-a' },
      expected: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: team-a\ndata: {a: "1"}\n',
    },
    {
      name: 'replaces an existing namespace, and one that is null',
      input:
        'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: old}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: t, namespace: null}\n',
      config: { namespace: 'team-a' },
      expected:
        'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: team-a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: t, namespace: team-a}\n',
    },
    {
      name: 'leaves cluster-scoped kinds without a namespace',
      input:
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules: []\n---\n' +
        'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast}\nprovisioner: x\n---\n' +
        'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n',
      config: { namespace: 'team-a' },
      expected:
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules: []\n---\n' +
        'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast}\nprovisioner: x\n---\n' +
        'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n',
    },
    {
      name: 'treats a custom resource as namespaced, even one named like a cluster-scoped kind',
      input: 'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: letsencrypt}\nspec: {}\n',
      config: { namespace: 'team-a' },
      expected:
        'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: letsencrypt, namespace: team-a}\nspec: {}\n',
    },
    {
      name: 'renames a v1 Namespace object to the namespace',
      input: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: placeholder, labels: {a: b}}\n',
      config: { namespace: 'team-a' },
      expected: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a, labels: {a: b}}\n',
    },
    {
      name: 'sets a RoleBinding subject named default, and no other subject without a matching object',
      input:
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects:\n' +
        '- {kind: ServiceAccount, name: default}\n- {kind: ServiceAccount, name: default, namespace: other}\n- {kind: ServiceAccount, name: app}\n- {kind: ServiceAccount, name: app, namespace: other}\n- {kind: User, name: jane}\n',
      config: { namespace: 'team-a' },
      expected:
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: team-a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects:\n' +
        '- {kind: ServiceAccount, name: default, namespace: team-a}\n- {kind: ServiceAccount, name: default, namespace: team-a}\n- {kind: ServiceAccount, name: app}\n- {kind: ServiceAccount, name: app, namespace: other}\n- {kind: User, name: jane}\n',
    },
    {
      name: 'sets a ClusterRoleBinding subject named default but not the binding itself',
      input:
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: crb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects:\n' +
        '- {kind: ServiceAccount, name: default, namespace: kube-system}\n- {kind: Group, name: devs}\n',
      config: { namespace: 'team-a' },
      expected:
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: crb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects:\n' +
        '- {kind: ServiceAccount, name: default, namespace: team-a}\n- {kind: Group, name: devs}\n',
    },
    {
      name: 'moves a subject with the ServiceAccount it names (the name references that follow)',
      input:
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: old}\n---\n' +
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: crb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects:\n' +
        '- {kind: ServiceAccount, name: app, namespace: old}\n- {kind: ServiceAccount, name: app, namespace: elsewhere}\n',
      config: { namespace: 'team-a' },
      expected:
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: team-a}\n---\n' +
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: crb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects:\n' +
        '- {kind: ServiceAccount, name: app, namespace: team-a}\n- {kind: ServiceAccount, name: app, namespace: elsewhere}\n',
    },
    {
      name: "creates an APIService's spec.service.namespace",
      input:
        'apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: v1.metrics.example.com}\nspec:\n  service: {name: metrics}\n  group: metrics.example.com\n',
      config: { namespace: 'team-a' },
      expected:
        'apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: v1.metrics.example.com}\nspec:\n  service: {name: metrics, namespace: team-a}\n  group: metrics.example.com\n',
    },
    {
      name: "sets a CRD's conversion webhook service namespace only where there is one",
      input:
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: a.example.com}\nspec:\n  conversion:\n    strategy: Webhook\n    webhook:\n      clientConfig:\n        service: {name: conv, namespace: system}\n---\n' +
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: b.example.com}\nspec:\n  conversion: {strategy: None}\n',
      config: { namespace: 'team-a' },
      expected:
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: a.example.com}\nspec:\n  conversion:\n    strategy: Webhook\n    webhook:\n      clientConfig:\n        service: {name: conv, namespace: team-a}\n---\n' +
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: b.example.com}\nspec:\n  conversion: {strategy: None}\n',
    },
    {
      name: "keeps a webhook configuration's service namespace when the Service is not in the build",
      input:
        'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: vwc}\nwebhooks:\n- name: check.example.com\n  clientConfig:\n    service: {name: hook, namespace: default}\n',
      config: { namespace: 'team-a' },
      expected:
        'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: vwc}\nwebhooks:\n- name: check.example.com\n  clientConfig:\n    service: {name: hook, namespace: default}\n',
    },
    {
      name: "moves a webhook configuration's service namespace with the Service it names",
      input:
        'apiVersion: v1\nkind: Service\nmetadata: {name: hook}\nspec: {ports: [{port: 443}]}\n---\n' +
        'apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {name: mwc}\nwebhooks:\n- name: m.example.com\n  clientConfig:\n    service: {name: hook, namespace: default}\n',
      config: { namespace: 'team-a' },
      expected:
        'apiVersion: v1\nkind: Service\nmetadata: {name: hook, namespace: team-a}\nspec: {ports: [{port: 443}]}\n---\n' +
        'apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {name: mwc}\nwebhooks:\n- name: m.example.com\n  clientConfig:\n    service: {name: hook, namespace: team-a}\n',
    },
    {
      name: 'does not rename a Namespace kind of another API group, and gives it a namespace',
      input: 'apiVersion: example.com/v1\nkind: Namespace\nmetadata: {name: mine}\n',
      config: { namespace: 'team-a' },
      expected: 'apiVersion: example.com/v1\nkind: Namespace\nmetadata: {name: mine, namespace: team-a}\n',
    },
  ],
});
