import { strict as assert } from 'node:assert';
import { driftOptions } from '../../../src/core/drift/options';
import { reconcile, reconcileDetailed } from '../../../src/core/drift/reconcile';
import { scopeKey } from '../../../src/core/model/live';
import type { KubeObject } from '../../../src/core/model/resource';
import { liveState, recorded, renderedFromYaml, testdata } from './support';

const web = renderedFromYaml('desired/web.yaml', testdata('desired/web.yaml'));
const api = renderedFromYaml('desired/api.yaml', testdata('desired/api.yaml'));
const options = driftOptions({ appliers: ['gitops-tool'] });

function cm(name: string, labels: Record<string, string>, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'dev', labels, ...extra }, data: {} };
}

describe('reconcile', () => {
  it('pairs by key and gives every desired object one verdict, in order', () => {
    const live = liveState(
      [
        recorded('live/web-scaled-by-hand.json'),
        recorded('recorded/object-service-dev-web.json'),
        recorded('recorded/object-ingress-dev-web.json'),
        recorded('recorded/object-deployment-dev-api.json'),
        recorded('recorded/object-configmap-dev-api-config.json'),
      ],
      [['', 'ConfigMap', 'dev']],
    );
    const result = reconcile([...web, ...api], live, options);
    assert.deepEqual(
      result.map((r) => `${r.key.kind}/${r.key.name} ${r.verdict} ${r.fields.length}`),
      [
        'Deployment/web Drifted 1',
        'Service/web InSync 0',
        'ConfigMap/web-config Missing 0',
        'Ingress/web InSync 0',
        'Deployment/api InSync 0',
        'ConfigMap/api-config InSync 0',
      ],
    );
    assert.deepEqual(result[2].source, { file: 'desired/web.yaml', line: 49, column: 1 });
    assert.equal(result[0].apiVersion, 'apps/v1');
  });

  it('turns a failed scope into that verdict for its objects only', () => {
    const live = liveState([
      recorded('recorded/object-deployment-dev-web.json'),
      recorded('recorded/object-deployment-dev-api.json'),
    ]);
    live.failures.set(scopeKey('', 'Service', 'dev'), {
      verdict: 'Forbidden',
      message: 'list services in namespace dev is forbidden for user readonly-dev',
    });
    live.failures.set(scopeKey('networking.k8s.io', 'Ingress', 'dev'), {
      verdict: 'UnknownKind',
      message: 'the cluster does not serve networking.k8s.io Ingress',
    });
    live.failures.set(scopeKey('', 'ConfigMap', 'dev'), { verdict: 'Error', message: 'HTTP 500' });
    const detailed = reconcileDetailed(web, live, options);
    // What is shown for an object that could not be read is git's side, normalised.
    assert.equal(detailed[1].diff?.desired?.kind, 'Service');
    assert.equal(detailed[1].diff?.live, undefined);
    const result = detailed.map((d) => d.result);
    assert.deepEqual(
      result.map((r) => [r.verdict, r.message]),
      [
        ['InSync', undefined],
        ['Forbidden', 'list services in namespace dev is forbidden for user readonly-dev'],
        ['Error', 'HTTP 500'],
        ['UnknownKind', 'the cluster does not serve networking.k8s.io Ingress'],
      ],
    );
  });

  it('says Error, not Missing, for a scope the live state never listed', () => {
    const [result] = reconcile(web.slice(0, 1), liveState([]), options);
    assert.equal(result.verdict, 'Error');
    assert.match(result.message ?? '', /no listing of Deployment in dev/);
  });

  it('reports a key declared twice once as Error pointing at the first', () => {
    const result = reconcile(
      [web[0], { ...web[0], source: { file: 'other.yaml', line: 3, column: 1 } }],
      liveState([recorded('recorded/object-deployment-dev-web.json')]),
      options,
    );
    assert.deepEqual(
      result.map((r) => r.verdict),
      ['InSync', 'Error'],
    );
    assert.match(result[1].message ?? '', /desired\/web\.yaml:2:1/);
  });

  it('pairs a cluster-scoped object git gave a namespace', () => {
    const [ns] = renderedFromYaml(
      'ns.yaml',
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n  namespace: dev\n  labels: {team: a}\n',
    );
    const live = liveState([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev', labels: { team: 'b' } } }]);
    const [result] = reconcile([ns], live, options);
    assert.deepEqual([result.verdict, result.fields.map((f) => f.path)], ['Drifted', ['/metadata/labels/team']]);
  });

  describe('Extra', () => {
    const objects = [
      cm('orphan-argo', { 'app.kubernetes.io/instance': 'shop-dev' }),
      cm(
        'orphan-argo-id',
        {},
        { annotations: { 'argocd.argoproj.io/tracking-id': 'shop-dev:/ConfigMap:dev/orphan-argo-id' } },
      ),
      cm('copied-id', {}, { annotations: { 'argocd.argoproj.io/tracking-id': 'shop-dev:/ConfigMap:dev/original' } }),
      cm('other-app', { 'app.kubernetes.io/instance': 'billing' }),
      cm(
        'owned-child',
        { 'app.kubernetes.io/instance': 'shop-dev' },
        { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'x', uid: 'u', controller: true }] },
      ),
      cm('orphan-flux', {
        'kustomize.toolkit.fluxcd.io/name': 'apps',
        'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
      }),
      cm('orphan-ours', { 'gitops-drift.io/environment': 'dev' }),
      cm('unmarked', {}),
    ];

    it('lists tracked live objects that git no longer has, sorted, after the desired ones', () => {
      const result = reconcile([], liveState(objects), driftOptions({ tracking: { argocdApp: 'shop-dev' } }));
      assert.deepEqual(
        result.map((r) => `${r.key.name} ${r.verdict}`),
        ['orphan-argo Extra', 'orphan-argo-id Extra'],
      );
      assert.deepEqual(
        reconcile(
          [],
          liveState(objects),
          driftOptions({
            tracking: {
              fluxKustomization: { name: 'apps', namespace: 'flux-system' },
              labels: { 'gitops-drift.io/environment': 'dev' },
            },
          }),
        ).map((r) => r.key.name),
        ['orphan-flux', 'orphan-ours'],
      );
    });

    it('never reports Extra without tracking marks', () => {
      assert.deepEqual(reconcile([], liveState(objects), driftOptions()), []);
    });

    it('never reports an object git has as Extra, and the injected tracking label is not drift', () => {
      const live = recorded('recorded/object-configmap-dev-web-config.json');
      live.metadata.labels = { ...live.metadata.labels, 'app.kubernetes.io/instance': 'shop-dev' };
      const result = reconcile(
        web.filter((r) => r.key.kind === 'ConfigMap'),
        liveState([live]),
        driftOptions({ tracking: { argocdApp: 'shop-dev' } }),
      );
      assert.deepEqual(
        result.map((r) => r.verdict),
        ['InSync'],
      );
    });
  });

  it('reconciles 3,000 drifted objects well under a second of CPU', function () {
    // Wall time on the shared 2-core machine varies a lot; the assertion is on CPU time below.
    this.timeout(60_000);
    const [web0] = web;
    const base = recorded('live/web-scaled-by-hand.json');
    const desired = [];
    const live = [];
    for (let i = 0; i < 3000; i++) {
      const name = `web-${i}`;
      desired.push({
        ...web0,
        object: { ...web0.object, metadata: { ...web0.object.metadata, name } },
        key: { ...web0.key, name },
      });
      live.push({ ...base, metadata: { ...base.metadata, name } });
    }
    const state = liveState(live);
    // Warm the JIT with one run first, so the figure is the engine's and not the compiler's; CPU time, not wall time,
    // as the machine is shared.
    reconcile(desired, state, options);
    const before = process.cpuUsage();
    const result = reconcile(desired, state, options);
    const used = process.cpuUsage(before);
    const ms = (used.user + used.system) / 1000;
    assert.equal(
      result.filter(
        (r) => r.verdict === 'Drifted' && r.fields.length === 1 && r.fields[0].changedBy?.manager === 'kubectl-scale',
      ).length,
      3000,
    );
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms of CPU`);
    console.log(`      (3,000 objects: ${ms.toFixed(0)} ms of CPU)`);
  });
});
