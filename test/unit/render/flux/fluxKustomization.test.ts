import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../../../src/core/memoryFileSystem';
import type { Application } from '../../../../src/core/model/environment';
import type { KubeObject } from '../../../../src/core/model/resource';
import { ProblemError } from '../../../../src/core/model/problem';
import { renderApplication } from '../../../../src/core/render/application';
import type { RenderedObject, RenderOptions } from '../../../../src/core/render/types';
import { parse } from 'yaml';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: \${REPLICAS}
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.0
          env:
            - name: HOST
              value: "\${HOST:=localhost}"
            - name: KEEP
              value: $\${NOT_A_VAR}
`;

/** A Flux Kustomization manifest at clusters/prod/web.yaml (line 1 is its first line). */
function manifest(spec: string): string {
  return `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: web\n  namespace: flux-system\nspec:\n  path: ./apps/web\n${spec}`;
}

function fluxApp(text: string): Application {
  const object = parse(text) as KubeObject;
  return {
    name: 'web',
    source: { type: 'folder', path: 'apps/web' },
    renderer: 'flux-kustomization',
    controller: { object, at: { file: 'clusters/prod/web.yaml', line: 1, column: 1 } },
  };
}

async function render(spec: string, files: Record<string, string> = {}, options: Partial<RenderOptions> = {}) {
  const text = manifest(spec);
  const fs = new MemoryFileSystem({
    '/r/clusters/prod/web.yaml': text,
    '/r/apps/web/deploy.yaml': deployment,
    ...files,
  });
  return renderApplication(fluxApp(text), { fs, repoRoot: '/r', ...options });
}

const container = (r: RenderedObject) =>
  (
    r.object.spec as {
      template: { spec: { containers: { image: string; env: { name: string; value: unknown }[] }[] } };
    }
  ).template.spec.containers[0];

describe('flux-kustomization renderer', () => {
  it("writes the Kustomization's fields into the generated kustomization: targetNamespace, namePrefix, nameSuffix, images", async () => {
    const result = await render(
      '  targetNamespace: shop\n  namePrefix: p-\n  nameSuffix: -s\n  images:\n    - name: nginx\n      newTag: "2.0"\n',
    );
    const [web] = result.objects;
    assert.equal(web.object.metadata?.name, 'p-web-s');
    assert.equal(web.object.metadata?.namespace, 'shop');
    assert.equal(container(web).image, 'nginx:2.0');
    // Each value points at the Kustomization's line that set it.
    assert.deepEqual(
      [web.origins.get('/metadata/namespace')?.line, web.origins.get('/spec/template/spec/containers/0/image')?.line],
      [8, 13],
    );
    // A Flux folder without a kustomization is the normal case: no note about it.
    assert.deepEqual(result.problems, []);
  });

  it("replaces the folder's own namespace and prefix, appends patches after its own, and merges images by name", async () => {
    const files = {
      '/r/apps/web/kustomization.yaml':
        'namespace: base\nnamePrefix: own-\nresources: [deploy.yaml]\npatches:\n  - patch: |\n      - op: replace\n        path: /spec/replicas\n        value: 1\n    target: {kind: Deployment}\nimages:\n  - name: nginx\n    newName: mirror/nginx\n    newTag: "1.5"\n',
    };
    const spec =
      '  targetNamespace: shop\n  namePrefix: p-\n  patches:\n    - patch: |\n        - op: replace\n          path: /spec/replicas\n          value: 4\n      target:\n        kind: Deployment\n  images:\n    - name: nginx\n      digest: sha256:abc\n';
    const [web] = (await render(spec, files)).objects;
    assert.equal(web.object.metadata?.name, 'p-web');
    assert.equal(web.object.metadata?.namespace, 'shop');
    assert.equal((web.object.spec as { replicas: number }).replicas, 4);
    assert.equal(web.origins.get('/spec/replicas')?.file, 'clusters/prod/web.yaml');
    // newName kept from the folder; newTag dropped because the Kustomization sets the digest.
    assert.equal(container(web).image, 'mirror/nginx@sha256:abc');
  });

  it('substitutes postBuild variables: a plain value is typed again, a default applies, $${x} is kept as ${x}', async () => {
    const [web] = (await render('  postBuild:\n    substitute:\n      REPLICAS: "3"\n')).objects;
    assert.equal((web.object.spec as { replicas: unknown }).replicas, 3);
    assert.deepEqual(container(web).env, [
      { name: 'HOST', value: 'localhost' },
      { name: 'KEEP', value: '${NOT_A_VAR}' },
    ]);
    // The value still points at the line holding ${REPLICAS}; where REPLICAS is set is its related information.
    const origin = web.origins.get('/spec/replicas');
    assert.deepEqual([origin?.file, origin?.line], ['apps/web/deploy.yaml', 6]);
    assert.deepEqual(origin?.related, [
      {
        location: { file: 'clusters/prod/web.yaml', line: 10, column: 7 },
        message: '${REPLICAS} is set by postBuild.substitute',
      },
    ]);
  });

  it("substitutes a text that several values repeat at each of them: every value typed, pointing at its own line, with the variable's line related", async () => {
    // The renderer substitutes each distinct text once per Kustomization: repeats must still get their own origins.
    const second = deployment.replace('name: web\n', 'name: api\n');
    const files = {
      '/r/apps/web/kustomization.yaml': 'resources: [deploy.yaml, api.yaml]\n',
      '/r/apps/web/api.yaml': second,
    };
    const objects = (await render('  postBuild:\n    substitute:\n      REPLICAS: "3"\n      HOST: db\n', files))
      .objects;
    assert.deepEqual(
      objects.map((o) => [o.key.name, (o.object.spec as { replicas: unknown }).replicas, container(o).env[0].value]),
      [
        ['web', 3, 'db'],
        ['api', 3, 'db'],
      ],
    );
    for (const [o, file] of [
      [objects[0], 'apps/web/deploy.yaml'],
      [objects[1], 'apps/web/api.yaml'],
    ] as const) {
      const replicas = o.origins.get('/spec/replicas');
      assert.deepEqual([replicas?.file, replicas?.line, replicas?.related?.[0].location.line], [file, 6, 10]);
      const host = o.origins.get('/spec/template/spec/containers/0/env/0/value');
      assert.deepEqual([host?.file, host?.line, host?.related?.[0].location.line], [file, 14, 11]);
    }
    // The variables do not carry over to another Kustomization's render.
    const [other] = (await render('  postBuild:\n    substitute:\n      REPLICAS: "5"\n')).objects;
    assert.deepEqual(
      [(other.object.spec as { replicas: unknown }).replicas, container(other).env[0].value],
      [5, 'localhost'],
    );
  });

  it('substitutes nothing when no variable is defined (so $${x} stays as written), unless substituteStrategy is Always', async () => {
    const [kept] = (await render('  postBuild:\n    substitute: {}\n')).objects;
    assert.equal((kept.object.spec as { replicas: unknown }).replicas, '${REPLICAS}');
    assert.equal(container(kept).env[1].value, '$${NOT_A_VAR}');
    const [always] = (await render('  postBuild:\n    substituteStrategy: Always\n')).objects;
    // An unset variable without a default is empty: a lone ${REPLICAS} reads back as null.
    assert.equal((always.object.spec as { replicas: unknown }).replicas, null);
    assert.equal(container(always).env[1].value, '${NOT_A_VAR}');
  });

  it('leaves an object with the substitute: disabled label or annotation alone', async () => {
    const optedOut = deployment.replace(
      '  name: web\n',
      '  name: web\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n',
    );
    const [web] = (
      await render('  postBuild:\n    substitute:\n      REPLICAS: "3"\n', { '/r/apps/web/deploy.yaml': optedOut })
    ).objects;
    assert.equal((web.object.spec as { replicas: unknown }).replicas, '${REPLICAS}');
  });

  it('fails as Flux does on an invalid variable name and on a broken reference, at the line', async () => {
    await assert.rejects(
      render('  postBuild:\n    substitute:\n      my-var: x\n'),
      (e: unknown) =>
        e instanceof ProblemError && e.problem.location?.line === 10 && /not a valid name/.test(e.problem.message),
    );
    // Not a string: the API server would refuse the Kustomization (its CRD types the values as strings).
    await assert.rejects(
      render('  postBuild:\n    substitute:\n      REPLICAS: 3\n'),
      (e: unknown) =>
        e instanceof ProblemError && e.problem.location?.line === 10 && /must be a string/.test(e.problem.message),
    );
    const broken = deployment.replace('${REPLICAS}', '${REPLICAS');
    await assert.rejects(
      render('  postBuild:\n    substitute:\n      REPLICAS: "3"\n', { '/r/apps/web/deploy.yaml': broken }),
      (e: unknown) =>
        e instanceof ProblemError &&
        e.problem.location?.file === 'apps/web/deploy.yaml' &&
        e.problem.location.line === 6,
    );
  });

  it('reads substituteFrom through findObject: later sources win, the inline map over all; a missing optional one is skipped', async () => {
    const cm: RenderedObject = {
      object: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings' },
        data: { REPLICAS: '5', HOST: 'web.internal' },
      },
      key: { group: '', kind: 'ConfigMap', namespace: '', name: 'settings' },
      origins: new Map([
        ['/data/HOST', { file: 'clusters/prod/settings.yaml', line: 7, column: 3, kind: 'resource' as const }],
      ]),
      source: { file: 'clusters/prod/settings.yaml', line: 1, column: 1 },
    };
    const asked: string[] = [];
    const findObject: RenderOptions['findObject'] = async (kind, namespace, name) => {
      asked.push(`${kind} ${namespace} ${name}`);
      return name === 'settings' ? cm : undefined;
    };
    const spec =
      '  postBuild:\n    substitute:\n      REPLICAS: "2"\n    substituteFrom:\n      - kind: ConfigMap\n        name: settings\n      - kind: Secret\n        name: absent\n        optional: true\n';
    const [web] = (await render(spec, {}, { findObject })).objects;
    assert.deepEqual(asked, ['ConfigMap flux-system settings', 'Secret flux-system absent']);
    assert.equal((web.object.spec as { replicas: unknown }).replicas, 2);
    assert.equal(container(web).env[0].value, 'web.internal');
    assert.deepEqual(web.origins.get('/spec/template/spec/containers/0/env/0/value')?.related?.[0].location, {
      file: 'clusters/prod/settings.yaml',
      line: 7,
      column: 3,
    });
    // Not optional and not found: the render fails at the line naming it.
    const required = spec.replace('        optional: true\n', '');
    await assert.rejects(
      render(required, {}, { findObject }),
      (e: unknown) =>
        e instanceof ProblemError && e.problem.location?.line === 15 && /Secret\/absent/.test(e.problem.message),
    );
  });

  it('never puts a value from a Secret (SOPS-encrypted or not) into the render: a placeholder, marked for presence-only compare', async () => {
    for (const sops of [false, true]) {
      const secret: KubeObject = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'creds', namespace: 'flux-system' },
        data: { HOST: Buffer.from('db.secret.internal').toString('base64') },
        ...(sops ? { sops: { version: '3.9' } } : {}),
      };
      const found: RenderedObject = {
        object: secret,
        key: { group: '', kind: 'Secret', namespace: 'flux-system', name: 'creds' },
        origins: new Map(),
        source: { file: 'clusters/prod/creds.yaml', line: 1, column: 1 },
      };
      const [web] = (
        await render(
          '  postBuild:\n    substituteFrom:\n      - kind: Secret\n        name: creds\n',
          {},
          { findObject: async () => found },
        )
      ).objects;
      const value = container(web).env[0].value;
      assert.equal(
        value,
        sops ? '(substituted from Secret creds (SOPS-encrypted))' : '(substituted from Secret creds)',
      );
      assert.ok(!JSON.stringify(web.object).includes('db.secret.internal'));
      const origin = web.origins.get('/spec/template/spec/containers/0/env/0/value');
      assert.equal(origin?.secret, true);
      assert.match(origin?.related?.[0].message ?? '', /its value is not shown/);
    }
  });

  it("sets commonMetadata's labels and annotations on every object after substitution, pointing at the Kustomization", async () => {
    const [web] = (
      await render(
        '  commonMetadata:\n    labels:\n      team: "${TEAM}"\n  postBuild:\n    substitute:\n      TEAM: shop\n',
      )
    ).objects;
    assert.deepEqual(web.object.metadata?.labels, { team: '${TEAM}' });
    assert.deepEqual(
      [web.origins.get('/metadata/labels/team')?.line, web.origins.get('/metadata/labels/team')?.kind],
      [10, 'labels'],
    );
  });

  it('renders from the object it is given when that differs from its file (a child Kustomization as its parent patched it)', async () => {
    const text = manifest('  namePrefix: file-\n');
    const patched = fluxApp(manifest('  namePrefix: patched-\n'));
    const fs = new MemoryFileSystem({ '/r/clusters/prod/web.yaml': text, '/r/apps/web/deploy.yaml': deployment });
    const [web] = (await renderApplication(patched, { fs, repoRoot: '/r' })).objects;
    assert.equal(web.object.metadata?.name, 'patched-web');
    // No line of the file says it: the value points at the Kustomization's declaration.
    assert.equal(web.origins.get('/metadata/name')?.line, 1);
  });

  it('appends components, skipping a missing one only with ignoreMissingComponents', async () => {
    const files = {
      '/r/apps/web/kustomization.yaml': 'resources: [deploy.yaml]\n',
      '/r/apps/web/extra/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonLabels: {extra: "yes"}\n',
    };
    const [web] = (await render('  components: [extra, gone]\n  ignoreMissingComponents: true\n', files)).objects;
    assert.equal(web.object.metadata?.labels?.extra, 'yes');
    await assert.rejects(render('  components: [extra, gone]\n', files), /gone/);
    await assert.rejects(render('  components: [https://example.com/c]\n', files), /must be local and relative/);
  });

  describe('strict substitution (the StrictPostBuildSubstitutions feature gate)', () => {
    it('fails the build on a variable used without a default that nothing sets, at its line', async () => {
      const e = await render(
        '  postBuild:\n    substitute:\n      HOST: example.com\n',
        {},
        { strictSubstitution: true },
      ).then(
        () => assert.fail('rendered'),
        (err: unknown) => err,
      );
      assert.ok(e instanceof ProblemError);
      assert.match(e.message, /variable not set \(strict mode\): "REPLICAS"/);
      assert.deepEqual([e.problem.location?.file, e.problem.location?.line], ['apps/web/deploy.yaml', 6]);
    });

    it('accepts unset variables behind a default form, and set ones; off, an unset one is empty', async () => {
      const set = '  postBuild:\n    substitute:\n      REPLICAS: "2"\n';
      const strict = await render(set, {}, { strictSubstitution: true });
      assert.deepEqual(
        container(strict.objects[0]).env.map((e) => e.value),
        ['localhost', '${NOT_A_VAR}'],
      );
      const lax = await render('  postBuild:\n    substitute:\n      HOST: example.com\n');
      assert.equal((lax.objects[0].object.spec as { replicas: unknown }).replicas, null);
    });
  });

  describe('API versions (the API server drops a field its version does not declare)', () => {
    const v1beta2 = (spec: string) =>
      manifest(spec).replace('kustomize.toolkit.fluxcd.io/v1', 'kustomize.toolkit.fluxcd.io/v1beta2');
    async function renderText(text: string) {
      const fs = new MemoryFileSystem({ '/r/clusters/prod/web.yaml': text, '/r/apps/web/deploy.yaml': deployment });
      return renderApplication(fluxApp(text), { fs, repoRoot: '/r' });
    }

    it('v1beta2: applies patchesStrategicMerge, its values pointing at the manifest lines', async () => {
      const text = v1beta2(
        '  patchesStrategicMerge:\n    - apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n        name: web\n      spec:\n        replicas: 7\n',
      );
      const result = await renderText(text);
      assert.deepEqual(result.problems, []);
      assert.equal((result.objects[0].object.spec as { replicas: unknown }).replicas, 7);
      const origin = result.objects[0].origins.get('/spec/replicas');
      assert.deepEqual(
        [origin?.file, origin?.line, origin?.kind],
        ['clusters/prod/web.yaml', 14, 'strategicMergePatch'],
      );
    });

    it('v1beta2: skips namePrefix, nameSuffix and ignoreMissingComponents with a warning at the field', async () => {
      const result = await renderText(v1beta2('  namePrefix: prod-\n'));
      assert.equal(result.objects[0].object.metadata.name, 'web');
      assert.deepEqual(
        result.problems.map((p) => `${p.location?.line} ${p.message}`),
        [
          '8 namePrefix is not a field of kustomize.toolkit.fluxcd.io/v1beta2 Kustomizations: the API server drops it, so Flux never applies it (it is kustomize.toolkit.fluxcd.io/v1 only); skipped',
        ],
      );
    });

    it('v1: skips patchesStrategicMerge and patchesJson6902 with a warning (v1 replaced them with patches)', async () => {
      const result = await renderText(
        manifest(
          '  patchesStrategicMerge:\n    - apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n        name: web\n      spec:\n        replicas: 7\n',
        ),
      );
      assert.equal((result.objects[0].object.spec as { replicas: unknown }).replicas, '${REPLICAS}');
      assert.match(
        result.problems[0]?.message ?? '',
        /patchesStrategicMerge is not a field of kustomize\.toolkit\.fluxcd\.io\/v1 /,
      );
      assert.equal(result.problems[0]?.location?.line, 8);
    });
  });
});
