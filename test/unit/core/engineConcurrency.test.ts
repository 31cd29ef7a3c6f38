/**
 * With asynchronous reads (the editor), the engine keeps several reads in flight: renders run RENDER_SLOTS at a time,
 * and discovery asks for every environment folder's real path at once. One read after another, each waited a
 * thread-pool turn on the extension host's busy thread (docs/benchmarks.md, the editor's first opening).
 */
import assert from 'node:assert/strict';
import { DriftEngine, RENDER_SLOTS } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { FileSystem } from '../../../src/core/ports';

const ENVIRONMENTS = ['dev', 'qa', 'test', 'staging', 'uat', 'prod'];

/** A repo of one base and an overlay per environment, each overlay with a file of its own. */
function repo(): MemoryFileSystem {
  const files: Record<string, string> = {
    'base/kustomization.yaml': 'resources:\n- cm.yaml\n',
    'base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n',
  };
  for (const env of ENVIRONMENTS) {
    files[`envs/${env}/kustomization.yaml`] = 'resources:\n- ../../base\n- own.yaml\n';
    files[`envs/${env}/own.yaml`] = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${env}\n`;
  }
  return new MemoryFileSystem(files, '/repo');
}

/** `inner` with every call taking a few ms, and the most calls of `watched` ever in flight at once. */
function slow(inner: FileSystem, watched: (method: string, path: string) => boolean) {
  let inFlight = 0;
  const seen = { most: 0 };
  const wrap =
    <T>(method: string, call: (path: string) => Promise<T>) =>
    async (path: string): Promise<T> => {
      const counts = watched(method, path);
      if (counts) seen.most = Math.max(seen.most, ++inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 3));
        return await call(path);
      } finally {
        if (counts) inFlight--;
      }
    };
  const fs: FileSystem = {
    readFile: wrap('readFile', (p) => inner.readFile(p)),
    readDir: wrap('readDir', (p) => inner.readDir(p)),
    stat: wrap('stat', (p) => inner.stat(p)),
    realPath: wrap('realPath', (p) => inner.realPath!(p)),
  };
  return { fs, seen };
}

/** Every environment's render; `seen` counts from the first render on (discovery reads the repo's YAML too). */
async function renderAll(engine: DriftEngine, seen: { most: number }): Promise<string[]> {
  const { environments } = await engine.load();
  seen.most = 0;
  assert.deepEqual(environments.map((e) => e.name).sort(), [...ENVIRONMENTS].sort());
  const reports = await Promise.all(environments.map((env) => engine.renderedReport(env, 'c')));
  return reports.map((r) => r.resources.map((x) => x.key.name).join(',')).sort();
}

describe('engine: reads kept in flight together (asynchronous file systems)', () => {
  // A render checks the real path of each file its kustomization names (discovery has read their texts already).
  const ownFile = (method: string, path: string) => method === 'realPath' && path.endsWith('/own.yaml');

  it(`renders ${RENDER_SLOTS} environments at a time by default, one at a time with renderSlots 1; same objects`, async () => {
    assert.ok(RENDER_SLOTS >= ENVIRONMENTS.length, 'the test needs every environment to fit in the slots');
    const together = slow(repo(), ownFile);
    const inTurn = slow(repo(), ownFile);
    const many = await renderAll(new DriftEngine({ fs: together.fs, repoRoot: '/repo' }), together.seen);
    const one = await renderAll(new DriftEngine({ fs: inTurn.fs, repoRoot: '/repo', renderSlots: 1 }), inTurn.seen);
    assert.equal(together.seen.most, ENVIRONMENTS.length);
    assert.equal(inTurn.seen.most, 1);
    assert.deepEqual(many, one);
    assert.equal(many.length, ENVIRONMENTS.length);
    for (const objects of many)
      assert.match(objects, /^app,(dev|qa|test|staging|uat|prod)$|^(dev|qa|test|staging|uat|prod),app$/);
  });

  it("discovery asks for every environment folder's real path at once", async () => {
    const folder = (method: string, path: string) => method === 'realPath' && /^\/repo\/envs\/[^/]+$/.test(path);
    const { fs, seen } = slow(repo(), folder);
    await new DriftEngine({ fs, repoRoot: '/repo' }).load();
    assert.equal(seen.most, ENVIRONMENTS.length);
  });
});
