import { strict as assert } from 'node:assert';
import { ClusterError } from '../../../src/core/live/clusterError';
import { readLiveState } from '../../../src/core/live/readLiveState';
import { SharedListReader } from '../../../src/core/live/sharedLists';
import { FakeClusterReader, live, obj } from './fakeClusterReader';

describe('SharedListReader (one LIST per kind and namespace for a CLI run)', () => {
  it('environments that need the same scopes share one LIST each, before and after it answered', async () => {
    const inner = new FakeClusterReader();
    const web = obj('apps/v1', 'Deployment', 'web', 'shop');
    inner.data.set('deployments/shop', [live(web, '5')]);
    const reader = new SharedListReader(inner);
    const states = await Promise.all(
      Array.from({ length: 50 }, () => readLiveState([web], reader, { defaultNamespace: 'dev' })),
    );
    const later = await readLiveState([web, obj('v1', 'ConfigMap', 'cfg', 'shop')], reader, {
      defaultNamespace: 'dev',
    });
    assert.deepEqual(inner.lists, ['deployments/shop', 'configmaps/shop']);
    assert.ok(states.every((s) => s.objects.has('apps/Deployment/shop/web')));
    assert.ok(later.objects.has('apps/Deployment/shop/web'));
  });

  it('does not keep a LIST that rejected (the cluster failed as a whole): the next environment tries again', async () => {
    const inner = new FakeClusterReader();
    const web = obj('apps/v1', 'Deployment', 'web', 'shop');
    inner.scripted.set('deployments/shop', new ClusterError('unreachable', 'down'));
    const reader = new SharedListReader(inner);
    await assert.rejects(readLiveState([web], reader, { defaultNamespace: 'dev' }), /down/);
    inner.scripted.delete('deployments/shop');
    inner.data.set('deployments/shop', [live(web, '5')]);
    assert.equal((await readLiveState([web], reader, { defaultNamespace: 'dev' })).objects.size, 1);
    assert.deepEqual(inner.lists, ['deployments/shop', 'deployments/shop']);
  });

  it('forgets the LISTs of one namespace when told (a later read lists it again); other namespaces stay kept', async () => {
    const inner = new FakeClusterReader();
    const web = obj('apps/v1', 'Deployment', 'web', 'shop');
    const cfg = obj('v1', 'ConfigMap', 'cfg', 'shop');
    const other = obj('apps/v1', 'Deployment', 'web', 'blog');
    inner.data.set('deployments/shop', [live(web, '5')]);
    inner.data.set('configmaps/shop', [live(cfg, '6')]);
    inner.data.set('deployments/blog', [live(other, '7')]);
    const reader = new SharedListReader(inner);
    await readLiveState([web, cfg, other], reader, { defaultNamespace: 'dev' });
    reader.forget('shop');
    const again = await readLiveState([web, cfg, other], reader, { defaultNamespace: 'dev' });
    assert.deepEqual([...inner.lists].sort(), [
      'configmaps/shop',
      'configmaps/shop',
      'deployments/blog',
      'deployments/shop',
      'deployments/shop',
    ]);
    assert.equal(again.objects.size, 3);
  });
});
