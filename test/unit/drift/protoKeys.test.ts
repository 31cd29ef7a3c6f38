import { strict as assert } from 'node:assert';
import { diffObject, normalizedDesired } from '../../../src/core/drift/diffObject';
import { driftOptions } from '../../../src/core/drift/options';
import type { KubeObject } from '../../../src/core/model/resource';
import { renderedFromYaml } from './support';

// A `__proto__` key is data (kustomize keeps it; the API server stores it): the comparison and the diff's objects
// keep it as an own key instead of dropping it or reading Object.prototype.

const desired =
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\ndata:\n  __proto__: git\n  x: "1"\n';
const live = (data: string): KubeObject =>
  JSON.parse(
    `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default"},"data":${data}}`,
  ) as KubeObject;

describe('__proto__ keys in drift', () => {
  it('a differing __proto__ value is drift, shown on both sides of the diff', () => {
    const diff = diffObject(
      renderedFromYaml('x.yaml', desired)[0],
      live('{"__proto__":"cluster","x":"1"}'),
      driftOptions(),
    );
    assert.deepEqual(
      diff.fields.map((f) => f.path),
      ['/data/__proto__'],
    );
    assert.equal(Object.getOwnPropertyDescriptor(diff.desired.data, '__proto__')?.value, 'git');
    assert.equal(Object.getOwnPropertyDescriptor(diff.live.data, '__proto__')?.value, 'cluster');
  });

  it('a __proto__ key missing from the cluster is drift, not a comparison with Object.prototype', () => {
    const diff = diffObject(renderedFromYaml('x.yaml', desired)[0], live('{"x":"1"}'), driftOptions());
    assert.deepEqual(
      diff.fields.map((f) => f.path),
      ['/data/__proto__'],
    );
    assert.equal(Object.prototype.hasOwnProperty.call(diff.live.data, '__proto__'), false);
  });

  it('the same value is in sync, and the desired object keeps the key', () => {
    const rendered = renderedFromYaml('x.yaml', desired)[0];
    assert.deepEqual(diffObject(rendered, live('{"__proto__":"git","x":"1"}'), driftOptions()).fields, []);
    assert.deepEqual(Object.keys(normalizedDesired(rendered).data as object), ['__proto__', 'x']);
  });

  it("constructor and toString keys missing from the cluster are drift, not Object.prototype's functions", () => {
    const yaml =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\ndata:\n  constructor: built\n  toString: said\n';
    const diff = diffObject(renderedFromYaml('x.yaml', yaml)[0], live('{}'), driftOptions());
    assert.deepEqual(diff.fields.map((f) => f.path).sort(), ['/data/constructor', '/data/toString']);
    assert.deepEqual(
      diffObject(renderedFromYaml('x.yaml', yaml)[0], live('{"constructor":"built","toString":"said"}'), driftOptions())
        .fields,
      [],
    );
  });

  it('walk 2 finds the applied keys git dropped among constructor, toString and __proto__, and no others', () => {
    // kubectl's server-side apply owns four data keys; git now sets only constructor and __proto__.
    const yaml =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\ndata:\n  constructor: a\n  __proto__: b\n';
    const applied = live('{"constructor":"a","__proto__":"b","toString":"c","hasOwnProperty":"d"}');
    applied.metadata.managedFields = [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: JSON.parse(
          '{"f:data":{"f:constructor":{},"f:__proto__":{},"f:toString":{},"f:hasOwnProperty":{}}}',
        ) as Record<string, unknown>,
      },
    ];
    const diff = diffObject(renderedFromYaml('x.yaml', yaml)[0], applied, driftOptions());
    assert.deepEqual(diff.fields.map((f) => f.path).sort(), ['/data/hasOwnProperty', '/data/toString']);
  });
});
