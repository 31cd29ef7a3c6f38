import assert from 'node:assert/strict';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { FileSystem } from '../../../src/core/ports';
import { discoverEnvironments } from '../../../src/core/repo/discover';
import { RecordingFileSystem } from '../../../src/core/recordingFileSystem';
import { fileError } from '../../../src/core/fileErrors';

// Discovery and the engine over hostile trees (docs/security.md, "Files read"): cycles named at their entry, alias
// bombs and unreadable files named, and the engine's FileSystem wrappers passing real paths and bytes through.

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe('discovery: cycles and unreadable kustomizations', () => {
  it('names a kustomization that lists itself, at its entry, and keeps it as an environment', async () => {
    const fs = new MemoryFileSystem({
      '/r/envs/dev/kustomization.yaml': 'resources:\n- cm.yaml\n- .\n',
      '/r/envs/dev/cm.yaml': cm('a'),
      '/r/envs/prod/kustomization.yaml': 'resources:\n- cm.yaml\n',
      '/r/envs/prod/cm.yaml': cm('p'),
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(
      found.environments.map((e) => e.name),
      ['dev', 'prod'],
    );
    assert.deepEqual(found.problems, [
      {
        severity: 'error',
        message: 'kustomization cycle: envs/dev -> envs/dev (kustomize refuses it)',
        location: { file: 'envs/dev/kustomization.yaml', line: 3, column: 3 },
      },
    ]);
  });

  it('names a cycle through several kustomizations once, even when nothing else includes it', async () => {
    const fs = new MemoryFileSystem({
      '/r/envs/dev/kustomization.yaml': 'resources:\n- ../../base/a\n',
      '/r/base/a/kustomization.yaml': 'resources:\n- ../b\n',
      '/r/base/b/kustomization.yaml': 'resources:\n- ../a\n',
      '/r/loop/x/kustomization.yaml': 'resources:\n- ../y\n',
      '/r/loop/y/kustomization.yaml': 'resources:\n- ../x\n',
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(
      found.problems.map((p) => `${p.location?.file}:${p.location?.line} ${p.message}`),
      [
        'base/b/kustomization.yaml:2 kustomization cycle: base/a -> base/b -> base/a (kustomize refuses it)',
        'loop/y/kustomization.yaml:2 kustomization cycle: loop/x -> loop/y -> loop/x (kustomize refuses it)',
      ],
    );
  });

  it("names a kustomization whose aliases exceed yaml's limit instead of failing discovery", async () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map(
        (n, i) =>
          `${n}: &${n} [${Array(9)
            .fill('*' + 'abcdefgh'[i])
            .join(', ')}]`,
      ),
    ]
      .map((l) => `  ${l}`)
      .join('\n');
    const fs = new MemoryFileSystem({
      '/r/envs/dev/kustomization.yaml': `resources: []\nx-bomb:\n${bomb}\n`,
      '/r/envs/prod/kustomization.yaml': 'resources: []\n',
    });
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(
      found.environments.map((e) => e.name),
      ['dev', 'prod'],
    );
    assert.equal(found.problems.length, 1);
    assert.equal(found.problems[0].location?.file, 'envs/dev/kustomization.yaml');
    assert.match(found.problems[0].message, /^cannot read: Excessive alias count/);
  });

  it('reports a refused read with its reason, and bad text at its line', async () => {
    const inner = new MemoryFileSystem({
      '/r/envs/dev/kustomization.yaml': 'resources: []\n',
      '/r/envs/dev/app.yaml': 'x\n',
      '/r/envs/dev/big.yaml': 'x\n',
    });
    const fs: FileSystem = {
      readDir: (p) => inner.readDir(p),
      stat: (p) => inner.stat(p),
      readFile: (p) =>
        p.endsWith('app.yaml')
          ? Promise.reject(
              fileError('EILSEQ', 'invalid UTF-8 (byte 0xff); kustomize refuses it too', { line: 3, column: 4 }),
            )
          : p.endsWith('big.yaml')
            ? Promise.reject(fileError('EFBIG', 'larger than the 64 MiB read limit', { path: p }))
            : inner.readFile(p),
    };
    const found = await discoverEnvironments(fs, '/r');
    assert.deepEqual(
      found.problems.map((p) => [p.location, p.message]),
      [
        [
          { file: 'envs/dev/app.yaml', line: 3, column: 4 },
          'cannot read: invalid UTF-8 (byte 0xff); kustomize refuses it too',
        ],
        [{ file: 'envs/dev/big.yaml', line: 0, column: 0 }, 'cannot read: larger than the 64 MiB read limit'],
      ],
    );
  });
});

describe('engine: the load restrictor and bytes through its FileSystem wrappers', () => {
  function linked(): MemoryFileSystem {
    const fs = new MemoryFileSystem({
      '/r/envs/dev/kustomization.yaml': 'resources:\n- cm.yaml\nconfigMapGenerator:\n- name: g\n  files:\n  - passwd\n',
      '/r/envs/dev/cm.yaml': cm('a'),
      '/etc/passwd': 'root:x:0:0\n',
      '/r/envs/prod/kustomization.yaml': 'resources:\n- cm.yaml\n',
      '/r/envs/prod/cm.yaml': cm('p'),
    });
    fs.symlink('/r/envs/dev/passwd', '/etc/passwd');
    return fs;
  }

  it('refuses a generator file linked outside in an engine render too, and still renders the other environment', async () => {
    const engine = new DriftEngine({ fs: linked(), repoRoot: '/r' });
    await engine.load();
    await assert.rejects(
      engine.render(await engine.environment('dev')),
      /envs\/dev\/kustomization\.yaml:6:5: envs\/dev\/passwd resolves to \/etc\/passwd through a symbolic link/,
    );
    assert.deepEqual(
      (await engine.render(await engine.environment('prod'))).objects.map((o) => o.object.metadata.name),
      ['p'],
    );
  });

  it('names the .gitops-drift.yaml entry of an environment whose path is a link out of the repo', async () => {
    const fs = new MemoryFileSystem({
      '/r/.gitops-drift.yaml': 'environments:\n- name: dev\n  path: envs/dev\n- name: prod\n  path: envs/prod\n',
      '/outside/kustomization.yaml': 'resources:\n- cm.yaml\n',
      '/outside/cm.yaml': cm('o'),
      '/r/envs/prod/kustomization.yaml': 'resources:\n- cm.yaml\n',
      '/r/envs/prod/cm.yaml': cm('p'),
    });
    fs.symlink('/r/envs/dev', '/outside');
    const engine = new DriftEngine({ fs, repoRoot: '/r' });
    // Loading the repo (what `envs` shows) names it already; the render fails the same way.
    assert.deepEqual((await engine.load()).problems, [
      {
        severity: 'error',
        message:
          "environment 'dev': path 'envs/dev' resolves to /outside through a symbolic link, outside the repo; not read",
        location: { file: '.gitops-drift.yaml', line: 2, column: 3 },
      },
    ]);
    await assert.rejects(
      engine.render(await engine.environment('dev')),
      (e: Error) =>
        e.message ===
        ".gitops-drift.yaml:2:3: 'envs/dev' resolves to /outside through a symbolic link, outside the repo root /r; not read",
    );
    assert.equal((await engine.render(await engine.environment('prod'))).objects.length, 1);
  });

  it('RecordingFileSystem passes realPath and readFileBytes through, recording bytes as text or a marker', async () => {
    const inner = new MemoryFileSystem({ '/r/a.txt': 'hello' });
    const bytesFs: FileSystem = {
      ...bindAll(inner),
      readFileBytes: async (p) =>
        p.endsWith('bin') ? new Uint8Array([0xff, 0x00]) : new TextEncoder().encode(await inner.readFile(p)),
    };
    const rec = new RecordingFileSystem(bytesFs, '/r');
    assert.equal(await rec.realPath!('/r/a.txt'), '/r/a.txt');
    assert.deepEqual([...(await rec.readFileBytes!('/r/a.txt'))], [...new TextEncoder().encode('hello')]);
    await rec.readFileBytes!('/r/x.bin');
    assert.equal(rec.reads.get('a.txt'), 'hello');
    const marker = rec.reads.get('x.bin');
    assert.ok(typeof marker === 'string' && marker.startsWith('\u0000'), String(marker));
  });
});

function bindAll(fs: MemoryFileSystem): FileSystem {
  return {
    readFile: (p) => fs.readFile(p),
    readDir: (p) => fs.readDir(p),
    stat: (p) => fs.stat(p),
    realPath: (p) => fs.realPath(p),
  };
}
