import assert from 'node:assert/strict';
import { DriftEngine, type EnginePipeline } from '../../../src/core/engine';
import { SharedListReader } from '../../../src/core/live/sharedLists';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { folderApplication } from '../../../src/core/model/environment';
import type { RepoEnvironment } from '../../../src/core/repo/config';
import { FakeClusterReader, live, obj } from '../live/fakeClusterReader';
import { fakePipeline } from './fakes';

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n`;
const deployment = (name: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  replicas: 1\n`;

/** Two applications in namespaces `a` and `b`; b's render waits until the test opens its gate. */
function setup() {
  const fs = new MemoryFileSystem({
    '/r/a/kustomization.yaml': 'namespace: a\nresources: [cm.yaml, web.yaml]\n',
    '/r/a/cm.yaml': configMap('cfg'),
    '/r/a/web.yaml': deployment('web'),
    '/r/b/kustomization.yaml': 'namespace: b\nresources: [cm.yaml]\n',
    '/r/b/cm.yaml': configMap('cfg'),
  });
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const inner = fakePipeline();
  const pipeline: EnginePipeline = {
    ...inner,
    async render(app, options) {
      if (app.name === 'b') await gate;
      return inner.render(app, options);
    },
  };
  const env: RepoEnvironment = {
    name: 'home',
    path: '',
    source: 'flux',
    applications: [folderApplication('a', 'a'), folderApplication('b', 'b')],
  };
  const cluster = new FakeClusterReader();
  cluster.data.set('configmaps/a', [live(obj('v1', 'ConfigMap', 'cfg', 'a'), '1')]);
  cluster.data.set('deployments/a', [live(obj('apps/v1', 'Deployment', 'web', 'a'), '2')]);
  cluster.data.set('configmaps/b', [live(obj('v1', 'ConfigMap', 'cfg', 'b'), '3')]);
  return { engine: new DriftEngine({ fs, repoRoot: '/r', pipeline }), env, cluster, open };
}

/** Lets every promise chain that can run, run (the renders and the reads they start). */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

describe('engine: LISTs start as each application is rendered (a reader that keeps its LISTs)', () => {
  it("lists an application's scopes while another one still renders, and lists each scope once", async () => {
    const { engine, env, cluster, open } = setup();
    const checking = engine.check(env, { reader: new SharedListReader(cluster), context: 'test', listsKept: true });
    await settle();
    // a is rendered, b is not: a's kinds in a's namespace are being read already.
    assert.deepEqual([...cluster.lists].sort(), ['configmaps/a', 'deployments/a']);
    open();
    const report = await checking;
    assert.deepEqual([...cluster.lists].sort(), ['configmaps/a', 'configmaps/b', 'deployments/a']);
    assert.deepEqual(
      report.resources.map((r) => `${r.key.kind}/${r.key.namespace}/${r.key.name} ${r.application}`).sort(),
      ['ConfigMap/a/cfg a', 'ConfigMap/b/cfg b', 'Deployment/a/web a'],
    );
  });

  it('without listsKept (a reader that forgets finished LISTs), reads only after the whole render', async () => {
    const { engine, env, cluster, open } = setup();
    const checking = engine.check(env, { reader: cluster, context: 'test' });
    await settle();
    assert.deepEqual(cluster.lists, []);
    open();
    await checking;
    assert.deepEqual([...cluster.lists].sort(), ['configmaps/a', 'configmaps/b', 'deployments/a']);
  });
});
