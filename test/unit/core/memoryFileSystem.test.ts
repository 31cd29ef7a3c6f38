import { strict as assert } from 'node:assert';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';

describe('MemoryFileSystem', () => {
  const fs = new MemoryFileSystem({ 'repo/base/kustomization.yaml': 'resources: []\n', 'repo/base/deploy.yaml': 'kind: X\n' });

  it('reads files and lists directories in name order', async () => {
    assert.equal(await fs.readFile('/repo/base/../base/deploy.yaml'), 'kind: X\n');
    assert.deepEqual((await fs.readDir('/repo/base')).map((e) => e.name), ['deploy.yaml', 'kustomization.yaml']);
    assert.deepEqual(await fs.readDir('/repo'), [{ name: 'base', isDirectory: true, isFile: false }]);
  });

  it('reports missing paths as ENOENT / undefined', async () => {
    await assert.rejects(fs.readFile('/repo/nope.yaml'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    assert.equal(await fs.stat('/repo/nope'), undefined);
    assert.deepEqual(await fs.stat('/repo/base'), { isDirectory: true, isFile: false });
  });
});
