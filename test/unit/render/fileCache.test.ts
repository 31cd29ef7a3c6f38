import { strict as assert } from 'node:assert';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { FileSystem } from '../../../src/core/ports';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';
import { createParseCache } from '../../../src/core/yaml/parseYaml';
import { FileCache } from '../../../src/core/fileCache';

/** Counts calls, so a test can see what a render touched. */
function counting(fs: FileSystem): { fs: FileSystem; calls: () => number } {
  let n = 0;
  return {
    fs: {
      readFile: (p) => (n++, fs.readFile(p)),
      readDir: (p) => (n++, fs.readDir(p)),
      stat: (p) => (n++, fs.stat(p)),
    },
    calls: () => n,
  };
}

describe('render with a FileCache that keeps every read', () => {
  const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  v: "${v}"\n`;

  it('touches no file on a warm render, and reads a file again once the caller invalidates it', async () => {
    const mem = new MemoryFileSystem(
      {
        'base/kustomization.yaml': 'resources: [cm.yaml]\n',
        'base/cm.yaml': cm('1'),
        'kustomization.yaml': 'resources: [base]\nnamePrefix: p-\n',
      },
      '/repo',
    );
    const { fs: counted, calls } = counting(mem);
    const fs = new FileCache(counted);
    const cache = createParseCache();
    const first = await renderKustomization('.', { fs, repoRoot: '/repo', cache });
    const afterFirst = calls();
    const warm = await renderKustomization('.', { fs, repoRoot: '/repo', cache });
    assert.equal(calls(), afterFirst);
    assert.deepEqual(
      warm.objects.map((o) => o.object),
      first.objects.map((o) => o.object),
    );
    assert.deepEqual(warm.files, first.files);

    mem.write('base/cm.yaml', cm('2'));
    const stale = await renderKustomization('.', { fs, repoRoot: '/repo', cache });
    assert.equal(
      (stale.objects[0].object.data as Record<string, unknown> | undefined)?.v,
      '1',
      'kept until invalidated: the caller decides',
    );
    fs.invalidate('/repo/base/cm.yaml');
    const fresh = await renderKustomization('.', { fs, repoRoot: '/repo', cache });
    assert.equal((fresh.objects[0].object.data as Record<string, unknown> | undefined)?.v, '2');
    assert.equal(fresh.objects[0].origins.get('/data/v')?.line, 6);
  });

  it('sees a created file after its path is invalidated (the parent listing is dropped too)', async () => {
    const mem = new MemoryFileSystem({ 'app/cm.yaml': cm('1') }, '/repo');
    const fs = new FileCache(mem);
    const cache = createParseCache();
    await assert.rejects(renderKustomization('app', { fs, repoRoot: '/repo', cache }));
    mem.write('app/kustomization.yaml', 'resources: [cm.yaml]\n');
    fs.invalidate('/repo/app/kustomization.yaml');
    const r = await renderKustomization('app', { fs, repoRoot: '/repo', cache });
    assert.equal(r.objects.length, 1);
  });
});
