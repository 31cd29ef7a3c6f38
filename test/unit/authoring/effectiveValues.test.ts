import { strict as assert } from 'node:assert';
import {
  effectiveValues,
  environmentsUsing,
  type EnvironmentRender,
  fieldAtPosition,
  type FieldAtPosition,
  formatEffectiveValues,
} from '../../../src/core/authoring/effectiveValues';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';
import { positionOf, renderShop, shopFiles } from './shopOverlays';
import { runMasker } from '../../../src/core/drift/secrets';

/** The run's masks of the example tokens (the key is random per process, so the masks are too). */
const BASE_TOKEN_MASK = runMasker.mask(Buffer.from('base-token'));
const PROD_TOKEN_MASK = runMasker.mask(Buffer.from('prod-token'));

/** The field at the first `needle` (after `after`) of a fixture file. */
function fieldAt(file: string, needle: string, after?: string): FieldAtPosition {
  const { line, column } = positionOf(file, needle, after);
  const field = fieldAtPosition(shopFiles[file], file, line, column);
  assert.ok(field, `no field at ${needle}`);
  return field;
}

/** `env pointer value @file:line` per value: one string per line keeps the assertions exact and readable. */
function summary(field: FieldAtPosition, renders: EnvironmentRender[]): string[] {
  return effectiveValues(field, renders).map(
    (v) =>
      `${v.environment} ${v.object.kind} ${v.object.name} ${v.pointer} ${v.present ? JSON.stringify(v.value) : '(absent)'}${v.origin ? ` @${v.origin.file}:${v.origin.line}:${v.origin.column} ${v.origin.kind}` : ''}`,
  );
}

describe('fieldAtPosition: the field under the cursor', () => {
  const multi = [
    '# flags for the web app', // 1
    'apiVersion: v1', // 2
    'kind: ConfigMap', // 3
    'metadata:', // 4
    '  name: flags   # trailing', // 5
    'data:', // 6
    '  beta: "yes"', // 7
    '', // 8
    '---', // 9
    'apiVersion: v1', // 10
    'kind: List', // 11
    'items:', // 12
    '  - apiVersion: v1', // 13
    '    kind: Service', // 14
    '    metadata:', // 15
    '      name: web', // 16
    '    spec:', // 17
    '      ports:', // 18
    '        - port: 80', // 19
    '          targetPort: 8080', // 20
    '',
  ].join('\n');

  it('finds a key or its scalar value, with the document it belongs to', () => {
    const expected: FieldAtPosition = {
      file: 'base/deploy.yaml',
      pointer: '/spec/replicas',
      key: 'replicas',
      at: { file: 'base/deploy.yaml', line: 6, column: 3 },
      document: { file: 'base/deploy.yaml', line: 1, column: 1, endLine: 29 },
      documentKind: 'Deployment',
      documentName: 'web',
      targetPath: [{ token: 'spec' }, { token: 'replicas' }],
    };
    assert.deepEqual(fieldAtPosition(shopFiles['base/deploy.yaml'], 'base/deploy.yaml', 6, 3), expected);
    assert.deepEqual(
      fieldAtPosition(shopFiles['base/deploy.yaml'], 'base/deploy.yaml', 6, 13),
      expected,
      'on the value',
    );
    assert.deepEqual(fieldAtPosition(shopFiles['base/deploy.yaml'], 'base/deploy.yaml', 6, 11), expected, "on ': '");
  });

  it('addresses items of merge-keyed lists by their key, so a merge that moves them cannot lose them', () => {
    const field = fieldAt('base/deploy.yaml', 'value: json');
    assert.equal(field.pointer, '/spec/template/spec/containers/0/env/0/value');
    assert.deepEqual(field.targetPath, [
      { token: 'spec' },
      { token: 'template' },
      { token: 'spec' },
      { token: 'containers' },
      { token: '0', match: { name: 'web' } },
      { token: 'env' },
      { token: '0', match: { name: 'LOG_FORMAT' } },
      { token: 'value' },
    ]);
  });

  it('a field of a JSON6902 operation looks up the operation path', () => {
    const field = fieldAt('envs/prod/cpu.yaml', '500m');
    assert.equal(field.pointer, '/0/value');
    assert.equal(field.key, 'cpu', "an operation's value is named by the field it sets");
    assert.deepEqual(field.at, { file: 'envs/prod/cpu.yaml', line: 3, column: 3 });
    assert.deepEqual(
      field.targetPath.map((s) => s.token),
      ['spec', 'template', 'spec', 'containers', '1', 'resources', 'requests', 'cpu'],
    );
    assert.equal(field.documentKind, undefined);
  });

  it('is undefined on a comment, a trailing comment, a blank line, a document separator and indentation', () => {
    for (const [line, column] of [
      [1, 3],
      [5, 18],
      [8, 1],
      [9, 2],
      [7, 1],
    ])
      assert.equal(fieldAtPosition(multi, 'm.yaml', line, column), undefined, `${line}:${column}`);
    assert.equal(fieldAtPosition(multi, 'm.yaml', 99, 1), undefined, 'past the end');
  });

  it('picks the right document of a multi-document file, and the item of a List', () => {
    const beta = fieldAtPosition(multi, 'm.yaml', 7, 3)!;
    assert.deepEqual(
      [beta.pointer, beta.key, beta.document, beta.documentKind, beta.documentName],
      ['/data/beta', 'beta', { file: 'm.yaml', line: 2, column: 1, endLine: 7 }, 'ConfigMap', 'flags'],
    );
    const port = fieldAtPosition(multi, 'm.yaml', 19, 17)!;
    assert.deepEqual(
      [port.pointer, port.key, port.at, port.document, port.documentKind, port.documentName, port.targetPath],
      [
        '/spec/ports/0/port',
        'port',
        { file: 'm.yaml', line: 19, column: 11 },
        { file: 'm.yaml', line: 13, column: 5, endLine: 20 },
        'Service',
        'web',
        [{ token: 'spec' }, { token: 'ports' }, { token: '0', match: { port: '80' } }, { token: 'port' }],
      ],
    );
    const listKey = fieldAtPosition(multi, 'm.yaml', 12, 1)!;
    assert.deepEqual([listKey.pointer, listKey.documentKind], ['/items', 'List']);
  });
});

