/**
 * The cluster reader and the live cache against a misbehaving server of our own (test/support/badApiServer.ts):
 * 410 Gone on a watch relists (and a server that always says 410 does not make a hot loop), requests to one
 * cluster are bounded by the connection pool, and environments that need the same LIST share one request.
 */
import { strict as assert } from 'node:assert';
import { LiveCache, type LiveChange } from '../../../../src/core/live/liveCache';
import { readLiveState } from '../../../../src/core/live/readLiveState';
import type { KubeObject } from '../../../../src/core/model/resource';
import { createKubeClusterReader, type KubeClusterReader } from '../../../../src/node/kubeClusterReader';
import { type BadApiServer, startBadApiServer } from '../../../support/badApiServer';

const configMap = (name: string, namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
});

function nextChange(cache: LiveCache): Promise<LiveChange> {
  return new Promise((resolve) => {
    const sub = cache.onDidChange((change) => {
      sub.dispose();
      resolve(change);
    });
  });
}

describe('cluster reader and live cache against a misbehaving server', function () {
  this.timeout(30_000);
  let server: BadApiServer;
  let reader: KubeClusterReader | undefined;
  let cache: LiveCache | undefined;

  before(async () => {
    server = await startBadApiServer({ maxStreamMs: 20_000 });
  });
  after(() => server.close());
  beforeEach(() => {
    server.faults = {};
    server.onRequest = undefined;
    server.requests.length = 0;
    server.maxConcurrent = 0;
    server.setConfigMaps('dev', [{ name: 'web', data: { a: '1' } }]);
  });
  afterEach(() => {
    cache?.dispose();
    reader?.dispose();
    cache = reader = undefined;
  });

  for (const fault of ['goneEvent', 'goneStatus'] as const) {
    it(`relists on 410 Gone (${fault === 'goneEvent' ? 'an ERROR event with code 410' : 'HTTP 410'}) and announces what changed`, async () => {
      reader = await createKubeClusterReader({ kubeconfigPath: server.kubeconfig(), env: {} });
      cache = new LiveCache(reader);
      server.faults.watch = fault;
      // The data changes while the watch is down: only the relist can see it.
      server.onRequest = (_path, watch) => {
        if (watch) server.setConfigMaps('dev', [{ name: 'web', data: { a: '2' } }]);
      };
      const changed = nextChange(cache);
      const first = await cache.read([configMap('web', 'dev')], { defaultNamespace: 'dev' });
      assert.deepEqual((first.objects.get('/ConfigMap/dev/web') as KubeObject & { data: object }).data, { a: '1' });
      assert.deepEqual((await changed).objects, ['/ConfigMap/dev/web']);
      const lists = server.requests.filter(
        (r) => !r.path.includes('watch=1') && r.path.startsWith('/api/v1/namespaces/dev/configmaps'),
      );
      assert.equal(lists.length, 2, 'one LIST, then one more after the 410');
      server.onRequest = undefined;
      const again = await cache.read([configMap('web', 'dev')], { defaultNamespace: 'dev' });
      assert.deepEqual((again.objects.get('/ConfigMap/dev/web') as KubeObject & { data: object }).data, { a: '2' });
    });
  }

  it('backs off when every watch is answered with 410 at once, instead of listing in a hot loop', async () => {
    reader = await createKubeClusterReader({ kubeconfigPath: server.kubeconfig(), env: {} });
    const waits: number[] = [];
    let enough: () => void;
    const stopped = new Promise<void>((resolve) => (enough = resolve));
    cache = new LiveCache(reader, {
      backoff: { jitter: 0 },
      delay: async (ms) => {
        waits.push(ms);
        if (waits.length === 3) enough();
      },
    });
    server.faults.watch = 'goneEvent';
    server.faults.watchGoneAlways = true;
    await cache.read([configMap('web', 'dev')], { defaultNamespace: 'dev' });
    await stopped;
    cache.dispose();
    assert.deepEqual(waits, [500, 1000, 2000]);
    const lists = server.requests.filter(
      (r) => !r.path.includes('watch=1') && r.path.startsWith('/api/v1/namespaces/dev/configmaps'),
    ).length;
    assert.ok(lists <= 5, `${lists} LISTs for 3 waits`);
  });

  it('keeps at most maxConnections requests in flight to one cluster, and every LIST still answers', async () => {
    reader = await createKubeClusterReader({ kubeconfigPath: server.kubeconfig(), env: {}, maxConnections: 4 });
    const desired = Array.from({ length: 400 }, (_, i) => configMap('web', `ns-${i}`));
    // 400 namespaces at 100 LISTs in flight (the concurrency of 12 environments checked side by side, and more).
    const state = await readLiveState(desired, reader, { defaultNamespace: 'dev', concurrency: 100 });
    assert.equal(state.listed.size, 400);
    assert.equal(state.failures.size, 0);
    assert.ok(server.maxConcurrent <= 4, `the server saw ${server.maxConcurrent} requests at once`);
    assert.ok(server.maxConcurrent >= 2, 'requests did run side by side');
  });

  it('shares one LIST among callers that need the same kind in the same namespace at the same time', async () => {
    reader = await createKubeClusterReader({ kubeconfigPath: server.kubeconfig(), env: {} });
    const type = (await reader.resourceType('', 'ConfigMap'))!;
    const outcomes = await Promise.all(Array.from({ length: 1000 }, () => reader!.list(type, 'dev')));
    assert.ok(outcomes.every((o) => o.status === 'ok' && o.items.length === 1));
    assert.equal(server.requests.filter((r) => r.path.startsWith('/api/v1/namespaces/dev/configmaps')).length, 1);
    // Once answered, the next call lists again (sharing is for LISTs in flight, not a cache).
    await reader.list(type, 'dev');
    assert.equal(server.requests.filter((r) => r.path.startsWith('/api/v1/namespaces/dev/configmaps')).length, 2);
  });

  it('ends a watch whose event never ends (no line break) at the size limit, with a message naming it', async () => {
    reader = await createKubeClusterReader({
      kubeconfigPath: server.kubeconfig(),
      env: {},
      maxResponseBytes: 4 * 1024 * 1024,
    });
    const type = (await reader.resourceType('', 'ConfigMap'))!;
    server.faults.watch = 'endlessLine';
    const events: unknown[] = [];
    const end = await reader.watch(type, 'dev', '1', (e) => events.push(e), new AbortController().signal);
    assert.deepEqual(events, []);
    assert.deepEqual(end, {
      status: 'error',
      message:
        'watch /api/v1/namespaces/dev/configmaps broke: a watch event passed 4 MB without a line break and was cut off (limit GITOPS_DRIFT_MAX_RESPONSE_MB)',
    });
  });
});
