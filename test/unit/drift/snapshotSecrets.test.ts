import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../../src/core/model/resource';
import { hashSecretValues, SnapshotKey } from '../../../src/core/drift/snapshotSecrets';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (name: string, fields: Partial<KubeObject>, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'ns', ...(annotations ? { annotations } : {}) },
  ...fields,
});
const key = new SnapshotKey(Buffer.alloc(32, 1));

describe('snapshot Secret hashing', () => {
  it('hashes data (base64) and stringData (plain) of the same bytes alike, keeping keys', () => {
    const fromData = hashSecretValues(secret('db', { data: { password: b64('hunter2') } }), key);
    const fromStringData = hashSecretValues(secret('db', { stringData: { password: 'hunter2' } }), key);
    const hashed = Buffer.from((fromData.data as Record<string, string>).password, 'base64').toString();
    assert.match(hashed, /^gitops-drift-hmac:[0-9a-f]{64}$/);
    assert.equal((fromStringData.stringData as Record<string, string>).password, hashed);
    assert.ok(!JSON.stringify(fromData).includes(b64('hunter2')));
  });

  it('differs per key, object and data key, so equal values do not look alike across Secrets or users', () => {
    const value = (name: string, dataKey: string, k: SnapshotKey) =>
      (hashSecretValues(secret(name, { data: { [dataKey]: b64('same') } }), k).data as Record<string, string>)[dataKey];
    const base = value('a', 'k', key);
    assert.equal(value('a', 'k', key), base);
    assert.notEqual(value('b', 'k', key), base);
    assert.notEqual(value('a', 'k2', key), base);
    assert.notEqual(value('a', 'k', new SnapshotKey(Buffer.alloc(32, 2))), base);
  });

  it('cannot be recomputed without the key: the stand-in is no unkeyed digest of anything the file holds', () => {
    const out = hashSecretValues(secret('db', { stringData: { password: 'hunter2' } }), key);
    const hex = (out.stringData as Record<string, string>).password.slice('gitops-drift-hmac:'.length);
    for (const guess of ['hunter2', 'ns/db\0password\0hunter2', `Secret ns/db\0password\0hunter2`])
      assert.notEqual(createHash('sha256').update(guess).digest('hex'), hex);
    // The key's id names it without revealing it.
    assert.match(key.id, /^[0-9a-f]{16}$/);
    assert.ok(!Buffer.alloc(32, 1).toString('hex').includes(key.id));
  });

  it('hashes the values kept in the last-applied annotation, and drops an annotation it cannot parse', () => {
    const applied = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      data: { password: b64('hunter2') },
      stringData: { token: 't0ps3cret' },
    });
    const out = hashSecretValues(
      secret('db', { data: { password: b64('hunter2') } }, { [LAST_APPLIED]: applied, note: 'kept' }),
      key,
    );
    const annotation = out.metadata.annotations![LAST_APPLIED];
    assert.ok(!annotation.includes(b64('hunter2')) && !annotation.includes('t0ps3cret'));
    assert.equal(JSON.parse(annotation).data.password, (out.data as Record<string, string>).password);
    assert.equal(out.metadata.annotations!.note, 'kept');
    const broken = hashSecretValues(secret('db', {}, { [LAST_APPLIED]: '{"data":{"password":"aHVudGVy' }), key);
    assert.ok(!broken.metadata.annotations![LAST_APPLIED].includes('aHVudGVy'));
  });

  it('leaves everything that is not a core Secret alone', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    assert.equal(hashSecretValues(cm, key), cm);
  });
});
