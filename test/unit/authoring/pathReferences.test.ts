import assert from 'node:assert/strict';
import { pathReferences, resolveReference, type PathReference } from '../../../src/core/authoring/pathReferences';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';

const kustomization = [
  'resources:',
  '- deployment.yaml # own',
  '- "../base"',
  '- https://github.com/acme/shared//deploy?ref=v1',
  '- ../../../outside',
  'components: [../components/tls]',
  'patchesStrategicMerge:',
  "- 'smp.yaml'",
  '- |-',
  '  kind: Deployment',
  'patches:',
  '- path: patch.yaml',
  '  target: {kind: Deployment}',
  '- patch: |-',
  '    - op: remove',
  'configMapGenerator:',
  '- name: settings',
  '  files:',
  '  - app.properties',
  '  - config=conf/app.ini',
  '  envs: [.env]',
  'secretGenerator:',
  '- name: tls',
  '  Files: ["tls.crt=\\u0074ls/cert.pem"]',
  'replacements:',
  '- path: replacements.yaml',
  'configurations:',
  '- names.yaml',
  '',
].join('\n');

/** A reference with the text it spans, for readable exact expectations. */
function spanned(text: string, refs: PathReference[]): Array<PathReference & { text: string }> {
  return refs.map((r) => ({ ...r, text: text.slice(r.start, r.end) }));
}

describe('pathReferences', () => {
  it('finds every path-valued entry with its exact span, without quotes, in text order', () => {
    const entry = (text: string, target: string, field: string, remote = false) => {
      const start = kustomization.indexOf(text);
      return { start, end: start + text.length, target, field, remote, text };
    };
    assert.deepEqual(spanned(kustomization, pathReferences(kustomization, 'envs/prod/kustomization.yaml')), [
      entry('deployment.yaml', 'envs/prod/deployment.yaml', 'resources'),
      entry('../base', 'envs/base', 'resources'),
      entry(
        'https://github.com/acme/shared//deploy?ref=v1',
        'https://github.com/acme/shared//deploy?ref=v1',
        'resources',
        true,
      ),
      entry('../components/tls', 'envs/components/tls', 'components'),
      entry('smp.yaml', 'envs/prod/smp.yaml', 'patchesStrategicMerge'),
      entry('patch.yaml', 'envs/prod/patch.yaml', 'patches'),
      entry('app.properties', 'envs/prod/app.properties', 'configMapGenerator'),
      entry('conf/app.ini', 'envs/prod/conf/app.ini', 'configMapGenerator'),
      entry('.env', 'envs/prod/.env', 'configMapGenerator'),
      // An escape in the source: the span is the whole quoted text.
      entry('tls.crt=\\u0074ls/cert.pem', 'envs/prod/tls/cert.pem', 'secretGenerator'),
      entry('replacements.yaml', 'envs/prod/replacements.yaml', 'replacements'),
      entry('names.yaml', 'envs/prod/names.yaml', 'configurations'),
    ]);
  });

  it('resolves against the repo root for a kustomization there, and still reads a file with a syntax error', () => {
    assert.deepEqual(pathReferences('resources:\n- ./apps/\n- ..\n', 'kustomization.yaml'), [
      { start: 13, end: 20, target: 'apps', field: 'resources', remote: false },
    ]);
    assert.deepEqual(pathReferences('bases:\n- ../base\nnamePrefix: [oops\n', 'app/kustomization.yaml'), [
      { start: 9, end: 16, target: 'base', field: 'bases', remote: false },
    ]);
  });
});

describe('resolveReference', () => {
  const fs = new MemoryFileSystem(
    {
      'envs/base/Kustomization': 'resources: []\n',
      'envs/base/kustomization.yml': 'resources: []\n',
      'envs/prod/kustomization.yaml': 'resources: []\n',
      'envs/prod/patch.yaml': 'kind: Deployment\n',
      'envs/empty/readme.md': 'nothing\n',
      'kustomization.yaml': 'resources: []\n',
    },
    '/repo',
  );
  const ref = (target: string, remote = false): PathReference => ({
    start: 0,
    end: 0,
    target,
    field: 'resources',
    remote,
  });

  it("opens a file as it is and a directory at its kustomization file, in kustomize's order", async () => {
    assert.deepEqual(await resolveReference(ref('envs/prod/patch.yaml'), fs, '/repo'), {
      path: 'envs/prod/patch.yaml',
      isDirectory: false,
    });
    assert.deepEqual(await resolveReference(ref('envs/prod'), fs, '/repo'), {
      path: 'envs/prod/kustomization.yaml',
      isDirectory: true,
    });
    assert.deepEqual(await resolveReference(ref('envs/base'), fs, '/repo'), {
      path: 'envs/base/kustomization.yml',
      isDirectory: true,
    });
    assert.deepEqual(await resolveReference(ref(''), fs, '/repo'), { path: 'kustomization.yaml', isDirectory: true });
  });

  it('gives nothing for a missing target, a directory without a kustomization and a remote entry', async () => {
    assert.equal(await resolveReference(ref('envs/prod/gone.yaml'), fs, '/repo'), undefined);
    assert.equal(await resolveReference(ref('envs/empty'), fs, '/repo'), undefined);
    assert.equal(await resolveReference(ref('envs/prod', true), fs, '/repo'), undefined);
  });
});
