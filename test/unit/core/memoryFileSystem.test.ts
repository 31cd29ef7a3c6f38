import { strict as assert } from 'node:assert';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';

describe('MemoryFileSystem', () => {
  const fs = new MemoryFileSystem({
    'repo/base/kustomization.yaml': 'resources: []\n',
    'repo/base/deploy.yaml': 'kind: X\n',
  });

  it('reads files and lists directories in name order', async () => {
    assert.equal(await fs.readFile('/repo/base/../base/deploy.yaml'), 'kind: X\n');
    assert.deepEqual(
      (await fs.readDir('/repo/base')).map((e) => e.name),
      ['deploy.yaml', 'kustomization.yaml'],
    );
    assert.deepEqual(await fs.readDir('/repo'), [{ name: 'base', isDirectory: true, isFile: false }]);
  });

  it('reports missing paths as ENOENT / undefined', async () => {
    await assert.rejects(fs.readFile('/repo/nope.yaml'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    assert.equal(await fs.stat('/repo/nope'), undefined);
    assert.deepEqual(await fs.stat('/repo/base'), { isDirectory: true, isFile: false });
  });
});

describe('MemoryFileSystem symbolic links', () => {
  const fs = new MemoryFileSystem({ 'repo/app/real.yaml': 'kind: X\n', 'etc/passwd': 'root:x:0:0\n' });
  fs.symlink('repo/app/inside.yaml', 'real.yaml');
  fs.symlink('repo/app/passwd', '/etc/passwd');
  fs.symlink('repo/dir', 'app');
  fs.symlink('repo/loop1', 'loop2');
  fs.symlink('repo/loop2', 'loop1');

  it('follows links for reads, listings and stats, and resolves real paths', async () => {
    assert.equal(await fs.readFile('/repo/app/inside.yaml'), 'kind: X\n');
    assert.equal(await fs.readFile('/repo/dir/passwd'), 'root:x:0:0\n');
    assert.equal(await fs.realPath('/repo/dir/passwd'), '/etc/passwd');
    assert.equal(await fs.realPath('/repo/dir/inside.yaml'), '/repo/app/real.yaml');
    assert.deepEqual(await fs.stat('/repo/dir'), { isDirectory: true, isFile: false });
    // Like a Dirent, a link is listed as neither a file nor a directory.
    assert.deepEqual(
      (await fs.readDir('/repo/app')).find((e) => e.name === 'passwd'),
      { name: 'passwd', isDirectory: false, isFile: false },
    );
  });

  it('reports a link loop as ELOOP', async () => {
    await assert.rejects(fs.readFile('/repo/loop1'), (e: NodeJS.ErrnoException) => e.code === 'ELOOP');
    await assert.rejects(fs.realPath('/repo/loop1/x'), (e: NodeJS.ErrnoException) => e.code === 'ELOOP');
  });
});
