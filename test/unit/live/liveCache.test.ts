import { strict as assert } from 'node:assert';
import { type LiveChange, LiveCache, type WatchProblem } from '../../../src/core/live/liveCache';
import { ClusterError } from '../../../src/core/live/clusterError';
import { scopeKey } from '../../../src/core/model/live';
import { FakeClusterReader, deferred, live, obj } from './fakeClusterReader';

/** Resolves with the next change event. */
function nextChange(cache: LiveCache): Promise<LiveChange> {
  return new Promise((resolve) => {
    const sub = cache.onDidChange((change) => {
      sub.dispose();
      resolve(change);
    });
  });
}

describe('LiveCache', () => {
  const web = obj('apps/v1', 'Deployment', 'web', 'shop');
  const api = obj('apps/v1', 'Deployment', 'api', 'shop');
  let cache: LiveCache | undefined;
  afterEach(() => cache?.dispose());

  it('lists and watches a scope once, then answers from memory', async () => {
    const reader = new FakeClusterReader();
    reader.rv = 40;
    reader.data.set('deployments/shop', [live(web, '10')]);
    cache = new LiveCache(reader);
    const first = await cache.read([web], { defaultNamespace: 'default' });
    const watch = await reader.nextWatch();
    assert.equal(watch.resourceVersion, '40', 'the watch starts from the LIST resourceVersion');
    assert.equal(watch.namespace, 'shop');
    const second = await cache.read([web, api], { defaultNamespace: 'default' });
    assert.deepEqual(reader.lists, ['deployments/shop']);
    assert.equal(reader.watchCalls, 1);
    assert.deepEqual([...first.objects.keys()], ['apps/Deployment/shop/web']);
    assert.deepEqual([...second.listed], [scopeKey('apps', 'Deployment', 'shop')]);
    assert.deepEqual(cache.watchedScopes, [scopeKey('apps', 'Deployment', 'shop')]);
  });

  it('applies watch events, coalesces a burst into one change event, and resumes from the last resourceVersion', async () => {
    const reader = new FakeClusterReader();
    reader.data.set('deployments/shop', [live(web, '10')]);
    cache = new LiveCache(reader);
    await cache.read([web, api], { defaultNamespace: 'default' });
    const watch = await reader.nextWatch();
    const changed = nextChange(cache);
    watch.emit({ type: 'ADDED', object: live(api, '11') });
    watch.emit({ type: 'MODIFIED', object: { ...live(web, '12'), spec: { replicas: 5 } } });
    const change = await changed;
    assert.deepEqual(change.scopes, [scopeKey('apps', 'Deployment', 'shop')]);
    assert.deepEqual(change.objects.sort(), ['apps/Deployment/shop/api', 'apps/Deployment/shop/web']);
    let state = await cache.read([web, api], { defaultNamespace: 'default' });
    assert.deepEqual((state.objects.get('apps/Deployment/shop/web') as { spec?: unknown }).spec, { replicas: 5 });

    const deleted = nextChange(cache);
    watch.emit({ type: 'DELETED', object: live(api, '13') });
    assert.deepEqual((await deleted).objects, ['apps/Deployment/shop/api']);
    watch.emit({ type: 'BOOKMARK', resourceVersion: '20' });
    watch.end({ status: 'closed' });
    const resumed = await reader.nextWatch();
    assert.equal(resumed.resourceVersion, '20', 'a bookmark moves the resume point');
    state = await cache.read([web, api], { defaultNamespace: 'default' });
    assert.deepEqual([...state.objects.keys()], ['apps/Deployment/shop/web']);
    assert.deepEqual(reader.lists, ['deployments/shop'], 'no LIST after the first');
  });

  it('lists again on 410 Gone and reports exactly what changed meanwhile', async () => {
    const reader = new FakeClusterReader();
    reader.rv = 50;
    const other = obj('apps/v1', 'Deployment', 'other', 'shop');
    reader.data.set('deployments/shop', [live(web, '10'), live(other, '11')]);
    cache = new LiveCache(reader);
    await cache.read([web], { defaultNamespace: 'default' });
    const watch = await reader.nextWatch();
    reader.rv = 90;
    reader.data.set('deployments/shop', [live(web, '10'), live(api, '85')]); // other deleted, api created
    const changed = nextChange(cache);
    watch.end({ status: 'gone' });
    const change = await changed;
    assert.deepEqual(change.objects.sort(), ['apps/Deployment/shop/api', 'apps/Deployment/shop/other']);
    const rewatch = await reader.nextWatch();
    assert.equal(rewatch.resourceVersion, '90');
    assert.deepEqual(reader.lists, ['deployments/shop', 'deployments/shop']);
    const state = await cache.read([web], { defaultNamespace: 'default' });
    assert.deepEqual([...state.objects.keys()].sort(), ['apps/Deployment/shop/api', 'apps/Deployment/shop/web']);
  });

  it('reconnects a broken watch with exponential backoff, capped, and resets after events', async () => {
    const reader = new FakeClusterReader();
    reader.data.set('deployments/shop', [live(web, '10')]);
    const waits: number[] = [];
    const problems: WatchProblem[] = [];
    cache = new LiveCache(reader, {
      backoff: { initialMs: 100, maxMs: 500, jitter: 0 },
      delay: async (ms) => void waits.push(ms),
    });
    cache.onWatchProblem((p) => problems.push(p));
    await cache.read([web], { defaultNamespace: 'default' });
    for (let i = 0; i < 5; i++) (await reader.nextWatch()).end({ status: 'error', message: 'connection reset' });
    const healthy = await reader.nextWatch();
    assert.deepEqual(waits, [100, 200, 400, 500, 500]);
    assert.equal(problems.length, 5);
    assert.deepEqual(problems[0], {
      scope: scopeKey('apps', 'Deployment', 'shop'),
      message: 'connection reset',
      retryInMs: 100,
      cluster: false,
    });
    healthy.emit({ type: 'MODIFIED', object: live(web, '30') });
    healthy.end({ status: 'error', message: 'again' });
    const after = await reader.nextWatch();
    assert.equal(after.resourceVersion, '30');
    assert.deepEqual(waits.slice(5), [100], 'backoff starts over after a stream that delivered events');
    assert.deepEqual(reader.lists, ['deployments/shop']);
  });

  it('lists again on read while a watch is broken, and trusts the cache again once events flow', async () => {
    const reader = new FakeClusterReader();
    reader.data.set('deployments/shop', [live(web, '10')]);
    const retry = deferred();
    cache = new LiveCache(reader, { delay: () => retry.promise });
    await cache.read([web], { defaultNamespace: 'default' });
    const problem = new Promise((resolve) => cache!.onWatchProblem(resolve));
    (await reader.nextWatch()).end({ status: 'error', message: 'connection reset' });
    await problem;
    reader.data.set('deployments/shop', [live(web, '15'), live(api, '16')]);
    const state = await cache.read([web], { defaultNamespace: 'default' });
    assert.equal(state.objects.size, 2, 'the read did not trust a cache whose watch is down');
    assert.equal(reader.lists.length, 2);
    reader.rv = 16;
    retry.resolve();
    const rewatch = await reader.nextWatch();
    assert.equal(rewatch.resourceVersion, '100', 'resumes from the LIST the read made');
    rewatch.emit({ type: 'BOOKMARK', resourceVersion: '101' });
    await cache.read([web], { defaultNamespace: 'default' });
    assert.equal(reader.lists.length, 2, 'answered from memory again');
  });

  it('stops watching scopes that no read has asked for within idleMs', async () => {
    const reader = new FakeClusterReader();
    let now = 0;
    cache = new LiveCache(reader, { idleMs: 1000, now: () => now });
    const other = obj('v1', 'ConfigMap', 'c', 'other');
    await cache.read([web, other], { defaultNamespace: 'default' });
    const watches = [await reader.nextWatch(), await reader.nextWatch()];
    now = 600;
    await cache.read([web], { defaultNamespace: 'default' });
    now = 1200;
    await cache.read([web], { defaultNamespace: 'default' });
    assert.deepEqual(cache.watchedScopes, [scopeKey('apps', 'Deployment', 'shop')]);
    assert.deepEqual(watches.map((w) => `${w.type.resource} ${w.signal.aborted}`).sort(), [
      'configmaps true',
      'deployments false',
    ]);
  });

  it('answers a LIST of one scope from memory once watched, and passes failures through unwrapped', async () => {
    const reader = new FakeClusterReader();
    reader.data.set('deployments/shop', [live(web, '10')]);
    reader.scripted.set('configmaps/locked', {
      status: 'forbidden',
      verb: 'list',
      resource: 'configmaps',
      message: 'nope',
    });
    cache = new LiveCache(reader);
    const deployments = reader.types.find((t) => t.kind === 'Deployment')!;
    const configMaps = reader.types.find((t) => t.kind === 'ConfigMap')!;
    const first = await cache.list(deployments, 'shop');
    const watch = await reader.nextWatch();
    const changed = nextChange(cache);
    watch.emit({ type: 'ADDED', object: live(api, '11') });
    await changed;
    const second = await cache.list(deployments, 'shop');
    assert.equal(first.status === 'ok' && first.items.length, 1);
    assert.equal(second.status === 'ok' && second.items.length, 2);
    assert.equal(second.status === 'ok' && second.resourceVersion, '11');
    assert.deepEqual(await cache.list(configMaps, 'locked'), {
      status: 'forbidden',
      verb: 'list',
      resource: 'configmaps',
      message: 'nope',
    });
    assert.deepEqual(reader.lists, ['deployments/shop', 'configmaps/locked']);
  });

  it('announces a cluster-level watch failure once for all scopes, and again only after a watch recovered', async () => {
    const reader = new FakeClusterReader();
    const problems: WatchProblem[] = [];
    cache = new LiveCache(reader, { delay: async () => undefined });
    cache.onWatchProblem((p) => problems.push(p));
    await cache.read([web, obj('v1', 'ConfigMap', 'c', 'shop')], { defaultNamespace: 'default' });
    const down = () => new ClusterError('unreachable', 'cannot reach the API server');
    for (let round = 0; round < 2; round++) {
      const watches = [await reader.nextWatch(), await reader.nextWatch()];
      for (const w of watches) w.fail(down());
    }
    const recovered = await reader.nextWatch();
    const other = await reader.nextWatch();
    assert.deepEqual(
      problems.map((p) => [p.message, p.cluster]),
      [['cannot reach the API server', true]],
    );
    recovered.emit({ type: 'BOOKMARK', resourceVersion: '200' });
    recovered.fail(down());
    await reader.nextWatch();
    assert.equal(problems.length, 2);
    other.end({ status: 'error', message: 'stream reset' });
    await reader.nextWatch();
    assert.deepEqual(problems[2], {
      scope: scopeKey('', 'ConfigMap', 'shop'),
      message: 'stream reset',
      retryInMs: problems[2].retryInMs,
      cluster: false,
    });
  });

  it('falls back to a LIST per read when watching is forbidden', async () => {
    const reader = new FakeClusterReader();
    reader.data.set('deployments/shop', [live(web, '10')]);
    cache = new LiveCache(reader);
    await cache.read([web], { defaultNamespace: 'default' });
    (await reader.nextWatch()).end({
      status: 'forbidden',
      verb: 'watch',
      resource: 'deployments.apps',
      message: 'no watch for you',
    });
    // The loop ends; wait for the entry to stop counting as watched.
    while (cache.watchedScopes.length) await new Promise((resolve) => setImmediate(resolve));
    reader.data.set('deployments/shop', [live(web, '11'), live(api, '12')]);
    const state = await cache.read([web], { defaultNamespace: 'default' });
    assert.equal(reader.lists.length, 2);
    assert.equal(state.objects.size, 2);
    assert.equal(reader.watchCalls, 1);
  });

  it('does not cache failed scopes, shares a LIST in flight, and stops watches on dispose', async () => {
    const reader = new FakeClusterReader();
    reader.scripted.set('deployments/shop', {
      status: 'forbidden',
      verb: 'list',
      resource: 'deployments.apps',
      message: 'nope',
    });
    cache = new LiveCache(reader);
    let state = await cache.read([web], { defaultNamespace: 'default' });
    assert.equal(state.failures.get(scopeKey('apps', 'Deployment', 'shop'))?.verdict, 'Forbidden');
    reader.scripted.delete('deployments/shop');
    reader.data.set('deployments/shop', [live(web, '10')]);
    const [a, b] = await Promise.all([
      cache.read([web], { defaultNamespace: 'default' }),
      cache.read([web], { defaultNamespace: 'default' }),
    ]);
    state = a;
    assert.equal(state.failures.size, 0);
    assert.equal(b.objects.size, 1);
    assert.deepEqual(reader.lists, ['deployments/shop', 'deployments/shop'], 'concurrent reads share one LIST');
    const watch = await reader.nextWatch();
    cache.dispose();
    assert.equal(watch.signal.aborted, true);
    await assert.rejects(cache.read([web], { defaultNamespace: 'default' }), /after dispose/);
  });
});
