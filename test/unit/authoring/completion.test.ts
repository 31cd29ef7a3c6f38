import assert from 'node:assert/strict';
import {
  kustomizationCompletions,
  type CompletionEntry,
  type CompletionFiles,
} from '../../../src/core/authoring/completion';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { KNOWN } from '../../../src/core/render/kustomize/kustomizationFields';

const fs = new MemoryFileSystem(
  {
    'envs/prod/kustomization.yaml': '',
    'envs/prod/patch.yaml': '',
    'envs/prod/service.json': '',
    'envs/prod/notes.md': '',
    'envs/prod/.env': '',
    'envs/prod/conf/app.ini': '',
    'envs/prod/tls/Kustomization': '',
    'envs/base/kustomization.yml': '',
    'envs/shared/deployment.yaml': '',
    'components/tls/kustomization.yaml': '',
    '.git/HEAD': '',
  },
  '/repo',
);
const files: CompletionFiles = {
  async list(dir) {
    const entries = await fs.readDir(dir ? `/repo/${dir}` : '/repo').catch(() => undefined);
    return entries?.map((e) => ({ name: e.name, isDirectory: e.isDirectory }));
  },
};

/** Completions where `|` marks the cursor, in envs/prod/kustomization.yaml. */
async function at(marked: string, file = 'envs/prod/kustomization.yaml'): Promise<CompletionEntry[]> {
  return kustomizationCompletions(marked.replace('|', ''), marked.indexOf('|'), file, files);
}

const labels = (entries: CompletionEntry[]) => entries.map((e) => e.label);
/** Label, insert text and range: what a path completion does to the text. */
/** An entry without its sortText (its place in the list, tested on its own). */
const withoutOrder = (entry: CompletionEntry | undefined) => {
  const { sortText, ...rest } = entry ?? ({} as CompletionEntry);
  assert.match(sortText ?? '', /^\d{4}$/);
  return rest;
};

const inserts = (entries: CompletionEntry[]) =>
  entries.map((e) => [e.label, e.insertText ?? e.label, e.replaceStart, e.replaceEnd]);

