/** The pure parts of history on hand-made data: undos, the figures' arithmetic, the moving tree. */
import assert from 'node:assert/strict';
import { doraMetrics, stats } from '../../../src/core/history/dora';
import type { TrackedDeployment } from '../../../src/core/history/timeline';
import { MovingTree, TreeFileSystem } from '../../../src/core/history/treeFileSystem';
import type { Arrival, Movement, RepoHistory } from '../../../src/core/history/types';
import { findUndos } from '../../../src/core/history/undo';

const WEB = { kind: 'Deployment', namespace: 'shop', name: 'web' };

function deployment(sha: string, date: string, moved: Movement[], reverts?: string): TrackedDeployment {
  return { commit: { sha, author: 'Ada', date, subject: sha }, moved, ...(reverts ? { reverts } : {}) };
}

const image = (from: string | undefined, to: string | undefined): Movement => ({
  kind: 'image',
  object: WEB,
  container: 'web',
  image: 'web',
  ...(from ? { from: { tag: from } } : {}),
  ...(to ? { to: { tag: to } } : {}),
});

describe('history: undos', () => {
  it('a rollback is the next move of the same thing going back; a move elsewhere is none', () => {
    const undos = findUndos([
      deployment('a', '2026-11-01T00:00:00Z', [image('1', '2')]),
      deployment('b', '2026-11-02T00:00:00Z', [image('2', '3')]),
      deployment('c', '2026-11-03T06:00:00Z', [image('3', '2')]),
      deployment('d', '2026-11-04T00:00:00Z', [{ kind: 'replicas', object: WEB, from: 2, to: 3 }]),
      deployment('e', '2026-11-20T00:00:00Z', [{ kind: 'replicas', object: WEB, from: 3, to: 2 }]),
    ]);
    assert.deepEqual(
      undos.map((u) => u && [u.how, u.by.sha, u.afterSeconds]),
      [undefined, ['rollback', 'c', 30 * 3600], undefined, ['rollback', 'e', 16 * 86400], undefined],
    );
  });

  it('a git revert names the commit; the earlier of a revert and a rollback wins', () => {
    const undos = findUndos([
      deployment('a', '2026-11-01T00:00:00Z', [{ kind: 'config', object: WEB, key: 'K', from: 'x', to: 'y' }]),
      deployment('b', '2026-11-01T01:00:00Z', [{ kind: 'config', object: WEB, key: 'K', from: 'y', to: 'x' }], 'a'),
      deployment('c', '2026-11-02T00:00:00Z', [{ kind: 'added', object: { ...WEB, kind: 'Service' } }]),
      deployment('d', '2026-11-02T02:00:00Z', [{ kind: 'removed', object: { ...WEB, kind: 'Service' } }]),
      deployment('e', '2026-11-03T00:00:00Z', [image(undefined, '1')]),
      deployment('f', '2026-11-04T00:00:00Z', [image('1', undefined)]),
    ]);
    assert.deepEqual(
      undos.map((u) => u && [u.how, u.by.sha, u.afterSeconds]),
      [['git-revert', 'b', 3600], undefined, ['rollback', 'd', 7200], undefined, ['rollback', 'f', 86400], undefined],
    );
  });

  it('never rolls back on a Secret key (its values are not compared)', () => {
    const secret: Movement = { kind: 'config', object: { ...WEB, kind: 'Secret' }, key: 'P', secret: true };
    const undos = findUndos([
      deployment('a', '2026-11-01T00:00:00Z', [secret]),
      deployment('b', '2026-11-01T01:00:00Z', [secret]),
    ]);
    assert.deepEqual(undos, [undefined, undefined]);
  });
});

