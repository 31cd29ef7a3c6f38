import { fixNameReferences } from '../../../../src/core/render/kustomize/filters/nameReference';
import { applyPrefixSuffix } from '../../../../src/core/render/kustomize/filters/prefixSuffix';
import { runFilterTable } from '../../../support/filterTable';

interface Config {
  prefix?: string;
  suffix?: string;
}

const at = (kind: 'namePrefix' | 'nameSuffix', value: string | undefined) =>
  value === undefined ? undefined : { value, origin: { file: 'kustomization.yaml', line: 1, column: 1, kind } };

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\n`;

// `namePrefix:` / `nameSuffix:`. A build fixes name references after every transformer, so each row runs both.
runFilterTable<Config>({
  title: 'prefixSuffix filter (table)',
  apply(resources, { prefix, suffix }) {
    applyPrefixSuffix(resources, at('namePrefix', prefix), at('nameSuffix', suffix));
    fixNameReferences(resources);
  },
  kustomization: ({ prefix, suffix }) =>
    (prefix === undefined ? '' : `namePrefix: "${prefix}"\n`) +
    (suffix === undefined ? '' : `nameSuffix: "${suffix}"\n`),
  rows: [
    { name: 'adds a prefix', input: cm('app'), config: { prefix: 'dev-' }, expected: cm('dev-app') },
    { name: 'adds a suffix', input: cm('app'), config: { suffix: '-v2' }, expected: cm('app-v2') },
    {
      name: 'adds both around the name',
      input: cm('app'),
      config: { prefix: 'dev-', suffix: '-v2' },
      expected: cm('dev-app-v2'),
    },
    {
      name: 'does nothing with empty values',
      input: cm('app'),
      config: { prefix: '', suffix: '' },
      expected: cm('app'),
    },
    {
      name: 'renames cluster-scoped objects too',
      input: 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules: []\n',
      config: { prefix: 'p-' },
      expected: 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: p-reader}\nrules: []\n',
    },
    {
      name: 'skips CustomResourceDefinitions, Namespaces and APIServices',
      input:
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\n---\n' +
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n---\n' +
        'apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: v1.metrics.example.com}\n',
      config: { prefix: 'p-', suffix: '-s' },
      expected:
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\n---\n' +
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n---\n' +
        'apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: v1.metrics.example.com}\n',
    },
    {
      name: 'renames an APIService kind of another group',
      input: 'apiVersion: example.com/v1\nkind: APIService\nmetadata: {name: mine}\n',
      config: { prefix: 'p-' },
      expected: 'apiVersion: example.com/v1\nkind: APIService\nmetadata: {name: p-mine}\n',
    },
    {
      name: 'renames the references a pod template makes to objects in the build',
      input:
        cm('settings') +
        '---\napiVersion: v1\nkind: Secret\nmetadata: {name: creds}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: runner}\n---\n' +
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      serviceAccountName: runner\n' +
        '      containers:\n      - name: app\n        envFrom:\n        - configMapRef: {name: settings}\n        - secretRef: {name: elsewhere}\n' +
        '        env:\n        - name: P\n          valueFrom: {secretKeyRef: {name: creds, key: p}}\n' +
        '      volumes:\n      - name: v\n        configMap: {name: settings}\n      - name: w\n        secret: {secretName: creds}\n',
      config: { prefix: 'p-' },
      expected:
        cm('p-settings') +
        '---\napiVersion: v1\nkind: Secret\nmetadata: {name: p-creds}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: p-runner}\n---\n' +
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: p-web}\nspec:\n  template:\n    spec:\n      serviceAccountName: p-runner\n' +
        '      containers:\n      - name: app\n        envFrom:\n        - configMapRef: {name: p-settings}\n        - secretRef: {name: elsewhere}\n' +
        '        env:\n        - name: P\n          valueFrom: {secretKeyRef: {name: p-creds, key: p}}\n' +
        '      volumes:\n      - name: v\n        configMap: {name: p-settings}\n      - name: w\n        secret: {secretName: p-creds}\n',
    },
    {
      name: 'renames a Service an Ingress routes to, and a Role a RoleBinding binds',
      input:
        'apiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\n' +
        'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\nspec:\n  defaultBackend: {service: {name: web, port: {number: 80}}}\n' +
        '  rules:\n  - http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n      - {path: /x, pathType: Prefix, backend: {service: {name: other, port: {number: 80}}}}\n---\n' +
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules: []\n---\n' +
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: []\n',
      config: { suffix: '-blue' },
      expected:
        'apiVersion: v1\nkind: Service\nmetadata: {name: web-blue}\n---\n' +
        'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web-blue}\nspec:\n  defaultBackend: {service: {name: web-blue, port: {number: 80}}}\n' +
        '  rules:\n  - http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: web-blue, port: {number: 80}}}}\n      - {path: /x, pathType: Prefix, backend: {service: {name: other, port: {number: 80}}}}\n---\n' +
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r-blue}\nrules: []\n---\n' +
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb-blue}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r-blue}\nsubjects: []\n',
    },
    {
      name: 'leaves a roleRef to a ClusterRole alone when only a Role has that name',
      input:
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: view}\nrules: []\n---\n' +
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: []\n',
      config: { prefix: 'p-' },
      expected:
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: p-view}\nrules: []\n---\n' +
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: p-rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: []\n',
    },
    {
      name: 'renames a custom resource, whose fields no reference config covers',
      input:
        cm('settings') +
        '---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {configMapName: settings}\n',
      config: { prefix: 'p-' },
      expected:
        cm('p-settings') +
        '---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: p-w}\nspec: {configMapName: settings}\n',
    },
  ],
});
