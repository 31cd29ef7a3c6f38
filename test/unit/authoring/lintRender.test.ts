import { strict as assert } from 'node:assert';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';
import { lintFiles, lintShown, REPO_ROOT, show } from './lintFixtures';

const deployment = (images: string[] = ['nginx:1.27'], initImages: string[] = []) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  selector:',
    '    matchLabels:',
    '      app: web',
    '  template:',
    '    metadata:',
    '      labels:',
    '        app: web',
    '    spec:',
    '      containers:',
    ...images.flatMap((image, i) => [`        - name: c${i}`, `          image: ${image}`]),
    ...(initImages.length
      ? [
          '      initContainers:',
          ...initImages.flatMap((image, i) => [`        - name: i${i}`, `          image: ${image}`]),
        ]
      : []),
    '',
  ].join('\n');

const base = { 'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n', 'base/deployment.yaml': deployment() };
const overBase = (extra = '') => `resources:\n  - ../../base\n${extra}`;

describe('lint: patch-no-match', () => {
  it('warns on a patch whose target selects nothing, naming the environment; a matching one is fine', async () => {
    const dev = overBase(
      'patches:\n  - target:\n      kind: Service\n    patch: |-\n      - op: add\n        path: /x\n        value: 1\n  - target:\n      kind: Deployment\n    patch: |-\n      - op: add\n        path: /metadata/labels\n        value: {x: "1"}\n',
    );
    assert.deepEqual(await lintShown({ ...base, 'envs/dev/kustomization.yaml': dev }, ['envs/dev']), [
      'envs/dev/kustomization.yaml:4:5-4:11 warning patch-no-match: dev: patch target matches nothing (kind: Service)',
    ]);
  });

  it('one finding for a base patch that matches nothing in every environment', async () => {
    const files = {
      ...base,
      'base/kustomization.yaml':
        'resources:\n  - deployment.yaml\npatches:\n  - path: cron.yaml\n    target:\n      kind: CronJob\n',
      'base/cron.yaml': '- op: add\n  path: /x\n  value: 1\n',
      'envs/dev/kustomization.yaml': overBase(),
      'envs/prod/kustomization.yaml': overBase(),
    };
    assert.deepEqual(await lintShown(files, ['envs/dev', 'envs/prod']), [
      'base/kustomization.yaml:4:5-4:9 warning patch-no-match: dev, prod: patch target matches nothing (kind: CronJob)',
    ]);
  });

  it('a patch without target naming no object fails the render: an error on the patch document', async () => {
    const files = {
      ...base,
      'envs/dev/kustomization.yaml': overBase('patches:\n  - path: patch.yaml\n'),
      'envs/dev/patch.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: other\n',
    };
    assert.deepEqual(await lintShown(files, ['envs/dev']), [
      "envs/dev/patch.yaml:1:1-1:11 error patch-no-match: dev: patch matches no resource: no Deployment named 'other'",
    ]);
  });
});

describe('lint: duplicate-resource (same object twice in a build)', () => {
  it('maps the render error to the code, at the second declaration', async () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n';
    const files = {
      'app/kustomization.yaml': 'resources:\n  - a.yaml\n  - b.yaml\n',
      'app/a.yaml': cm,
      'app/b.yaml': `# the same ConfigMap again\n${cm}`,
    };
    assert.deepEqual(await lintShown(files, ['app']), [
      'app/b.yaml:2:1-2:11 error duplicate-resource: app: duplicate resource ConfigMap c (already declared at app/a.yaml:1)',
    ]);
  });
});

