import { strict as assert } from 'node:assert';
import { diffObject } from '../../../src/core/drift/diffObject';
import { driftOptions } from '../../../src/core/drift/options';
import { maskSecretValue } from '../../../src/core/drift/secrets';
import type { KubeObject } from '../../../src/core/model/resource';
import { recorded, renderedFromYaml, testdata } from './support';

const desiredSecret = renderedFromYaml('desired/nightly.yaml', testdata('desired/nightly.yaml')).find((r) => r.key.kind === 'Secret');
const options = driftOptions({ appliers: ['kustomize-controller'] });
const PLAIN = ['s3cr3t-Pa55', 'hunter2-Changed', 'tok-Zq9'];

/** No plaintext and no base64 of it anywhere in `value`. */
function assertNoSecret(value: unknown): void {
  const text = JSON.stringify(value);
  for (const p of PLAIN) {
    assert.ok(!text.includes(p), `leaks ${p}`);
    assert.ok(!text.includes(Buffer.from(p).toString('base64')), `leaks base64 of ${p}`);
  }
}

describe('Secrets', () => {
  it('reports a changed and an added value masked, at the stringData line git set it on', () => {
    assert.ok(desiredSecret);
    const diff = diffObject(desiredSecret, recorded('live/db-secret-edited-by-hand.json'), options);
    assert.deepEqual(diff.fields.map((f) => [f.path, f.secret, f.origin?.line, f.changedBy?.manager, f.cause]), [
      ['/stringData/password', true, 30, 'kubectl-edit', undefined],
      ['/data/token', true, 29, 'kubectl-edit', 'outOfBand'],
    ]);
    const [password, token] = diff.fields;
    assert.match(String(password.desired), /^\(secret: sha256:[0-9a-f]{8}\)$/);
    assert.match(String(password.live), /^\(secret: sha256:[0-9a-f]{8}\)$/);
    assert.notEqual(password.desired, password.live);
    assert.equal(token.desired, undefined);
    assertNoSecret(diff);
  });

  it('hashes the same bytes alike whether git wrote stringData or data, and per object and key otherwise', () => {
    const key = { group: '', kind: 'Secret', namespace: 'dev', name: 'db' };
    const fromString = maskSecretValue(key, '/stringData/password', 's3cr3t-Pa55');
    assert.equal(maskSecretValue(key, '/data/password', Buffer.from('s3cr3t-Pa55').toString('base64')), fromString);
    assert.notEqual(maskSecretValue(key, '/stringData/other', 's3cr3t-Pa55'), fromString);
    assert.notEqual(maskSecretValue({ ...key, name: 'db2' }, '/stringData/password', 's3cr3t-Pa55'), fromString);
    assert.deepEqual(Object.keys(maskSecretValue(key, '/data', { a: 'eA==', b: 'eQ==' }) as object), ['a', 'b']);
  });

  it('masks the normalised pair and drops the last-applied annotation that holds values in clear', () => {
    assert.ok(desiredSecret);
    const live = recorded('live/db-secret-edited-by-hand.json');
    live.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ stringData: { password: 'hunter2-Changed' } }) };
    const diff = diffObject(desiredSecret, live, options);
    assertNoSecret(diff.desired);
    assertNoSecret(diff.live);
    assert.deepEqual(Object.keys(diff.desired.data as object).sort(), ['password', 'username']);
    assert.deepEqual(Object.keys(diff.live.data as object).sort(), ['password', 'token', 'username']);
    assert.equal((diff.desired as KubeObject & { stringData?: unknown }).stringData, undefined);
  });
});
