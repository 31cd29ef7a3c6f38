import assert from 'node:assert/strict';
import { DriftEngine, type LiveSource } from '../../../src/core/engine';
import { ClusterError } from '../../../src/core/live/clusterError';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { keyLabel, type KubeObject } from '../../../src/core/model/resource';
import { type ClusterWriter, silentLogger, type WriteOutcome } from '../../../src/core/ports';
import { applyPutLiveBack } from '../../../src/core/promote/putLiveBack';
import { RefusedError } from '../../../src/core/promote/refusal';
import { nothingToPutBack, planPutBack, previewPutBack } from '../../../src/core/putBackService';
import { FakeReader, fakePipeline, types } from '../repo/fakes';

// dev names no namespace: the check puts its objects in the context's (team-dev), and so must the put-back.
const CONFIG = 'environments:\n  - name: dev\n    path: envs/dev\n    tracking:\n      labels:\n        team: shop\n';
const files = (resources: string[]) => ({
  '/r/.gitops-drift.yaml': CONFIG,
  '/r/envs/dev/kustomization.yaml': `resources:\n${resources.map((r) => `  - ${r}\n`).join('')}`,
  '/r/envs/dev/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n',
  '/r/envs/dev/settings.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n',
  '/r/envs/dev/same.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: same\ndata:\n  a: "1"\n',
  '/r/envs/dev/creds.yaml':
    'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: not-for-the-log\n',
});
const ALL = ['deploy.yaml', 'settings.yaml', 'same.yaml', 'creds.yaml'];

/** What the cluster holds: web scaled by hand, `same` as git has it, an Extra ConfigMap; Secrets may not be listed. */
const liveObjects: KubeObject[] = [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'team-dev' },
    spec: { replicas: 5 },
  },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same', namespace: 'team-dev' }, data: { a: '1' } },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'stale', namespace: 'team-dev', labels: { team: 'shop' } },
    data: {},
  },
];

/** A writer over `liveObjects` that records every request; dry runs return the object as applied. */
function fakeWriter() {
  const calls: string[] = [];
  const writer: ClusterWriter = {
    get: async (_v, kind, ns, name): Promise<WriteOutcome> => {
      calls.push(`get ${kind} ${ns}/${name}`);
      const found = liveObjects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns);
      return found
        ? { status: 'ok', object: structuredClone(found), created: false }
        : { status: 'notFound', message: 'not found' };
    },
    apply: async (obj, o) => {
      calls.push(`${o.dryRun ? 'dry-run ' : ''}apply ${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}`);
      return { status: 'ok', object: structuredClone(obj), created: false };
    },
    delete: async (_v, kind, ns, name, o) => {
      calls.push(`${o.dryRun ? 'dry-run ' : ''}delete ${kind} ${ns}/${name}`);
      return { status: 'ok', object: undefined, created: false };
    },
  };
  return { writer, calls };
}

async function setUp(resources = ALL) {
  const engine = new DriftEngine({ fs: new MemoryFileSystem(files(resources)), repoRoot: '/r' });
  const env = await engine.environment('dev');
  const live: LiveSource = {
    reader: new FakeReader(liveObjects, types, ['Secret']),
    context: 'kind-dev',
    namespace: 'team-dev',
  };
  return { engine, env, live };
}

