import assert from 'node:assert/strict';
import {
  rewriteDeprecatedField,
  type DeprecatedField,
  type FieldRewrite,
} from '../../../src/core/authoring/deprecatedFields';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';

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
        image: nginx:1.0
`;
const service = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n';
const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n';

/** A base with a Deployment and a Service, and a ConfigMap beside the overlay. */
const repo: Record<string, string> = {
  'base/kustomization.yaml': 'resources:\n- deployment.yaml\n- service.yaml\n',
  'base/deployment.yaml': deployment,
  'base/service.yaml': service,
  'app/settings.yaml': configMap,
  'app/replicas2.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n',
  'app/replicas3.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n',
  'app/replicas5.json': '[{"op": "replace", "path": "/spec/replicas", "value": 5}]',
  'app/rename.yaml': '- op: replace\n  path: /metadata/name\n  value: renamed\n',
};

async function render(kustomization: string): Promise<unknown[]> {
  const fs = new MemoryFileSystem({ ...repo, 'app/kustomization.yaml': kustomization }, '/repo');
  const result = await renderKustomization('app', { fs, repoRoot: '/repo' });
  return result.objects.map((o) => o.object);
}

function rewritten(result: FieldRewrite): string {
  assert.ok('newText' in result, `refused: ${'reason' in result ? result.reason : ''}`);
  return result.newText;
}

/** Rewrites `field`, checks the exact text, and that the overlay renders the same objects before and after. */
async function assertRewrite(before: string, field: DeprecatedField, after: string): Promise<unknown[]> {
  const text = rewritten(rewriteDeprecatedField(before, field));
  assert.equal(text, after);
  const objects = await render(before);
  assert.deepEqual(await render(text), objects);
  return objects;
}

function reason(result: FieldRewrite): string {
  assert.ok('reason' in result, 'expected a refusal');
  return result.reason;
}

const replicasOf = (objects: unknown[]) =>
  (objects.find((o) => (o as { kind: string }).kind === 'Deployment') as { spec: { replicas: number } }).spec.replicas;

describe('rewriteDeprecatedField', () => {
  describe('bases', () => {
    it('moves the entries after resources (the build reads them in that order), keeping comments and quotes', async () => {
      const before = 'resources:\n- settings.yaml # own\nbases:\n- ../base # the base\nsortOptions:\n  order: fifo\n';
      const result = rewriteDeprecatedField(before, 'bases');
      assert.deepEqual(result, {
        edits: [{ start: 33, end: 61, newText: '- ../base # the base\n' }],
        newText: 'resources:\n- settings.yaml # own\n- ../base # the base\nsortOptions:\n  order: fifo\n',
      });
      // fifo output follows the entries' order: a base moved before the ConfigMap would reorder the objects.
      const objects = await assertRewrite(before, 'bases', rewritten(result));
      assert.deepEqual(
        objects.map((o) => (o as { kind: string }).kind),
        ['ConfigMap', 'Deployment', 'Service'],
      );
    });

    it('renames the key when there is no resources field', async () => {
      const result = rewriteDeprecatedField('bases:   # layers\n  - ../base\n', 'bases');
      assert.deepEqual(result, {
        edits: [{ start: 0, end: 5, newText: 'resources' }],
        newText: 'resources:   # layers\n  - ../base\n',
      });
    });

    it('moves a block list that comes first to the end of resources, re-indented to its dashes', async () => {
      await assertRewrite(
        'bases:\n- ../base\nresources:\n  - settings.yaml\n',
        'bases',
        'resources:\n  - settings.yaml\n  - ../base\n',
      );
    });

    it('appends to a flow resources list, and a flow bases list to a block one', async () => {
      await assertRewrite(
        'resources: [settings.yaml] # own\nbases:\n- ../base\n',
        'bases',
        'resources: [settings.yaml, ../base] # own\n',
      );
      await assertRewrite(
        "resources:\n  - settings.yaml\nbases: ['../base']\n",
        'bases',
        "resources:\n  - settings.yaml\n  - '../base'\n",
      );
    });

    it('keeps CRLF line breaks and a missing final line break', async () => {
      assert.equal(
        rewritten(rewriteDeprecatedField('resources:\r\n- settings.yaml\r\nbases:\r\n- ../base\r\n', 'bases')),
        'resources:\r\n- settings.yaml\r\n- ../base\r\n',
      );
      assert.equal(
        rewritten(rewriteDeprecatedField('bases:\n- ../base\nresources:\n- settings.yaml', 'bases')),
        'resources:\n- settings.yaml\n- ../base',
      );
    });

    it('drops an empty bases field, and replaces an empty resources field', () => {
      assert.equal(
        rewritten(rewriteDeprecatedField('bases: []\nresources:\n- a.yaml\n', 'bases')),
        'resources:\n- a.yaml\n',
      );
      assert.equal(
        rewritten(rewriteDeprecatedField('resources:\nbases:\n- ../base\n', 'bases')),
        'resources:\n- ../base\n',
      );
    });
  });

  describe('commonLabels', () => {
    it('becomes a labels entry with includeSelectors, so selectors and templates get the labels as before', async () => {
      const before = 'resources:\n- ../base\ncommonLabels:\n  team: shop # owner\n  "tier": web\n';
      const after =
        'resources:\n- ../base\nlabels:\n- pairs:\n    team: shop # owner\n    "tier": web\n  includeSelectors: true\n';
      assert.deepEqual(rewriteDeprecatedField(before, 'commonLabels'), {
        edits: [
          { start: 21, end: 33, newText: 'labels' },
          {
            start: 35,
            end: 70,
            newText: '- pairs:\n    team: shop # owner\n    "tier": web\n  includeSelectors: true\n',
          },
        ],
        newText: after,
      });
      const objects = await assertRewrite(before, 'commonLabels', after);
      const svc = objects.find((o) => (o as { kind: string }).kind === 'Service') as {
        spec: { selector: Record<string, string> };
      };
      assert.deepEqual(svc.spec.selector, { app: 'web', team: 'shop', tier: 'web' });
    });

    it("follows the file's list indentation and writes a flow map as a flow list", async () => {
      await assertRewrite(
        'resources:\n  - ../base\ncommonLabels:\n  team: shop\n',
        'commonLabels',
        'resources:\n  - ../base\nlabels:\n  - pairs:\n      team: shop\n    includeSelectors: true\n',
      );
      await assertRewrite(
        'resources: [../base]\ncommonLabels: {team: shop}\n',
        'commonLabels',
        'resources: [../base]\nlabels: [{ pairs: {team: shop}, includeSelectors: true }]\n',
      );
    });

    it('goes after the existing labels entries (the build applies commonLabels last)', async () => {
      const before =
        'resources:\n- ../base\nlabels:\n- pairs:\n    env: prod\n  includeTemplates: true\ncommonLabels:\n  team: shop\n';
      await assertRewrite(
        before,
        'commonLabels',
        'resources:\n- ../base\nlabels:\n- pairs:\n    env: prod\n  includeTemplates: true\n- pairs:\n    team: shop\n  includeSelectors: true\n',
      );
      await assertRewrite(
        'resources:\n- ../base\nlabels: [{pairs: {env: prod}}]\ncommonLabels:\n  team: shop # owner\n',
        'commonLabels',
        'resources:\n- ../base\nlabels: [{pairs: {env: prod}}, { pairs: { team: shop }, includeSelectors: true }]\n',
      );
    });

    it('refuses a label set in both fields, as kustomize edit fix does', () => {
      assert.equal(
        reason(rewriteDeprecatedField('labels:\n- pairs:\n    team: a\ncommonLabels:\n  team: b\n', 'commonLabels')),
        "label 'team' is set by both commonLabels and labels (kustomize edit fix refuses this too)",
      );
    });
  });

  describe('patchesStrategicMerge', () => {
    it('turns file entries into path: and inline patches into patch: where they stand', async () => {
      const before = [
        'resources:',
        '- ../base',
        'patchesStrategicMerge:',
        '- replicas2.yaml # two',
        '- |-',
        '  apiVersion: v1',
        '  kind: Service',
        '  metadata:',
        '    name: web',
        '    labels:',
        '      patched: "yes"',
        '',
      ].join('\n');
      const after = [
        'resources:',
        '- ../base',
        'patches:',
        '- path: replicas2.yaml # two',
        '- patch: |-',
        '    apiVersion: v1',
        '    kind: Service',
        '    metadata:',
        '      name: web',
        '      labels:',
        '        patched: "yes"',
        '',
      ].join('\n');
      const result = rewriteDeprecatedField(before, 'patchesStrategicMerge');
      assert.deepEqual('edits' in result && result.edits, [
        { start: 21, end: 42, newText: 'patches' },
        { start: 46, end: 60, newText: 'path: replicas2.yaml' },
        {
          start: 69,
          end: 163,
          newText:
            'patch: |-\n    apiVersion: v1\n    kind: Service\n    metadata:\n      name: web\n      labels:\n        patched: "yes"',
        },
      ]);
      const objects = await assertRewrite(before, 'patchesStrategicMerge', after);
      assert.equal(replicasOf(objects), 2);
    });

    it('goes before the existing patches (the build runs patchesStrategicMerge first)', async () => {
      const before =
        'resources:\n- ../base\npatches:\n  - path: replicas3.yaml\npatchesStrategicMerge:\n- replicas2.yaml\n';
      const objects = await assertRewrite(
        before,
        'patchesStrategicMerge',
        'resources:\n- ../base\npatches:\n  - path: replicas2.yaml\n  - path: replicas3.yaml\n',
      );
      // Appended, as kustomize edit fix does, the 2 would win.
      assert.equal(replicasOf(objects), 3);
      await assertRewrite(
        'resources:\n- ../base\npatches: [{path: replicas3.yaml}]\npatchesStrategicMerge: [replicas2.yaml]\n',
        'patchesStrategicMerge',
        'resources:\n- ../base\npatches: [{ path: replicas2.yaml }, {path: replicas3.yaml}]\n',
      );
    });

    it('converts a flow list in place, a quoted inline patch included', async () => {
      await assertRewrite(
        'resources:\n- ../base\npatchesStrategicMerge: [replicas2.yaml, "apiVersion: v1\\nkind: Service\\nmetadata:\\n  name: web\\n  annotations: {a: b}"]\n',
        'patchesStrategicMerge',
        'resources:\n- ../base\npatches: [{ path: replicas2.yaml }, { patch: "apiVersion: v1\\nkind: Service\\nmetadata:\\n  name: web\\n  annotations: {a: b}" }]\n',
      );
    });

    it("keeps a block patch's chomping and re-indents it under the new key", () => {
      assert.equal(
        rewritten(
          rewriteDeprecatedField(
            'patchesStrategicMerge:\n  - |+\n    a: 1\n\n  - p.yaml\nx: 1\n',
            'patchesStrategicMerge',
          ),
        ),
        'patches:\n  - patch: |+\n      a: 1\n\n  - path: p.yaml\nx: 1\n',
      );
    });

    it('refuses an entry that is neither a file nor an inline patch', () => {
      assert.equal(
        reason(rewriteDeprecatedField('patchesStrategicMerge:\n- {path: a.yaml}\n', 'patchesStrategicMerge')),
        'the entry on line 2 is neither a file name nor an inline patch',
      );
    });
  });

  describe('patchesJson6902', () => {
    it('renames the key when nothing runs between patches and patchesJson6902', async () => {
      const before =
        'resources:\n- ../base\npatchesJson6902:\n- target:\n    kind: Deployment\n    name: web\n  path: replicas5.json\n';
      const objects = await assertRewrite(before, 'patchesJson6902', before.replace('patchesJson6902:', 'patches:'));
      assert.equal(replicasOf(objects), 5);
    });

    it('goes after the existing patches', async () => {
      const before =
        'resources:\n- ../base\npatchesJson6902:\n- target: {kind: Deployment, name: web}\n  path: replicas5.json\npatches:\n- path: replicas3.yaml\n';
      const objects = await assertRewrite(
        before,
        'patchesJson6902',
        'resources:\n- ../base\npatches:\n- path: replicas3.yaml\n- target: {kind: Deployment, name: web}\n  path: replicas5.json\n',
      );
      assert.equal(replicasOf(objects), 5);
    });

    it('moves a patch past namePrefix when its operations touch nothing namePrefix sets', async () => {
      const before =
        'resources:\n- ../base\nnamePrefix: prod-\npatchesJson6902:\n- target: {kind: Deployment, name: web}\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 4\n';
      await assertRewrite(before, 'patchesJson6902', before.replace('patchesJson6902:', 'patches:'));
      const withFile =
        'resources:\n- ../base\nnamePrefix: prod-\npatchesJson6902:\n- target: {kind: Deployment, name: web}\n  path: replicas5.json\n';
      assert.match(
        reason(rewriteDeprecatedField(withFile, 'patchesJson6902')),
        /^patchesJson6902 runs after namePrefix, patches before them: the operations of patch 'replicas5.json' were not read/,
      );
      const text = rewritten(
        rewriteDeprecatedField(withFile, 'patchesJson6902', new Map([['replicas5.json', repo['app/replicas5.json']]])),
      );
      assert.deepEqual(await render(text), await render(withFile));
    });

    it('refuses when the order shows: an operation on the name namePrefix sets', async () => {
      const before =
        'resources:\n- ../base\nnamePrefix: prod-\npatchesJson6902:\n- target: {kind: Deployment, name: web}\n  path: rename.yaml\n';
      const files = new Map([['rename.yaml', repo['app/rename.yaml']]]);
      assert.equal(
        reason(rewriteDeprecatedField(before, 'patchesJson6902', files)),
        "patchesJson6902 runs after namePrefix, patches before them: patch 'rename.yaml' changes /metadata/name, which namePrefix also sets",
      );
      // The refusal is real: run as a patch the rename comes before the prefix.
      const names = async (text: string) =>
        (await render(text)).map((o) => (o as { metadata: { name: string } }).metadata.name);
      assert.deepEqual(await names(before), ['prod-web', 'renamed']);
      assert.deepEqual(await names(before.replace('patchesJson6902:', 'patches:')), ['prod-web', 'prod-renamed']);
    });

    it('refuses targets the transformers could change the match of', () => {
      const entry = (target: string) =>
        `namePrefix: prod-\nnamespace: shop\ncommonLabels: {team: a}\ncommonAnnotations: {b: c}\npatchesJson6902:\n- target: ${target}\n  patch: '[]'\n`;
      const why = (target: string) =>
        reason(rewriteDeprecatedField(entry(target), 'patchesJson6902')).replace(/^[^:]*: /, '');
      assert.equal(why('{name: prod-web}'), "target name 'prod-web' may match a name only namePrefix gives");
      assert.equal(why('{name: "web.*"}'), "target name 'web.*' may match a name only namePrefix gives");
      assert.equal(why('{namespace: shop}'), "target namespace 'shop' may match only once namespace is set");
      assert.equal(why('{labelSelector: team=a}'), "the target's labelSelector may match labels they add");
      assert.equal(why('{annotationSelector: b=c}'), "the target's annotationSelector may match annotations they add");
      assert.ok('newText' in rewriteDeprecatedField(entry('{name: web, namespace: other}'), 'patchesJson6902'));
    });

    it('refuses operations on paths labels, annotations or namespace set, and an inline patch that is not a list', () => {
      const why = (fields: string, path: string) =>
        reason(
          rewriteDeprecatedField(
            `${fields}\npatchesJson6902:\n- target: {kind: Deployment}\n  patch: '[{op: add, path: ${path}, value: x}]'\n`,
            'patchesJson6902',
          ),
        );
      assert.equal(
        why('commonLabels: {a: b}', '/spec/template'),
        'patchesJson6902 runs after labels, patches before them: an inline patch changes /spec/template, which labels also sets',
      );
      assert.equal(
        why('commonAnnotations: {a: b}', '/metadata/annotations/x'),
        'patchesJson6902 runs after commonAnnotations, patches before them: an inline patch changes /metadata/annotations/x, which commonAnnotations also sets',
      );
      assert.equal(
        why('namespace: shop', '/subjects/0/namespace'),
        'patchesJson6902 runs after namespace, patches before them: an inline patch changes /subjects/0/namespace, which namespace also sets',
      );
      assert.equal(
        why('labels: [{pairs: {a: b}, fields: [{path: spec/x/y}]}]', '/spec/x'),
        'patchesJson6902 runs after labels, patches before them: an inline patch changes /spec/x, which labels also sets',
      );
      assert.equal(
        reason(
          rewriteDeprecatedField(
            "patchesJson6902:\n- target: {kind: Deployment}\n  patch: 'a: b'\n",
            'patchesJson6902',
          ),
        ),
        'an inline patch is not one list of JSON 6902 operations',
      );
    });
  });

  describe('imageTags', () => {
    it('renames the key, or moves the entries after images (an earlier entry can rename the image a later one looks for)', async () => {
      await assertRewrite(
        'resources:\n- ../base\nimageTags:\n- name: nginx\n  newTag: "2.0"\n',
        'imageTags',
        'resources:\n- ../base\nimages:\n- name: nginx\n  newTag: "2.0"\n',
      );
      const before =
        'resources:\n- ../base\nimageTags:\n  - name: nginx # tag\n    newTag: "2.0"\nimages:\n- name: nginx\n  newName: registry.example/nginx\n';
      const objects = await assertRewrite(
        before,
        'imageTags',
        'resources:\n- ../base\nimages:\n- name: nginx\n  newName: registry.example/nginx\n- name: nginx # tag\n  newTag: "2.0"\n',
      );
      const web = objects.find((o) => (o as { kind: string }).kind === 'Deployment') as {
        spec: { template: { spec: { containers: Array<{ image: string }> } } };
      };
      assert.equal(web.spec.template.spec.containers[0].image, 'registry.example/nginx:1.0');
    });

    it('writes block entries moved into a flow list in flow style', async () => {
      await assertRewrite(
        'resources:\n- ../base\nimages: [{name: busybox}]\nimageTags:\n- name: nginx # tag\n  newTag: "2.0"\n',
        'imageTags',
        'resources:\n- ../base\nimages: [{name: busybox}, { name: nginx, newTag: "2.0" }]\n',
      );
    });
  });

  it('rewrites every field of one file in turn with the same render', async () => {
    let text = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      '- settings.yaml',
      'bases:',
      '- ../base',
      'commonLabels:',
      '  team: shop',
      'patchesStrategicMerge:',
      '- replicas2.yaml',
      'patchesJson6902:',
      '- target: {kind: Deployment, name: web}',
      '  path: replicas5.json',
      'imageTags:',
      '- name: nginx',
      '  newTag: "2.0"',
      '',
    ].join('\r\n');
    const before = await render(text);
    for (const field of ['bases', 'commonLabels', 'patchesStrategicMerge', 'patchesJson6902', 'imageTags'] as const) {
      text = rewritten(rewriteDeprecatedField(text, field, new Map([['replicas5.json', repo['app/replicas5.json']]])));
      assert.deepEqual(await render(text), before, field);
    }
    assert.equal(
      text,
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'resources:',
        '- settings.yaml',
        '- ../base',
        'labels:',
        '- pairs:',
        '    team: shop',
        '  includeSelectors: true',
        'patches:',
        '- path: replicas2.yaml',
        '- target: {kind: Deployment, name: web}',
        '  path: replicas5.json',
        'images:',
        '- name: nginx',
        '  newTag: "2.0"',
        '',
      ].join('\r\n'),
    );
  });

  it('says why when there is nothing to rewrite or the file is not a kustomization map', () => {
    assert.equal(reason(rewriteDeprecatedField('resources: []\n', 'bases')), "there is no 'bases' field");
    assert.equal(reason(rewriteDeprecatedField('bases: [a\n', 'bases')).startsWith('the file is not valid YAML'), true);
    assert.equal(reason(rewriteDeprecatedField('- a\n', 'bases')), 'the kustomization is not a block map');
    assert.equal(reason(rewriteDeprecatedField('bases: a\n', 'bases')), "'bases' is not a list");
    assert.equal(reason(rewriteDeprecatedField('Bases: [a]\nbases: [b]\n', 'bases')), "'bases' is set 2 times");
  });
});
