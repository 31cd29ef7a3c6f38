import * as assert from 'node:assert/strict';
import {
  environmentsStartOpen,
  FEW_ENVIRONMENTS,
  groupEnvironments,
  parentFolder,
  repeatedNames,
  sharedContext,
  type GroupableEnvironment,
} from '../../../src/core/editor/treeLayout';

const overlay = (path: string, namespace?: string): GroupableEnvironment => ({
  name: path.split('/').slice(1).join('-'),
  path,
  source: 'discovered',
  ...(namespace ? { namespace } : {}),
});

const at = { file: 'apps/app.yaml', line: 7, column: 3 };

const tree = ['eu', 'us', 'ap'].flatMap((region) =>
  ['dev', 'staging', 'prod'].map((stage) => overlay(`envs/${region}/${stage}`, `shop-${stage}`)),
);

describe('tree layout: many environments', () => {
  it('groups an overlay tree by its region folders, each group in the repo order', () => {
    const groups = groupEnvironments(tree, 'auto');
    assert.deepEqual(
      groups.map((g) => [g.by, g.label, g.environments]),
      [
        ['folder', 'envs/ap', ['ap-dev', 'ap-staging', 'ap-prod']],
        ['folder', 'envs/eu', ['eu-dev', 'eu-staging', 'eu-prod']],
        ['folder', 'envs/us', ['us-dev', 'us-staging', 'us-prod']],
      ],
    );
  });

  it('groups nothing up to a handful of environments, and nothing that makes one group or one per environment', () => {
    assert.deepEqual(groupEnvironments(tree.slice(0, FEW_ENVIRONMENTS), 'auto'), []);
    // envs/a … envs/h: one parent folder; each its own namespace: the namespace grouping tells nothing apart either.
    const flat = 'abcdefgh'.split('').map((n) => overlay(`envs/${n}`, `ns-${n}`));
    assert.deepEqual(groupEnvironments(flat, 'auto'), []);
    assert.deepEqual(groupEnvironments(tree, 'none'), []);
  });

  it('falls back to namespaces when the folders tell nothing apart', () => {
    const flat = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n, i) => overlay(`envs/${n}`, i % 2 ? 'odd' : 'even'));
    assert.deepEqual(
      groupEnvironments(flat, 'auto').map((g) => [g.by, g.label, g.environments.length]),
      [
        ['namespace', 'even', 4],
        ['namespace', 'odd', 3],
      ],
    );
  });

  it('groups Argo CD Applications by destination and the rest by folder, side by side', () => {
    const argo = (name: string, cluster: string): GroupableEnvironment => ({
      name,
      path: `apps/${name}`,
      source: 'argocd',
      argoDestination: cluster.startsWith('https:') ? { server: cluster, at } : { name: cluster, at },
    });
    const envs = [
      argo('web-eu', 'prod-eu'),
      argo('api-eu', 'prod-eu'),
      argo('web-us', 'https://us.example:6443'),
      argo('api-us', 'https://us.example:6443'),
      { name: 'home', path: 'clusters/home', source: 'flux' } as GroupableEnvironment,
      { name: 'lab', path: 'clusters/lab', source: 'flux' } as GroupableEnvironment,
      overlay('envs/dev'),
    ];
    assert.deepEqual(
      groupEnvironments(envs, 'auto').map((g) => [g.by, g.label, g.environments]),
      [
        ['folder', 'clusters', ['home', 'lab']],
        ['folder', 'envs', ['dev']],
        ['cluster', 'https://us.example:6443', ['web-us', 'api-us']],
        ['cluster', 'prod-eu', ['web-eu', 'api-eu']],
      ],
    );
  });

  it('groups Argo CD Applications by the cluster their destination resolved to, however each names it', () => {
    const argo = (name: string, dest: { server?: string; name?: string }, context?: string): GroupableEnvironment => ({
      name,
      path: `apps/${name}`,
      source: 'argocd',
      argoDestination: { ...dest, at },
      ...(context ? { context } : {}),
    });
    const envs = [
      // The one cluster Argo CD runs in, three ways: its URL, the in-cluster URL and the name, all resolved to `mgmt`.
      argo('a', { server: 'https://mgmt.example' }, 'mgmt'),
      argo('b', { server: 'https://kubernetes.default.svc' }, 'mgmt'),
      argo('c', { name: 'in-cluster' }, 'mgmt'),
      // prod by URL and by name (argocd.clusters), one context.
      argo('d', { server: 'HTTPS://PROD.example:443/' }, 'prod-admin'),
      argo('e', { name: 'prod' }, 'prod-admin'),
      // Not resolved: in-cluster's two spellings are one group; a URL as compared, normalised.
      argo('f', { server: 'https://kubernetes.default.svc' }),
      argo('g', { name: 'in-cluster' }),
      argo('h', { server: 'https://Edge.example:443' }),
    ];
    assert.deepEqual(
      groupEnvironments(envs, 'cluster').map((g) => [g.label, g.environments]),
      [
        ['https://edge.example', ['h']],
        ['in-cluster', ['f', 'g']],
        ['mgmt', ['a', 'b', 'c']],
        ['prod-admin', ['d', 'e']],
      ],
    );
    assert.deepEqual(
      groupEnvironments(envs, 'auto').map((g) => g.by),
      ['cluster', 'cluster', 'cluster', 'cluster'],
    );
  });

  it('groups as chosen: by cluster (destination, else context), folder or namespace', () => {
    const small = [
      { ...overlay('envs/eu/dev', 'a'), context: 'kind-eu' },
      { ...overlay('envs/eu/prod', 'b'), context: 'kind-eu' },
      { ...overlay('envs/us/prod', 'b') },
    ];
    assert.deepEqual(
      groupEnvironments(small, 'cluster').map((g) => [g.label, g.environments]),
      [
        ['(current context)', ['us-prod']],
        ['kind-eu', ['eu-dev', 'eu-prod']],
      ],
    );
    assert.deepEqual(
      groupEnvironments(small, 'namespace').map((g) => [g.label, g.environments]),
      [
        ['a', ['eu-dev']],
        ['b', ['eu-prod', 'us-prod']],
      ],
    );
    assert.equal(groupEnvironments(small, 'folder').length, 2);
    // Every environment in one folder: one group would say nothing.
    assert.deepEqual(groupEnvironments(small.slice(0, 2), 'folder'), []);
  });

  it('names the folder above an environment', () => {
    assert.equal(parentFolder('envs/eu/prod'), 'envs/eu');
    assert.equal(parentFolder('envs/eu/prod/'), 'envs/eu');
    assert.equal(parentFolder('prod'), '.');
    assert.equal(parentFolder(''), '.');
  });

  it('opens environments only when there are few', () => {
    assert.equal(environmentsStartOpen(FEW_ENVIRONMENTS), true);
    assert.equal(environmentsStartOpen(FEW_ENVIRONMENTS + 1), false);
  });

  it('says the context most environments share once, and names the others', () => {
    const { shared, differing } = sharedContext([
      { name: 'dev', context: 'rw-admin' },
      { name: 'staging', context: 'rw-admin' },
      { name: 'prod', context: 'prod-eu' },
      { name: 'lab', context: undefined },
    ]);
    assert.equal(shared, 'rw-admin');
    assert.deepEqual([...differing], ['prod']);
    assert.deepEqual(sharedContext([]), { shared: undefined, differing: new Set() });
  });

  it('finds the names that repeat among siblings', () => {
    assert.deepEqual([...repeatedNames(['alertmanager', 'grafana', 'alertmanager', 'loki'])], ['alertmanager']);
    assert.equal(repeatedNames(['a', 'b']).size, 0);
  });
});
