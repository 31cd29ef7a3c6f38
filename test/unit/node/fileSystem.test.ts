import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileError } from '../../../src/core/fileErrors';
import type { FileSystem } from '../../../src/core/ports';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';
import { ProblemError } from '../../../src/core/model/problem';
import { BatchFileSystem } from '../../../src/node/batchFileSystem';
import { NodeFileSystem, type FileSystemOptions } from '../../../src/node/nodeFileSystem';
import { maxFileBytesFrom } from '../../../src/node/regularFile';

// The disk adapters' read checks (docs/security.md, "Files read"), on real files, links and FIFOs.

const unix = process.platform !== 'win32';

for (const [name, make] of [
  ['NodeFileSystem', (o: FileSystemOptions) => new NodeFileSystem(o)],
  ['BatchFileSystem', (o: FileSystemOptions) => new BatchFileSystem(o)],
] as const) {
  describe(`${name}: only regular files inside the root, within the size limit`, () => {
    let dir: string;
    let repo: string;
    let fs: FileSystem;
    const code = async (p: Promise<unknown>): Promise<string | undefined> =>
      p.then(
        () => undefined,
        (e: FileError) => e.code,
      );

    before(function () {
      if (!unix) this.skip();
      dir = realpathSync(mkdtempSync(join(tmpdir(), 'gitops-drift-files-')));
      repo = join(dir, 'repo');
      mkdirSync(join(repo, 'app/sub'), { recursive: true });
      writeFileSync(join(dir, 'secret.txt'), 'outside\n');
      writeFileSync(join(repo, 'app/sub/real.yaml'), 'kind: X\n');
      writeFileSync(join(repo, 'app/big.yaml'), 'x'.repeat(2048));
      writeFileSync(join(repo, 'app/latin1.yaml'), Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
      writeFileSync(
        join(repo, 'app/utf16.yaml'),
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a: é\n', 'utf16le')]),
      );
      symlinkSync('sub/real.yaml', join(repo, 'app/inside.yaml'));
      symlinkSync(join(dir, 'secret.txt'), join(repo, 'app/outside.txt'));
      symlinkSync(dir, join(repo, 'app/outdir'));
      symlinkSync('/dev/zero', join(repo, 'app/zero.yaml'));
      symlinkSync('loop-b', join(repo, 'app/loop-a'));
      symlinkSync('loop-a', join(repo, 'app/loop-b'));
      execFileSync('mkfifo', [join(repo, 'app/fifo.yaml')]);
      fs = make({ root: repo, maxFileBytes: 1024 });
    });

    after(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('reads a regular file, and one through a link that stays inside', async () => {
      assert.equal(await fs.readFile(join(repo, 'app/sub/real.yaml')), 'kind: X\n');
      assert.equal(await fs.readFile(join(repo, 'app/inside.yaml')), 'kind: X\n');
      assert.equal(await fs.realPath!(join(repo, 'app/inside.yaml')), join(repo, 'app/sub/real.yaml'));
    });

    it('resolves files below a linked folder to the real folder, again and again (BatchFileSystem keeps folders)', async () => {
      symlinkSync('sub', join(repo, 'app/linked'));
      for (let i = 0; i < 2; i++) {
        assert.equal(await fs.readFile(join(repo, 'app/linked/real.yaml')), 'kind: X\n');
        assert.equal(await fs.realPath!(join(repo, 'app/linked/real.yaml')), join(repo, 'app/sub/real.yaml'));
        assert.equal(await fs.realPath!(join(repo, 'app/linked/../big.yaml')), join(repo, 'app/big.yaml'));
        assert.equal(await code(fs.readFile(join(repo, 'app/linked/missing.yaml'))), 'ENOENT');
        assert.equal(await code(fs.readFile(join(repo, 'app/big.yaml/x.yaml'))), 'ENOTDIR');
      }
    });

    it('refuses a link to a file or folder outside the root (EOUTSIDE)', async () => {
      assert.equal(await code(fs.readFile(join(repo, 'app/outside.txt'))), 'EOUTSIDE');
      assert.equal(await code(fs.readFileBytes!(join(repo, 'app/outside.txt'))), 'EOUTSIDE');
      assert.equal(await code(fs.readDir(join(repo, 'app/outdir'))), 'EOUTSIDE');
      assert.equal(await code(fs.readFile(join(repo, 'app/outdir/secret.txt'))), 'EOUTSIDE');
      await assert.rejects(fs.readFile(join(repo, 'app/outside.txt')), /resolves to .*secret\.txt, outside .*repo/);
    });

    it('without a root, reads what the links point at', async () => {
      assert.equal(await make({ maxFileBytes: 1024 }).readFile(join(repo, 'app/outside.txt')), 'outside\n');
    });

    it('refuses a FIFO without blocking, and a device, as not regular files (ENOTREG)', async () => {
      assert.equal(await code(fs.readFile(join(repo, 'app/fifo.yaml'))), 'ENOTREG');
      const noRoot = make({ maxFileBytes: 1024 });
      assert.equal(await code(noRoot.readFile(join(repo, 'app/zero.yaml'))), 'ENOTREG');
      await assert.rejects(
        noRoot.readFileBytes!(join(repo, 'app/zero.yaml')),
        /is a character device, not a regular file/,
      );
      // With a root, /dev/zero is outside it before it is a device.
      assert.equal(await code(fs.readFile(join(repo, 'app/zero.yaml'))), 'EOUTSIDE');
    });

    it('refuses a file over the limit (EFBIG)', async () => {
      assert.equal(await code(fs.readFile(join(repo, 'app/big.yaml'))), 'EFBIG');
      assert.equal((await make({ root: repo, maxFileBytes: 4096 }).readFile(join(repo, 'app/big.yaml'))).length, 2048);
    });

    it('reports a link loop as ELOOP and a folder as EISDIR', async () => {
      assert.equal(await code(fs.readFile(join(repo, 'app/loop-a'))), 'ELOOP');
      assert.equal(await code(fs.readFile(join(repo, 'app/sub'))), 'EISDIR');
    });

    it('decodes strictly: invalid UTF-8 is EILSEQ at its line, UTF-16 with a BOM is text; bytes stay bytes', async () => {
      await assert.rejects(
        fs.readFile(join(repo, 'app/latin1.yaml')),
        (e: FileError) => e.code === 'EILSEQ' && e.line === 1 && e.column === 4,
      );
      assert.deepEqual([...(await fs.readFileBytes!(join(repo, 'app/latin1.yaml')))], [0x61, 0x3a, 0x20, 0xe9, 0x0a]);
      assert.equal(await fs.readFile(join(repo, 'app/utf16.yaml')), 'a: é\n');
    });

    it('a render over the adapter names the refused file at the kustomization entry', async () => {
      writeFileSync(join(repo, 'app/kustomization.yaml'), 'resources:\n- fifo.yaml\n');
      try {
        await renderKustomization('app', { fs: make({ root: repo }), repoRoot: repo });
        assert.fail('rendered a FIFO');
      } catch (e) {
        assert.ok(e instanceof ProblemError, String(e));
        assert.deepEqual([e.problem.location?.file, e.problem.location?.line], ['app/kustomization.yaml', 2]);
        assert.equal(
          e.problem.message,
          'app/fifo.yaml: is a FIFO (named pipe), not a regular file; only regular files are read',
        );
      }
    });
  });
}

describe('maxFileBytesFrom: the read limit from GITOPS_DRIFT_MAX_FILE_MB', () => {
  it('is 64 MiB by default, the variable in MiB otherwise, and refuses nonsense', () => {
    assert.equal(maxFileBytesFrom({}), 64 * 1024 * 1024);
    assert.equal(maxFileBytesFrom({ GITOPS_DRIFT_MAX_FILE_MB: '1' }), 1024 * 1024);
    assert.equal(maxFileBytesFrom({ GITOPS_DRIFT_MAX_FILE_MB: '0.5' }), 512 * 1024);
    assert.throws(
      () => maxFileBytesFrom({ GITOPS_DRIFT_MAX_FILE_MB: 'lots' }),
      /GITOPS_DRIFT_MAX_FILE_MB must be a positive number/,
    );
    assert.throws(() => maxFileBytesFrom({ GITOPS_DRIFT_MAX_FILE_MB: '-1' }), /positive/);
  });
});
