import { strict as assert } from 'node:assert';
import { diffObject } from '../../../src/core/drift/diffObject';
import { driftOptions } from '../../../src/core/drift/options';
import type { KubeObject } from '../../../src/core/model/resource';
import { renderedFromYaml } from './support';

/** A ConfigMap kustomize-controller applied with the given annotations (its Apply entry owns them and data). */
function applied(annotations: Record<string, string>): KubeObject {
  const owned = Object.fromEntries(Object.keys(annotations).map((k) => [`f:${k}`, {}]));
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'gen',
      namespace: 'shop',
      annotations,
      managedFields: [
        {
          manager: 'kustomize-controller',
          operation: 'Apply',
          apiVersion: 'v1',
          time: '2026-12-06T12:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': { 'f:annotations': owned }, 'f:data': { 'f:a': {} } },
        },
      ],
    },
    data: { a: 'b' },
  } as KubeObject;
}

describe('what Flux adds at build and apply time', () => {
  const [desired] = renderedFromYaml(
    'app/cm.yaml',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gen\n  namespace: shop\ndata:\n  a: b\n',
  );

  it("is no drift: kustomize's origin annotation (buildMetadata Flux sets for a kustomization with no resources)", () => {
    const origin =
      'configuredIn: kustomization.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n';
    assert.deepEqual(
      diffObject(desired, applied({ 'config.kubernetes.io/origin': origin }), driftOptions()).fields,
      [],
    );
  });

  it('while another annotation the controller applied and git no longer has is a pending removal', () => {
    assert.deepEqual(
      diffObject(desired, applied({ 'team/owner': 'shop' }), driftOptions()).fields.map((f) => [f.path, f.cause]),
      [['/metadata/annotations/team~1owner', 'removal']],
    );
  });
});
