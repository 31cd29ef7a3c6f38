import * as assert from 'node:assert/strict';
import {
  environmentDescription,
  fieldChange,
  fieldDriftMessage,
  fieldLabel,
  formatValue,
  ghostText,
  groupByKind,
  groupDescription,
  releaseBadge,
  releaseTooltip,
  resourceDescription,
  timeAgo,
} from '../../../src/core/editor/presentation';
import type { FieldDrift, ReleaseStatus, ResourceDrift, Verdict } from '../../../src/core/model/drift';
import { driftHoverMarkdown } from '../../../src/core/editor/hovers';
import { countStates, environmentState } from '../../../src/core/model/verdictState';

const now = new Date('2026-11-22T12:00:00Z');

function res(kind: string, name: string, verdict: Verdict, fields: FieldDrift[] = [], group = 'apps'): ResourceDrift {
  return {
    apiVersion: group ? `${group}/v1` : 'v1',
    key: { group, kind, namespace: 'shop-prod', name },
    verdict,
    fields,
  };
}

const replicas: FieldDrift = {
  path: '/spec/replicas',
  desired: 4,
  live: 5,
  changedBy: { manager: 'kubectl-scale', operation: 'Update', time: '2026-11-22T11:48:00Z' },
};

describe('editor presentation', () => {
  it('says what drifted, with both values and who changed it when', () => {
    assert.equal(
      fieldDriftMessage('prod', replicas, now),
      'prod: replicas is 5 in the cluster, 4 in git (changed by kubectl-scale 12 min ago)',
    );
  });

  it('words fields git does not set, fields the cluster lacks, and removals', () => {
    assert.equal(
      fieldDriftMessage('prod', { path: '/spec/suspend', desired: undefined, live: true, cause: 'outOfBand' }, now),
      'prod: suspend is true in the cluster, not set in git',
    );
    assert.equal(
      fieldDriftMessage(
        'prod',
        { path: '/metadata/labels/tier', desired: undefined, live: 'web', cause: 'removal' },
        now,
      ),
      'prod: metadata.labels.tier is web in the cluster; git no longer sets it',
    );
    assert.equal(
      fieldDriftMessage('dev', { path: '/data/LOG_LEVEL', desired: 'debug', live: undefined }, now),
      'dev: data.LOG_LEVEL is absent in the cluster, debug in git',
    );
  });

  it('never puts a Secret value in a message, ghost text or hover', () => {
    const secret: FieldDrift = { path: '/data/DB_PASSWORD', desired: 'sha256:aaa', live: 'sha256:bbb', secret: true };
    assert.equal(
      fieldDriftMessage('staging', secret, now),
      'staging: data.DB_PASSWORD differs in the cluster (Secret value hidden)',
    );
    assert.equal(ghostText([{ env: 'staging', field: secret }]), '← live: (hidden)');
    const hover = driftHoverMarkdown([{ env: 'staging', field: secret, diff: 'command:d' }], now, {});
    assert.ok(!hover.includes('sha256') && hover.includes('\\(hidden\\)'), hover);
  });

  it('shortens workload paths and uses the engine label when it has one', () => {
    assert.equal(
      fieldLabel({ path: '/spec/template/spec/containers/0/image', label: 'spec.template.spec.containers[web].image' }),
      'containers[web].image',
    );
    assert.equal(fieldLabel({ path: '/spec/template/spec/containers/0/image' }), 'containers[0].image');
    assert.equal(fieldLabel({ path: '/metadata/annotations/a~1b' }), 'metadata.annotations.a/b');
  });

  it('formats values so that types stay visible and long ones are cut', () => {
    assert.equal(formatValue(5), '5');
    assert.equal(formatValue('5'), '"5"');
    assert.equal(formatValue('nginx:1.2'), 'nginx:1.2');
    assert.equal(formatValue(undefined), 'absent');
    assert.equal(formatValue({ a: 1 }), '{"a":1}');
    assert.equal(formatValue('x'.repeat(100)).length, 60);
  });

  it('puts every environment on one ghost text when the live values differ', () => {
    assert.equal(ghostText([{ env: 'prod', field: replicas }]), '← live: 5');
    assert.equal(
      ghostText([
        { env: 'prod', field: replicas },
        { env: 'staging', field: replicas },
      ]),
      '← live: 5 (prod, staging)',
    );
    assert.equal(
      ghostText([
        { env: 'prod', field: replicas },
        { env: 'staging', field: { ...replicas, live: 3 } },
      ]),
      '← live: 5 (prod) · 3 (staging)',
    );
  });

  it('summarises environments for the tree description', () => {
    const env = {
      context: 'prod-eu',
      error: null,
      resources: [
        res('Deployment', 'web', 'Drifted', [replicas]),
        res('Service', 'web', 'InSync', [], ''),
        res('CronJob', 'c', 'Missing', [], 'batch'),
        res('Deployment', 'x', 'Forbidden'),
      ],
    };
    // Missing is not drifted, and what could not be read is named, never "in sync".
    assert.equal(environmentDescription(env), '1 drifted · 1 missing · 1 forbidden · ctx prod-eu');
    assert.equal(environmentState(env), 'missing');
    assert.equal(
      environmentDescription({ context: 'c', error: null, resources: [res('Service', 'web', 'InSync', [], '')] }),
      'in sync · ctx c',
    );
    assert.equal(environmentDescription({ context: 'c', error: 'connection refused', resources: [] }), 'error · ctx c');
    assert.equal(
      environmentDescription({
        context: 'c',
        error: 'kubeconfig /x does not exist',
        noCluster: true,
        resources: [res('Service', 'web', 'NotChecked', [], '')],
      }),
      'not checked: no cluster · ctx c',
    );
    assert.equal(environmentDescription({ context: '', error: null, resources: [] }), 'no objects');
  });

  it('never calls an environment whose objects are all unreadable in sync', () => {
    const env = {
      context: 'c',
      error: null,
      resources: [
        res('Kustomization', 'a', 'UnknownKind', [], 'kustomize.toolkit.fluxcd.io'),
        res('Service', 'b', 'UnknownKind', [], ''),
      ],
    };
    assert.equal(environmentDescription(env), '2 not deployed · ctx c');
    assert.equal(environmentState(env), 'notDeployed');
    const mixed = { ...env, resources: [...env.resources, res('Service', 'c', 'InSync', [], '')] };
    assert.equal(environmentDescription(mixed), '2 not deployed · ctx c');
  });

  it('describes a group by its states: missing counted as missing', () => {
    const states = (...verdicts: Verdict[]) =>
      countStates(verdicts.map((v, i) => res('Namespace', `n${i}`, v, [], '')));
    assert.equal(groupDescription(states('InSync', 'InSync')), '2');
    assert.equal(groupDescription(states('Missing', 'Missing', 'Missing')), '3 missing');
    assert.equal(groupDescription(states('Drifted', 'InSync')), '1 of 2 drifted');
    assert.equal(groupDescription(states('Drifted', 'Missing', 'InSync')), '1 drifted · 1 missing (of 3)');
    assert.equal(groupDescription(states('NotChecked', 'NotChecked')), '2 not checked');
  });

  it('groups by kind, sorted, and describes each resource', () => {
    const groups = groupByKind([
      res('Service', 'b', 'InSync', [], ''),
      res('Deployment', 'z', 'Drifted', [replicas]),
      res('Deployment', 'a', 'InSync'),
    ]);
    assert.deepEqual(
      groups.map((g) => [g.kind, g.resources.map((r) => r.key.name)]),
      [
        ['Deployment', ['a', 'z']],
        ['Service', ['b']],
      ],
    );
    assert.equal(
      resourceDescription(
        res('Deployment', 'z', 'Drifted', [
          replicas,
          { path: '/spec/template/spec/containers/0/image', desired: 'a', live: 'b' },
          { path: '/metadata/labels/x', desired: 'a', live: 'b' },
        ]),
      ),
      'replicas 4 → 5, containers[0].image a → b +1 more',
    );
    assert.equal(resourceDescription(res('CronJob', 'c', 'Missing')), 'missing');
    assert.equal(resourceDescription(res('CronJob', 'c', 'UnknownKind')), 'not deployed');
    assert.equal(resourceDescription(res('CronJob', 'c', 'NotChecked')), 'not checked');
  });

  it('shows a drifted field as git → live where it fits', () => {
    assert.equal(fieldChange(replicas), 'replicas 4 → 5');
    assert.equal(
      fieldChange({ path: '/metadata/labels/team', desired: undefined, live: 'checkout' }),
      'metadata.labels.team unset → checkout',
    );
    assert.equal(
      fieldChange({ path: '/data/PASSWORD', desired: 'x', live: 'y', secret: true }),
      'data.PASSWORD (secret)',
    );
    const long = 'ghcr.io/example/a-rather-long-image-name:1.2.3';
    assert.equal(
      fieldChange({ path: '/spec/template/spec/containers/0/image', desired: long, live: `${long}-hotfix` }),
      'containers[0].image',
    );
  });

  it('says how long ago in rounded units', () => {
    assert.equal(timeAgo('2026-11-22T11:59:30Z', now), 'just now');
    assert.equal(timeAgo('2026-11-22T09:00:00Z', now), '3 h ago');
    assert.equal(timeAgo('2026-11-20T12:00:00Z', now), '2 d ago');
    assert.equal(timeAgo('not a time', now), undefined);
  });
});