describe('put live back service (engine, fake cluster)', () => {
  it('plans from the check: Drifted and Missing objects in the namespace the check used; Extra and unread apart', async () => {
    const { engine, env, live } = await setUp();
    const plan = await planPutBack(engine, env, live);
    assert.deepEqual(plan.picked.map((r) => `${keyLabel(r.key)} ${r.verdict}`).sort(), [
      'ConfigMap team-dev/same InSync',
      'ConfigMap team-dev/settings Missing',
      'ConfigMap team-dev/stale Extra',
      'Deployment team-dev/web Drifted',
      'Secret team-dev/creds Forbidden',
    ]);
    // The objects git renders (no namespace), with the one the check paired them under.
    assert.deepEqual(
      plan.apply.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`),
      ['ConfigMap team-dev/settings', 'Deployment team-dev/web'],
    );
    assert.deepEqual(
      plan.extras.map((r) => keyLabel(r.key)),
      ['ConfigMap team-dev/stale'],
    );
    assert.deepEqual(
      plan.unread.map((r) => keyLabel(r.key)),
      ['Secret team-dev/creds'],
    );
    assert.deepEqual(plan.skipped, []);
    assert.equal(plan.report.namespace, 'team-dev');
  });

  it('picks only the named objects; a named object the context may not read is tried only when asked', async () => {
    const { engine, env, live } = await setUp();
    const named = (kinds: string[]) => ({ pick: (r: { key: { kind: string } }) => kinds.includes(r.key.kind) });
    const web = await planPutBack(engine, env, live, named(['Deployment']));
    assert.deepEqual(
      web.apply.map((o) => o.metadata.name),
      ['web'],
    );
    assert.deepEqual(web.extras, []);
    const secret = await planPutBack(engine, env, live, named(['Secret']));
    assert.deepEqual(secret.apply, []);
    assert.ok(nothingToPutBack(secret, { deleteExtra: true }));
    const tried = await planPutBack(engine, env, live, { ...named(['Secret']), tryForbidden: true });
    assert.deepEqual(
      tried.apply.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`),
      ['Secret team-dev/creds'],
    );
  });

  it('deletes Extra objects only when chosen for the run, and applies what the dry run previewed', async () => {
    const { engine, env, live } = await setUp();
    const plan = await planPutBack(engine, env, live);
    const kept = fakeWriter();
    const preview = await previewPutBack(
      plan,
      kept.writer,
      { deleteExtra: false, allowIncomplete: false },
      silentLogger,
    );
    assert.deepEqual(
      preview.items.map((i) => `${i.action} ${keyLabel(i.key)}`),
      ['create ConfigMap team-dev/settings', 'update Deployment team-dev/web'],
    );
    assert.ok(!kept.calls.some((c) => c.includes('stale')), kept.calls.join('\n'));
    assert.deepEqual(
      kept.calls.filter((c) => !c.startsWith('get ') && !c.startsWith('dry-run ')),
      [],
      'a preview writes nothing',
    );

    const deleting = fakeWriter();
    const withDelete = await previewPutBack(
      plan,
      deleting.writer,
      { deleteExtra: true, allowIncomplete: false },
      silentLogger,
    );
    assert.deepEqual(
      withDelete.items.map((i) => `${i.action} ${keyLabel(i.key)}`),
      ['create ConfigMap team-dev/settings', 'update Deployment team-dev/web', 'delete ConfigMap team-dev/stale'],
    );
    const results = await applyPutLiveBack(deleting.writer, withDelete, { forceConflicts: false }, silentLogger);
    assert.deepEqual(
      results.map((r) => `${r.status} ${keyLabel(r.key)}`),
      ['applied ConfigMap team-dev/settings', 'applied Deployment team-dev/web', 'deleted ConfigMap team-dev/stale'],
    );
    assert.deepEqual(
      deleting.calls.filter((c) => !c.startsWith('get ') && !c.startsWith('dry-run ')),
      ['apply ConfigMap team-dev/settings', 'apply Deployment team-dev/web', 'delete ConfigMap team-dev/stale'],
    );
  });

  it('for a render that skipped content: refuses to delete Extra objects, and to put back without an explicit yes', async () => {
    const { engine, env, live } = await setUp([...ALL, 'https://example.com/worker.yaml']);
    const plan = await planPutBack(engine, env, live);
    assert.equal(plan.skipped.length, 1);
    assert.match(plan.skipped[0], /https:\/\/example\.com\/worker\.yaml.*envs\/dev\/kustomization\.yaml:6/);
    const { writer, calls } = fakeWriter();
    await assert.rejects(
      previewPutBack(plan, writer, { deleteExtra: true, allowIncomplete: true }, silentLogger),
      (e: unknown) =>
        RefusedError.is(e) &&
        /^dev is not checked: incomplete \(.*\): deleting Extra objects would delete the objects of what was skipped\. Nothing was changed\.$/.test(
          e.message,
        ),
    );
    await assert.rejects(
      previewPutBack(plan, writer, { deleteExtra: false, allowIncomplete: false }, silentLogger),
      (e: unknown) => RefusedError.is(e) && /needs an explicit yes\. Nothing was changed\.$/.test(e.message),
    );
    assert.deepEqual(calls, [], 'the server was not asked');
    const preview = await previewPutBack(plan, writer, { deleteExtra: false, allowIncomplete: true }, silentLogger);
    assert.deepEqual(
      preview.items.map((i) => i.action),
      ['create', 'update'],
    );
  });

  it('refuses when the environment could not be checked, and for live state from a snapshot', async () => {
    const { engine, env } = await setUp();
    const down = new FakeReader([], types);
    down.list = async () => {
      throw new ClusterError('unreachable', 'cannot reach the API server at https://127.0.0.1:1', 'kind-dev');
    };
    await assert.rejects(
      planPutBack(engine, env, { reader: down, context: 'kind-dev' }),
      (e: unknown) => RefusedError.is(e) && e.message === 'dev: cannot reach the API server at https://127.0.0.1:1',
    );
    const snapshot: LiveSource = {
      reader: new FakeReader(liveObjects, types),
      context: 'snapshot:live.yaml',
      secretHashing: { unavailable: 'no key' },
    };
    await assert.rejects(
      planPutBack(engine, env, snapshot),
      (e: unknown) => RefusedError.is(e) && /needs a cluster, not a snapshot \(snapshot:live\.yaml\)/.test(e.message),
    );
  });

  it('fails, rather than finding nothing to do, with a pipeline that gives verdicts without their objects', async () => {
    const engine = new DriftEngine({
      fs: new MemoryFileSystem(files(['settings.yaml'])),
      repoRoot: '/r',
      pipeline: fakePipeline(),
    });
    const live: LiveSource = { reader: new FakeReader([], types), context: 'kind-dev', namespace: 'team-dev' };
    await assert.rejects(
      planPutBack(engine, await engine.environment('dev'), live),
      /needs the desired object behind each verdict/,
    );
  });
});
