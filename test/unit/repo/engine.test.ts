import assert from 'node:assert/strict';
import { DriftEngine } from '../../../src/core/engine';
import { DiffMemo } from '../../../src/core/drift/reconcile';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { ClusterError } from '../../../src/core/live/clusterError';
import { LiveCache } from '../../../src/core/live/liveCache';
import { ProblemError } from '../../../src/core/model/problem';
import type { KubeObject } from '../../../src/core/model/resource';
import { RecordingReader, SnapshotReader, parseSnapshot, serializeSnapshot } from '../../../src/core/repo/snapshot';
import { SnapshotKey } from '../../../src/core/drift/snapshotSecrets';
import { FakeReader, fakePipeline, types } from './fakes';

const cm = (name: string, data: Record<string, string>, namespace?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: namespace ? { name, namespace } : { name },
  data,
});

function repo(): MemoryFileSystem {
  return new MemoryFileSystem({
    '/r/base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: app }\ndata: { level: info }\n',
    '/r/envs/dev/kustomization.yaml': 'namespace: shop-dev\nresources: [cm.yaml]\n',
    '/r/envs/dev/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: app }\ndata: { level: debug }\n',
    '/r/envs/prod/kustomization.yaml': 'resources: [cm.yaml, secret.yaml]\n',
    '/r/envs/prod/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: app }\ndata: { level: warn }\n',
    '/r/envs/prod/secret.yaml':
      'apiVersion: v1\nkind: Secret\nmetadata: { name: db }\nstringData: { password: hunter2 }\n',
  });
}