describe('a Helm release in the tree: next upgrade', () => {
  const release = (render: ReleaseStatus['render']): ReleaseStatus => ({
    releaseName: 'web',
    namespace: 'apps',
    storageNamespace: 'apps',
    found: true,
    revision: 1,
    status: 'deployed',
    chart: 'web',
    chartVersion: '1.2.0',
    ...(render ? { render } : {}),
  });
  const deployment = { group: 'apps', kind: 'Deployment', namespace: 'apps', name: 'web' };

  it('counts the changes in the description and lists their paths, never values, in the tooltip', () => {
    const r = release({
      state: 'rendered',
      nextUpgrade: [
        { key: deployment, change: 'update', template: 'web/templates/deployment.yaml', paths: ['/spec/replicas'] },
        { key: { group: '', kind: 'ConfigMap', namespace: 'apps', name: 'web-extra' }, change: 'create' },
      ],
    });
    assert.equal(releaseBadge(r), 'web 1.2.0 · rev 1 deployed · next upgrade: 2 changes');
    const lines = releaseTooltip(r).split('\n');
    assert.match(lines[1], /^next upgrade: git's chart, rendered with git's values, against the deployed revision/);
    assert.deepEqual(lines.slice(2), [
      '• update Deployment apps/web (web/templates/deployment.yaml): /spec/replicas',
      '• create ConfigMap apps/web-extra',
    ]);
  });

  it("says when the next upgrade changes nothing, and why git's chart was not rendered", () => {
    const same = release({ state: 'rendered', nextUpgrade: [] });
    assert.equal(releaseBadge(same), 'web 1.2.0 · rev 1 deployed');
    assert.match(releaseTooltip(same), /next upgrade: no change/);
    const remote = release({ state: 'not-rendered', message: 'chart not available offline (downloads disabled)' });
    assert.match(releaseTooltip(remote), /git's chart not rendered: chart not available offline/);
    assert.doesNotMatch(releaseTooltip(release(undefined)), /next upgrade/);
  });
});
