import { strict as assert } from 'node:assert';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { Origin } from '../../../src/core/model/location';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';
import type { RenderResult } from '../../../src/core/render/types';

/** The 1-based line of the first line of `file` containing `needle` (so tests never hard-code line numbers). */
function lineOf(files: Record<string, string>, file: string, needle: string): number {
  const i = files[file].split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in ${file}`);
  return i + 1;
}

async function render(files: Record<string, string>, dir = 'app'): Promise<RenderResult> {
  return renderKustomization(dir, { fs: new MemoryFileSystem(files, '/repo'), repoRoot: '/repo' });
}

function origin(result: RenderResult, kind: string, name: string, pointer: string): Origin {
  const obj = result.objects.find((o) => o.key.kind === kind && o.key.name === name);
  assert.ok(obj, `no ${kind} ${name} in ${result.objects.map((o) => o.key.name).join(', ')}`);
  const o = obj.origins.get(pointer);
  assert.ok(o, `no origin for ${pointer}`);
  return o;
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: example/web:1.0
        envFrom:
        - configMapRef:
            name: settings
`;

describe('render origins: each field points at the line that last set it', () => {
  it('base resource fields point into the resource file, every path has an origin', async () => {
    const files = { 'app/kustomization.yaml': 'resources:\n- deploy.yaml\n', 'app/deploy.yaml': deployment };
    const r = await render(files);
    assert.deepEqual(origin(r, 'Deployment', 'web', '/spec/replicas'), {
      file: 'app/deploy.yaml',
      line: lineOf(files, 'app/deploy.yaml', 'replicas'),
      column: 3,
      kind: 'resource',
    });
    assert.equal(
      origin(r, 'Deployment', 'web', '/spec/template/spec/containers/0/image').line,
      lineOf(files, 'app/deploy.yaml', 'image:'),
    );
    const obj = r.objects[0];
    const count = (v: unknown): number =>
      v !== null && typeof v === 'object' ? 1 + Object.values(v).reduce((n: number, c) => n + count(c), 0) : 1;
    assert.equal(obj.origins.size, count(obj.object), 'one origin per map, list and scalar');
    assert.deepEqual(r.files, ['app/deploy.yaml', 'app/kustomization.yaml']);
  });

  it('an SMP patch file, a JSON6902 inline op, replicas and images point at their own lines', async () => {
    const files: Record<string, string> = {
      'base/kustomization.yaml': 'resources:\n- deploy.yaml\n',
      'base/deploy.yaml': deployment,
      'app/kustomization.yaml': `resources:
- ../base
patches:
- path: more-memory.yaml
- target:
    kind: Deployment
    name: web
  patch: |-
    - op: add
      path: /spec/template/spec/priorityClassName
      value: high
replicas:
- name: web
  count: 4
images:
- name: example/web
  newTag: "2.0"
`,
      'app/more-memory.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        resources:
          limits:
            memory: 1Gi
`,
    };
    const r = await render(files);
    const k = 'app/kustomization.yaml';
    assert.deepEqual(origin(r, 'Deployment', 'web', '/spec/template/spec/containers/0/resources/limits/memory'), {
      file: 'app/more-memory.yaml',
      line: lineOf(files, 'app/more-memory.yaml', 'memory:'),
      column: 13,
      kind: 'strategicMergePatch',
    });
    // The merged container keeps its base origin for fields the patch does not touch.
    assert.equal(origin(r, 'Deployment', 'web', '/spec/template/spec/containers/0/name').file, 'base/deploy.yaml');
    const op = origin(r, 'Deployment', 'web', '/spec/template/spec/priorityClassName');
    assert.deepEqual(op, { file: k, line: lineOf(files, k, 'value: high'), column: 7, kind: 'json6902Patch' });
    assert.deepEqual(origin(r, 'Deployment', 'web', '/spec/replicas'), {
      file: k,
      line: lineOf(files, k, 'count: 4'),
      column: 3,
      kind: 'replicas',
    });
    assert.deepEqual(origin(r, 'Deployment', 'web', '/spec/template/spec/containers/0/image'), {
      file: k,
      line: lineOf(files, k, 'newTag'),
      column: 3,
      kind: 'image',
    });
    assert.equal(r.objects[0].object.spec && (r.objects[0].object.spec as { replicas: number }).replicas, 4);
  });

  it('namespace, namePrefix, nameSuffix, commonLabels and commonAnnotations point at their entries', async () => {
    const files: Record<string, string> = {
      'app/kustomization.yaml': `namespace: shop
namePrefix: p-
nameSuffix: -s
commonLabels:
  team: blue
commonAnnotations:
  owner: ops
resources:
- deploy.yaml
`,
      'app/deploy.yaml': deployment,
    };
    const r = await render(files);
    const k = 'app/kustomization.yaml';
    assert.deepEqual(origin(r, 'Deployment', 'p-web-s', '/metadata/namespace'), {
      file: k,
      line: 1,
      column: 1,
      kind: 'namespace',
    });
    assert.deepEqual(origin(r, 'Deployment', 'p-web-s', '/metadata/name'), {
      file: k,
      line: 3,
      column: 1,
      kind: 'nameSuffix',
    });
    assert.deepEqual(origin(r, 'Deployment', 'p-web-s', '/spec/selector/matchLabels/team'), {
      file: k,
      line: lineOf(files, k, 'team: blue'),
      column: 3,
      kind: 'labels',
    });
    assert.deepEqual(origin(r, 'Deployment', 'p-web-s', '/spec/template/metadata/annotations/owner'), {
      file: k,
      line: lineOf(files, k, 'owner: ops'),
      column: 3,
      kind: 'annotations',
    });
    // A map the transformer had to create points at the transformer's key.
    assert.deepEqual(origin(r, 'Deployment', 'p-web-s', '/metadata/annotations'), {
      file: k,
      line: lineOf(files, k, 'commonAnnotations'),
      column: 1,
      kind: 'annotations',
    });

    const prefixOnly = await render({
      'app/kustomization.yaml': 'namePrefix: p-\nresources:\n- deploy.yaml\n',
      'app/deploy.yaml': deployment,
    });
    assert.equal(origin(prefixOnly, 'Deployment', 'p-web', '/metadata/name').kind, 'namePrefix');
  });

  it('generator data points at the literal, the env file line and the files entry; references at the generator name', async () => {
    const files: Record<string, string> = {
      'app/kustomization.yaml': `resources:
- deploy.yaml
configMapGenerator:
- name: settings
  envs:
  - app.env
  literals:
  - MODE=fast
  files:
  - conf/nginx.conf
`,
      'app/app.env': '# comment\nLOG=debug\n',
      'app/conf/nginx.conf': 'worker_processes 1;\n',
      'app/deploy.yaml': deployment,
    };
    const r = await render(files);
    const k = 'app/kustomization.yaml';
    const cm = r.objects.find((o) => o.key.kind === 'ConfigMap')!;
    assert.match(cm.key.name, /^settings-[a-z0-9]{10}$/);
    assert.deepEqual(cm.origins.get('/data/MODE'), {
      file: k,
      line: lineOf(files, k, 'MODE=fast'),
      column: 5,
      kind: 'generatorLiteral',
    });
    assert.deepEqual(cm.origins.get('/data/LOG'), { file: 'app/app.env', line: 2, column: 1, kind: 'generatorEnv' });
    assert.deepEqual(cm.origins.get('/data/nginx.conf'), {
      file: k,
      line: lineOf(files, k, 'nginx.conf'),
      column: 5,
      kind: 'generatorFile',
    });
    const ref = origin(r, 'Deployment', 'web', '/spec/template/spec/containers/0/envFrom/0/configMapRef/name');
    assert.deepEqual(ref, { file: k, line: lineOf(files, k, 'name: settings'), column: 3, kind: 'nameReference' });
  });

  it('inline patches point into the kustomization: block and quoted strings, first line included', async () => {
    const files: Record<string, string> = {
      'app/kustomization.yaml': `resources:
- deploy.yaml
patches:
- patch: |-
    spec:
      paused: true
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
- target: {kind: Deployment}
  patch: '[{"op": "add", "path": "/spec/minReadySeconds", "value": 5}]'
`,
      'app/deploy.yaml': deployment.replace('spec:\n  replicas: 1\n', 'spec:\n  replicas: 1\n  minReadySeconds: 1\n'),
    };
    const r = await render(files);
    const k = 'app/kustomization.yaml';
    assert.deepEqual(origin(r, 'Deployment', 'web', '/spec/paused'), {
      file: k,
      line: 6,
      column: 7,
      kind: 'strategicMergePatch',
    });
    const quoted = files[k].split('\n')[11];
    assert.deepEqual(origin(r, 'Deployment', 'web', '/spec/minReadySeconds'), {
      file: k,
      line: 12,
      column: quoted.indexOf('"value"') + 1,
      kind: 'json6902Patch',
    });
  });

  it('a replacement points at the source field it copied', async () => {
    const files: Record<string, string> = {
      'app/kustomization.yaml': `resources:
- deploy.yaml
- cm.yaml
replacements:
- source:
    kind: ConfigMap
    name: versions
    fieldPath: data.web
  targets:
  - select:
      kind: Deployment
    fieldPaths:
    - spec.template.spec.containers.[name=web].image
`,
      'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: versions\ndata:\n  web: example/web:3.0\n',
      'app/deploy.yaml': deployment,
    };
    const r = await render(files);
    assert.deepEqual(origin(r, 'Deployment', 'web', '/spec/template/spec/containers/0/image'), {
      file: 'app/cm.yaml',
      line: 6,
      column: 3,
      kind: 'replacement',
    });
  });
});
