import * as assert from 'node:assert/strict';
import type { ControllerStatus, ResourceDrift, Verdict } from '../../../src/core/model/drift';
import {
  controllerStates,
  countParts,
  countStates,
  environmentNeedsAttention,
  environmentState,
  needsAttention,
  objectState,
  STATE_LABEL,
  STATE_ORDER,
  stateSummary,
} from '../../../src/core/model/verdictState';

const res = (verdict: Verdict, name = 'x', controller?: ResourceDrift['controller']): ResourceDrift => ({
  apiVersion: 'v1',
  key: { group: '', kind: 'ConfigMap', namespace: 'shop', name },
  verdict,
  fields: [],
  ...(controller ? { controller } : {}),
});

describe('the vocabulary of states', () => {
  it('names each verdict once, the controller states apart', () => {
    const verdicts: Verdict[] = [
      'InSync',
      'Drifted',
      'Missing',
      'Extra',
      'UnknownKind',
      'Forbidden',
      'Error',
      'NotChecked',
    ];
    assert.deepEqual(
      verdicts.map((v) => STATE_LABEL[objectState(res(v))]),
      ['in sync', 'drifted', 'missing', 'extra', 'not deployed', 'forbidden', 'error', 'not checked'],
    );
    assert.equal(objectState(res('Missing', 'a', { state: 'notYetApplied' })), 'notYetApplied');
    assert.equal(objectState(res('Extra', 'a', { state: 'pendingPrune' })), 'pendingPrune');
    // A note alone (Flux will revert this) leaves the hand-made state as it is.
    assert.equal(objectState(res('Drifted', 'a', { note: 'Flux will revert this' })), 'drifted');
    // Every state is listed once in the counting order.
    assert.equal(new Set(STATE_ORDER).size, STATE_ORDER.length);
  });

  it('counts missing as missing, not drifted', () => {
    const counts = countStates([res('Missing', 'a'), res('Missing', 'b'), res('Drifted', 'c'), res('InSync', 'd')]);
    assert.equal(counts.byState.missing, 2);
    assert.equal(counts.byState.drifted, 1);
    assert.deepEqual(countParts(counts), ['1 in sync', '1 drifted', '2 missing']);
    assert.equal(stateSummary(counts), '1 drifted · 2 missing');
  });

  it('never calls an environment in sync when nothing of it could be read', () => {
    const unreadable = { error: null, resources: [res('UnknownKind', 'a'), res('Forbidden', 'b')] };
    assert.equal(environmentState(unreadable), 'forbidden');
    assert.notEqual(stateSummary(countStates(unreadable.resources)), 'in sync');
    assert.equal(stateSummary(countStates(unreadable.resources)), '1 not deployed · 1 forbidden');
    assert.equal(environmentState({ error: null, resources: [res('InSync')] }), 'inSync');
    assert.equal(environmentState({ error: null, resources: [] }), 'inSync');
  });

  it('an environment without a cluster is not checked; a render failure is an error; skipped content is not checked', () => {
    assert.equal(
      environmentState({ error: 'no kubeconfig', noCluster: true, resources: [res('NotChecked')] }),
      'notChecked',
    );
    assert.equal(environmentState({ error: 'render failed: x', resources: [] }), 'error');
    const skipped = [{ message: 'remote resource not fetched' }];
    assert.equal(environmentState({ error: null, skipped, resources: [res('InSync')] }), 'notChecked');
    assert.equal(environmentState({ error: null, skipped, resources: [res('Drifted')] }), 'drifted');
  });

  it('ranks what differs above what could not be read', () => {
    assert.equal(environmentState({ error: null, resources: [res('Forbidden', 'a'), res('Drifted', 'b')] }), 'drifted');
    assert.equal(environmentState({ error: null, resources: [res('Drifted', 'a'), res('Missing', 'b')] }), 'missing');
  });

  it('says which objects and environments need attention (the filter, --only-drifted)', () => {
    assert.deepEqual(STATE_ORDER.filter(needsAttention), [
      'drifted',
      'missing',
      'extra',
      'pendingPrune',
      'notYetApplied',
      'notDeployed',
      'forbidden',
      'error',
    ]);
    assert.equal(environmentNeedsAttention({ error: null, resources: [res('InSync')] }), false);
    assert.equal(environmentNeedsAttention({ error: null, resources: [res('InSync'), res('Extra', 'b')] }), true);
    assert.equal(environmentNeedsAttention({ error: 'unreachable', resources: [] }), true);
    assert.equal(environmentNeedsAttention({ error: null, skipped: [{ message: 'x' }], resources: [] }), true);
  });

  it("names a Flux Kustomization's states", () => {
    const status: ControllerStatus = {
      kind: 'Kustomization',
      name: 'apps',
      namespace: 'flux-system',
      found: true,
      suspended: false,
      prune: true,
      pendingPrune: 0,
      notYetApplied: 0,
      ready: { status: 'True' },
      behind: 0,
    };
    assert.deepEqual(controllerStates(status), []);
    assert.deepEqual(
      controllerStates({
        ...status,
        suspended: true,
        ready: { status: 'False' },
        behind: 3,
        pendingPrune: 1,
        notYetApplied: 2,
      }),
      ['suspended', 'notReady', 'behind', 'pendingPrune', 'notYetApplied'],
    );
    assert.deepEqual(controllerStates({ ...status, found: false }), ['notDeployed']);
    assert.deepEqual(
      ['suspended', 'notReady', 'behind'].map((s) => STATE_LABEL[s as 'suspended']),
      ['suspended', 'not ready', 'behind'],
    );
  });
});
