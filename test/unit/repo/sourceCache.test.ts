import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCache, REPO_TEXTS } from '../../../src/core/fileCache';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';

describe('FileCache as the engine keeps it (YAML and JSON texts, checked against stamps)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'gitops-drift-source-cache-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Counts reads reaching the disk. */
  function countingFs() {
    const node = new NodeFileSystem();
    const counter = { reads: 0 };
    const fs = {
      readFile: (p: string) => (counter.reads++, node.readFile(p)),
      readDir: (p: string) => node.readDir(p),
      stat: (p: string) => node.stat(p),
    };
    return { fs, counter };
  }

  it('serves an unchanged file from memory', async () => {
    const file = join(dir, 'kustomization.yaml');
    writeFileSync(file, 'resources: []\n');
    const { fs, counter } = countingFs();
    const cache = new FileCache(fs, { keepOnly: REPO_TEXTS, checkStamps: true });
    assert.equal(await cache.readFile(file), 'resources: []\n');
    assert.equal(await cache.readFile(file), 'resources: []\n');
    assert.equal(counter.reads, 1);
  });

  it('notices a change nobody reported (git rewriting a file and putting it back), by its stamp', async () => {
    const file = join(dir, 'kustomization.yaml');
    writeFileSync(file, 'namespace: a\n');
    const cache = new FileCache(new NodeFileSystem(), { keepOnly: REPO_TEXTS, checkStamps: true });
    assert.equal(await cache.readFile(file), 'namespace: a\n');
    writeFileSync(file, '<<<<<<< HEAD\nnamespace: a\n=======\nnamespace: b\n>>>>>>> c0ffee\n');
    assert.match(await cache.readFile(file), /^<<<<<<< HEAD/);
    writeFileSync(file, 'namespace: a\n');
    // Same size as the first text: the modification time tells them apart.
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.equal(await cache.readFile(file), 'namespace: a\n');
  });
});
