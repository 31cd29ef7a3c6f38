import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchFileSystem } from '../../../src/node/batchFileSystem';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';

describe('BatchFileSystem (synchronous reads for one-shot commands)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gitops-drift-batchfs-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'b.yaml'), 'kind: ConfigMap\n');
    writeFileSync(join(dir, 'a.txt'), 'héllo');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answers as NodeFileSystem does: texts, bytes, sorted listings, stats, and undefined for nothing there', async () => {
    const batch = new BatchFileSystem();
    const node = new NodeFileSystem();
    for (const fs of [batch, node]) {
      assert.equal(await fs.readFile(join(dir, 'a.txt')), 'héllo');
      assert.deepEqual([...(await fs.readFileBytes(join(dir, 'a.txt')))], [...Buffer.from('héllo')]);
      assert.deepEqual(await fs.readDir(dir), [
        { name: 'a.txt', isDirectory: false, isFile: true },
        { name: 'b.yaml', isDirectory: false, isFile: true },
        { name: 'sub', isDirectory: true, isFile: false },
      ]);
      const { isDirectory, isFile, size } = (await fs.stat(join(dir, 'b.yaml')))!;
      assert.deepEqual({ isDirectory, isFile, size }, { isDirectory: false, isFile: true, size: 16 });
      assert.equal(await fs.stat(join(dir, 'missing')), undefined);
      assert.equal(await fs.stat(join(dir, 'b.yaml', 'under-a-file')), undefined);
    }
  });

  it('rejects a missing file with code ENOENT, as the engine expects', async () => {
    await assert.rejects(new BatchFileSystem().readFile(join(dir, 'missing.yaml')), { code: 'ENOENT' });
    await assert.rejects(new BatchFileSystem().readDir(join(dir, 'missing')), { code: 'ENOENT' });
  });
});
