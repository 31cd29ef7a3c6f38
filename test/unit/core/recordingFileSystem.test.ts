import assert from 'node:assert/strict';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { RecordingFileSystem } from '../../../src/core/recordingFileSystem';

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe('RecordingFileSystem (src/core/recordingFileSystem.ts)', () => {
  it('keys reads and listings by repo-relative path, the repo root itself as the empty folder', async () => {
    const fs = new RecordingFileSystem(new MemoryFileSystem({ '/r/a.yaml': cm('a'), '/r/app/b.yaml': cm('b') }), '/r');
    await fs.readDir('/r');
    await fs.readDir('/r/app');
    await fs.readFile('/r/app/b.yaml');
    await assert.rejects(fs.readFile('/r/missing.yaml'));
    assert.deepEqual([...fs.listings.keys()], ['', 'app']);
    assert.deepEqual(fs.listings.get(''), new Set(['a.yaml']));
    assert.deepEqual(
      [...fs.reads],
      [
        ['app/b.yaml', cm('b')],
        ['missing.yaml', undefined],
      ],
    );
    assert.deepEqual(fs.filesRead(), ['app/b.yaml']);
  });

  for (const [where, path, dir] of [
    ['at the repo root', '.', ''],
    ['in a folder', 'app', 'app/'],
  ] as const) {
    it(`lets the engine re-render a plain-folder environment ${where} when a manifest is created there`, async () => {
      const fs = new MemoryFileSystem({
        '/r/.gitops-drift.yaml': `environments:\n- name: e\n  path: ${path}\n`,
        [`/r/${dir}a.yaml`]: cm('a'),
      });
      const engine = new DriftEngine({ fs, repoRoot: '/r' });
      const env = await engine.environment('e');
      assert.deepEqual(
        (await engine.render(env)).objects.map((o) => o.key.name),
        ['a'],
      );
      fs.write(`/r/${dir}b.yaml`, cm('b'));
      assert.deepEqual((await engine.fileChanged(`${dir}b.yaml`)).environments, ['e']);
      assert.deepEqual((await engine.render(env)).objects.map((o) => o.key.name).sort(), ['a', 'b']);
    });
  }
});