describe('history: figures', () => {
  it('median (mean of the middle two for an even count) and p90 (nearest rank)', () => {
    assert.deepEqual(stats([]), {});
    assert.deepEqual(stats([5]), { medianSeconds: 5, p90Seconds: 5 });
    assert.deepEqual(stats([1, 2, 3, 10]), { medianSeconds: 2.5, p90Seconds: 10 });
    assert.deepEqual(stats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), { medianSeconds: 6, p90Seconds: 10 });
  });

  it('an OCI label starts lead time when no trailer does; artifacts present before the window have none', () => {
    const arrival = (environment: string, artifact: string, date?: string, extra: Partial<Arrival> = {}): Arrival => ({
      artifact,
      image: artifact.split(':')[0],
      version: { tag: artifact.split(':')[1] },
      environment,
      ...(date ? { commit: { sha: `${environment}-${artifact}`, author: 'Ada', date, subject: '' } } : {}),
      ...extra,
    });
    const history: RepoHistory = {
      branch: 'main',
      head: 'h',
      since: '2026-11-01T00:00:00.000Z',
      now: '2026-11-08T00:00:00.000Z',
      failureWindowDays: 7,
      environments: ['dev', 'prod'].map((environment) => ({ environment, deployments: [], renderErrors: [] })),
      promotion: [['dev', 'prod']],
      arrivals: [
        arrival('dev', 'web:1', undefined),
        arrival('prod', 'web:1', '2026-11-02T00:00:00Z'),
        arrival('dev', 'web:2', '2026-11-03T00:00:00Z', {
          sourceTime: { time: '2026-11-02T00:00:00.000Z', from: 'oci-label' },
        }),
        arrival('prod', 'web:2', '2026-11-05T00:00:00Z'),
      ],
      current: [],
      stats: { commits: 0, candidates: 0, rendered: 0, retagged: 0, fromCache: 0, milliseconds: 0 },
    };
    const report = doraMetrics(history);
    assert.deepEqual(report.environments[0].leadTime.samples, [
      { artifact: 'web:2', seconds: 86400, startFrom: 'oci-label' },
    ]);
    assert.deepEqual(report.environments[1].leadTime.samples, [
      { artifact: 'web:2', seconds: 3 * 86400, startFrom: 'oci-label' },
    ]);
    assert.deepEqual(report.environments[0].deploymentFrequency, {
      deployments: 0,
      days: 7,
      perDay: 0,
      perWeek: 0,
      weekly: [
        { weekStart: '2026-10-26', deployments: 0 },
        { weekStart: '2026-11-02', deployments: 0 },
      ],
    });
    assert.deepEqual(report.environments[0].changeFailureRate, { deployments: 0, failed: 0 });
    // web:1 ran in dev before the window: prod did not skip it.
    assert.deepEqual(report.findings, []);
  });
});

describe('history: topology findings', () => {
  it("each overlay's own Namespace is the same place in every stage; an object only one stage declares is a finding", () => {
    const at = (file: string) => ({ file, line: 1, column: 1 });
    const state = (environment: string, extra: string[] = []) => ({
      environment,
      objects: [
        {
          ref: { kind: 'Namespace', namespace: '', name: `shop-${environment}` },
          at: at(`envs/${environment}/ns.yaml`),
        },
        { ref: { kind: 'Deployment', namespace: `shop-${environment}`, name: 'web' }, at: at('base/web.yaml') },
        { ref: { kind: 'ConfigMap', namespace: `shop-${environment}`, name: 'web-config' }, at: at('base/k.yaml') },
        ...extra.map((name) => ({
          ref: { kind: 'HorizontalPodAutoscaler', namespace: `shop-${environment}`, name },
          at: at(`envs/${environment}/hpa.yaml`),
        })),
      ],
      images: [],
    });
    const history: RepoHistory = {
      branch: 'main',
      head: 'h',
      since: '2026-11-01T00:00:00.000Z',
      now: '2026-11-08T00:00:00.000Z',
      failureWindowDays: 7,
      environments: ['dev', 'staging', 'prod'].map((environment) => ({
        environment,
        deployments: [],
        renderErrors: [],
      })),
      promotion: [['dev', 'staging', 'prod']],
      arrivals: [],
      current: [state('dev'), state('staging'), state('prod', ['web'])],
      stats: { commits: 0, candidates: 0, rendered: 0, retagged: 0, fromCache: 0, milliseconds: 0 },
    };
    assert.deepEqual(
      doraMetrics(history).findings.map((f) => [f.kind, f.environment, f.message, f.at?.file]),
      [['topology', 'prod', 'prod has HorizontalPodAutoscaler web that staging has not', 'envs/prod/hpa.yaml']],
    );
  });
});

describe('history: the moving tree', () => {
  it('lists folders as files come and go, and reads blobs through the tree', async () => {
    const tree = new MovingTree();
    tree.apply([
      { path: 'envs/dev/kustomization.yaml', status: 'A', blob: 'b1' },
      { path: 'envs/dev/patch.yaml', status: 'A', blob: 'b2' },
      { path: 'README.md', status: 'A', blob: 'b3' },
    ]);
    const fs = new TreeFileSystem(tree, '/repo', async (id) => `content of ${id}`);
    assert.deepEqual(
      (await fs.readDir('/repo')).map((e) => [e.name, e.isFile]),
      [
        ['README.md', true],
        ['envs', false],
      ],
    );
    assert.equal(await fs.readFile('/repo/envs/dev/patch.yaml'), 'content of b2');
    tree.apply([
      { path: 'envs/dev/kustomization.yaml', status: 'M', blob: 'b4' },
      { path: 'envs/dev/patch.yaml', status: 'D' },
    ]);
    assert.equal(await fs.readFile('/repo/envs/dev/kustomization.yaml'), 'content of b4');
    await assert.rejects(fs.readFile('/repo/envs/dev/patch.yaml'), { code: 'ENOENT' });
    tree.apply([{ path: 'envs/dev/kustomization.yaml', status: 'D' }]);
    assert.equal(await fs.stat('/repo/envs/dev'), undefined);
    assert.equal(await fs.stat('/repo/envs'), undefined);
    await assert.rejects(fs.readDir('/repo/envs'), { code: 'ENOENT' });
    assert.deepEqual(await fs.stat('/repo/README.md'), { isDirectory: false, isFile: true });
  });
});
