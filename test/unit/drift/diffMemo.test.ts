import { strict as assert } from 'node:assert';
import { driftOptions } from '../../../src/core/drift/options';
import { DiffMemo, reconcile } from '../../../src/core/drift/reconcile';
import type { KubeObject } from '../../../src/core/model/resource';
import { liveState, recorded, renderedFromYaml, testdata } from './support';

const web = renderedFromYaml('desired/web.yaml', testdata('desired/web.yaml'));
const options = driftOptions({ appliers: ['gitops-tool'] });
const summary = (r: ReturnType<typeof reconcile>) =>
  r.map((x) => `${x.key.kind}/${x.key.name} ${x.verdict} ${x.fields.length}`);

describe('reconcile with a DiffMemo (re-checks after a save)', () => {
  const objects = () => [
    recorded('live/web-scaled-by-hand.json'),
    recorded('recorded/object-service-dev-web.json'),
    recorded('recorded/object-ingress-dev-web.json'),
  ];

  it('gives the verdicts reconcile gives without it, and reuses the diff of a pair it compared before', () => {
    const live = liveState(objects(), [['', 'ConfigMap', 'dev']]);
    const memo = new DiffMemo();
    const first = reconcile(web, live, options, memo);
    assert.deepEqual(summary(first), summary(reconcile(web, live, options)));
    assert.ok(first.some((r) => r.verdict === 'Drifted'));
    const again = reconcile(web, live, options, memo);
    // The same fields (kept), in fresh results (callers set application and controller notes on them).
    assert.deepEqual(summary(again), summary(first));
    const drifted = first.findIndex((r) => r.verdict === 'Drifted');
    assert.equal(again[drifted].fields, first[drifted].fields);
    assert.notEqual(again[drifted], first[drifted]);
  });

  it('diffs again when the live object is another one (a watch event), or the options differ', () => {
    const memo = new DiffMemo();
    const drifted = liveState(objects(), [['', 'ConfigMap', 'dev']]);
    const before = reconcile(web, drifted, options, memo);
    const deployment = before.findIndex((r) => r.key.kind === 'Deployment');
    assert.equal(before[deployment].verdict, 'Drifted');
    // The hand change undone: the live Deployment now has git's replicas.
    const [scaled, ...rest] = objects();
    const desiredReplicas = (web.find((r) => r.key.kind === 'Deployment')!.object.spec as { replicas: number })
      .replicas;
    const undone = { ...scaled, spec: { ...(scaled.spec as object), replicas: desiredReplicas } } as KubeObject;
    const after = reconcile(web, liveState([undone, ...rest], [['', 'ConfigMap', 'dev']]), options, memo);
    assert.equal(
      after[deployment].verdict,
      reconcile(web, liveState([undone, ...rest], [['', 'ConfigMap', 'dev']]), options)[deployment].verdict,
    );
    assert.notDeepEqual(after[deployment].fields, before[deployment].fields);
    // Other options (an ignore rule for replicas) on the same pair: compared again, not taken from the memo.
    const ignoring = driftOptions({
      appliers: ['gitops-tool'],
      ignore: [{ kind: 'Deployment', jsonPointers: ['/spec/replicas'] }],
    });
    const ignored = reconcile(web, drifted, ignoring, memo);
    assert.deepEqual(summary(ignored), summary(reconcile(web, drifted, ignoring)));
    assert.notDeepEqual(ignored[deployment].fields, before[deployment].fields);
  });
});
