import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { discoverEnvironments } from '../../../src/core/repo/discover';
import type { RepoEnvironment } from '../../../src/core/repo/config';
import { LineCounter, parseDocument } from 'yaml';
import { expandApplicationSet } from '../../../src/core/repo/applicationSet';
import { FileLocator } from '../../../src/core/yaml/yamlLocate';

/** An argocd-example-apps-style repo: guestbook (plain directory), kustomize-guestbook, helm-guestbook. */
const exampleApps: Record<string, string> = {
  '/r/guestbook/guestbook-ui-deployment.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: guestbook-ui }\n',
  '/r/kustomize-guestbook/kustomization.yaml': 'resources: [guestbook-ui-deployment.yaml]\n',
  '/r/kustomize-guestbook/guestbook-ui-deployment.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: guestbook-ui }\n',
  '/r/helm-guestbook/Chart.yaml': 'apiVersion: v2\nname: helm-guestbook\nversion: 0.1.0\n',
  '/r/helm-guestbook/templates/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\n',
};

const appSet = (name: string, body: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: { name: ${name}, namespace: argocd }\nspec:\n${body}`;

const argo = (envs: RepoEnvironment[]) =>
  envs
    .filter((e) => e.source === 'argocd')
    .map((e) => `${e.name} ${e.path}${e.namespace ? ' ns=' + e.namespace : ''}`)
    .sort();

describe('ApplicationSets expanded as the ApplicationSet controller expands them', () => {
  it('list generator with fasttemplate: one Application per element, named by the template', async () => {
    const fs = new MemoryFileSystem({
      ...exampleApps,
      '/r/appsets/list.yaml': appSet(
        'guestbooks',
        [
          '  generators:',
          '    - list:',
          '        elements:',
          '          - { app: guestbook, cluster: dev }',
          '          - { app: kustomize-guestbook, cluster: prod, values: { ns: shop } }',
          '  template:',
          "    metadata: { name: '{{cluster}}-{{app}}' }",
          '    spec:',
          "      source: { repoURL: https://github.com/org/apps, path: '{{app}}' }",
          "      destination: { server: https://kubernetes.default.svc, namespace: '{{values.ns}}' }",
        ].join('\n'),
      ),
    });
    const found = await discoverEnvironments(fs, '/r');
    // An unknown fasttemplate tag stays as written, as Argo CD leaves it.
    assert.deepEqual(argo(found.environments), [
      'dev-guestbook guestbook ns={{values.ns}}',
      'prod-kustomize-guestbook kustomize-guestbook ns=shop',
    ]);
    const prod = found.environments.find((e) => e.name === 'prod-kustomize-guestbook')!;
    assert.deepEqual(prod.definedAt, { file: 'appsets/list.yaml', line: 9, column: 13 });
    assert.deepEqual(prod.tracking, { argocdApp: 'prod-kustomize-guestbook' });
  });

  it('git files generator: each JSON/YAML file flattened into params, with path params of its folder', async () => {
    const fs = new MemoryFileSystem({
      ...exampleApps,
      '/r/clusters/dev/config.json': JSON.stringify({
        cluster: { name: 'dev', address: 'https://1.2.3.4' },
        app: 'guestbook',
      }),
      '/r/clusters/prod/config.json': JSON.stringify({
        cluster: { name: 'prod', address: 'https://5.6.7.8' },
        app: 'kustomize-guestbook',
      }),
      '/r/clusters/old/config.json': JSON.stringify({ cluster: { name: 'old' }, app: 'guestbook' }),
      '/r/appsets/files.yaml': appSet(
        'files',
        [
          '  generators:',
          '    - git:',
          '        repoURL: https://github.com/org/apps',
          '        revision: HEAD',
          '        files:',
          "          - path: 'clusters/**/config.json'",
          "          - path: 'clusters/old/*'",
          '            exclude: true',
          '  template:',
          "    metadata: { name: '{{cluster.name}}-{{path.basename}}-{{path.filename}}' }",
          '    spec:',
          "      source: { repoURL: https://github.com/org/apps, path: '{{app}}' }",
          "      destination: { server: '{{cluster.address}}', namespace: '{{path[1]}}' }",
        ].join('\n'),
      ),
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(argo(found.environments), [
      'dev-dev-config.json guestbook ns=dev',
      'prod-prod-config.json kustomize-guestbook ns=prod',
    ]);
    const dev = found.environments.find((e) => e.name === 'dev-dev-config.json')!;
    assert.deepEqual(dev.definedAt, { file: 'clusters/dev/config.json', line: 1, column: 1 });
  });

  it('cluster generator: the cluster Secrets of the repo and the in-cluster one; a selector leaves in-cluster out', async () => {
    const secret = (name: string, server: string, env: string) =>
      [
        'apiVersion: v1',
        'kind: Secret',
        `metadata: { name: ${name}-secret, namespace: argocd, labels: { argocd.argoproj.io/secret-type: cluster, env: ${env} } }`,
        'type: Opaque',
        `stringData: { name: ${name}, server: '${server}', config: '{"bearerToken":"never-read"}' }`,
      ].join('\n');
    const clusterSet = (name: string, selector: string) =>
      appSet(
        name,
        [
          '  generators:',
          `    - clusters: {${selector}}`,
          '  template:',
          `    metadata: { name: '${name}-{{name}}' }`,
          '    spec:',
          '      source: { repoURL: https://github.com/org/apps, path: guestbook }',
          "      destination: { server: '{{server}}', namespace: '{{metadata.labels.env}}' }",
        ].join('\n'),
      );
    const fs = new MemoryFileSystem({
      ...exampleApps,
      '/r/argocd/clusters.yaml': `${secret('eu-prod', 'https://eu.example:6443', 'prod')}\n---\n${secret('us-dev', 'https://us.example', 'dev')}\n`,
      '/r/appsets/all.yaml': clusterSet('all', ''),
      '/r/appsets/prod.yaml': clusterSet('prod', ' selector: { matchLabels: { env: prod } } '),
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(argo(found.environments), [
      'all-eu-prod guestbook ns=prod',
      'all-in-cluster guestbook ns={{metadata.labels.env}}',
      'all-us-dev guestbook ns=dev',
      'prod-eu-prod guestbook ns=prod',
    ]);
    const eu = found.environments.find((e) => e.name === 'all-eu-prod')!;
    assert.deepEqual(eu.definedAt, { file: 'argocd/clusters.yaml', line: 1, column: 1 });
  });

  it('matrix of git directories and a list with goTemplate, a generator selector and templatePatch', async () => {
    const fs = new MemoryFileSystem({
      ...exampleApps,
      '/r/apps/shop/overlays/dev/kustomization.yaml': 'resources: []\n',
      '/r/apps/shop/overlays/prod/kustomization.yaml': 'resources: []\n',
      '/r/apps/cart/overlays/prod/kustomization.yaml': 'resources: []\n',
      '/r/appsets/matrix.yaml': appSet(
        'matrix',
        [
          '  goTemplate: true',
          '  goTemplateOptions: ["missingkey=error"]',
          '  generators:',
          '    - matrix:',
          '        generators:',
          '          - git:',
          '              repoURL: https://github.com/org/apps',
          '              revision: HEAD',
          "              directories: [{ path: 'apps/*/overlays/*' }]",
          '          - list:',
          "              elements: [{ stage: '{{ index .path.segments 3 }}', replicas: 2 }]",
          '      selector:',
          '        matchExpressions: [{ key: path.basename, operator: In, values: [prod] }]',
          '  template:',
          "    metadata: { name: '{{ index .path.segments 1 }}-{{ .stage | upper }}' }",
          '    spec:',
          "      source: { repoURL: https://github.com/org/apps, path: '{{ .path.path }}' }",
          "      destination: { server: https://kubernetes.default.svc, namespace: '{{ .path.segments | first }}' }",
          '  templatePatch: |',
          '    spec:',
          '      destination:',
          '        namespace: {{ index .path.segments 1 }}-{{ .replicas }}',
        ].join('\n'),
      ),
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(found.problems, []);
    assert.deepEqual(argo(found.environments), [
      'cart-PROD apps/cart/overlays/prod ns=cart-2',
      'shop-PROD apps/shop/overlays/prod ns=shop-2',
    ]);
  });

  it('merge generator: the second generator overrides params of the sets with the same merge keys', async () => {
    const fs = new MemoryFileSystem({
      ...exampleApps,
      '/r/appsets/merge.yaml': appSet(
        'merge',
        [
          '  generators:',
          '    - merge:',
          '        mergeKeys: [app]',
          '        generators:',
          '          - list: { elements: [{ app: guestbook, ns: a }, { app: kustomize-guestbook, ns: b }] }',
          '          - list: { elements: [{ app: kustomize-guestbook, ns: overridden }, { app: unmatched, ns: c }] }',
          '  template:',
          "    metadata: { name: 'm-{{app}}' }",
          "    spec: { source: { repoURL: https://github.com/org/apps, path: '{{app}}' }, destination: { namespace: '{{ns}}' } }",
        ].join('\n'),
      ),
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(argo(found.environments), [
      'm-guestbook guestbook ns=a',
      'm-kustomize-guestbook kustomize-guestbook ns=overridden',
    ]);
  });

  it('a template calling an unsupported function yields no Application, with an error at the generator; other ApplicationSets still expand', async () => {
    const fs = new MemoryFileSystem({
      ...exampleApps,
      '/r/appsets/broken.yaml': appSet(
        'broken',
        [
          '  goTemplate: true',
          '  generators:',
          '    - list: { elements: [{ app: guestbook }] }',
          '  template:',
          "    metadata: { name: '{{ .app | sha1sum }}' }",
          "    spec: { source: { repoURL: https://github.com/org/apps, path: '{{ .app }}' }, destination: { namespace: x } }",
        ].join('\n'),
      ),
      '/r/appsets/fine.yaml': appSet(
        'fine',
        [
          '  generators:',
          '    - list: { elements: [{ app: guestbook }] }',
          '    - scmProvider: { github: { organization: org } }',
          '  template:',
          "    metadata: { name: 'fine-{{app}}' }",
          "    spec: { source: { repoURL: https://github.com/org/apps, path: '{{app}}' }, destination: { namespace: x } }",
        ].join('\n'),
      ),
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(argo(found.environments), ['fine-guestbook guestbook ns=x']);
    assert.deepEqual(
      found.problems.map((p) => `${p.severity} ${p.location?.file}:${p.location?.line} ${p.message}`),
      [
        'error appsets/broken.yaml:7 ApplicationSet broken: function "sha1sum" not supported; Argo CD generates no Application from it',
        "warning appsets/fine.yaml:7 ApplicationSet generator 'scmProvider' is not read (it asks Argo CD or an outside service): its Applications are not listed",
      ],
    );
  });
});

describe('ApplicationSet Applications as the controller writes them (applicationset_controller.go)', () => {
  const expand = async (spec: string[]) => {
    const lines = new LineCounter();
    const doc = parseDocument(appSet('set', spec.join('\n')), { lineCounter: lines });
    return expandApplicationSet(doc, new FileLocator('appsets/set.yaml', lines), {
      folders: ['guestbook', 'kustomize-guestbook'],
      files: [],
      readFile: () => Promise.resolve(undefined),
      clusters: [],
      isThisRepo: () => true,
    });
  };
  const template = (extra: string[] = []) => [
    '  template:',
    "    metadata: { name: '{{name}}', namespace: elsewhere }",
    '    spec:',
    "      source: { repoURL: https://github.com/org/apps, path: '{{app}}', kustomize: {}, helm: { skipCrds: false }, directory: { recurse: false, include: '*.yaml' } }",
    '      destination: { server: https://kubernetes.default.svc, namespace: x }',
    ...extra,
  ];

  it("puts each Application in the ApplicationSet's namespace, whatever the template says", async () => {
    const { applications } = await expand([
      '  generators:',
      '    - list: { elements: [{ app: guestbook, name: a }] }',
      ...template(),
    ]);
    assert.deepEqual(
      applications.map((a) => (a.object.metadata as { namespace?: string }).namespace),
      ['argocd'],
    );
  });

  it('normalises the spec: an empty project is default, empty syncPolicy and source options dropped', async () => {
    const { applications } = await expand([
      '  generators:',
      '    - list: { elements: [{ app: guestbook, name: a }] }',
      ...template(["      project: ''", '      syncPolicy: { syncOptions: [] }']),
    ]);
    const spec = applications[0].object.spec as Record<string, unknown>;
    assert.equal(spec.project, 'default');
    assert.equal('syncPolicy' in spec, false);
    // A directory without recurse or Jsonnet keeps only include/exclude, so a kustomize folder stays kustomize.
    assert.deepEqual(spec.source, {
      repoURL: 'https://github.com/org/apps',
      path: 'guestbook',
      directory: { include: '*.yaml' },
    });
  });

  it('creates none of the Applications that share a name and all the others, with an error at the second', async () => {
    const { applications, problems } = await expand([
      '  generators:',
      '    - list:',
      '        elements:',
      '          - { app: guestbook, name: same }',
      '          - { app: kustomize-guestbook, name: same }',
      '          - { app: guestbook, name: other }',
      ...template(),
    ]);
    assert.deepEqual(
      applications.map((a) => a.name),
      ['other'],
    );
    assert.deepEqual(
      problems.map((p) => `${p.severity} ${p.location?.line} ${p.message}`),
      [
        "error 9 ApplicationSet set: 2 generated Applications are named 'same': Argo CD creates none of them (duplicate name)",
      ],
    );
  });
});
