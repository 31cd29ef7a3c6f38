import * as assert from 'node:assert/strict';
import { CachedClusterReader } from '../../../src/core/editor/cachedClusterReader';
import { LiveCache } from '../../../src/core/live/liveCache';
import type { ClusterReader, ListOutcome, ResourceType } from '../../../src/core/ports';

const deployments: ResourceType = { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true, verbs: ['list', 'watch'] };
const secrets: ResourceType = { group: '', version: 'v1', kind: 'Secret', resource: 'secrets', namespaced: true, verbs: ['list'] };

/** A reader with one Deployment in `a`, Secrets forbidden, and no watch (so the cache lists on every read). */
function fakeReader(calls: string[]): ClusterReader {
  return {
    async resourceType(group, kind) {
      return [deployments, secrets].find((t) => t.group === group && t.kind === kind);
    },
    async list(type, namespace): Promise<ListOutcome> {
      calls.push(`${type.resource}/${namespace}`);
      if (type.kind === 'Secret') return { status: 'forbidden', verb: 'list', resource: 'secrets', message: 'secrets is forbidden' };
      return { status: 'ok', resourceVersion: '7', items: namespace === 'a' ? [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'a' } }] : [] };
    },
  };
}

describe('CachedClusterReader', () => {
  it('answers a LIST from the live cache with the scope the engine asked for', async () => {
    const calls: string[] = [];
    const reader = fakeReader(calls);
    const cache = new LiveCache(reader);
    try {
      const cached = new CachedClusterReader(reader, cache);
      const a = await cached.list(deployments, 'a');
      assert.equal(a.status, 'ok');
      assert.deepEqual(a.status === 'ok' && a.items.map((o) => o.metadata.name), ['web']);
      const b = await cached.list(deployments, 'b');
      assert.deepEqual(b.status === 'ok' && b.items, []);
      assert.deepEqual(calls, ['deployments/a', 'deployments/b']);
      assert.equal(await cached.resourceType('apps', 'Deployment'), deployments);
    } finally {
      cache.dispose();
    }
  });

  it('passes a forbidden scope on as forbidden', async () => {
    const reader = fakeReader([]);
    const cache = new LiveCache(reader);
    try {
      const out = await new CachedClusterReader(reader, cache).list(secrets, 'a');
      assert.equal(out.status, 'forbidden');
      assert.match(out.status === 'forbidden' ? out.message : '', /forbidden/);
    } finally {
      cache.dispose();
    }
  });
});
