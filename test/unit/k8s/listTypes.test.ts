import assert from 'node:assert/strict';
import { listKeysFor } from '../../../src/core/drift/listKeys';
import {
  childSchema,
  listStrategy,
  rootSchema,
  type TypeSchema,
} from '../../../src/core/render/kustomize/filters/mergeKeys';

/** The renderer's strategy for a list at a path of field names ('*' for items). */
function smpAt(apiVersion: string, kind: string, path: string): unknown {
  let schema: TypeSchema | undefined = rootSchema(apiVersion, kind);
  for (const segment of path.split('/').slice(1)) schema = childSchema(schema, segment === '*' ? undefined : segment);
  return listStrategy(schema) ?? 'replaced';
}

describe('one table of list types: how the cluster pairs and how kustomize merges', () => {
  // [apiVersion, kind, path, cluster pairing keys (drift), kustomize's patch merge (renderer)]
  const rows: [string, string, string, string[] | undefined, unknown][] = [
    ['apps/v1', 'Deployment', '/spec/template/spec/containers', ['name'], { key: 'name' }],
    [
      'apps/v1',
      'Deployment',
      '/spec/template/spec/containers/*/ports',
      ['containerPort', 'protocol'],
      { key: 'containerPort', keys: ['containerPort', 'protocol'] },
    ],
    ['apps/v1', 'Deployment', '/spec/template/spec/containers/*/env', ['name'], { key: 'name' }],
    ['apps/v1', 'Deployment', '/spec/template/spec/containers/*/args', undefined, 'replaced'],
    ['apps/v1', 'Deployment', '/metadata/finalizers', undefined, {}],
    ['apps/v1', 'Deployment', '/metadata/ownerReferences', ['uid'], { key: 'uid' }],
    ['batch/v1', 'CronJob', '/spec/jobTemplate/spec/template/spec/volumes', ['name'], { key: 'name' }],
    ['v1', 'Service', '/spec/ports', ['port', 'protocol'], { key: 'port', keys: ['port', 'protocol'] }],
    ['admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', '/webhooks', ['name'], { key: 'name' }],
    ['rbac.authorization.k8s.io/v1', 'ClusterRole', '/rules', undefined, 'replaced'],
    // Newer than kustomize's schema: the cluster pairs by name, kustomize's patches replace the list.
    ['v1', 'Pod', '/spec/resourceClaims', ['name'], 'replaced'],
    ['v1', 'Pod', '/spec/schedulingGates', ['name'], 'replaced'],
    ['v1', 'Pod', '/status/conditions', ['type'], { key: 'type' }],
  ];
  for (const [apiVersion, kind, path, pairing, merge] of rows) {
    it(`${apiVersion} ${kind} ${path}`, () => {
      assert.deepEqual(listKeysFor(`${apiVersion}/${kind}`, path, undefined), pairing, 'drift pairing');
      assert.deepEqual(smpAt(apiVersion, kind, path), merge, 'strategic merge');
    });
  }

  it('a custom resource: no merge keys for kustomize; the cluster keys by field name where every built-in type agrees', () => {
    assert.equal(rootSchema('argoproj.io/v1alpha1', 'Rollout'), undefined);
    assert.deepEqual(listKeysFor('argoproj.io/v1alpha1/Rollout', '/spec/template/spec/containers', undefined), [
      'name',
    ]);
    // `ports` pairs by containerPort in a container and by port in a Service: no guess for an unknown type.
    assert.equal(listKeysFor('argoproj.io/v1alpha1/Rollout', '/spec/ports', undefined), undefined);
  });

  it('an apiVersion the cluster does not serve falls back to a served version of the kind for pairing', () => {
    assert.deepEqual(listKeysFor('apps/v1beta2/Deployment', '/spec/template/spec/containers', undefined), ['name']);
  });
});