describe('lint: selector-label', () => {
  it('warns once on commonLabels that reach a Deployment selector (next to its deprecation)', async () => {
    const files = {
      ...base,
      'base/kustomization.yaml': 'resources:\n  - deployment.yaml\ncommonLabels:\n  team: shop\n  tier: web\n',
      'envs/dev/kustomization.yaml': overBase(),
    };
    assert.deepEqual(await lintShown(files, ['envs/dev']), [
      "base/kustomization.yaml:3:1-3:13 warning deprecated-field: 'commonLabels' is deprecated. Use a labels entry with includeSelectors: true, which sets the same labels, selectors and pod templates.",
      "base/kustomization.yaml:3:1-3:13 warning selector-label: 'commonLabels' adds label 'team' to the selector of Deployment web: selectors are immutable, so changing this label later makes apply fail; use 'labels:' with includeSelectors: false",
    ]);
  });

  const labels =
    'resources:\n  - deployment.yaml\nlabels:\n  - pairs:\n      team: shop\n    includeSelectors: false\n  - pairs:\n      tier: web\n    includeSelectors: true\n';
  const expected =
    "base/kustomization.yaml:8:7-8:11 warning selector-label: 'labels' with includeSelectors: true adds label 'tier' to the selector of Deployment web: selectors are immutable, so changing this label later makes apply fail; use 'labels:' with includeSelectors: false";

  it('warns on the label key of labels: with includeSelectors: true, through an environment', async () => {
    assert.deepEqual(
      await lintShown({ ...base, 'base/kustomization.yaml': labels, 'envs/dev/kustomization.yaml': overBase() }, [
        'envs/dev',
      ]),
      [expected],
    );
  });

  it('renders a kustomization no environment reaches on its own (renderDirectory), and only that one', async () => {
    const files = {
      ...base,
      'base/kustomization.yaml': labels,
      'other/kustomization.yaml': 'resources:\n  - d.yaml\ncommonLabels:\n  a: b\n',
      'other/d.yaml': deployment(),
    };
    const fs = new MemoryFileSystem(files, REPO_ROOT);
    const rendered: string[] = [];
    const renderDirectory = (dir: string) => {
      rendered.push(dir);
      return renderKustomization(dir, { fs, repoRoot: REPO_ROOT });
    };
    const report = await lintFiles({ ...files, 'envs/dev/kustomization.yaml': '{}\n' }, [], { renderDirectory });
    assert.deepEqual(
      show(report.findings).filter((f) => f.includes('selector-label')),
      [
        expected,
        "other/kustomization.yaml:3:1-3:13 warning selector-label: 'commonLabels' adds label 'a' to the selector of Deployment web: selectors are immutable, so changing this label later makes apply fail; use 'labels:' with includeSelectors: false",
      ],
    );
    assert.deepEqual(rendered.sort(), ['base', 'other']);
  });

  it('is silent for selector labels when the render holds no workload with a selector, or includeSelectors is false', async () => {
    const service = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n';
    assert.deepEqual(
      await lintShown({
        'svc/kustomization.yaml':
          'resources:\n  - s.yaml\nlabels:\n  - pairs:\n      a: b\n    includeSelectors: true\n',
        'svc/s.yaml': service,
      }),
      [],
    );
    assert.deepEqual(
      await lintShown({
        ...base,
        'base/kustomization.yaml':
          'resources:\n  - deployment.yaml\nlabels:\n  - pairs:\n      a: b\n    includeSelectors: false\n',
      }),
      [],
    );
  });
});

describe('lint: mutable-image-tag', () => {
  const files = {
    'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'base/deployment.yaml': deployment(['nginx:latest', 'busybox'], ['alpine@sha256:0123456789abcdef', 'alpine:3.20']),
    'envs/dev/kustomization.yaml': overBase(),
    'envs/prod/kustomization.yaml': overBase('images:\n  - name: nginx\n    newTag: "1.27"\n'),
    'envs/staging/kustomization.yaml': overBase('images:\n  - name: busybox\n    newName: mirror.io/busybox\n'),
  };

  it('one finding per place that set a mutable image, naming the environments; tags and digests are fine', async () => {
    assert.deepEqual(await lintShown(files, ['envs/dev', 'envs/prod', 'envs/staging']), [
      "base/deployment.yaml:16:18-16:30 information mutable-image-tag: image 'nginx:latest' uses the mutable tag 'latest' (dev, staging): pin a digest (nginx@sha256:...) so every rollout runs the build that was tested",
      "base/deployment.yaml:18:18-18:25 information mutable-image-tag: image 'busybox' has no tag or digest, so it means ':latest' (dev, prod): pin a digest (busybox@sha256:...) so every rollout runs the build that was tested",
      "envs/staging/kustomization.yaml:5:14-5:31 information mutable-image-tag: image 'mirror.io/busybox' has no tag or digest, so it means ':latest' (staging): pin a digest (mirror.io/busybox@sha256:...) so every rollout runs the build that was tested",
    ]);
  });

  it('information only: the report holds no error or warning for it', async () => {
    const report = await lintFiles(files, ['envs/prod']);
    assert.deepEqual(
      report.findings.map((f) => f.severity),
      ['information'],
    );
  });
});

describe('lint: render-error and render-warning', () => {
  it('a render error on a value, merged across environments and prefixed with their names', async () => {
    const files = {
      ...base,
      'base/kustomization.yaml': 'resources:\n  - deployment.yaml\nreplicas:\n  - name: web\n    count: many\n',
      'envs/dev/kustomization.yaml': overBase(),
      'envs/prod/kustomization.yaml': overBase(),
    };
    assert.deepEqual(await lintShown(files, ['envs/dev', 'envs/prod']), [
      "base/kustomization.yaml:5:12-5:16 error render-error: dev, prod: replicas entry 'web' needs an integer count",
    ]);
  });

  it('inside an inline patch, where no node of the file starts, the rest of the line', async () => {
    const dev = overBase(
      'patches:\n  - target:\n      kind: Deployment\n    patch: |-\n      - op: remove   \n        path: /spec/nothing\n',
    );
    assert.deepEqual(await lintShown({ ...base, 'envs/dev/kustomization.yaml': dev }, ['envs/dev']), [
      "envs/dev/kustomization.yaml:7:9-7:19 error render-error: dev: cannot remove '/spec/nothing': it does not exist in the target",
    ]);
  });

  it('a render that fails for another reason is an error at the environment', async () => {
    const report = await lintFiles({ 'app/kustomization.yaml': 'resources: []\n' }, ['app'], {
      render: () => Promise.reject(new Error('boom')),
    });
    assert.deepEqual(show(report.findings), ['app:1:1-1:1 error render-error: app: render failed: boom']);
  });

  it('render warnings: unsupported fields and remote resources', async () => {
    const files = {
      'app/kustomization.yaml':
        'resources:\n  - https://github.com/acme/config//base?ref=v1\nhelmCharts:\n  - name: redis\n    repo: https://charts.example.com\n    version: 1.0.0\n',
    };
    assert.deepEqual(await lintShown(files, ['app']), [
      "app/kustomization.yaml:2:5-2:48 warning render-warning: app: remote resource 'https://github.com/acme/config//base?ref=v1' is not fetched; skipped",
      "app/kustomization.yaml:4:5-4:9 warning render-warning: app: helmCharts 'redis': chart charts.example.com/redis 1.0.0 not downloaded: chart downloads are off: enable the setting gitopsDrift.helm.chartDownloads in the editor (a trusted workspace only: trust it first), or pass --chart-downloads to the CLI (check, diff, render, lint) to download and render it (kustomize would pull it into app/charts/redis-1.0.0/redis); the chart's objects are missing from this render",
    ]);
  });

  it('a clean repo has no findings, and the report counts what was looked at', async () => {
    const report = await lintFiles(
      { ...base, 'envs/dev/kustomization.yaml': overBase(), 'envs/prod/kustomization.yaml': overBase() },
      ['envs/dev', 'envs/prod'],
    );
    assert.deepEqual(report, { findings: [], kustomizations: 3, files: 4, environments: 2 });
  });
});

