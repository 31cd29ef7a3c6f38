import { strict as assert } from 'node:assert';
import { readOwnership } from '../../../src/core/drift/managedFields';
import type { KubeObject } from '../../../src/core/model/resource';
import { recorded } from './support';

describe('managedFields (FieldsV1) decoding', () => {
  it('maps f:, k: and . keys of a client-side applied Deployment onto its fields', () => {
    const own = readOwnership(recorded('recorded/object-deployment-dev-web.json'));
    assert.deepEqual(
      own.entries.map((e) => [e.manager, e.operation, e.subresource]),
      [
        ['kubectl-client-side-apply', 'Update', undefined],
        ['kube-controller-manager', 'Update', 'status'],
      ],
    );
    const csa = own.entries[0];
    const pointers = own
      .ownedBy(csa)
      .filter((f) => f.leaf)
      .map((f) => f.pointer);
    assert.ok(pointers.includes('/spec/replicas'));
    assert.ok(pointers.includes('/spec/template/spec/containers/0/image'));
    assert.ok(
      pointers.includes('/spec/template/spec/containers/0/ports/0/protocol'),
      'k:{"containerPort":80,"protocol":"TCP"} → ports/0',
    );
    assert.ok(pointers.includes('/spec/selector'), 'an atomic map is one leaf');
    assert.deepEqual(
      own.ownersOf('/status/replicas').map((e) => e.manager),
      ['kube-controller-manager'],
    );
    // The selector's contents belong to whoever owns the atomic selector.
    assert.deepEqual(
      own.ownersOf('/spec/selector/matchLabels/app').map((e) => e.manager),
      ['kubectl-client-side-apply'],
    );
    // Descendants count unless asked not to.
    assert.deepEqual(
      own.ownersOf('/spec/template/spec/containers/0').map((e) => e.manager),
      ['kubectl-client-side-apply'],
    );
    assert.deepEqual(own.ownersOf('/spec', false), []);
    assert.deepEqual(own.listKeys.get('/spec/template/spec/containers'), ['name']);
    assert.deepEqual(own.listKeys.get('/spec/template/spec/containers/*/ports'), ['containerPort', 'protocol']);
  });

  it('maps v: set items by value and keeps both co-owners of a Widget', () => {
    const own = readOwnership(recorded('recorded/object-widget-dev-gizmo-after-ssa.json'));
    assert.deepEqual(
      own
        .ownersOf('/spec/tags/1')
        .map((e) => e.manager)
        .sort(),
      ['gitops-tool', 'kubectl-client-side-apply'],
    );
    assert.deepEqual(
      own.ownersOf('/spec/color').map((e) => e.manager),
      ['kubectl-client-side-apply'],
    );
    assert.deepEqual(
      own.ownersOf('/metadata/labels/team').map((e) => [e.manager, e.operation, e.time]),
      [['gitops-tool', 'Apply', '2026-11-22T15:16:57Z']],
    );
  });

  it('maps i: items by index and skips stale keys and malformed entries', () => {
    const obj: KubeObject = {
      apiVersion: 'v1',
      kind: 'X',
      metadata: {
        name: 'x',
        managedFields: [
          {
            manager: 'm',
            operation: 'Apply',
            fieldsV1: { 'f:list': { 'i:1': {}, 'i:7': {}, 'k:{"name":"gone"}': { 'f:a': {} }, 'k:not json': {} } },
          },
          { operation: 'Update', fieldsV1: { 'f:list': {} } },
          'junk',
        ],
      },
      list: ['a', 'b'],
    };
    const own = readOwnership(obj);
    assert.deepEqual(
      own.entries.map((e) => e.manager),
      ['m'],
    );
    assert.deepEqual(
      own.owned.map((f) => f.pointer),
      ['/list/1'],
    );
  });

  it('reads an object without managedFields as owned by nobody', () => {
    const own = readOwnership({ apiVersion: 'v1', kind: 'X', metadata: { name: 'x' } });
    assert.deepEqual([own.entries.length, own.ownersOf('/a').length], [0, 0]);
  });
});
