import { strict as assert } from 'node:assert';
import type { Origin } from '../../../src/core/model/location';
import { type ProblemError } from '../../../src/core/model/problem';
import { nameHash, goJson } from '../../../src/core/render/kustomize/hash';
import { encodeBase64, parseEnvFile } from '../../../src/core/render/kustomize/generators';
import { editImage, splitImage } from '../../../src/core/render/kustomize/filters/images';
import { applyJson6902 } from '../../../src/core/render/kustomize/filters/json6902';
import { applyStrategicMerge } from '../../../src/core/render/kustomize/filters/strategicMerge';
import { expand } from '../../../src/core/render/kustomize/filters/vars';
import { parseYaml } from '../../../src/core/yaml/parseYaml';
import { matchesLabelSelector } from '../../../src/core/render/kustomize/selector';
import { splitPath } from '../../../src/core/render/kustomize/fieldSpec';
import { fromPlain, toPlain, type TMap } from '../../../src/core/yaml/tree';

const at: Origin = { file: 'x.yaml', line: 1, column: 1, kind: 'resource' };

function yamlMap(text: string, file = 'f.yaml', kind: Origin['kind'] = 'resource'): TMap {
  const [doc] = parseYaml(text, file, kind);
  assert.equal(doc.kind, 'map');
  return doc as TMap;
}

