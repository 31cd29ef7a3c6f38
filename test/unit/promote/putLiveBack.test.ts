import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model/resource';
import { type ClusterWriter, silentLogger, type WriteOutcome } from '../../../src/core/ports';
import { applyPutLiveBack, previewPutLiveBack } from '../../../src/core/promote/putLiveBack';
import { RefusedError } from '../../../src/core/promote/refusal';

const cm = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns' },
  data,
});

/** A writer that answers from a table and records every request that is not a dry run. */
function fakeWriter(answers: {
  get?: Record<string, WriteOutcome>;
  apply?: Record<string, WriteOutcome>;
  delete?: Record<string, WriteOutcome>;
}) {
  const writes: string[] = [];
  const writer: ClusterWriter = {
    get: async (_v, _k, _ns, name) => answers.get?.[name] ?? { status: 'notFound', message: 'not found' },
    apply: async (obj, o) => {
      if (!o.dryRun) writes.push(`apply ${obj.metadata.name}`);
      return answers.apply?.[obj.metadata.name ?? ''] ?? { status: 'ok', object: obj, created: true };
    },
    delete: async (_v, _k, _ns, name, o) => {
      if (!o.dryRun) writes.push(`delete ${name}`);
      return answers.delete?.[name] ?? { status: 'ok', object: undefined, created: false };
    },
  };
  return { writer, writes };
}

describe('put live back (core, fake writer)', () => {
  it('refuses to apply anything when one object fails its dry-run, saying which and why', async () => {
    const { writer, writes } = fakeWriter({ apply: { bad: { status: 'invalid', message: 'data.x: Invalid value' } } });
    const preview = await previewPutLiveBack(
      writer,
      { apply: [cm('good', { a: '1' }), cm('bad', { x: '' })] },
      silentLogger,
    );
    assert.deepEqual(
      preview.items.map((i) => [i.key.name, i.action, i.error]),
      [
        ['good', 'create', undefined],
        ['bad', 'create', 'data.x: Invalid value'],
      ],
    );
    await assert.rejects(
      applyPutLiveBack(writer, preview, { forceConflicts: true }, silentLogger),
      (e: unknown) =>
        e instanceof RefusedError &&
        e.message === 'nothing was applied: the dry-run failed for ConfigMap ns/bad (data.x: Invalid value)',
    );
    assert.deepEqual(writes, []);
  });

  it('treats a 409 that names no field manager (e.g. AlreadyExists) as a failure, not as a conflict to force', async () => {
    const { writer } = fakeWriter({
      apply: { x: { status: 'conflict', message: 'configmaps "x" already exists', conflicts: [] } },
    });
    const preview = await previewPutLiveBack(writer, { apply: [cm('x', {})] }, silentLogger);
    assert.deepEqual(
      preview.items.map((i) => [i.error, i.conflicts]),
      [['configmaps "x" already exists', []]],
    );
  });

  it('skips an Extra object that is already gone, and deletes only what was asked', async () => {
    const { writer, writes } = fakeWriter({ delete: { gone: { status: 'notFound', message: 'not found' } } });
    const preview = await previewPutLiveBack(
      writer,
      { apply: [], delete: [cm('gone', {}), cm('old', { k: 'v' })] },
      silentLogger,
    );
    assert.deepEqual(
      preview.items.map((i) => [i.key.name, i.action]),
      [['old', 'delete']],
    );
    await applyPutLiveBack(writer, preview, { forceConflicts: false }, silentLogger);
    assert.deepEqual(writes, ['delete old']);
  });
});
