import * as assert from 'node:assert/strict';
import { driftMarkers, fieldCode, markersByFile, metadataNameLine } from '../../../src/core/editor/driftMarkers';
import type { EnvironmentDrift } from '../../../src/core/model/drift';

const now = new Date('2026-11-22T12:00:00Z');

const prod: EnvironmentDrift = {
  name: 'prod',
  path: 'envs/prod',
  context: 'prod-eu',
  error: null,
  resources: [
    {
      apiVersion: 'apps/v1',
      key: { group: 'apps', kind: 'Deployment', namespace: 'shop-prod', name: 'web' },
      verdict: 'Drifted',
      source: { file: 'base/web.yaml', line: 1, column: 1 },
      fields: [
        {
          path: '/spec/replicas',
          desired: 3,
          live: 5,
          origin: { file: 'envs/prod/patch.yaml', line: 6, column: 13, kind: 'strategicMergePatch' },
        },
        { path: '/spec/paused', desired: undefined, live: true, cause: 'outOfBand' },
      ],
    },
    {
      apiVersion: 'batch/v1',
      key: { group: 'batch', kind: 'CronJob', namespace: 'shop-prod', name: 'c' },
      verdict: 'Missing',
      fields: [],
      source: { file: 'base/cron.yaml', line: 1, column: 1 },
    },
    {
      apiVersion: 'v1',
      key: { group: '', kind: 'ConfigMap', namespace: 'shop-prod', name: 'old' },
      verdict: 'Extra',
      fields: [],
    },
    {
      apiVersion: 'v1',
      key: { group: '', kind: 'Service', namespace: 'shop-prod', name: 'web' },
      verdict: 'InSync',
      fields: [],
      source: { file: 'base/svc.yaml', line: 1, column: 1 },
    },
  ],
};

describe('drift markers', () => {
  it('marks a HelmRelease whose git values the release has not applied on its values line, and nothing else', () => {
    const hrKey = { group: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease', namespace: 'apps', name: 'web' };
    const env: EnvironmentDrift = {
      ...prod,
      resources: [
        {
          apiVersion: 'helm.toolkit.fluxcd.io/v2',
          key: hrKey,
          verdict: 'InSync',
          fields: [],
          source: { file: 'apps/web.yaml', line: 1, column: 1 },
        },
      ],
      applications: [
        {
          name: 'HelmRelease apps/web',
          kind: 'helm',
          source: 'chart web 1.2.0',
          state: 'rendered',
          release: {
            releaseName: 'web',
            namespace: 'apps',
            storageNamespace: 'apps',
            found: true,
            git: {
              chart: 'same',
              values: 'differs',
              valuesAt: { file: 'apps/web.yaml', line: 14, column: 3 },
              message: 'values in git differ from the deployed release (revision 1)',
            },
            controller: {
              kind: 'HelmRelease',
              name: 'web',
              namespace: 'apps',
              found: true,
              suspended: false,
              driftDetection: 'disabled',
              history: [],
              observed: true,
            },
          },
        },
      ],
    };
    const markers = driftMarkers([env], now);
    assert.deepEqual(
      markers.map((m) => [m.file, m.line, m.code, m.message, m.resource.key.kind]),
      [
        [
          'apps/web.yaml',
          14,
          'release-not-applied',
          'prod: values in git differ from the deployed release (revision 1)',
          'HelmRelease',
        ],
      ],
    );
    const settled = structuredClone(env);
    delete settled.applications![0].release!.git!.message;
    assert.deepEqual(driftMarkers([settled], now), []);
  });

  it('puts each drifted field on its origin line, or on the object when git does not set it', () => {
    const markers = driftMarkers([prod], now);
    assert.deepEqual(
      markers.map((m) => [m.file, m.line, m.column, m.code]),
      [
        ['envs/prod/patch.yaml', 6, 13, 'value-changed'],
        ['base/web.yaml', 1, 1, 'set-in-cluster'],
        ['base/cron.yaml', 1, 1, 'missing-object'],
      ],
    );
    assert.equal(markers[0].message, 'prod: replicas is 5 in the cluster, 3 in git');
    // A patch overrides the base: the base declaration is related information.
    assert.deepEqual(markers[0].related, [
      { location: { file: 'base/web.yaml', line: 1, column: 1 }, message: 'Deployment web is declared here' },
    ]);
    assert.deepEqual(markers[1].related, []);
    assert.deepEqual([...markersByFile(markers).keys()], ['envs/prod/patch.yaml', 'base/web.yaml', 'base/cron.yaml']);
  });

  it("adds an origin's related information: where a Flux postBuild variable substituted into the value is set", () => {
    const set = {
      location: { file: 'clusters/prod/settings.yaml', line: 7, column: 3 },
      message: '${REPLICAS} is set by ConfigMap cluster-settings',
    };
    const env: EnvironmentDrift = {
      ...prod,
      resources: [
        {
          ...prod.resources[0],
          fields: [
            {
              path: '/spec/replicas',
              desired: 3,
              live: 5,
              origin: { file: 'base/web.yaml', line: 6, column: 3, kind: 'resource', related: [set] },
            },
          ],
        },
      ],
    };
    assert.deepEqual(driftMarkers([env], now)[0].related, [
      { location: { file: 'base/web.yaml', line: 1, column: 1 }, message: 'Deployment web is declared here' },
      set,
    ]);
  });

  it('has a code per kind of drift', () => {
    assert.equal(fieldCode({ path: '/a', desired: 1, live: 2 }), 'value-changed');
    assert.equal(fieldCode({ path: '/a', desired: 1, live: undefined }), 'absent-in-cluster');
    assert.equal(fieldCode({ path: '/a', desired: undefined, live: 2, cause: 'removal' }), 'removed-from-git');
    assert.equal(fieldCode({ path: '/data/x', desired: 'h1', live: 'h2', secret: true }), 'secret-changed');
  });

  it('finds metadata.name of the document a line belongs to', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  labels:',
      '    name: not-this',
      '  name: first',
      '---',
      'apiVersion: batch/v1',
      'kind: CronJob',
      'spec:',
      '  name: nope',
      'metadata:',
      '  name: second',
    ].join('\n');
    assert.equal(metadataNameLine(text, 1), 6);
    assert.equal(metadataNameLine(text, 8), 13);
    assert.equal(metadataNameLine(text, 10), 13);
    assert.equal(metadataNameLine('kind: X\n', 1), 1);
  });
});
