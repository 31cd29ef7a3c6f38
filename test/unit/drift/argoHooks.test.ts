import { strict as assert } from 'node:assert';
import { driftOptions } from '../../../src/core/drift/options';
import { reconcile } from '../../../src/core/drift/reconcile';
import type { KubeObject } from '../../../src/core/model/resource';
import { countStates, stateSummary } from '../../../src/core/model/verdictState';
import { liveState, renderedFromYaml } from './support';

const argo = driftOptions({ tracking: { argocdApp: 'guestbook' } });
const flux = driftOptions({ tracking: { fluxKustomization: { name: 'apps', namespace: 'flux-system' } } });

const desired = renderedFromYaml(
  'guestbook/hooks.yaml',
  [
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    '  name: db-migrate',
    '  namespace: gb',
    '  annotations:',
    '    argocd.argoproj.io/hook: PreSync',
    '    argocd.argoproj.io/hook-delete-policy: HookSucceeded',
    'spec: { template: { spec: { restartPolicy: Never, containers: [{ name: m, image: migrate:1 }] } } }',
    '---',
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: smoke-test',
    '  namespace: gb',
    "  annotations: { helm.sh/hook: test, helm.sh/hook-delete-policy: 'before-hook-creation,hook-succeeded' }",
    'spec: { containers: [{ name: t, image: curl }] }',
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: { name: skipped, namespace: gb, annotations: { argocd.argoproj.io/hook: Skip } }',
    'data: { a: "1" }',
  ].join('\n'),
);

function tracked(kind: string, name: string, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: kind === 'Job' ? 'batch/v1' : 'v1',
    kind,
    metadata: { name, namespace: 'gb', labels: { 'app.kubernetes.io/instance': 'guestbook' }, annotations },
  } as KubeObject;
}

describe('Argo CD hooks, compare-options and sync-options in the comparison', () => {
  it('a hook deleted after its sync (HookSucceeded) is a hook, not missing; Skip alone is no hook', () => {
    const live = liveState(
      [],
      [
        ['batch', 'Job', 'gb'],
        ['', 'Pod', 'gb'],
        ['', 'ConfigMap', 'gb'],
      ],
    );
    const result = reconcile(desired, live, argo);
    assert.deepEqual(
      result.map((r) => `${r.key.kind}/${r.key.name} ${r.verdict}`),
      ['Job/db-migrate Hook', 'Pod/smoke-test Hook', 'ConfigMap/skipped Missing'],
    );
    assert.equal(
      result[0].message,
      'Argo CD PreSync hook, deleted on HookSucceeded: run around a sync, never compared',
    );
    assert.equal(
      result[1].message,
      'Helm test hook (Argo CD runs it as a sync hook, deleted on before-hook-creation, hook-succeeded): never compared',
    );
    assert.deepEqual(result[0].source, { file: 'guestbook/hooks.yaml', line: 1, column: 1 });
    // Hooks beside in-sync objects leave the group in sync; hooks are not problems to count beside a missing object.
    const inSync = { ...result[2], verdict: 'InSync' as const };
    assert.equal(stateSummary(countStates([inSync, ...result.slice(0, 2)])), 'in sync');
    assert.equal(stateSummary(countStates(result)), '1 missing · 2 hooks');
  });

  it('outside Argo CD (a Flux Kustomization applies the same files) the hook annotations mean nothing: missing', () => {
    const result = reconcile(desired.slice(0, 1), liveState([], [['batch', 'Job', 'gb']]), flux);
    assert.deepEqual(
      result.map((r) => r.verdict),
      ['Missing'],
    );
  });

  it('live hooks and IgnoreExtraneous objects are never extra; Prune=false is extra with a note', () => {
    const live = liveState(
      [
        tracked('Job', 'old-migrate', { 'argocd.argoproj.io/hook': 'PostSync' }),
        tracked('ConfigMap', 'generated', { 'argocd.argoproj.io/compare-options': 'IgnoreExtraneous' }),
        tracked('ConfigMap', 'kept', { 'argocd.argoproj.io/sync-options': 'ServerSideApply=true,Prune=false' }),
        tracked('ConfigMap', 'orphan'),
      ],
      [
        ['batch', 'Job', 'gb'],
        ['', 'ConfigMap', 'gb'],
      ],
    );
    const result = reconcile([], live, argo);
    assert.deepEqual(
      result.map((r) => `${r.key.name} ${r.verdict}${r.controller?.note ? ` (${r.controller.note})` : ''}`),
      [
        'kept Extra (Argo CD will not prune it (sync-options Prune=false); the Application stays OutOfSync)',
        'orphan Extra',
      ],
    );
  });

  it('a live copy of a rendered hook is paired with it, not extra', () => {
    const live = liveState(
      [tracked('Job', 'db-migrate', { 'argocd.argoproj.io/hook': 'PreSync' })],
      [['batch', 'Job', 'gb']],
    );
    const result = reconcile(desired.slice(0, 1), live, argo);
    assert.deepEqual(
      result.map((r) => r.verdict),
      ['Hook'],
    );
  });
});