describe('lint: the whole report', () => {
  it('sorts findings by file, line and column, static and render findings together', async () => {
    const files = {
      ...base,
      'base/deployment.yaml': deployment(['nginx']),
      'envs/dev/kustomization.yaml': 'bases:\n  - ../../base\nopenapi: {path: s.json}\n',
      'envs/dev/secret.yaml': 'kind: Secret\nmetadata:\n  name: s\ndata:\n  k: dg==\n',
      'a/kustomization.yaml': 'resources:\n  - nothing.yaml\n',
    };
    assert.deepEqual(
      (await lintShown(files, ['envs/dev'])).map((s) => s.split(': ')[0]),
      [
        'a/kustomization.yaml:2:5-2:17 error missing-path',
        'base/deployment.yaml:16:18-16:23 information mutable-image-tag',
        'envs/dev/kustomization.yaml:1:1-1:6 warning deprecated-field',
        'envs/dev/kustomization.yaml:3:1-3:8 warning render-warning',
        'envs/dev/secret.yaml:4:1-4:5 warning plaintext-secret',
      ],
    );
  });
});

describe('lint: deprecated-field in Kubernetes objects (the pinned API marks them)', () => {
  const withDeprecated = deployment().replace(
    '      containers:\n',
    [
      '      serviceAccount: web',
      '      volumes:',
      '        - name: data',
      '          emptyDir: {}',
      '        - name: src',
      '          gitRepo:',
      '            repository: https://example.com/r.git',
      '      containers:',
      '',
    ].join('\n'),
  );

  it("warns on the key of each deprecated field, once however many environments render it, with the API's reason", async () => {
    const files = {
      ...base,
      'base/deployment.yaml': withDeprecated,
      'envs/dev/kustomization.yaml': overBase('namePrefix: dev-\n'),
      'envs/prod/kustomization.yaml': overBase('namePrefix: prod-\n'),
    };
    assert.deepEqual(await lintShown(files, ['envs/dev', 'envs/prod']), [
      "base/deployment.yaml:14:7-14:21 warning deprecated-field: Deployment field 'spec.template.spec.serviceAccount' is deprecated in the Kubernetes v1.35.4 API. Use serviceAccountName instead.",
      "base/deployment.yaml:19:11-19:18 warning deprecated-field: Deployment field 'spec.template.spec.volumes[].gitRepo' is deprecated in the Kubernetes v1.35.4 API. GitRepo is deprecated. To provision a container with a git repo, mount an EmptyDir into an InitContainer that clones the repo using git, then mount the EmptyDir into the Pod's container.",
    ]);
  });

  it('points at the patch that set the field, not the resource', async () => {
    const patch =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      serviceAccount: legacy\n';
    const files = {
      ...base,
      'envs/dev/kustomization.yaml': overBase('patches:\n  - path: sa.yaml\n'),
      'envs/dev/sa.yaml': patch,
    };
    assert.deepEqual(await lintShown(files, ['envs/dev']), [
      "envs/dev/sa.yaml:8:7-8:21 warning deprecated-field: Deployment field 'spec.template.spec.serviceAccount' is deprecated in the Kubernetes v1.35.4 API. Use serviceAccountName instead.",
    ]);
  });

  it('says nothing of the current field, nor of a custom resource with the same shape', async () => {
    const crd =
      'apiVersion: example.com/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n  template:\n    spec:\n      serviceAccount: x\n';
    const files = {
      ...base,
      'base/deployment.yaml': deployment().replace(
        '      containers:\n',
        '      serviceAccountName: web\n      containers:\n',
      ),
      'base/w.yaml': crd,
      'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n  - w.yaml\n',
    };
    assert.deepEqual(await lintShown(files, ['base']), []);
  });
});
