import assert from 'node:assert/strict';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { KubeObject } from '../../../src/core/model/resource';
import type { ClusterWriter, WriteOutcome } from '../../../src/core/ports';
import { differingPaths } from '../../../src/core/drift/exactMode';
import { FakeReader, types } from './fakes';

/** A small overlay repo, rendered by the real in-process renderer. */
function repo(): MemoryFileSystem {
  return new MemoryFileSystem({
    '/r/base/kustomization.yaml':
      'resources:\n  - deploy.yaml\nconfigMapGenerator:\n  - name: app\n    literals:\n      - mode=fast\n',
    '/r/base/deploy.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      'spec:',
      '  replicas: 2',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          image: nginx:1.27',
      '',
    ].join('\n'),
    '/r/envs/prod/kustomization.yaml':
      'namespace: shop-prod\nresources:\n  - ../../base\nreplicas:\n  - name: web\n    count: 3\n',
    '/r/envs/dev/kustomization.yaml': 'resources:\n  - ../../base\n',
  });
}

const deployment = (namespace: string, replicas: number, managedBy = 'argocd-controller'): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace,
    managedFields: [
      {
        manager: managedBy,
        operation: 'Apply',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:spec': {
            'f:replicas': {},
            'f:template': {
              'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:name': {}, 'f:image': {} } } },
            },
          },
        },
      },
    ],
  },
  spec: {
    replicas,
    template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent' }] } },
  },
});

async function liveConfigMap(engine: DriftEngine, namespace: string): Promise<KubeObject> {
  const name = (await engine.render(await engine.environment('prod'))).objects.find(
    (o) => o.object.kind === 'ConfigMap',
  )!.object.metadata.name!;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { mode: 'fast' } };
}

