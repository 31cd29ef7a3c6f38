import assert from 'node:assert/strict';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';

/** Two overlays of one base, rendered by the real in-process renderer. */
function repo(): MemoryFileSystem {
  return new MemoryFileSystem({
    '/r/base/kustomization.yaml': 'resources:\n  - cm.yaml\n',
    '/r/base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  a: "1"\n',
    '/r/envs/dev/kustomization.yaml': 'namePrefix: dev-\nresources:\n  - ../../base\n',
    '/r/envs/prod/kustomization.yaml': 'namePrefix: prod-\nresources:\n  - ../../base\n',
  });
}

describe('DriftEngine.renderInputs (what the saved tree keeps digests of)', () => {
  it("is every file the environments' kept renders read, with the text each read", async () => {
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r' });
    const envs = (await engine.load()).environments;
    assert.equal(engine.renderInputs(envs), undefined, 'nothing rendered yet');
    for (const env of envs) await engine.renderedReport(env, 'ctx');
    const inputs = engine.renderInputs(envs);
    assert.ok(inputs);
    assert.equal(
      inputs.files.get('base/cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  a: "1"\n',
    );
    assert.deepEqual(
      [...inputs.files.keys()].filter((f) => !f.startsWith('base/') && !f.startsWith('envs/')),
      [],
      'only repo files',
    );
    for (const f of ['base/kustomization.yaml', 'envs/dev/kustomization.yaml', 'envs/prod/kustomization.yaml'])
      assert.ok(inputs.files.has(f), f);
  });

  it('cannot say once a file changed and its renders are dropped, until they are rendered again', async () => {
    const fs = repo();
    const engine = new DriftEngine({ fs, repoRoot: '/r' });
    const envs = (await engine.load()).environments;
    for (const env of envs) await engine.renderedReport(env, 'ctx');
    fs.write('/r/base/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  a: "2"\n');
    await engine.fileChanged('base/cm.yaml');
    assert.equal(engine.renderInputs(envs), undefined);
    for (const env of envs) await engine.renderedReport(env, 'ctx');
    assert.match(engine.renderInputs(envs)?.files.get('base/cm.yaml') ?? '', /a: "2"/);
  });
});
