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
import { ClusterError } from '../../../src/core/live/clusterError';
import type { KubeObject } from '../../../src/core/model/resource';
import { textReport } from '../../../src/core/drift/textReport';
import { FakeClusterReader, live } from './fakeClusterReader';

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

/** shop and blog, both deploying in-cluster: one destination environment. */
function destinationEngine(options: { blogNamespace?: string } = {}) {
  const blog = options.blogNamespace
    ? application('blog').replace('namespace: argocd', `namespace: ${options.blogNamespace}`)
    : application('blog');
  return new DriftEngine({
    fs: new MemoryFileSystem({
      '/r/argo/shop.yaml': application('shop'),
      '/r/argo/blog.yaml': blog,
      '/r/apps/shop/cm.yaml': cmText('info'),
      '/r/apps/blog/cm.yaml': cmText('info'),
    }),
    repoRoot: '/r',
  });
}

/** An Application as Argo CD lists it: Synced and Healthy. */
const liveApplication = (name: string, namespace = 'argocd'): KubeObject =>
  live(
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name, namespace },
      status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } },
    },
    '3',
  );

const liveConfigMap = (ns: string, level: string): KubeObject =>
  live({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns }, data: { level } }, '4');

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

  it('an Application the token may not read: its objects forbidden, the cause once on it; the other compared', async () => {
    const engine = destinationEngine();
    const env = (await engine.repo()).environments.find((e) => e.name === 'in-cluster')!;
    const api: ArgoCdApi = {
      server: 'argocd.example.com',
      applications: () => Promise.resolve([liveApplication('blog')]),
      managedResources: (name) =>
        name === 'shop'
          ? Promise.reject(
              Object.assign(new Error('Argo CD at argocd.example.com: managed-resources: permission denied'), {
                status: 403,
              }),
            )
          : Promise.resolve([managed('blog', 'debug')]),
    };
    const report = await engine.check(env, {
      ...new ArgoCdSession(api).liveSource(argoApplicationsOf(env)!),
      context: 'argocd:argocd.example.com',
      via: 'api',
    });
    assert.equal(report.error, null, 'the environment is checked');
    assert.deepEqual(
      report.resources.map((r) => `${r.application} ${r.key.namespace}/${r.key.name} ${r.verdict}`).sort(),
      ['blog blog/settings Drifted', 'shop shop/settings Forbidden'],
    );
    const shop = report.applications.find((a) => a.name === 'shop')!;
    assert.equal(shop.unread, 'Forbidden');
    assert.match(shop.message ?? '', /permission denied/);
    assert.equal(shop.controller, undefined, 'no status claimed for an Application that could not be read');
    const blog = report.applications.find((a) => a.name === 'blog')!;
    assert.equal(blog.unread, undefined);
    assert.equal(blog.controller?.argo?.sync, 'Synced');
    // The text report says the cause once, on shop; its object points back to it.
    const text = textReport([report]);
    assert.equal(text.match(/permission denied/g)?.length, 1, text);
    assert.match(
      text,
      /application shop +forbidden: Argo CD at argocd\.example\.com: managed-resources: permission denied/,
    );
    assert.match(text, /ConfigMap shop\/settings +forbidden: as for application shop/);
  });

  it('a 404 leaves that application not checked; a refused token still fails the whole environment', async () => {
    const engine = destinationEngine();
    const env = (await engine.repo()).environments.find((e) => e.name === 'in-cluster')!;
    const check = (managedResources: ArgoCdApi['managedResources']) =>
      engine.check(env, {
        ...new ArgoCdSession({ server: 'a', applications: () => Promise.resolve([]), managedResources }).liveSource(
          argoApplicationsOf(env)!,
        ),
        context: 'argocd:a',
        via: 'api',
      });
    const missing = await check((name) =>
      name === 'blog'
        ? Promise.reject(Object.assign(new Error('application blog not found'), { status: 404 }))
        : Promise.resolve([managed('shop', 'info')]),
    );
    assert.deepEqual(missing.resources.map((r) => `${r.application} ${r.verdict}`).sort(), [
      'blog NotChecked',
      'shop InSync',
    ]);
    assert.equal(missing.applications.find((a) => a.name === 'blog')?.unread, 'NotChecked');
    const refused = await check(() =>
      Promise.reject(new ClusterError('unauthorized', 'Argo CD at a rejected the token: 401 Unauthorized')),
    );
    assert.match(refused.error ?? '', /rejected the token/);
    assert.equal(refused.noCluster, true);
  });

  it('through kube contexts: one Application whose status cannot be read says so on it; the environment is checked', async () => {
    const engine = destinationEngine({ blogNamespace: 'team-blog' });
    const env = (await engine.repo()).environments.find((e) => e.name === 'in-cluster')!;
    const cluster = new FakeClusterReader();
    cluster.types.push({
      group: 'argoproj.io',
      version: 'v1alpha1',
      kind: 'Application',
      resource: 'applications',
      namespaced: true,
      verbs: ['list', 'watch'],
    });
    cluster.data.set('applications/argocd', [liveApplication('shop')]);
    // Applications in any namespace: this user may not list team-blog's.
    cluster.scripted.set('applications/team-blog', {
      status: 'forbidden',
      verb: 'list',
      resource: 'applications.argoproj.io',
      message: 'applications.argoproj.io is forbidden in team-blog',
    });
    cluster.data.set('configmaps/shop', [liveConfigMap('shop', 'info')]);
    cluster.data.set('configmaps/blog', [liveConfigMap('blog', 'debug')]);
    const report = await engine.check(env, { reader: cluster, context: 'prod' });
    assert.equal(report.error, null);
    assert.deepEqual(report.resources.map((r) => `${r.application} ${r.verdict}`).sort(), [
      'blog Drifted',
      'shop InSync',
    ]);
    const blog = report.applications.find((a) => a.name === 'blog')!;
    assert.equal(blog.controller?.found, false);
    assert.match(blog.controller?.message ?? '', /cannot read Argo CD Applications in team-blog: .*forbidden/);
    assert.equal(report.applications.find((a) => a.name === 'shop')?.controller?.argo?.sync, 'Synced');
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
