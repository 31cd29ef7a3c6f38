import assert from 'node:assert/strict';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { KubeObject } from '../../../src/core/model/resource';
import { valueAt } from '../../../src/core/yaml/pointer';
import { clusterKs, helmRelease, homeOpsFiles } from '../../support/homeOpsFixture';

/** Each child is rendered from its Kustomization as its parent's render (test/support/homeOpsFixture.ts) applies it. */
const files = () => Object.fromEntries(Object.entries(homeOpsFiles()).map(([path, text]) => [`/r/${path}`, text]));

async function setup(extra: Record<string, string> = {}) {
  const fs = new MemoryFileSystem({ ...files(), ...extra });
  const engine = new DriftEngine({ fs, repoRoot: '/r' });
  const env = await engine.environment('main');
  const echo = env.applications.find((a) => a.name === 'echo') ?? assert.fail('no echo application');
  return { fs, engine, env, echo };
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('Flux: a child Kustomization rendered from its parent’s patched object', () => {
  it('discovery says which application applies each child', async () => {
    const { env } = await setup();
    assert.deepEqual(
      env.applications.map((a) => `${a.name}<${a.controller?.appliedBy ?? '-'}`),
      ['flux-system<-', 'cluster-vars<flux-system', 'cluster-apps<flux-system', 'echo<cluster-apps'],
    );
  });

  it('renders the child with the parent’s patches: its substituteFrom, targetNamespace and HelmRelease patches', async () => {
    const { engine, env, echo } = await setup();
    const result = await engine.renderApplication(env, echo);
    assert.deepEqual(result.problems, []);
    const [hr] = result.objects;
    assert.deepEqual(hr.key, { group: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease', namespace: 'apps', name: 'echo' });
    // The substituteFrom the parent patched in, with the targetNamespace the parent substituted into its patch.
    assert.equal(valueAt(hr.object, '/spec/values/ingress/host'), 'echo.example.com');
    assert.equal(valueAt(hr.object, '/spec/install/remediation/retries'), 3);
  });

  it('points a value the parent’s patch set at that patch, and a substituted one at its variable', async () => {
    const { engine, env, echo } = await setup();
    const [hr] = (await engine.renderApplication(env, echo)).objects;
    const retries = hr.origins.get('/spec/install/remediation/retries');
    assert.equal(retries?.file, 'kubernetes/flux/cluster/ks.yaml');
    // The child's `patches` entry is text the parent's patch wrote: its values point at their lines in it.
    assert.equal(retries?.line, lineOf(clusterKs, 'retries: 3'));
    // The namespace comes from the targetNamespace the parent's patch set.
    const namespace = hr.origins.get('/metadata/namespace');
    assert.equal(namespace?.file, 'kubernetes/flux/cluster/ks.yaml');
    assert.equal(namespace?.line, lineOf(clusterKs, 'targetNamespace: ${APPS_NAMESPACE}'));
    const host = hr.origins.get('/spec/values/ingress/host');
    assert.equal(host?.file, 'kubernetes/apps/echo/app/helmrelease.yaml');
    assert.deepEqual(host?.related?.[0].location, {
      file: 'kubernetes/flux/vars/cluster-settings.yaml',
      line: 7,
      column: 3,
    });
  });

  it('renders the child again when the parent’s patch changes, and says which environment to check', async () => {
    const { engine, env, echo, fs } = await setup();
    await engine.renderApplication(env, echo);
    fs.write('/r/kubernetes/flux/cluster/ks.yaml', clusterKs.replace('retries: 3', 'retries: 5'));
    const change = await engine.fileChanged('kubernetes/flux/cluster/ks.yaml');
    assert.ok(change.environments.includes('main'));
    await engine.load();
    const env2 = await engine.environment('main');
    const echo2 = env2.applications.find((a) => a.name === 'echo')!;
    const [hr] = (await engine.renderApplication(env2, echo2)).objects;
    assert.equal(valueAt(hr.object, '/spec/install/remediation/retries'), 5);
  });

  it('a change to the child’s own file still marks the environment (its render key holds the patched spec)', async () => {
    const { engine, env, echo, fs } = await setup();
    await engine.renderApplication(env, echo);
    fs.write('/r/kubernetes/apps/echo/app/helmrelease.yaml', helmRelease.replace('interval: 1h', 'interval: 2h'));
    assert.deepEqual((await engine.fileChanged('kubernetes/apps/echo/app/helmrelease.yaml')).environments, ['main']);
    const [hr] = (await engine.renderApplication(env, echo)).objects;
    assert.equal(valueAt(hr.object, '/spec/interval'), '2h');
  });

  it('takes the child as its file declares it when the parent fails, and the parent’s failure stays its own', async () => {
    const { engine, env } = await setup({
      '/r/kubernetes/apps/kustomization.yaml': 'resources: [./echo/ks.yaml, ./missing.yaml]\n',
    });
    const rendered = await engine.render(env);
    const state = (name: string) => rendered.applications.find((p) => p.application.name === name);
    assert.match(state('cluster-apps')?.error ?? '', /missing\.yaml/);
    const echo = state('echo');
    assert.equal(echo?.error, undefined);
    // Without the parent's patches: no targetNamespace, no substitution.
    const hr = echo!.result!.objects[0].object as KubeObject;
    assert.equal(hr.metadata.namespace, undefined);
    assert.equal(valueAt(hr, '/spec/values/ingress/host'), 'echo.${SECRET_DOMAIN}');
  });

  it('renderFrom (a past revision) applies the parent’s patches too', async () => {
    const { engine, env, fs } = await setup();
    const rendered = await engine.renderFrom(env, fs);
    const echo = rendered.applications.find((p) => p.application.name === 'echo');
    const hr = echo!.result!.objects[0].object;
    assert.equal(valueAt(hr, '/spec/values/ingress/host'), 'echo.example.com');
    assert.equal(hr.metadata.namespace, 'apps');
  });
});
