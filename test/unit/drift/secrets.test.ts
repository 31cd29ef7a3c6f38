import { strict as assert } from 'node:assert';
import { diffObject } from '../../../src/core/drift/diffObject';
import { driftOptions } from '../../../src/core/drift/options';
import { createHash } from 'node:crypto';
import { maskSecret, runMasker, SecretMasker, SecretRedactor } from '../../../src/core/drift/secrets';
import type { KubeObject } from '../../../src/core/model/resource';
import { recorded, renderedFromYaml, testdata } from './support';

const desiredSecret = renderedFromYaml('desired/nightly.yaml', testdata('desired/nightly.yaml')).find(
  (r) => r.key.kind === 'Secret',
);
const options = driftOptions({ appliers: ['kustomize-controller'] });
const PLAIN = ['s3cr3t-Pa55', 'hunter2-Changed', 'tok-Zq9'];
const b64 = (t: string) => Buffer.from(t).toString('base64');
const LAST = 'kubectl.kubernetes.io/last-applied-configuration';

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
    assert.deepEqual(
      diff.fields.map((f) => [f.path, f.secret, f.origin?.line, f.changedBy?.manager, f.cause]),
      [
        ['/stringData/password', true, 30, 'kubectl-edit', undefined],
        ['/data/token', true, 29, 'kubectl-edit', 'outOfBand'],
      ],
    );
    const [password, token] = diff.fields;
    assert.match(String(password.desired), /^\(secret: #[0-9a-f]{12}\)$/);
    assert.match(String(password.live), /^\(secret: #[0-9a-f]{12}\)$/);
    assert.notEqual(password.desired, password.live);
    assert.equal(token.desired, undefined);
    assertNoSecret(diff);
  });

  it('masks the same bytes alike whether git wrote stringData or data, in any Secret, under the run key', () => {
    const redactor = new SecretRedactor([]);
    const fromString = redactor.value('/stringData/password', 's3cr3t-Pa55');
    assert.equal(redactor.value('/data/password', Buffer.from('s3cr3t-Pa55').toString('base64')), fromString);
    assert.equal(fromString, runMasker.mask(Buffer.from('s3cr3t-Pa55')));
    assert.notEqual(redactor.value('/stringData/password', 's3cr3t-Pa56'), fromString);
    assert.deepEqual(Object.keys(redactor.value('/data', { a: 'eA==', b: 'eQ==' }) as object), ['a', 'b']);
  });

  it('keys every mask: another key masks otherwise, and no mask is a prefix of an unkeyed digest', () => {
    const value = Buffer.from('hunter2');
    const a = new SecretMasker(Buffer.alloc(32, 7)).mask(value);
    assert.match(a, /^\(secret: #[0-9a-f]{12}\)$/);
    assert.equal(new SecretMasker(Buffer.alloc(32, 7)).mask(value), a);
    assert.notEqual(new SecretMasker(Buffer.alloc(32, 8)).mask(value), a);
    assert.notEqual(SecretMasker.random().mask(value), SecretMasker.random().mask(value));
    const hex = a.slice(10, 22);
    for (const unkeyed of [
      createHash('sha256').update(value).digest('hex'),
      createHash('sha256')
        .update(Buffer.concat([Buffer.from('gitops-drift\0'), value]))
        .digest('hex'),
    ]) {
      assert.ok(!unkeyed.includes(hex));
    }
  });

  it('masks every place a value hides: data, stringData, last-applied, embedded JSON, other fields; keeps names', () => {
    const live: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'db',
        namespace: 'dev',
        annotations: {
          [LAST]: JSON.stringify({
            apiVersion: 'v1',
            kind: 'Secret',
            stringData: { password: 'only-in-last-applied', token: 'tok-Zq9' },
          }),
          'example.com/copies': JSON.stringify([{ data: { password: b64('embedded-copy-1') } }]),
          'example.com/note': 'rotated from hunter2-Changed last week',
        },
        managedFields: [
          {
            manager: 'kubectl',
            operation: 'Update',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:data': { 'f:password': {} } },
          },
        ],
      } as KubeObject['metadata'],
      data: { password: b64('hunter2-Changed'), ['__proto__']: b64('proto-valued') },
      type: 'Opaque',
    };
    const out = maskSecret(live);
    const text = JSON.stringify(out);
    for (const v of ['only-in-last-applied', 'tok-Zq9', 'embedded-copy-1', 'hunter2-Changed', 'proto-valued']) {
      assert.ok(!text.includes(v) && !text.includes(b64(v)), v);
    }
    const mask = runMasker.mask(Buffer.from('hunter2-Changed'));
    assert.equal((out.data as Record<string, string>).password, mask);
    assert.ok(Object.hasOwn(out.data as object, '__proto__'), 'a data key named __proto__ stays a key');
    assert.equal(out.metadata.annotations!['example.com/note'], `rotated from ${mask} last week`);
    assert.deepEqual(JSON.parse(out.metadata.annotations![LAST]).stringData, {
      password: runMasker.mask(Buffer.from('only-in-last-applied')),
      token: runMasker.mask(Buffer.from('tok-Zq9')),
    });
    assert.deepEqual(out.metadata.managedFields, live.metadata.managedFields);
    assert.equal(out.type, 'Opaque');
    // Text that cannot be read as JSON may still hold values: none of it is kept.
    const broken = maskSecret({
      ...live,
      metadata: { name: 'db', annotations: { [LAST]: '{"stringData":{"password":"unknown-elsewh' } },
    });
    assert.equal(broken.metadata.annotations![LAST], '(secret: unreadable last-applied-configuration)');
    // A value only one side holds is scrubbed from the other side's text too (a server message, a log line).
    assert.equal(
      new SecretRedactor([live]).text('invalid value "only-in-last-applied"'),
      `invalid value "${runMasker.mask(Buffer.from('only-in-last-applied'))}"`,
    );
    // Identity is not secret, and a short value would garble it: names stay as they are even when a value is "db".
    assert.equal(maskSecret({ ...live, data: { user: b64('db') } }).metadata.name, 'db');
  });

  it('leaves everything that is not a core Secret alone', () => {
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { a: 'hunter2-Changed' },
    };
    assert.equal(maskSecret(cm), cm);
  });

  it('a Secret applied client-side with stringData: a key git dropped is a pending removal, masked (the annotation says stringData, the server data)', () => {
    assert.ok(desiredSecret);
    const applied = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'dev' },
      type: 'Opaque',
      stringData: { username: 'app', password: 's3cr3t-Pa55', token: 'tok-Zq9' },
    };
    const live: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'db',
        namespace: 'dev',
        annotations: { [LAST]: JSON.stringify(applied) },
        managedFields: [
          {
            manager: 'kubectl-client-side-apply',
            operation: 'Update',
            apiVersion: 'v1',
            fieldsType: 'FieldsV1',
            fieldsV1: {
              'f:data': { '.': {}, 'f:password': {}, 'f:token': {}, 'f:username': {} },
              'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} } },
              'f:type': {},
            },
          },
        ],
      } as KubeObject['metadata'],
      data: { username: b64('app'), password: b64('s3cr3t-Pa55'), token: b64('tok-Zq9') },
      type: 'Opaque',
    };
    const diff = diffObject(desiredSecret, live, driftOptions({}));
    assert.deepEqual(
      diff.fields.map((f) => [f.path, f.cause, f.secret]),
      [['/data/token', 'removal', true]],
    );
    assertNoSecret(diff.fields);
    assertNoSecret([diff.desired, diff.live]);
  });

  it('masks the normalised pair and drops the last-applied annotation that holds values in clear', () => {
    assert.ok(desiredSecret);
    const live = recorded('live/db-secret-edited-by-hand.json');
    live.metadata.annotations = {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
        stringData: { password: 'hunter2-Changed' },
      }),
    };
    const diff = diffObject(desiredSecret, live, options);
    assertNoSecret(diff.desired);
    assertNoSecret(diff.live);
    assert.deepEqual(Object.keys(diff.desired.data as object).sort(), ['password', 'username']);
    assert.deepEqual(Object.keys(diff.live.data as object).sort(), ['password', 'token', 'username']);
    assert.equal((diff.desired as KubeObject & { stringData?: unknown }).stringData, undefined);
  });
});
