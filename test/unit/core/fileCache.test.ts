import assert from 'node:assert/strict';
import { FileCache } from '../../../src/core/fileCache';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { FileSystem } from '../../../src/core/ports';

/** `mem` with every call counted by method. */
function counted(mem: FileSystem): { fs: FileSystem; calls: Record<string, number> } {
  const calls: Record<string, number> = { readFile: 0, readDir: 0, stat: 0 };
  return {
    calls,
    fs: {
      readFile: (p) => (calls.readFile++, mem.readFile(p)),
      readDir: (p) => (calls.readDir++, mem.readDir(p)),
      stat: (p) => (calls.stat++, mem.stat(p)),
    },
  };
}

describe('FileCache (src/core/fileCache.ts)', () => {
  it('keeps every read until the path, or a folder above it, is invalidated', async () => {
    const mem = new MemoryFileSystem({ 'app/a.yaml': 'a: 1\n', 'app/sub/b.yaml': 'b: 1\n' }, '/r');
    const { fs, calls } = counted(mem);
    const cache = new FileCache(fs);
    await cache.readFile('/r/app/a.yaml');
    await cache.readFile('/r/app/sub/b.yaml');
    await cache.readDir('/r/app');
    await cache.stat('/r/app/a.yaml');
    await Promise.all([cache.readFile('/r/app/a.yaml'), cache.readDir('/r/app'), cache.stat('/r/app/a.yaml')]);
    assert.deepEqual(calls, { readFile: 2, readDir: 1, stat: 1 });

    mem.write('app/sub/b.yaml', 'b: 2\n');
    assert.equal(await cache.readFile('/r/app/sub/b.yaml'), 'b: 1\n', 'kept: the caller reports changes');
    cache.invalidate('/r/app');
    assert.equal(await cache.readFile('/r/app/sub/b.yaml'), 'b: 2\n');
    await cache.readDir('/r/app');
    assert.deepEqual(calls, { readFile: 3, readDir: 2, stat: 1 });
  });

  it('does not keep a failed read: a file created later is read without a report', async () => {
    const mem = new MemoryFileSystem({}, '/r');
    const cache = new FileCache(mem);
    await assert.rejects(cache.readFile('/r/new.yaml'));
    mem.write('new.yaml', 'x: 1\n');
    assert.equal(await cache.readFile('/r/new.yaml'), 'x: 1\n');
  });

  it('with keepOnly, keeps only matching texts and asks for everything else each time', async () => {
    const mem = new MemoryFileSystem({ 'a.yaml': 'a: 1\n', 'env.txt': 'K=V\n' }, '/r');
    const { fs, calls } = counted(mem);
    const cache = new FileCache(fs, { keepOnly: /\.ya?ml$/ });
    for (let i = 0; i < 2; i++) {
      await cache.readFile('/r/a.yaml');
      await cache.readFile('/r/env.txt');
      await cache.readDir('/r');
      await cache.stat('/r/a.yaml');
    }
    assert.deepEqual(calls, { readFile: 3, readDir: 2, stat: 2 });
  });

  it('with keepOnly and keepPaths (files fixed), also keeps listings, stats and real paths, but no other texts', async () => {
    const mem = new MemoryFileSystem({ 'a.yaml': 'a: 1\n', 'env.txt': 'K=V\n' }, '/r');
    const { fs, calls } = counted(mem);
    calls.realPath = 0;
    const cache = new FileCache(
      { ...fs, realPath: async (p) => (calls.realPath++, p) },
      {
        keepOnly: /\.ya?ml$/,
        keepPaths: true,
      },
    );
    for (let i = 0; i < 2; i++) {
      await cache.readFile('/r/a.yaml');
      await cache.readFile('/r/env.txt');
      await cache.readDir('/r');
      await cache.stat('/r/a.yaml');
      await cache.realPath!('/r/a.yaml');
    }
    assert.deepEqual(calls, { readFile: 3, readDir: 1, stat: 1, realPath: 1 });
  });

  it('per pass, asks for a stamp, listing, stat or real path once until the next pass; a reported change at once', async () => {
    const mem = new MemoryFileSystem({ 'a.yaml': 'a: 1\n' }, '/r');
    const { fs, calls } = counted(mem);
    calls.realPath = 0;
    let mtimeMs = 1;
    const cache = new FileCache(
      {
        ...fs,
        // The memory file system has no stamps: one that changes when the test says the file did.
        stat: async (p) => (calls.stat++, { ...(await mem.stat(p))!, mtimeMs, size: 1 }),
        realPath: async (p) => (calls.realPath++, p),
      },
      { keepOnly: /\.ya?ml$/, checkStamps: true, perPass: true },
    );
    const pass = async () => {
      for (let i = 0; i < 3; i++) {
        await cache.readFile('/r/a.yaml');
        await cache.readDir('/r');
        await cache.realPath!('/r/a.yaml');
      }
    };
    cache.beginPass();
    await pass();
    // A first read asks for no stamp: there is nothing to compare it with.
    assert.deepEqual(calls, { readFile: 1, readDir: 1, stat: 0, realPath: 1 });

    // Changed without a report: unseen in this pass, seen in the next (kept without a stamp: read again once).
    mem.write('a.yaml', 'a: 2\n');
    mtimeMs = 2;
    assert.equal(await cache.readFile('/r/a.yaml'), 'a: 1\n');
    cache.beginPass();
    assert.equal(await cache.readFile('/r/a.yaml'), 'a: 2\n');
    await pass();
    assert.deepEqual(calls, { readFile: 2, readDir: 2, stat: 1, realPath: 2 });

    // Unchanged since: its stamp is compared once, and it is not read again.
    cache.beginPass();
    await pass();
    assert.deepEqual(calls, { readFile: 2, readDir: 3, stat: 2, realPath: 3 });
    // Changed without a report, with a stamp kept: seen in the next pass.
    mem.write('a.yaml', 'a: 3\n');
    mtimeMs = 3;
    cache.beginPass();
    assert.equal(await cache.readFile('/r/a.yaml'), 'a: 3\n');

    // Reported (a save while the pass runs): read again at once.
    mem.write('a.yaml', 'a: 4\n');
    mtimeMs = 4;
    cache.invalidate('/r/a.yaml');
    assert.equal(await cache.readFile('/r/a.yaml'), 'a: 4\n');
    await pass();
    assert.deepEqual(calls, { readFile: 4, readDir: 4, stat: 3, realPath: 4 });
  });

  it('per pass, looks for a file that is not there once; the next pass, or a report of it, looks again', async () => {
    const mem = new MemoryFileSystem({ 'a.yaml': 'a: 1\n' }, '/r');
    const { fs, calls } = counted(mem);
    const cache = new FileCache(fs, { keepOnly: /\.ya?ml$/, checkStamps: true, perPass: true });
    const missing = () => cache.readFile('/r/kustomization.yaml').then(String, (e: { code?: string }) => e.code);
    cache.beginPass();
    assert.deepEqual(await Promise.all([missing(), missing()]), ['ENOENT', 'ENOENT']);
    assert.equal(await missing(), 'ENOENT');
    assert.equal(calls.readFile, 1);

    // Created without a report: seen in the next pass.
    mem.write('kustomization.yaml', 'resources: []\n');
    assert.equal(await missing(), 'ENOENT');
    cache.beginPass();
    assert.equal(await missing(), 'resources: []\n');
    assert.equal(calls.readFile, 2);

    // Deleted and reported while a pass runs: looked for at once, then answered from the pass again.
    mem.delete('kustomization.yaml');
    cache.invalidate('/r/kustomization.yaml');
    assert.equal(await missing(), 'ENOENT');
    assert.equal(await missing(), 'ENOENT');
    assert.equal(calls.readFile, 3);
  });

  it('without checkStamps, perPass changes nothing: listings and stats are asked for every time', async () => {
    const mem = new MemoryFileSystem({ 'a.yaml': 'a: 1\n' }, '/r');
    const { fs, calls } = counted(mem);
    const cache = new FileCache(fs, { keepOnly: /\.ya?ml$/, perPass: true });
    cache.beginPass();
    for (let i = 0; i < 2; i++) {
      await cache.readDir('/r');
      await cache.stat('/r/a.yaml');
    }
    assert.deepEqual(calls, { readFile: 0, readDir: 2, stat: 2 });
  });
});
