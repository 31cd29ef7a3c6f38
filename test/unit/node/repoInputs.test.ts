import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestInputs, digestSettings, inputsUnchanged } from '../../../src/node/repoInputs';

describe('repoInputs: digests of what renders read, checked against the repo on disk', () => {
  let root: string;
  const base = 'resources:\n  - cm.yaml\n';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'gitops-drift-inputs-'));
    mkdirSync(join(root, 'base'));
    writeFileSync(join(root, 'base', 'kustomization.yaml'), base);
    writeFileSync(join(root, 'base', 'cm.yaml'), 'kind: ConfigMap\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const recorded = () =>
    digestInputs({
      files: new Map<string, string | undefined>([
        ['base/kustomization.yaml', base],
        ['base/cm.yaml', 'kind: ConfigMap\n'],
        ['base/kustomization.yml', undefined],
      ]),
      listings: new Map([['base', new Set(['kustomization.yaml', 'cm.yaml'])]]),
    });

  it('keeps digests, never the text, and matches an unchanged repo', async () => {
    const digests = recorded();
    assert.ok(!JSON.stringify(digests).includes('ConfigMap'));
    assert.equal(digests.files['base/kustomization.yml'], null);
    assert.deepEqual(digests.folders.base, ['cm.yaml', 'kustomization.yaml']);
    assert.equal(await inputsUnchanged(root, digests), true);
  });

  it('tells a changed file, a file created where one was missing, a file added to a listed folder', async () => {
    const digests = recorded();
    writeFileSync(join(root, 'base', 'cm.yaml'), 'kind: ConfigMap\ndata: {}\n');
    assert.equal(await inputsUnchanged(root, digests), false, 'changed');
    writeFileSync(join(root, 'base', 'cm.yaml'), 'kind: ConfigMap\n');
    assert.equal(await inputsUnchanged(root, digests), true, 'changed back');
    writeFileSync(join(root, 'base', 'kustomization.yml'), base);
    assert.equal(await inputsUnchanged(root, digests), false, 'created');
    rmSync(join(root, 'base', 'kustomization.yml'));
    writeFileSync(join(root, 'base', 'extra.yaml'), 'x: 1\n');
    assert.equal(await inputsUnchanged(root, digests), false, 'listed folder gained a file');
    rmSync(join(root, 'base', 'extra.yaml'));
    mkdirSync(join(root, 'base', 'kustomization.yml'));
    assert.equal(await inputsUnchanged(root, digests), false, 'a folder where a file was missing');
  });

  it('tells a deleted file and a deleted folder', async () => {
    const digests = recorded();
    rmSync(join(root, 'base', 'cm.yaml'));
    assert.equal(await inputsUnchanged(root, digests), false);
    rmSync(join(root, 'base'), { recursive: true });
    assert.equal(await inputsUnchanged(root, digests), false);
  });

  it('digests settings so that other settings never match', () => {
    assert.equal(digestSettings({ a: 1 }), digestSettings({ a: 1 }));
    assert.notEqual(digestSettings({ a: 1 }), digestSettings({ a: 2 }));
  });
});
