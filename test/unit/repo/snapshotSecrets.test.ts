import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model/resource';
import { hashSecretValues } from '../../../src/core/repo/snapshotSecrets';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (name: string, fields: Partial<KubeObject>, annotations?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'ns', ...(annotations ? { annotations } : {}) }, ...fields });

describe('snapshot Secret hashing', () => {
  it('hashes data (base64) and stringData (plain) of the same bytes alike, keeping keys', () => {
    const fromData = hashSecretValues(secret('db', { data: { password: b64('hunter2') } }), 'salt');
    const fromStringData = hashSecretValues(secret('db', { stringData: { password: 'hunter2' } }), 'salt');
    const hashed = Buffer.from((fromData.data as Record<string, string>).password, 'base64').toString();
    assert.match(hashed, /^gitops-drift-hash:[0-9a-f]{64}$/);
    assert.equal((fromStringData.stringData as Record<string, string>).password, hashed);
    assert.ok(!JSON.stringify(fromData).includes(b64('hunter2')));
  });

  it('differs per salt, object and key, so equal values do not look alike across Secrets or snapshots', () => {
    const value = (name: string, key: string, salt: string) => (hashSecretValues(secret(name, { data: { [key]: b64('same') } }), salt).data as Record<string, string>)[key];
    const base = value('a', 'k', 's1');
    assert.equal(value('a', 'k', 's1'), base);
    assert.notEqual(value('b', 'k', 's1'), base);
    assert.notEqual(value('a', 'k2', 's1'), base);
    assert.notEqual(value('a', 'k', 's2'), base);
  });

  it('hashes the values kept in the last-applied annotation, and drops an annotation it cannot parse', () => {
    const applied = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { password: b64('hunter2') }, stringData: { token: 't0ps3cret' } });
    const out = hashSecretValues(secret('db', { data: { password: b64('hunter2') } }, { [LAST_APPLIED]: applied, note: 'kept' }), 'salt');
    const annotation = out.metadata.annotations![LAST_APPLIED];
    assert.ok(!annotation.includes(b64('hunter2')) && !annotation.includes('t0ps3cret'));
    assert.equal(JSON.parse(annotation).data.password, (out.data as Record<string, string>).password);
    assert.equal(out.metadata.annotations!.note, 'kept');
    const broken = hashSecretValues(secret('db', {}, { [LAST_APPLIED]: '{"data":{"password":"aHVudGVy' }), 'salt');
    assert.equal(broken.metadata.annotations![LAST_APPLIED], '{}');
  });

  it('leaves everything that is not a core Secret alone', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    assert.equal(hashSecretValues(cm, 'salt'), cm);
  });
});