describe('DriftEngine with the real renderer and reconcile', () => {
  it('reports drift on the line that set the value, with the namespace of an overlay or of the context', async () => {
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r' });
    const cm = await liveConfigMap(engine, 'shop-prod');
    const reader = new FakeReader([deployment('shop-prod', 5), cm, deployment('team-dev', 2)], types);
    const prod = await engine.check(await engine.environment('prod'), { reader, context: 'test' });
    assert.equal(prod.error, null);
    const web = prod.resources.find((r) => r.key.kind === 'Deployment')!;
    assert.equal(web.verdict, 'Drifted');
    assert.deepEqual(
      web.fields.map((f) => [f.path, f.desired, f.live, `${f.origin?.file}:${f.origin?.line}`]),
      [['/spec/replicas', 3, 5, 'envs/prod/kustomization.yaml:6']],
    );
    // dev's kustomization names no namespace: the context's is used, as kubectl apply does.
    const dev = await engine.check(await engine.environment('dev'), { reader, context: 'test', namespace: 'team-dev' });
    assert.deepEqual(
      dev.resources.map((r) => `${r.key.kind} ${r.key.namespace} ${r.verdict}`),
      ['ConfigMap team-dev Missing', 'Deployment team-dev InSync'],
    );
  });

  it('re-renders only the environments that read a changed file', async () => {
    const fs = repo();
    const engine = new DriftEngine({ fs, repoRoot: '/r' });
    await engine.render(await engine.environment('prod'));
    await engine.render(await engine.environment('dev'));
    fs.write(
      '/r/envs/prod/kustomization.yaml',
      'namespace: shop-prod\nresources:\n  - ../../base\nreplicas:\n  - name: web\n    count: 4\n',
    );
    assert.deepEqual((await engine.fileChanged('envs/prod/kustomization.yaml')).environments, ['prod']);
    fs.write('/r/base/deploy.yaml', (await fs.readFile('/r/base/deploy.yaml')).replace('nginx:1.27', 'nginx:1.28'));
    assert.deepEqual((await engine.fileChanged('base/deploy.yaml')).environments, ['dev']);
    const prod = await engine.render(await engine.environment('prod'));
    const spec = prod.objects.find((o) => o.object.kind === 'Deployment')!.object.spec as { replicas: number };
    assert.equal(spec.replicas, 4);
    // A file no render read changes nothing.
    assert.deepEqual((await engine.fileChanged('notes/readme.md')).environments, []);
  });

  it('re-reads only the reported file on a re-render, and sees its new text', async () => {
    const fs = repo();
    const reads: string[] = [];
    const counting = {
      readFile: (p: string) => (reads.push(p), fs.readFile(p)),
      readDir: (p: string) => fs.readDir(p),
      stat: (p: string) => fs.stat(p),
    };
    const engine = new DriftEngine({ fs: counting, repoRoot: '/r' });
    await engine.render(await engine.environment('prod'));
    fs.write('/r/base/deploy.yaml', (await fs.readFile('/r/base/deploy.yaml')).replace('nginx:1.27', 'nginx:1.28'));
    await engine.fileChanged('base/deploy.yaml');
    reads.length = 0;
    const prod = await engine.render(await engine.environment('prod'));
    assert.deepEqual(reads, ['/r/base/deploy.yaml']);
    const image = (
      prod.objects.find((o) => o.object.kind === 'Deployment')!.object.spec as {
        template: { spec: { containers: Array<{ image: string }> } };
      }
    ).template.spec.containers[0].image;
    assert.equal(image, 'nginx:1.28');
    // A deleted folder is forgotten whole: its files are read again (and found missing).
    fs.write('/r/base/deploy.yaml', (await fs.readFile('/r/base/deploy.yaml')).replace('replicas: 2', 'replicas: 5'));
    await engine.fileChanged('base');
    assert.equal(
      (
        (await engine.render(await engine.environment('dev'))).objects.find((o) => o.object.kind === 'Deployment')!
          .object.spec as { replicas: number }
      ).replicas,
      5,
    );
  });

  it('renders a folder without a kustomization file the way Flux does: every manifest, subfolders included', async () => {
    const fs = new MemoryFileSystem({
      '/r/clusters/prod/apps.yaml':
        'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: { name: apps, namespace: flux-system }\nspec: { path: ./apps/prod, targetNamespace: shop }\n',
      '/r/apps/prod/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n',
      '/r/apps/prod/extra/svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata: { name: s }\n',
      // Flux lists .yaml files only: a .json one is not rendered.
      '/r/apps/prod/extra/ignored.json': '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}}\n',
    });
    const engine = new DriftEngine({ fs, repoRoot: '/r' });
    // The cluster folder is the environment; its one Kustomization, the application.
    const env = await engine.environment('prod');
    const result = await engine.render(env);
    assert.deepEqual(result.objects.map((o) => `${o.key.kind}/${o.key.name} ${o.source.file}`).sort(), [
      'ConfigMap/a apps/prod/cm.yaml',
      'Service/s apps/prod/extra/svc.yaml',
    ]);
    assert.equal(env.applications[0].namespace, 'shop');
    // How Flux renders such a folder by design: no note about it.
    assert.deepEqual(result.problems, []);
    // Adding a kustomization file, or a manifest, changes what the folder renders.
    fs.write('/r/apps/prod/more.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: b }\n');
    assert.deepEqual((await engine.fileChanged('apps/prod/more.yaml')).environments, ['prod']);
    assert.equal((await engine.render(env)).objects.length, 3);
    fs.write('/r/apps/prod/kustomization.yaml', 'resources: [cm.yaml]\n');
    assert.deepEqual((await engine.fileChanged('apps/prod/kustomization.yaml')).environments, ['prod']);
    assert.deepEqual(
      (await engine.render(env)).objects.map((o) => o.key.name),
      ['a'],
    );
  });

  it('fails a Flux folder holding a .yaml file that is no Kubernetes object, at that file, as Flux fails it', async () => {
    const fs = new MemoryFileSystem({
      '/r/clusters/prod/apps.yaml':
        'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: { name: apps, namespace: flux-system }\nspec: { path: ./apps/prod }\n',
      '/r/apps/prod/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n',
      '/r/apps/prod/values.yaml': 'replicaCount: 2\n',
    });
    const engine = new DriftEngine({ fs, repoRoot: '/r' });
    await assert.rejects(
      engine.render(await engine.environment('prod')),
      /apps\/prod\/values\.yaml:1:1: resource has no kind/,
    );
  });

  it('renders nothing from a Helm chart folder (Chart.yaml, templates/) and says so, until Helm support lands', async () => {
    const chart = {
      'Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
      'values.yaml': 'replicaCount: 2\n',
      'templates/deployment.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n',
    };
    const files: Record<string, string> = {
      '/r/clusters/prod/apps.yaml': [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: { name: apps, namespace: flux-system }\nspec: { path: ./apps/prod }',
        'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: { name: chart, namespace: flux-system }\nspec: { path: ./charts/web }\n',
      ].join('\n---\n'),
      '/r/apps/prod/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n',
    };
    for (const [f, text] of Object.entries(chart)) {
      files[`/r/charts/web/${f}`] = text;
      files[`/r/apps/prod/web/${f}`] = text;
    }
    const engine = new DriftEngine({ fs: new MemoryFileSystem(files), repoRoot: '/r' });
    // A chart inside a plain folder is left out; the folder's manifests still render.
    const prod = await engine.environment('prod');
    const apps = await engine.renderApplication(
      prod,
      prod.applications.find((a) => a.name === 'apps')!,
    );
    assert.deepEqual(
      apps.objects.map((o) => o.key.name),
      ['a'],
    );
    assert.deepEqual(
      apps.problems.map((p) => `${p.severity} ${p.location?.file}:${p.location?.line} ${p.message}`),
      [
        'warning apps/prod/web/Chart.yaml:1 apps/prod/web is a Helm chart: it is not rendered until Helm support lands, so nothing from it is compared with the cluster',
      ],
    );
    // An environment that is a chart renders nothing, with one warning (no "resource has no kind", no parse errors).
    const chartEnv = await engine.renderApplication(
      prod,
      prod.applications.find((a) => a.name === 'chart')!,
    );
    assert.deepEqual(chartEnv.objects, []);
    assert.deepEqual(
      chartEnv.problems.map((p) => `${p.location?.file}:${p.location?.line} ${p.message}`),
      [
        'charts/web/Chart.yaml:1 charts/web is a Helm chart: it is not rendered until Helm support lands, so nothing from it is compared with the cluster',
      ],
    );
  });

  describe('exact mode', () => {
    /** A writer whose dry run returns `result(obj)`; records what it was sent. */
    function writer(result: (obj: KubeObject) => WriteOutcome): ClusterWriter & { sent: KubeObject[] } {
      const sent: KubeObject[] = [];
      return {
        sent,
        get: async () => ({ status: 'error', message: 'unused' }),
        delete: async () => ({ status: 'error', message: 'unused' }),
        apply: async (obj, options) => {
          assert.deepEqual(options, { fieldManager: 'gitops-drift', dryRun: true, force: true });
          sent.push(obj);
          return result(obj);
        },
      };
    }

    it('drops a difference the server would rewrite to the live value, and adds one the local diff missed', async () => {
      const engine = new DriftEngine({ fs: repo(), repoRoot: '/r' });
      const cm = await liveConfigMap(engine, 'shop-prod');
      const reader = new FakeReader([deployment('shop-prod', 5), cm], types);
      const prod = await engine.environment('prod');
      const w = writer((obj) => {
        // A webhook pins replicas to 5 (so git's 3 would not stick) and adds a label to ConfigMaps.
        if (obj.kind === 'Deployment')
          return {
            status: 'ok',
            created: false,
            object: {
              ...deployment('shop-prod', 5),
              metadata: { ...deployment('shop-prod', 5).metadata, generation: 9 },
            },
          };
        return {
          status: 'ok',
          created: false,
          object: { ...cm, metadata: { ...cm.metadata, labels: { injected: 'yes' } } },
        };
      });
      const report = await engine.check(prod, { reader, context: 'test', writer: w }, { exact: true });
      assert.deepEqual(
        w.sent.map((o) => `${o.kind} ${o.metadata.namespace}`),
        ['ConfigMap shop-prod', 'Deployment shop-prod'],
      );
      assert.deepEqual(
        report.resources.map((r) => [
          r.key.kind,
          r.verdict,
          r.fields.map((f) => ({ path: f.path, desired: f.desired, live: f.live })),
        ]),
        [
          ['ConfigMap', 'Drifted', [{ path: '/metadata/labels', desired: { injected: 'yes' }, live: undefined }]],
          ['Deployment', 'InSync', []],
        ],
      );
    });

    it('keeps the local verdict and says why when the dry run is refused, and warns without a writer', async () => {
      const engine = new DriftEngine({ fs: repo(), repoRoot: '/r' });
      const reader = new FakeReader([deployment('shop-prod', 5), await liveConfigMap(engine, 'shop-prod')], types);
      const prod = await engine.environment('prod');
      const refused = await engine.check(
        prod,
        {
          reader,
          context: 'test',
          writer: writer(() => ({ status: 'forbidden', message: 'cannot patch deployments' })),
        },
        { exact: true },
      );
      const web = refused.resources.find((r) => r.key.kind === 'Deployment')!;
      assert.equal(web.verdict, 'Drifted');
      assert.match(
        web.message ?? '',
        /^exact mode: the dry-run apply failed \(forbidden: cannot patch deployments\); local diff shown$/,
      );
      const noWriter = await engine.check(prod, { reader, context: 'test' }, { exact: true });
      assert.match(
        noWriter.problems.map((p) => p.message).join('\n'),
        /exact mode needs a cluster to dry-run against \(test\)/,
      );
    });

    it('lists the leaves where two objects differ', () => {
      assert.deepEqual(differingPaths({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { b: 2, c: [1, 3] }, e: 'y' }), [
        '/a/b',
        '/a/c/1',
        '/d',
        '/e',
      ]);
      assert.deepEqual(differingPaths({ l: [1] }, { l: [1, 2] }), ['/l']);
      assert.deepEqual(differingPaths({ 'a/b': 1 }, { 'a/b': 1 }), []);
    });
  });
});