describe('kustomizationCompletions', () => {
  describe('field names', () => {
    it('offers every field kustomize knows at the top level, each documented, deprecated ones marked', async () => {
      const entries = await at('|');
      assert.deepEqual(labels(entries).sort(), [...KNOWN].sort());
      for (const e of entries)
        assert.ok(
          e.documentation && !e.documentation.includes('A kustomization field.'),
          `${e.label} has no documentation`,
        );
      assert.deepEqual(
        entries
          .filter((e) => e.deprecated)
          .map((e) => e.label)
          .sort(),
        [
          'bases',
          'commonLabels',
          'helmChartInflationGenerator',
          'imageTags',
          'patchesJson6902',
          'patchesStrategicMerge',
          'vars',
        ],
      );
      assert.deepEqual(
        entries.find((e) => e.label === 'bases'),
        {
          label: 'bases',
          kind: 'field',
          insertText: 'bases:',
          detail: 'list',
          documentation:
            'Deprecated. Use resources, which takes the same entries. Directories this kustomization builds on.',
          deprecated: true,
          sortText: entries.find((e) => e.label === 'bases')?.sortText,
          replaceStart: 0,
          replaceEnd: 0,
        },
      );
      assert.equal(
        entries.find((e) => e.label === 'helmChartInflationGenerator')?.detail,
        "not rendered by GitOps Drift: the deprecated helmChartInflationGenerator field is not inflated (write helmCharts: instead): the chart's objects are missing from this render",
      );
    });

    it('orders deprecated fields after every other, so the first (selected) proposal is never one', async () => {
      const entries = await at('apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n|');
      const deprecated = entries.filter((e) => e.deprecated);
      assert.ok(deprecated.length >= 5, `${deprecated.length} deprecated`);
      assert.deepEqual(
        entries.slice(entries.length - deprecated.length).map((e) => e.label),
        deprecated.map((e) => e.label),
      );
      // What the editor orders by: every current field's sortText before every deprecated one's.
      const byEditor = [...entries].sort((a, b) => (a.sortText! < b.sortText! ? -1 : 1));
      assert.ok(!byEditor[0].deprecated, byEditor[0].label);
      assert.equal(
        byEditor.findIndex((e) => e.deprecated),
        entries.length - deprecated.length,
      );
    });

    it('completes a half-typed key, leaving out the fields already set (in any case)', async () => {
      const text = 'Resources:\n- a.yaml\nnameP|\nimages:\n- name: x\n';
      const entries = await at(text);
      assert.equal(entries.length, KNOWN.size - 2);
      assert.ok(!labels(entries).includes('resources') && !labels(entries).includes('images'));
      assert.deepEqual(withoutOrder(entries.find((e) => e.label === 'namePrefix')), {
        label: 'namePrefix',
        kind: 'field',
        insertText: 'namePrefix: ',
        detail: 'scalar',
        documentation: 'Prepended to every object name; references to the objects follow.',
        replaceStart: 20,
        replaceEnd: 25,
      });
    });

    it('replaces the whole key under the cursor without adding a second colon', async () => {
      const entries = await at('namePrefix: a-\nname|Suffix: -b\n');
      assert.deepEqual(withoutOrder(entries.find((e) => e.label === 'nameSuffix')), {
        label: 'nameSuffix',
        kind: 'field',
        insertText: 'nameSuffix',
        detail: 'scalar',
        documentation: 'Appended to every object name; references to the objects follow.',
        replaceStart: 15,
        replaceEnd: 25,
      });
    });

    it('offers the fields of list entries and nested maps', async () => {
      assert.deepEqual(labels(await at('patches:\n- path: a.yaml\n  tar|\n')), ['patch', 'target', 'options']);
      assert.deepEqual(labels(await at('patches:\n- path: a.yaml\n  target:\n    kind: Deployment\n    |\n')), [
        'group',
        'version',
        'name',
        'namespace',
        'labelSelector',
        'annotationSelector',
      ]);
      assert.deepEqual(labels(await at('patches:\n- path: a.yaml\n  options:\n    |\n')), [
        'allowNameChange',
        'allowKindChange',
      ]);
      assert.deepEqual(inserts(await at('images:\n- |\n')), [
        ['name', 'name: ', 10, 10],
        ['newName', 'newName: ', 10, 10],
        ['newTag', 'newTag: ', 10, 10],
        ['digest', 'digest: ', 10, 10],
      ]);
      assert.deepEqual(labels(await at('replicas:\n- name: web\n  c|\n')), ['count']);
      assert.deepEqual(labels(await at('labels:\n  - pairs: {a: b}\n    |\n')), [
        'includeSelectors',
        'includeTemplates',
        'fields',
      ]);
      assert.deepEqual(labels(await at('configMapGenerator:\n- |\n')), [
        'name',
        'namespace',
        'behavior',
        'files',
        'literals',
        'envs',
        'options',
        'env', // deprecated: last
      ]);
      assert.deepEqual(labels(await at('secretGenerator:\n- name: tls\n  |\n')), [
        'namespace',
        'behavior',
        'files',
        'literals',
        'envs',
        'options',
        'type',
        'env', // deprecated: last
      ]);
      assert.deepEqual(labels(await at('generatorOptions:\n  |\n')), [
        'labels',
        'annotations',
        'disableNameSuffixHash',
        'immutable',
      ]);
      assert.deepEqual(labels(await at('replacements:\n- |\n')), ['path', 'source', 'targets']);
      assert.deepEqual(
        labels(await at('replacements:\n- source: {kind: Service}\n  targets:\n  - select:\n      |\n')),
        ['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector'],
      );
      assert.deepEqual(labels(await at('sortOptions:\n  |\n')), ['order', 'legacySortOptions']);
    });

    it('still offers top-level fields at column 0 when the text above does not parse around the cursor', async () => {
      const entries = await at('namePrefix: "unclosed\nnameS|');
      assert.equal(entries.length, KNOWN.size);
      assert.deepEqual(entries.find((e) => e.label === 'nameSuffix')?.replaceStart, 22);
    });

    it('offers nothing inside maps it does not know', async () => {
      assert.deepEqual(await at('commonAnnotations:\n  |\n'), []);
      assert.deepEqual(await at('mystery:\n- |\n'), []);
    });
  });

  describe('values', () => {
    it('offers the values of enumerated fields over the typed word', async () => {
      assert.deepEqual(await at('configMapGenerator:\n- name: x\n  behavior: me|\n'), [
        {
          label: 'create',
          kind: 'value',
          documentation: 'A new object (the default).',
          replaceStart: 42,
          replaceEnd: 44,
        },
        {
          label: 'replace',
          kind: 'value',
          documentation: "Replaces the base's data.",
          replaceStart: 42,
          replaceEnd: 44,
        },
        {
          label: 'merge',
          kind: 'value',
          documentation: "Merges into the base's data.",
          replaceStart: 42,
          replaceEnd: 44,
        },
      ]);
      assert.deepEqual(labels(await at('labels:\n- pairs: {a: b}\n  includeSelectors: |\n')), ['true', 'false']);
      assert.deepEqual(labels(await at('labels:\n- includeTemplates: |\n')), ['true', 'false']);
      assert.deepEqual(labels(await at('sortOptions:\n  order: |\n')), ['legacy', 'fifo']);
      assert.deepEqual(labels(await at('kind: |\n')), ['Kustomization', 'Component']);
      assert.deepEqual(labels(await at('secretGenerator:\n- type: |\n')), [
        'Opaque',
        'kubernetes.io/tls',
        'kubernetes.io/dockerconfigjson',
        'kubernetes.io/basic-auth',
        'kubernetes.io/ssh-auth',
      ]);
    });

    it('offers nothing for free values', async () => {
      assert.deepEqual(await at('namePrefix: |\n'), []);
      assert.deepEqual(await at('resources: |\n'), []);
    });
  });

  describe('paths', () => {
    it('offers resources: folders (a kustomization folder as a whole entry) and YAML or JSON files, never the kustomization itself', async () => {
      assert.deepEqual(inserts(await at('resources:\n- |\n')), [
        ['..', '../', 13, 13],
        ['conf', 'conf/', 13, 13],
        ['tls', 'tls', 13, 13],
        ['patch.yaml', 'patch.yaml', 13, 13],
        ['service.json', 'service.json', 13, 13],
      ]);
      const entries = await at('resources:\n- |\n');
      assert.deepEqual(
        entries.map((e) => [e.kind, e.detail]),
        [
          ['folder', 'parent folder'],
          ['folder', 'folder'],
          ['folder', 'kustomization'],
          ['file', undefined],
          ['file', undefined],
        ],
      );
    });

    it('navigates ../ and completes the segment being typed (.. only while nothing else is), leaving out its own folder', async () => {
      assert.deepEqual(inserts(await at('resources:\n  - ../ba|\n')), [
        ['base', 'base', 18, 20],
        ['shared', 'shared/', 18, 20],
      ]);
      assert.deepEqual(inserts(await at('resources:\n- ../../|\n')), [
        ['components', 'components/', 19, 19],
        ['envs', 'envs/', 19, 19],
      ]);
      assert.deepEqual(inserts(await at('resources:\n- ../shared/dep|loy.yaml\n')), [
        ['deployment.yaml', 'deployment.yaml', 23, 34],
      ]);
      assert.deepEqual(await at('resources:\n- ../../../|\n'), []);
      assert.deepEqual(await at('resources:\n- ../gone/|\n'), []);
      assert.deepEqual(await at('resources:\n- https://github.com/|\n'), []);
    });

    it('works inside quotes and flow lists', async () => {
      assert.deepEqual(inserts(await at('resources:\n- "../sh|"\n')), [
        ['base', 'base', 17, 19],
        ['shared', 'shared/', 17, 19],
      ]);
      assert.deepEqual(labels(await at('resources: [patch.yaml, c|]\n')), [
        'conf',
        'tls',
        'patch.yaml',
        'service.json',
      ]);
    });

    it('offers only folders for components', async () => {
      assert.deepEqual(inserts(await at('components:\n- ../../components/|\n')), [['tls', 'tls', 31, 31]]);
    });

    it('offers any file for patches, patchesStrategicMerge, generator inputs, replacements and configurations', async () => {
      const all = ['conf', 'tls', '.env', 'notes.md', 'patch.yaml', 'service.json'];
      assert.deepEqual(labels(await at('patches:\n- path: |\n')), ['..', ...all]);
      assert.deepEqual(labels(await at('patches:\n  - target: {kind: Deployment}\n    path: p|\n')), all);
      assert.deepEqual(labels(await at('patchesStrategicMerge:\n- |\n')), ['..', ...all]);
      assert.deepEqual(labels(await at('configMapGenerator:\n- name: x\n  envs:\n  - |\n')), ['..', ...all]);
      assert.deepEqual(labels(await at('replacements:\n- path: r|\n')), all);
      assert.deepEqual(labels(await at('configurations: [|]\n')), ['..', ...all]);
      assert.deepEqual(inserts(await at('patches:\n- path: conf/|\n')), [['app.ini', 'app.ini', 22, 22]]);
    });

    it('completes the path part of a generator file given as key=path', async () => {
      assert.deepEqual(inserts(await at('configMapGenerator:\n- name: x\n  files:\n  - app.ini=conf/a|\n')), [
        ['app.ini', 'app.ini', 56, 57],
      ]);
    });

    it('resolves from the repo root for a kustomization there', async () => {
      assert.deepEqual(inserts(await at('resources:\n- |\n', 'kustomization.yaml')), [
        ['components', 'components/', 13, 13],
        ['envs', 'envs/', 13, 13],
      ]);
    });
  });
});