describe('DriftEngine', () => {
  it('keeps each diff for the next check by default, and none with keepDiffs: false (a CLI run checks once)', async () => {
    const memos: unknown[] = [];
    const pipeline = fakePipeline();
    const recording = {
      ...pipeline,
      reconcile: (...args: Parameters<typeof pipeline.reconcile>) => {
        memos.push(args[3]);
        return pipeline.reconcile(...args);
      },
    };
    const reader = new FakeReader([cm('app', { level: 'debug' }, 'shop-dev')], types);
    for (const keepDiffs of [undefined, false]) {
      const engine = new DriftEngine({
        fs: repo(),
        repoRoot: '/r',
        pipeline: recording,
        ...(keepDiffs === undefined ? {} : { keepDiffs }),
      });
      const dev = await engine.check(await engine.environment('dev'), { reader, context: 'kind-test' });
      assert.deepEqual(
        dev.resources.map((r) => r.verdict),
        ['InSync'],
      );
    }
    assert.equal(memos.length, 2);
    assert.ok(memos[0] instanceof DiffMemo);
    assert.equal(memos[1], undefined);
  });

  it('checks each environment against a reader, with the environment namespace or the context one', async () => {
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r', pipeline: fakePipeline() });
    const reader = new FakeReader(
      [cm('app', { level: 'debug' }, 'shop-dev'), cm('app', { level: 'error' }, 'prod-ns')],
      types,
    );
    const dev = await engine.check(await engine.environment('dev'), { reader, context: 'kind-test' });
    assert.equal(dev.error, null);
    assert.deepEqual(
      dev.resources.map((r) => `${r.key.namespace}/${r.key.name} ${r.verdict}`),
      ['shop-dev/app InSync'],
    );
    const prod = await engine.check(await engine.environment('prod'), {
      reader,
      context: 'kind-test',
      namespace: 'prod-ns',
    });
    assert.equal(prod.namespace, 'prod-ns');
    assert.deepEqual(
      prod.resources.map((r) => `${r.key.kind} ${r.key.namespace}/${r.key.name} ${r.verdict}`),
      ['ConfigMap prod-ns/app Drifted', 'Secret prod-ns/db Missing'],
    );
    assert.deepEqual(prod.resources[0].fields[0], {
      path: '/data',
      desired: { level: 'warn' },
      live: { level: 'error' },
    });
  });

  it('renders each root once, and again only when a file it read changes content', async () => {
    const fs = repo();
    const calls = { render: 0 };
    const engine = new DriftEngine({ fs, repoRoot: '/r', pipeline: fakePipeline(calls) });
    const dev = await engine.environment('dev');
    const prod = await engine.environment('prod');
    await engine.render(dev);
    await engine.render(prod);
    await engine.render(dev);
    assert.equal(calls.render, 2);
    assert.deepEqual(await engine.environmentsReading('envs/prod/secret.yaml'), ['prod']);

    // Saved without edits: nothing to re-render.
    assert.deepEqual(await engine.fileChanged('envs/dev/cm.yaml'), {
      environments: [],
      applications: {},
      reload: false,
    });
    fs.write(
      '/r/envs/dev/cm.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: app }\ndata: { level: trace }\n',
    );
    assert.deepEqual(await engine.fileChanged('envs/dev/cm.yaml'), {
      environments: ['dev'],
      applications: { dev: ['dev'] },
      reload: false,
    });
    const again = await engine.render(dev);
    assert.equal(calls.render, 3);
    assert.deepEqual(again.objects[0].object.data, { level: 'trace' });
    await engine.render(prod);
    assert.equal(calls.render, 3);
    assert.equal((await engine.fileChanged('.gitops-drift.yaml')).reload, true);
  });

  it("releaseRenders lets go of a checked environment's renders, except a folder an environment still to check renders", async () => {
    const calls = { render: 0 };
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r', pipeline: fakePipeline(calls), filesFixed: true });
    const dev = await engine.environment('dev');
    const prod = await engine.environment('prod');
    // Another environment of dev's folder (another cluster, say): its render is dev's.
    const devAgain = { ...dev, name: 'dev-eu' };
    const first = await engine.render(dev);
    await engine.render(prod);
    assert.equal(calls.render, 2);

    engine.releaseRenders(dev, [devAgain, prod]);
    await engine.render(devAgain);
    assert.equal(calls.render, 2, 'dev-eu still to check: the folder stays cached');
    engine.releaseRenders(devAgain, [prod]);
    const again = await engine.render(dev);
    assert.equal(calls.render, 3, 'nothing still to check renders envs/dev: rendered again when asked');
    assert.notEqual(again, first);
    assert.deepEqual(again.objects, first.objects);
    await engine.render(prod);
    assert.equal(calls.render, 3, 'prod was not released');
  });

  it('forgetFiles reads the repo again: a file changed without the engine being told is seen after it, not before', async () => {
    const fs = repo();
    const calls = { render: 0 };
    const engine = new DriftEngine({ fs, repoRoot: '/r', pipeline: fakePipeline(calls) });
    const dev = await engine.environment('dev');
    await engine.render(dev);
    fs.write(
      '/r/envs/dev/cm.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: app }\ndata: { level: trace }\n',
    );
    assert.deepEqual(
      (await engine.render(dev)).objects[0].object.data,
      { level: 'debug' },
      'untold, the engine keeps its render',
    );
    engine.forgetFiles();
    assert.deepEqual((await engine.render(dev)).objects[0].object.data, { level: 'trace' });
    assert.equal(calls.render, 2);
  });

  it('a deleted folder (one change for the folder) drops the renders that read anything under it, and reloads', async () => {
    const fs = repo();
    const calls = { render: 0 };
    const engine = new DriftEngine({ fs, repoRoot: '/r', pipeline: fakePipeline(calls) });
    await engine.render(await engine.environment('dev'));
    await engine.render(await engine.environment('prod'));
    fs.delete('/r/envs/prod');
    assert.deepEqual(await engine.fileChanged('envs/prod'), {
      environments: ['prod'],
      applications: { prod: ['prod'] },
      reload: true,
    });
    await engine.render(await engine.environment('dev'));
    assert.equal(calls.render, 2, 'dev read nothing under envs/prod: still cached');
  });

  it('renders a root once for concurrent callers, and does not cache a render a save raced with', async () => {
    const fs = repo();
    const calls = { render: 0 };
    const pipeline = fakePipeline(calls);
    const render = pipeline.render;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    pipeline.render = async (app, options) => {
      const result = await render(app, options); // reads the files now...
      await gate; // ...and finishes after the save below
      return result;
    };
    const engine = new DriftEngine({ fs, repoRoot: '/r', pipeline });
    const dev = await engine.environment('dev');
    const both = Promise.all([engine.render(dev), engine.render(dev)]);
    fs.write(
      '/r/envs/dev/cm.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: app }\ndata: { level: trace }\n',
    );
    await engine.fileChanged('envs/dev/cm.yaml');
    release();
    const [a, b] = await both;
    assert.equal(a, b);
    assert.equal(calls.render, 1);
    assert.deepEqual((await engine.render(dev)).objects[0].object.data, { level: 'trace' });
    assert.equal(calls.render, 2);
  });

  it('reports a render failure as the environment error, with its location among the problems', async () => {
    const pipeline = fakePipeline();
    pipeline.render = async () => {
      throw new ProblemError({
        severity: 'error',
        message: 'resource not found: nope.yaml',
        location: { file: 'envs/dev/kustomization.yaml', line: 2, column: 14 },
      });
    };
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r', pipeline });
    const report = await engine.check(await engine.environment('dev'), {
      reader: new FakeReader([], types),
      context: 'c',
    });
    assert.equal(report.error, 'render failed: envs/dev/kustomization.yaml:2:14: resource not found: nope.yaml');
    assert.equal(report.problems[0].location?.line, 2);
    assert.deepEqual(report.resources, []);
  });

  it('turns an unexpected failure into the environment error (logged), leaving other environments alone', async () => {
    const pipeline = fakePipeline();
    const render = pipeline.render;
    pipeline.render = async (app, options) =>
      app.name === 'dev'
        ? Promise.reject(new TypeError("Cannot read properties of undefined (reading 'kind')"))
        : render(app, options);
    const logged: string[] = [];
    const logger = {
      trace() {},
      debug() {},
      info() {},
      warn() {},
      error: (m: string | Error) => logged.push(m instanceof Error ? m.message : m),
    };
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r', pipeline, logger });
    const reader = new FakeReader([], types);
    const [dev, prod] = await Promise.all(
      ['dev', 'prod'].map(async (n) => engine.check(await engine.environment(n), { reader, context: 'c' })),
    );
    assert.equal(dev.error, "render failed: Cannot read properties of undefined (reading 'kind')");
    assert.deepEqual(logged, ["Cannot read properties of undefined (reading 'kind')"]);
    assert.equal(prod.error, null);
    assert.equal(prod.resources.length, 2);
  });

  it('reports an unreachable cluster once for the environment, and a forbidden kind per object', async () => {
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r', pipeline: fakePipeline() });
    const prod = await engine.environment('prod');
    const down = new FakeReader([], types);
    down.resourceType = async () => {
      throw new ClusterError('unreachable', 'cannot reach https://10.0.0.1:6443: connect ECONNREFUSED', 'prod');
    };
    const r1 = await engine.check(prod, { reader: down, context: 'prod' });
    assert.equal(r1.error, 'cannot reach https://10.0.0.1:6443: connect ECONNREFUSED');
    // The render needs no cluster: its objects are kept, not checked.
    assert.equal(r1.noCluster, true);
    assert.deepEqual(
      r1.resources.map((r) => `${r.key.kind}/${r.key.name}:${r.verdict}:${r.application}`),
      ['ConfigMap/app:NotChecked:prod', 'Secret/db:NotChecked:prod'],
    );
    const r2 = await engine.check(prod, {
      reader: new FakeReader([cm('app', { level: 'warn' }, 'default')], types, ['Secret']),
      context: 'prod',
    });
    assert.equal(r2.error, null);
    assert.deepEqual(
      r2.resources.map((r) => r.verdict),
      ['InSync', 'Forbidden'],
    );
    assert.match(r2.resources[1].message ?? '', /list secrets in namespace "default" is forbidden/);
  });

  it('without a cluster, lists the rendered objects not checked, with the cause; a render failure stays an error', async () => {
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r', pipeline: fakePipeline() });
    const report = await engine.checkWithoutCluster(
      await engine.environment('dev'),
      '(current context)',
      'no kubeconfig',
    );
    assert.deepEqual([report.error, report.noCluster, report.context], ['no kubeconfig', true, '(current context)']);
    assert.deepEqual(
      report.resources.map((r) => [r.key.kind, r.key.name, r.verdict, r.source?.file]),
      [['ConfigMap', 'app', 'NotChecked', 'envs/dev/cm.yaml']],
    );
    const pipeline = fakePipeline();
    pipeline.render = async () => {
      throw new ProblemError({ severity: 'error', message: 'resource not found: nope.yaml' });
    };
    const broken = new DriftEngine({ fs: repo(), repoRoot: '/r', pipeline });
    const failed = await broken.checkWithoutCluster(await broken.environment('dev'), 'c', 'no kubeconfig');
    assert.match(failed.error ?? '', /^render failed: /);
    assert.equal(failed.noCluster, undefined);
    assert.deepEqual(failed.resources, []);
  });

  it('replays a snapshot: Secret values are hashed on record and compared as hashes, never stored', async () => {
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r', pipeline: fakePipeline() });
    const prod = await engine.environment('prod');
    const secret = (password: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'db',
        namespace: 'default',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
            apiVersion: 'v1',
            kind: 'Secret',
            stringData: { password },
          }),
        },
      },
      data: { password: Buffer.from(password).toString('base64') },
    });
    for (const [livePassword, verdict] of [
      ['hunter2', 'InSync'],
      ['changed-by-hand', 'Drifted'],
    ] as const) {
      const key = new SnapshotKey(Buffer.alloc(32, 1));
      const recorder = new RecordingReader(
        new FakeReader([cm('app', { level: 'warn' }, 'default'), secret(livePassword)], types),
        key,
      );
      await engine.check(prod, { reader: recorder, context: 'test' });
      const text = serializeSnapshot(recorder.snapshot('2026-11-22T00:00:00Z', 'test'));
      assert.ok(
        !text.includes(livePassword) && !text.includes(Buffer.from(livePassword).toString('base64')),
        'the snapshot holds no Secret value',
      );
      const snap = parseSnapshot(text, 'snap.yaml');
      const report = await engine.check(prod, {
        reader: new SnapshotReader(snap, 'snap.yaml'),
        context: 'snapshot',
        secretHashing: { key },
      });
      assert.equal(snap.secrets.keyId, key.id);
      assert.deepEqual(
        report.resources.map((r) => `${r.key.kind} ${r.verdict}`),
        ['ConfigMap InSync', `Secret ${verdict}`],
      );
      assert.ok(!JSON.stringify(report).includes('hunter2'));
      // With another key the hashes cannot be compared: the environment says so instead of calling the Secret drifted.
      const other = await engine.check(prod, {
        reader: new SnapshotReader(snap, 'snap.yaml'),
        context: 'snapshot',
        secretHashing: { unavailable: 'snap.yaml: cannot compare Secret values: another key' },
      });
      assert.equal(other.error, 'snap.yaml: cannot compare Secret values: another key');
      assert.deepEqual(other.resources, []);
    }
  });

  it('says which scopes a snapshot lacks instead of reporting objects as missing', async () => {
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r', pipeline: fakePipeline() });
    const recorder = new RecordingReader(new FakeReader([], types), new SnapshotKey(Buffer.alloc(32, 2)));
    await engine.check(await engine.environment('dev'), { reader: recorder, context: 'test' });
    const snap = recorder.snapshot('2026-11-22T00:00:00Z');
    const report = await engine.check(await engine.environment('prod'), {
      reader: new SnapshotReader(snap, 'snap.yaml'),
      context: 'snapshot',
    });
    assert.deepEqual(
      report.resources.map((r) => r.verdict),
      ['Error', 'UnknownKind'],
    );
    assert.match(
      report.resources[0].message ?? '',
      /snap\.yaml holds no list of configmaps in namespace "default": take the snapshot again/,
    );
  });

  it('rejects a file that is not a snapshot, naming it', () => {
    assert.throws(
      () => parseSnapshot('apiVersion: v1\nkind: List\nitems: []\n', 'live.yaml'),
      /^ProblemError: live\.yaml:1:1: not a gitops-drift live snapshot/,
    );
    assert.throws(() => parseSnapshot('a: [\n', 'live.yaml'), /live\.yaml:2:1: not a valid snapshot/);
  });

  it('reads through a watch-backed live cache when given one: a re-check after a save lists nothing again', async () => {
    const fs = repo();
    const engine = new DriftEngine({ fs, repoRoot: '/r', pipeline: fakePipeline() });
    const reader = new FakeReader([cm('app', { level: 'debug' }, 'shop-dev')], types);
    // A watch that stays open until the cache stops it: the scope stays current without new LISTs.
    reader.watch = (_type, _ns, _rv, _onEvent, signal) =>
      new Promise((resolve) => signal.addEventListener('abort', () => resolve({ status: 'closed' })));
    const cache = new LiveCache(reader);
    try {
      const dev = await engine.environment('dev');
      assert.equal((await engine.check(dev, { reader, context: 'c', cache })).resources[0].verdict, 'InSync');
      const listsAfterFirst = reader.lists;
      fs.write(
        '/r/envs/dev/cm.yaml',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: app }\ndata: { level: warn }\n',
      );
      assert.deepEqual((await engine.fileChanged('envs/dev/cm.yaml')).environments, ['dev']);
      assert.equal((await engine.check(dev, { reader, context: 'c', cache })).resources[0].verdict, 'Drifted');
      assert.equal(listsAfterFirst, 1);
      assert.equal(reader.lists, listsAfterFirst);
    } finally {
      cache.dispose();
    }
  });

  it('names the known environments when asked for an unknown one', async () => {
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r', pipeline: fakePipeline() });
    await assert.rejects(engine.environment('qa'), /no environment 'qa' \(known: dev, prod\)/);
  });
});