describe('render filters', () => {
  describe('hash (api/hasher)', () => {
    it('matches suffixes kustomize v5.7.1 printed for the same data', () => {
      // Recorded from `kustomize build` of `configMapGenerator: [{name: cm, literals: [a=1]}]` and the same secret.
      assert.equal(
        nameHash(
          fromPlain({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } }, at) as TMap,
        ),
        'h29d89cmmt',
      );
      assert.equal(
        nameHash(
          fromPlain(
            { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { a: 'MQ==' } },
            at,
          ) as TMap,
        ),
        '25khgmg44c',
      );
    });

    it("encodes like Go's json.Marshal: sorted keys, HTML escapes", () => {
      assert.equal(
        goJson({ b: '<&>', a: ['\u2028', '"\\\n'] }),
        '{"a":["\\u2028","\\"\\\\\\n"],"b":"\\u003c\\u0026\\u003e"}',
      );
    });

    it('wraps secret base64 at 70 characters the way kustomize does', () => {
      assert.equal(encodeBase64('x'.repeat(40)), Buffer.from('x'.repeat(40)).toString('base64'));
      const long = encodeBase64('x'.repeat(60));
      assert.deepEqual(
        long.split('\n').map((l) => l.length),
        [70, 10, 0],
      );
    });
  });

  describe('env files', () => {
    it('keeps values verbatim, skips comments and blank lines, reads a bare key as empty, and reports lines', () => {
      assert.deepEqual(parseEnvFile('# c\n\nA=1\nB= "q" \r\nC=x=y\nD\n', 'e.env'), [
        { key: 'A', value: '1', line: 3 },
        { key: 'B', value: ' "q" ', line: 4 },
        { key: 'C', value: 'x=y', line: 5 },
        { key: 'D', value: '', line: 6 },
      ]);
      assert.throws(
        () => parseEnvFile('A=1\nBAD KEY=secret\n', 'e.env'),
        (e: ProblemError) => e.problem.location?.line === 2 && !e.message.includes('secret'),
      );
    });
  });

  describe('strategic merge patch', () => {
    const base = () =>
      yamlMap(`apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
      - name: app
        image: a
        env:
        - {name: X, value: x}
        - {name: Y, value: y}
      - name: side
        image: s
      tolerations:
      - {key: a}
`);

    it('merges by merge key with the patch items first, replaces keyless lists, deletes with null and $patch', () => {
      const target = base();
      const patch = yamlMap(
        `spec:
  template:
    spec:
      containers:
      - name: app
        env:
        - {name: Y, value: y2}
        - {name: X, $patch: delete}
        - {name: Z, value: z}
      - name: side
        $patch: delete
      tolerations:
      - {key: b}
`,
        'p.yaml',
        'strategicMergePatch',
      );
      assert.equal(applyStrategicMerge(target, patch, 'apps/v1', 'Deployment'), true);
      const spec = (toPlain(target) as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec;
      assert.deepEqual(spec.containers, [
        {
          name: 'app',
          image: 'a',
          env: [
            { name: 'Y', value: 'y2' },
            { name: 'Z', value: 'z' },
          ],
        },
      ]);
      assert.deepEqual(spec.tolerations, [{ key: 'b' }]);
      const env = (
        ((target.entries.get('spec') as TMap).entries.get('template') as TMap).entries.get('spec') as TMap
      ).entries.get('containers');
      assert.ok(env?.kind === 'seq');
      const app = env.items[0] as TMap;
      assert.equal(app.entries.get('image')?.origin.file, 'f.yaml', 'untouched fields keep the base origin');
      assert.equal(app.origin.file, 'f.yaml', 'a merged item keeps its base origin');
    });

    it('treats lists of custom resources as atomic and deletes the whole object with a top-level $patch: delete', () => {
      const cr = yamlMap(
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  items:\n  - {name: a, v: 1}\n',
      );
      applyStrategicMerge(cr, yamlMap('spec:\n  items:\n  - {name: b}\n'), 'example.com/v1', 'Widget');
      assert.deepEqual((toPlain(cr) as { spec: unknown }).spec, { items: [{ name: 'b' }] });
      assert.equal(applyStrategicMerge(cr, yamlMap('$patch: delete\n'), 'example.com/v1', 'Widget'), false);
    });

    it('keeps $setElementOrder and $retainKeys as literal keys, as kyaml does', () => {
      const target = base();
      applyStrategicMerge(target, yamlMap('spec:\n  $retainKeys: [template]\n'), 'apps/v1', 'Deployment');
      assert.deepEqual((toPlain(target) as { spec: Record<string, unknown> }).spec.$retainKeys, ['template']);
    });
  });

  describe('JSON6902', () => {
    it('applies add/replace/remove/move/copy/test and keeps the op value origins', () => {
      const doc = yamlMap('a: {b: [1, 2]}\nc: x\n');
      const ops = parseYaml(
        '- {op: add, path: /a/b/-, value: 3}\n- {op: replace, path: /c, value: y}\n- {op: copy, from: /c, path: /d}\n- {op: move, from: /d, path: /e}\n- {op: remove, path: /a/b/0}\n- {op: test, path: /e, value: y}\n',
        'ops.yaml',
        'json6902Patch',
      )[0];
      applyJson6902(doc, ops);
      assert.deepEqual(toPlain(doc), { a: { b: [2, 3] }, c: 'y', e: 'y' });
      assert.deepEqual(doc.entries.get('c')?.origin, { file: 'ops.yaml', line: 2, column: 27, kind: 'json6902Patch' });
    });

    it('fails at the op line on a missing path, an unknown op and a failed test', () => {
      const doc = () => yamlMap('a: 1\n');
      const ops = (t: string) => parseYaml(t, 'ops.yaml', 'json6902Patch')[0];
      assert.throws(
        () => applyJson6902(doc(), ops('- {op: add, path: /a, value: 2}\n- {op: remove, path: /zz}\n')),
        (e: ProblemError) => e.problem.location?.line === 2 && /does not exist/.test(e.message),
      );
      assert.throws(() => applyJson6902(doc(), ops('- {op: upsert, path: /a}\n')), /invalid JSON6902 op 'upsert'/);
      // kustomize's json-patch adds a missing map key on replace.
      const d = doc();
      applyJson6902(d, ops('- {op: replace, path: /b, value: 2}\n'));
      assert.deepEqual(toPlain(d), { a: 1, b: 2 });
      assert.throws(() => applyJson6902(doc(), ops('- {op: test, path: /a, value: 2}\n')), /test failed/);
    });
  });

  describe('images', () => {
    it("splits references like kustomize's image.Split (registry ports, tags, digests)", () => {
      assert.deepEqual(splitImage('registry:5000/app:1.2'), { name: 'registry:5000/app', tag: '1.2', digest: '' });
      assert.deepEqual(splitImage('app@sha256:abc'), { name: 'app', tag: '', digest: 'sha256:abc' });
      assert.deepEqual(splitImage('app:1@sha256:abc'), { name: 'app', tag: '1', digest: 'sha256:abc' });
    });

    it('replaces tag and digest together, keeps a digest on newName only, and matches the name exactly', () => {
      const o = at;
      assert.equal(editImage('nginx:1.25@sha256:aa', { name: 'nginx', newTag: '1.27', origin: o }), 'nginx:1.27');
      assert.equal(
        editImage('nginx@sha256:aa', { name: 'nginx', newName: 'mirror/nginx', origin: o }),
        'mirror/nginx@sha256:aa',
      );
      assert.equal(editImage('nginx-exporter:1', { name: 'nginx', newTag: '2', origin: o }), undefined);
    });
  });

  describe('vars', () => {
    it('expands $(NAME), keeps $$ as $ and leaves unknown names alone', () => {
      assert.equal(
        expand(
          '$(A).$(B).svc $$(A) $(C)',
          new Map([
            ['A', 'web'],
            ['B', 'prod'],
          ]),
        ),
        'web.prod.svc $(A) $(C)',
      );
    });
  });

  describe('selectors and field specs', () => {
    it('matches label selectors with =, !=, in, notin, exists and !exists', () => {
      const labels = new Map([
        ['app', 'web'],
        ['tier', 'front'],
      ]);
      assert.ok(matchesLabelSelector('app=web,tier in (front, back),!canary,tier', labels));
      assert.ok(!matchesLabelSelector('app!=web', labels));
      assert.ok(!matchesLabelSelector('tier notin (front)', labels));
    });

    it('splits field-spec paths on unescaped slashes and drops [] markers', () => {
      assert.deepEqual(splitPath('metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret'), [
        'metadata',
        'annotations',
        'nginx.ingress.kubernetes.io/auth-secret',
      ]);
      assert.deepEqual(splitPath('spec/volumeClaimTemplates[]/metadata/labels'), [
        'spec',
        'volumeClaimTemplates',
        'metadata',
        'labels',
      ]);
    });
  });
});
