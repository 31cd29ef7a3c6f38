import { strict as assert } from 'node:assert';
import { ClusterError } from '../../../src/core/live/clusterError';
import { readLiveState } from '../../../src/core/live/readLiveState';
import { scopeKey } from '../../../src/core/model/live';
import { FakeClusterReader, deferred, live, obj } from './fakeClusterReader';

describe('readLiveState', () => {
  it('lists once per kind and namespace, cluster-scoped kinds once, unnamespaced objects in the default namespace', async () => {
    const reader = new FakeClusterReader();
    const web = obj('apps/v1', 'Deployment', 'web', 'shop');
    const api = obj('apps/v1', 'Deployment', 'api', 'shop');
    const worker = obj('apps/v1', 'Deployment', 'worker');
    const cm = obj('v1', 'ConfigMap', 'cfg', 'other');
    const ns = obj('v1', 'Namespace', 'shop');
    const role = obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'reader', 'shop'); // a stray namespace on a cluster-scoped kind
    reader.data.set('deployments/shop', [live(web, '5'), live(obj('apps/v1', 'Deployment', 'stray', 'shop'), '6')]);
    reader.data.set('deployments/dev', [live(worker, '7', 'dev')]);
    reader.data.set('namespaces/', [live(ns, '1'), live(obj('v1', 'Namespace', 'kube-system'), '2')]);

    const state = await readLiveState([web, api, worker, cm, ns, role], reader, { defaultNamespace: 'dev' });

    assert.deepEqual([...reader.lists].sort(), [
      'clusterroles/',
      'configmaps/other',
      'deployments/dev',
      'deployments/shop',
      'namespaces/',
    ]);
    assert.deepEqual([...state.listed].sort(), [
      scopeKey('', 'ConfigMap', 'other'),
      scopeKey('', 'Namespace', ''),
      scopeKey('apps', 'Deployment', 'dev'),
      scopeKey('apps', 'Deployment', 'shop'),
      scopeKey('rbac.authorization.k8s.io', 'ClusterRole', ''),
    ]);
    assert.deepEqual([...state.objects.keys()].sort(), [
      '/Namespace//kube-system',
      '/Namespace//shop',
      'apps/Deployment/dev/worker',
      'apps/Deployment/shop/stray',
      'apps/Deployment/shop/web',
    ]);
    assert.equal(state.failures.size, 0);
    assert.equal(state.namespaced?.get('apps/Deployment'), true);
    assert.equal(state.namespaced?.get('/Namespace'), false);
  });

  it('asks discovery for the version most desired objects use', async () => {
    const reader = new FakeClusterReader();
    await readLiveState(
      [
        obj('apps/v1beta2', 'Deployment', 'a', 'x'),
        obj('apps/v1', 'Deployment', 'b', 'x'),
        obj('apps/v1', 'Deployment', 'c', 'x'),
      ],
      reader,
      { defaultNamespace: 'default' },
    );
    assert.deepEqual(reader.typeCalls, [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  });

  it('keeps at most `concurrency` LISTs in flight', async () => {
    const reader = new FakeClusterReader();
    const gate = deferred();
    reader.gate = gate.promise;
    const desired = Array.from({ length: 20 }, (_, i) => obj('v1', 'ConfigMap', 'c', `ns-${i}`));
    const reading = readLiveState(desired, reader, { defaultNamespace: 'default', concurrency: 3 });
    // Let the workers start: each awaits the gate.
    while (reader.inFlight < 3) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(reader.inFlight, 3);
    gate.resolve();
    const state = await reading;
    assert.equal(reader.maxInFlight, 3);
    assert.equal(reader.lists.length, 20);
    assert.equal(state.listed.size, 20);
  });

  it('maps unknown kinds, 403 and other errors to failures of their scope only', async () => {
    const reader = new FakeClusterReader();
    reader.scripted.set('configmaps/locked', {
      status: 'forbidden',
      verb: 'list',
      resource: 'configmaps',
      message: 'User "ro" cannot list resource "configmaps" in API group "" in the namespace "locked"',
    });
    reader.scripted.set('deployments/broken', {
      status: 'error',
      message: 'the server has received too many requests',
    });
    reader.data.set('configmaps/open', [live(obj('v1', 'ConfigMap', 'ok', 'open'), '3')]);
    const state = await readLiveState(
      [
        obj('example.com/v1', 'Widget', 'gizmo', 'open'),
        obj('example.com/v1', 'Widget', 'gadget'),
        obj('v1', 'ConfigMap', 'secret-ish', 'locked'),
        obj('v1', 'ConfigMap', 'ok', 'open'),
        obj('apps/v1', 'Deployment', 'web', 'broken'),
      ],
      reader,
      { defaultNamespace: 'dflt' },
    );

    const widget = state.failures.get(scopeKey('example.com', 'Widget', 'open'));
    assert.equal(widget?.verdict, 'UnknownKind');
    assert.match(widget!.message, /Widget in API group "example.com" \(example.com\/v1\)/);
    // Unnamespaced object of an unknown kind: findable under the default namespace and cluster-wide.
    assert.equal(state.failures.get(scopeKey('example.com', 'Widget', 'dflt'))?.verdict, 'UnknownKind');
    assert.equal(state.failures.get(scopeKey('example.com', 'Widget', ''))?.verdict, 'UnknownKind');
    const forbidden = state.failures.get(scopeKey('', 'ConfigMap', 'locked'));
    assert.equal(forbidden?.verdict, 'Forbidden');
    assert.match(forbidden!.message, /^list configmaps in namespace "locked" is forbidden: User "ro" cannot list/);
    const broken = state.failures.get(scopeKey('apps', 'Deployment', 'broken'));
    assert.equal(broken?.verdict, 'Error');
    assert.match(
      broken!.message,
      /list deployments.apps in namespace "broken" failed: the server has received too many requests/,
    );
    assert.deepEqual([...state.listed], [scopeKey('', 'ConfigMap', 'open')]);
    assert.deepEqual([...state.objects.keys()], ['/ConfigMap/open/ok']);
    assert.ok(!reader.lists.some((l) => l.startsWith('widgets')), 'no LIST for a kind the cluster does not serve');
  });

  it('rejects once with the ClusterError when the cluster itself fails, and starts no further LISTs', async () => {
    const reader = new FakeClusterReader();
    reader.scripted.set('configmaps/ns-0', new ClusterError('unauthorized', 'credentials rejected', 'prod'));
    const desired = Array.from({ length: 10 }, (_, i) => obj('v1', 'ConfigMap', 'c', `ns-${i}`));
    await assert.rejects(
      readLiveState(desired, reader, { defaultNamespace: 'default', concurrency: 1 }),
      (e: unknown) => e instanceof ClusterError && e.reason === 'unauthorized',
    );
    assert.deepEqual(reader.lists, ['configmaps/ns-0']);
  });

  it('a version the cluster does not serve (CRD served: false) is one "version not served" failure per scope, never listed', async () => {
    const reader = new FakeClusterReader();
    reader.types.push({
      group: 'stable.example.com',
      version: 'v1',
      kind: 'CronTab',
      resource: 'crontabs',
      namespaced: true,
      verbs: ['list'],
    });
    const tabs = Array.from({ length: 100 }, (_, i) =>
      obj('stable.example.com/v1beta1', 'CronTab', `tab-${i}`, 'shop'),
    );
    const state = await readLiveState(tabs, reader, { defaultNamespace: 'dev' });
    assert.deepEqual(reader.lists, []);
    assert.deepEqual([...state.failures.keys()], [scopeKey('stable.example.com', 'CronTab', 'shop')]);
    assert.deepEqual(state.failures.get(scopeKey('stable.example.com', 'CronTab', 'shop')), {
      verdict: 'UnknownKind',
      message:
        'version not served: the cluster does not serve CronTab in stable.example.com/v1beta1 (it serves it in stable.example.com/v1; a CRD version with served: false, or an API version this Kubernetes release removed): change the apiVersion in git',
    });
    // The served version lists as before.
    const served = await readLiveState([obj('stable.example.com/v1', 'CronTab', 'tab', 'shop')], reader, {
      defaultNamespace: 'dev',
    });
    assert.equal(served.failures.size, 0);
    assert.deepEqual(reader.lists, ['crontabs/shop']);
  });
});
