import { strict as assert } from 'node:assert';
import { diffObject } from '../../../src/core/drift/diffObject';
import { driftOptions } from '../../../src/core/drift/options';
import type { KubeObject } from '../../../src/core/model/resource';
import type { RenderedObject } from '../../../src/core/render/types';
import { renderedFromYaml } from './support';

/** A ConfigMap whose `token` a Flux postBuild substituted from a Secret: a placeholder, its origin marked secret. */
function desired(): RenderedObject {
  const [r] = renderedFromYaml(
    'app/cm.yaml',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: shop\ndata:\n  token: "(substituted from Secret creds)"\n  level: info\n',
  );
  r.origins.set('/data/token', { ...r.origins.get('/data/token')!, secret: true });
  return r;
}
const live = (data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'app', namespace: 'shop' },
  data,
});

describe('values substituted from a Secret: compared by presence only', () => {
  it('is in sync whatever value the cluster holds, while other fields still drift', () => {
    const diff = diffObject(desired(), live({ token: 's3cr3t-value', level: 'debug' }), driftOptions());
    assert.deepEqual(
      diff.fields.map((f) => f.path),
      ['/data/level'],
    );
    // The printed pair never shows the cluster's value of that field.
    assert.ok(!JSON.stringify(diff.live).includes('s3cr3t-value'));
  });

  it('drifts when the cluster lacks the field, showing the placeholder, never a value', () => {
    const diff = diffObject(desired(), live({ level: 'info' }), driftOptions());
    assert.deepEqual(
      diff.fields.map((f) => [f.path, f.desired, f.live]),
      [['/data/token', '(substituted from Secret creds)', undefined]],
    );
  });

  it('compares the value as usual when the origin is not marked', () => {
    const plain = desired();
    plain.origins.set('/data/token', { ...plain.origins.get('/data/token')!, secret: undefined });
    assert.deepEqual(
      diffObject(plain, live({ token: 'other', level: 'info' }), driftOptions()).fields.map((f) => f.path),
      ['/data/token'],
    );
  });
});
