import { strict as assert } from 'node:assert';
import { parse, stringify } from 'yaml';
import { buildSnapshot, parseSnapshot, serializeSnapshot } from '../../../src/core/repo/snapshot';
import { SnapshotKey } from '../../../src/core/drift/snapshotSecrets';

const cm = (name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'dev', labels: { a: 'b' } },
  data: { k: 'v: "quoted" #not a comment' },
});
const snapshot = () =>
  buildSnapshot('2026-12-06T11:00:00Z', new SnapshotKey(Buffer.alloc(32, 5)), [
    {
      context: 'ctx',
      environments: ['dev'],
      resourceTypes: [
        { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, verbs: ['list'] },
        { group: 'x.io', kind: 'Gadget', served: false },
      ],
      scopes: [
        {
          group: '',
          kind: 'ConfigMap',
          namespace: 'dev',
          status: 'ok',
          resourceVersion: '7',
          items: [cm('a'), cm('b')],
        },
        { group: '', kind: 'ConfigMap', namespace: 'empty', status: 'ok', resourceVersion: '7', items: [] },
        {
          group: '',
          kind: 'Secret',
          namespace: 'dev',
          status: 'forbidden',
          verb: 'list',
          resource: 'secrets',
          message: 'no',
        },
      ],
    },
  ]);

describe('snapshot file format (JSON under a comment, read without a YAML parser)', () => {
  it('writes a header comment, then JSON with one live object per line, which YAML readers read alike', () => {
    const text = serializeSnapshot(snapshot());
    const lines = text.split('\n');
    assert.match(lines[0], /^# Live objects recorded by `gitops-drift snapshot`/);
    assert.equal(lines[1], '{');
    assert.ok(lines.includes(`        ${JSON.stringify(cm('a'))},`), text);
    assert.ok(lines.includes(`        ${JSON.stringify(cm('b'))}`), text);
    assert.deepEqual(JSON.parse(lines.slice(1).join('\n')), snapshot());
    assert.deepEqual(parse(text), snapshot());
  });

  it('reads its own output back unchanged, and a YAML snapshot (the earlier form) to the same data', () => {
    const text = serializeSnapshot(snapshot());
    assert.deepEqual(parseSnapshot(text, 'snap.yaml'), snapshot());
    assert.deepEqual(parseSnapshot(`# old\n${stringify(snapshot())}`, 'snap.yaml'), snapshot());
  });

  it('an invalid snapshot in the JSON form still gets file:line from the YAML reader', () => {
    const bad = serializeSnapshot(snapshot()).replace('"status": "forbidden"', '"status": "maybe"');
    let line = 0;
    assert.throws(
      () => parseSnapshot(bad, 'snap.yaml'),
      (e: Error) => {
        assert.match(
          String(e),
          /^ProblemError: snap\.yaml:\d+:\d+: each scope needs group, kind, namespace and status/,
        );
        line = Number(/snap\.yaml:(\d+)/.exec(String(e))![1]);
        return true;
      },
    );
    assert.match(bad.split('\n')[line - 1], /^\s*\{$/, 'the line that opens the scope that is wrong');
    assert.throws(
      () => parseSnapshot('# c\n{"apiVersion": "v1", "kind": "List"}\n', 'live.json'),
      /^ProblemError: live\.json:1:1: not a gitops-drift live snapshot/,
    );
    assert.throws(
      () => parseSnapshot('# c\n{"apiVersion": \n', 'live.json'),
      /live\.json:\d+:\d+: not a valid snapshot/,
    );
  });
});