describe('effectiveValues: a field in each environment, and the line that set it there', () => {
  let renders: EnvironmentRender[];
  before(async () => {
    renders = await renderShop('dev', 'staging', 'prod');
  });

  it('a base field: each environment value, set by a replicas entry, a patch or the base itself', () => {
    const field = fieldAt('base/deploy.yaml', 'replicas');
    assert.deepEqual(effectiveValues(field, renders), [
      {
        environment: 'dev',
        object: { group: 'apps', kind: 'Deployment', namespace: 'shop-dev', name: 'dev-web' },
        pointer: '/spec/replicas',
        present: true,
        value: 1,
        origin: { file: 'envs/dev/kustomization.yaml', line: 7, column: 5, kind: 'replicas' },
      },
      {
        environment: 'staging',
        object: { group: 'apps', kind: 'Deployment', namespace: 'shop-staging', name: 'web' },
        pointer: '/spec/replicas',
        present: true,
        value: 2,
        origin: { file: 'envs/staging/replicas.yaml', line: 6, column: 3, kind: 'strategicMergePatch' },
      },
      {
        environment: 'prod',
        object: { group: 'apps', kind: 'Deployment', namespace: 'shop-prod', name: 'web-eu' },
        pointer: '/spec/replicas',
        present: true,
        value: 5,
        origin: { file: 'envs/prod/web-patch.yaml', line: 6, column: 3, kind: 'strategicMergePatch' },
      },
    ]);
    assert.equal(
      formatEffectiveValues(field.key, effectiveValues(field, renders)),
      'replicas: dev 1 (envs/dev/kustomization.yaml:7) · staging 2 (envs/staging/replicas.yaml:6) · prod 5 (envs/prod/web-patch.yaml:6)',
    );
  });

  it('follows list items by name where a patch merge moved them (prod puts its proxy container and REGION first)', () => {
    assert.deepEqual(summary(fieldAt('base/deploy.yaml', 'value: json'), renders), [
      'dev Deployment dev-web /spec/template/spec/containers/0/env/0/value "json" @base/deploy.yaml:20:15 resource',
      'staging Deployment web /spec/template/spec/containers/0/env/0/value "json" @base/deploy.yaml:20:15 resource',
      'prod Deployment web-eu /spec/template/spec/containers/1/env/1/value "json" @base/deploy.yaml:20:15 resource',
    ]);
    assert.deepEqual(summary(fieldAt('base/deploy.yaml', 'image:'), renders), [
      'dev Deployment dev-web /spec/template/spec/containers/0/image "shop/web:1.1.0-rc.1" @envs/dev/kustomization.yaml:10:5 image',
      'staging Deployment web /spec/template/spec/containers/0/image "shop/web:1.0.1" @envs/staging/kustomization.yaml:6:5 image',
      'prod Deployment web-eu /spec/template/spec/containers/1/image "shop/web:1.0.1" @envs/prod/kustomization.yaml:8:5 image',
    ]);
  });

  it('a strategic-merge patch field also shows the environments that do not read the patch', () => {
    const web = fieldAt('envs/prod/web-patch.yaml', 'name: web', 'containers');
    assert.equal(web.pointer, '/spec/template/spec/containers/1/name');
    assert.deepEqual(summary(web, renders), [
      'dev Deployment dev-web /spec/template/spec/containers/0/name "web" @base/deploy.yaml:16:11 resource',
      'staging Deployment web /spec/template/spec/containers/0/name "web" @base/deploy.yaml:16:11 resource',
      'prod Deployment web-eu /spec/template/spec/containers/1/name "web" @base/deploy.yaml:16:11 resource',
    ]);
    const region = fieldAt('envs/prod/web-patch.yaml', 'value: eu');
    assert.deepEqual(summary(region, renders), [
      'dev Deployment dev-web /spec/template/spec/containers/0/env/0/value (absent)',
      'staging Deployment web /spec/template/spec/containers/0/env/0/value (absent)',
      'prod Deployment web-eu /spec/template/spec/containers/1/env/0/value "eu" @envs/prod/web-patch.yaml:15:15 strategicMergePatch',
    ]);
    assert.equal(
      formatEffectiveValues(region.key, effectiveValues(region, renders)),
      'value: dev absent · staging absent · prod eu (envs/prod/web-patch.yaml:15)',
    );
    assert.equal(
      formatEffectiveValues('replicas', effectiveValues(fieldAt('envs/staging/replicas.yaml', 'replicas'), renders)),
      'replicas: dev 1 (envs/dev/kustomization.yaml:7) · staging 2 (envs/staging/replicas.yaml:6) · prod 5 (envs/prod/web-patch.yaml:6)',
    );
  });

  it('a JSON6902 operation value: its target path in each environment', () => {
    assert.deepEqual(summary(fieldAt('envs/prod/cpu.yaml', '500m'), renders), [
      'dev Deployment dev-web /spec/template/spec/containers/0/resources/requests/cpu "100m" @base/deploy.yaml:28:15 resource',
      'staging Deployment web /spec/template/spec/containers/0/resources/requests/cpu "100m" @base/deploy.yaml:28:15 resource',
      'prod Deployment web-eu /spec/template/spec/containers/1/resources/requests/cpu "500m" @envs/prod/cpu.yaml:3:3 json6902Patch',
    ]);
  });

  it('kustomization fields: the values an images tag, a replicas count and a generator literal set', () => {
    assert.deepEqual(summary(fieldAt('envs/prod/kustomization.yaml', 'newTag'), renders), [
      'dev Deployment dev-web /spec/template/spec/containers/0/image "shop/web:1.1.0-rc.1" @envs/dev/kustomization.yaml:10:5 image',
      'staging Deployment web /spec/template/spec/containers/0/image "shop/web:1.0.1" @envs/staging/kustomization.yaml:6:5 image',
      'prod Deployment web-eu /spec/template/spec/containers/1/image "shop/web:1.0.1" @envs/prod/kustomization.yaml:8:5 image',
    ]);
    assert.deepEqual(summary(fieldAt('envs/dev/kustomization.yaml', 'count'), renders), [
      'dev Deployment dev-web /spec/replicas 1 @envs/dev/kustomization.yaml:7:5 replicas',
      'staging Deployment web /spec/replicas 2 @envs/staging/replicas.yaml:6:3 strategicMergePatch',
      'prod Deployment web-eu /spec/replicas 5 @envs/prod/web-patch.yaml:6:3 strategicMergePatch',
    ]);
    assert.equal(
      fieldAt('envs/dev/kustomization.yaml', 'LOG_LEVEL').key,
      'LOG_LEVEL',
      'a literal is named by its data key',
    );
    assert.deepEqual(summary(fieldAt('envs/dev/kustomization.yaml', 'LOG_LEVEL'), renders), [
      'dev ConfigMap dev-web-config-8gmmth85d9 /data/LOG_LEVEL "debug" @envs/dev/kustomization.yaml:15:9 generatorLiteral',
      'staging ConfigMap web-config-k8fc48mdmd /data/LOG_LEVEL "info" @base/kustomization.yaml:7:9 generatorLiteral',
      'prod ConfigMap web-config-eu-6c46kh7fdb /data/LOG_LEVEL "warn" @envs/prod/kustomization.yaml:19:9 generatorLiteral',
    ]);
  });

  it('namespace: one value per environment in the hover, however many objects it set', () => {
    const field = fieldAt('envs/prod/kustomization.yaml', 'namespace');
    const values = effectiveValues(field, renders);
    assert.equal(values.length, 13, '4 objects in dev and staging, 5 in prod');
    assert.equal(
      formatEffectiveValues(field.key, values),
      'namespace: dev shop-dev (envs/dev/kustomization.yaml:3) · staging shop-staging (envs/staging/kustomization.yaml:3) · prod shop-prod (envs/prod/kustomization.yaml:4)',
    );
  });

  it("never shows a Secret's value: equal values mask equally across environments", () => {
    const values = effectiveValues(fieldAt('envs/prod/kustomization.yaml', 'API_TOKEN'), renders);
    assert.deepEqual(
      values.map((v) => [v.environment, v.pointer, v.value]),
      [
        ['dev', '/data/API_TOKEN', BASE_TOKEN_MASK],
        ['staging', '/data/API_TOKEN', BASE_TOKEN_MASK],
        ['prod', '/data/API_TOKEN', PROD_TOKEN_MASK],
      ],
    );
    const text = JSON.stringify(values);
    for (const secret of [
      'prod-token',
      'base-token',
      Buffer.from('prod-token').toString('base64'),
      Buffer.from('base-token').toString('base64'),
    ])
      assert.ok(!text.includes(secret), secret);
  });

  it('leaves out environments that do not render the object (the HPA exists in prod only)', () => {
    assert.deepEqual(summary(fieldAt('envs/prod/hpa.yaml', 'minReplicas'), renders), [
      'prod HorizontalPodAutoscaler web-eu /spec/minReplicas 5 @envs/prod/hpa.yaml:10:3 resource',
    ]);
    assert.deepEqual(summary(fieldAt('envs/prod/hpa.yaml', 'name: web', 'scaleTargetRef'), renders), [
      'prod HorizontalPodAutoscaler web-eu /spec/scaleTargetRef/name "web-eu" @envs/prod/kustomization.yaml:5:1 nameReference',
    ]);
  });

  it('a patch no environment reads yet: the object of its kind and name in every environment', () => {
    const text = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 9\n';
    const field = fieldAtPosition(text, 'envs/qa/replicas.yaml', 6, 3)!;
    assert.equal(
      formatEffectiveValues(field.key, effectiveValues(field, renders)),
      'replicas: dev 1 (envs/dev/kustomization.yaml:7) · staging 2 (envs/staging/replicas.yaml:6) · prod 5 (envs/prod/web-patch.yaml:6)',
    );
  });

  it('a kustomization key that sets no value itself has none', () => {
    assert.deepEqual(effectiveValues(fieldAt('envs/prod/kustomization.yaml', 'resources'), renders), []);
    assert.equal(formatEffectiveValues('resources', []), '');
  });

  it('shortens long values and lists an environment with several values once per value', () => {
    const long = 'x'.repeat(80);
    const at = { file: 'base/a.yaml', line: 3, column: 1, kind: 'resource' as const };
    const object = { group: '', kind: 'ConfigMap', namespace: 'ns', name: 'a' };
    const text = formatEffectiveValues('v', [
      { environment: 'dev', object, pointer: '/data/v', present: true, value: long, origin: at },
      {
        environment: 'dev',
        object: { ...object, name: 'b' },
        pointer: '/data/v',
        present: true,
        value: long,
        origin: at,
      },
      {
        environment: 'dev',
        object: { ...object, name: 'c' },
        pointer: '/data/v',
        present: true,
        value: { a: 1 },
        origin: { ...at, line: 9 },
      },
    ]);
    assert.equal(text, `v: dev ${'x'.repeat(59)}… (base/a.yaml:3), {"a":1} (base/a.yaml:9)`);
  });
});

