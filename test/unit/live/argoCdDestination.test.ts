/**
 * A destination environment (argocd.environments: cluster, the default) read through Argo CD's API: its live objects
 * are the managed resources of every Application deploying there, each asked once.
 */
import assert from 'node:assert/strict';
import { DriftEngine } from '../../../src/core/engine';
import { argoApplicationsOf } from '../../../src/core/live/argoApplication';
import { ArgoCdSession } from '../../../src/core/live/argoCdReader';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { ArgoCdApi, ArgoManagedResource } from '../../../src/core/ports';

const application = (name: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: ${name}, namespace: argocd }\n` +
  `spec:\n  source: { repoURL: https://example.com/config.git, path: apps/${name} }\n` +
  `  destination: { server: https://kubernetes.default.svc, namespace: ${name} }\n`;
const cmText = (level: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: ${level}\n`;
const managed = (ns: string, level: string): ArgoManagedResource => {
  const obj = JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: ns },
    data: { level },
  });
  return { group: '', kind: 'ConfigMap', namespace: ns, name: 'settings', targetState: obj, liveState: obj };
};

describe("Argo CD's API for a destination environment of several Applications", () => {
  it('reads every Application of the environment, each once, and compares each one’s objects', async () => {
    const engine = new DriftEngine({
      fs: new MemoryFileSystem({
        '/r/.gitops-drift.yaml': 'argocd:\n  environments: cluster\n',
        '/r/argo/shop.yaml': application('shop'),
        '/r/argo/blog.yaml': application('blog'),
        '/r/apps/shop/cm.yaml': cmText('info'),
        '/r/apps/blog/cm.yaml': cmText('info'),
      }),
      repoRoot: '/r',
    });
    const env = (await engine.repo()).environments.find((e) => e.name === 'in-cluster');
    assert.ok(env, 'both Applications are applications of their destination');
    assert.deepEqual(env.applications.map((a) => a.name).sort(), ['blog', 'shop']);
    const refs = argoApplicationsOf(env);
    assert.deepEqual(refs?.map((r) => `${r.namespace}/${r.name}`).sort(), ['argocd/blog', 'argocd/shop']);

    const calls: string[] = [];
    const api: ArgoCdApi = {
      server: 'argocd.example.com',
      applications: () => Promise.resolve([]),
      managedResources: (name) => {
        calls.push(name);
        // blog's object was changed live; shop's is as git says.
        return Promise.resolve([name === 'blog' ? managed('blog', 'debug') : managed('shop', 'info')]);
      },
    };
    const report = await engine.check(env, {
      reader: new ArgoCdSession(api).reader(refs!),
      context: 'argocd:argocd.example.com',
      via: 'api',
    });
    assert.equal(report.error, null);
    assert.deepEqual(
      report.resources.map((r) => `${r.application} ${r.key.namespace}/${r.key.name} ${r.verdict}`).sort(),
      ['blog blog/settings Drifted', 'shop shop/settings InSync'],
    );
    assert.deepEqual(calls.sort(), ['blog', 'shop'], 'each Application’s managed resources asked once');
  });

  it('stands in for the cluster only when every application of the environment is an Argo CD Application', () => {
    const argo = { name: 'web', renderer: 'argo-directory', argo: { application: { name: 'web', namespace: '' } } };
    const plain = { name: 'tools', renderer: 'kustomize' };
    const source = { type: 'folder', path: 'x' } as const;
    assert.deepEqual(argoApplicationsOf({ applications: [{ ...argo, source }] as never }), [
      { name: 'web', namespace: 'argocd' },
    ]);
    // A multi-source Application (one application per source) is one Application, asked once.
    assert.equal(
      argoApplicationsOf({
        applications: [
          { ...argo, source, name: 'web/a' },
          { ...argo, source, name: 'web/b' },
        ] as never,
      })?.length,
      1,
    );
    assert.equal(
      argoApplicationsOf({
        applications: [
          { ...argo, source },
          { ...plain, source },
        ] as never,
      }),
      undefined,
    );
  });
});