describe('environmentsUsing: the environments whose render read a file', () => {
  it('lists them in the given order', async () => {
    const renders = await renderShop('dev', 'staging', 'prod');
    assert.deepEqual(environmentsUsing('base/deploy.yaml', renders), ['dev', 'staging', 'prod']);
    assert.deepEqual(environmentsUsing('envs/prod/web-patch.yaml', renders), ['prod']);
    assert.deepEqual(environmentsUsing('envs/qa/replicas.yaml', renders), []);
  });
});

describe('effectiveValues: inline patches in a kustomization file', () => {
  const files: Record<string, string> = {
    'base/kustomization.yaml': 'resources:\n  - deploy.yaml\n',
    'base/deploy.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      'spec:',
      '  replicas: 2', // 6
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          image: nginx:1.0',
      '          env:',
      '            - name: LOG',
      '              value: info', // 14
      '',
    ].join('\n'),
    'envs/dev/kustomization.yaml': 'resources:\n  - ../../base\n',
    'envs/prod/kustomization.yaml': [
      'resources:',
      '  - ../../base',
      'patches:',
      '  - target:',
      '      kind: Deployment',
      '      name: web',
      '    patch: |-',
      '      - op: replace',
      '        path: /spec/replicas',
      '        value: 5', // 10
      '  - patch: |-',
      '      apiVersion: apps/v1',
      '      kind: Deployment',
      '      metadata:',
      '        name: web',
      '      spec:',
      '        template:',
      '          spec:',
      '            containers:',
      '              - name: web',
      '                env:',
      '                  - name: LOG',
      '                    value: debug', // 23
      '',
    ].join('\n'),
  };
  const renders = async (): Promise<EnvironmentRender[]> => {
    const fs = new MemoryFileSystem(files, '/repo');
    return Promise.all(
      ['dev', 'prod'].map(async (name) => ({
        name,
        result: await renderKustomization(`envs/${name}`, { fs, repoRoot: '/repo' }),
      })),
    );
  };
  const kustomization = 'envs/prod/kustomization.yaml';

  it('a JSON6902 operation value: the field it sets, in each environment', async () => {
    const field = fieldAtPosition(files[kustomization], kustomization, 10, 16);
    assert.ok(field);
    assert.equal(field.key, 'replicas');
    assert.deepEqual(field.at, { file: kustomization, line: 10, column: 9 });
    assert.deepEqual(summary(field, await renders()), [
      'dev Deployment web /spec/replicas 2 @base/deploy.yaml:6:3 resource',
      'prod Deployment web /spec/replicas 5 @envs/prod/kustomization.yaml:10:9 json6902Patch',
    ]);
  });

  it('a strategic-merge patch field, list items found by their keys', async () => {
    const field = fieldAtPosition(files[kustomization], kustomization, 23, 29);
    assert.ok(field);
    assert.deepEqual(field.at, { file: kustomization, line: 23, column: 21 });
    assert.deepEqual(summary(field, await renders()), [
      'dev Deployment web /spec/template/spec/containers/0/env/0/value "info" @base/deploy.yaml:14:15 resource',
      'prod Deployment web /spec/template/spec/containers/0/env/0/value "debug" @envs/prod/kustomization.yaml:23:21 strategicMergePatch',
    ]);
  });

  it('nothing on the `patch: |-` header itself, which sets no value', async () => {
    const field = fieldAtPosition(files[kustomization], kustomization, 7, 5);
    assert.ok(field);
    assert.deepEqual(summary(field, await renders()), []);
  });
});
