import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { decodeReleaseRecord, latestDeployed, releaseHistory, splitManifest } from '../../../src/core/live/helmRelease';
import { helmReleaseTarget, parseFluxHelmRelease, shortenReleaseName } from '../../../src/core/live/fluxHelmRelease';
import type { KubeObject } from '../../../src/core/model/resource';
import { releaseRecord } from './helmRecords';

describe('Helm release records', () => {
  const manifest =
    '---\n# Source: podinfo/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: podinfo\nspec:\n  ports:\n  - port: 9898\n' +
    '---\n# Source: podinfo/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: podinfo\nspec:\n  replicas: 2\n';
  const release = {
    name: 'podinfo',
    namespace: 'apps',
    version: 3,
    info: {
      status: 'deployed',
      first_deployed: '2026-12-06T13:00:00Z',
      last_deployed: '2026-12-06T14:02:05.123456789Z',
      description: 'Upgrade complete',
    },
    chart: { metadata: { name: 'podinfo', version: '6.5.0', appVersion: '6.5.0' } },
    config: { replicaCount: 2, token: 'marker-secret-value' },
    manifest,
    hooks: [{ name: 'podinfo-test', kind: 'Pod', path: 'podinfo/templates/tests/t.yaml', events: ['test'] }],
    apply_method: 'ssa',
  };

  it('decodes a Secret: base64 (the API) of base64 (Helm) of gzip of JSON', () => {
    const r = decodeReleaseRecord(releaseRecord(release, 'Secret'));
    assert.equal(r.name, 'podinfo');
    assert.equal(r.version, 3);
    assert.equal(r.status, 'deployed');
    assert.equal(r.lastDeployed, '2026-12-06T14:02:05.123456789Z');
    assert.deepEqual(r.chart, { name: 'podinfo', version: '6.5.0', appVersion: '6.5.0' });
    assert.deepEqual(r.config, { replicaCount: 2, token: 'marker-secret-value' });
    assert.equal(r.manifest, manifest);
    assert.deepEqual(r.hooks[0].events, ['test']);
    assert.equal(r.applyMethod, 'ssa');
    assert.deepEqual(r.storage, { kind: 'Secret', namespace: 'apps', name: 'sh.helm.release.v1.podinfo.v3' });
  });

  it('decodes a ConfigMap (one base64) and a record written before Helm compressed them', () => {
    assert.equal(decodeReleaseRecord(releaseRecord(release, 'ConfigMap')).chart.version, '6.5.0');
    const plain = releaseRecord(release, 'Secret', { gzip: false });
    assert.equal(decodeReleaseRecord(plain).config.replicaCount, 2);
  });

  it('says which object is broken, never quoting its data', () => {
    const broken = releaseRecord(release, 'Secret');
    // gzip of text that is not JSON but holds a would-be value.
    const text = gzipSync(Buffer.from('{"config": {"token": "marker-secret-value"')).toString('base64');
    (broken.data as Record<string, string>).release = Buffer.from(text).toString('base64');
    assert.throws(
      () => decodeReleaseRecord(broken),
      (e: Error) =>
        /Secret apps\/sh\.helm\.release\.v1\.podinfo\.v3: data.release does not decode/.test(e.message) &&
        !e.message.includes('marker-secret-value'),
    );
  });

  it('decodes only the newest revision and the newest deployed one, reporting a bad record without hiding the rest', () => {
    // v1 is broken, but superseded: never decoded, so never reported.
    const v1 = releaseRecord({ ...release, version: 1, info: { ...release.info, status: 'superseded' } }, 'Secret');
    (v1.data as Record<string, string>).release = 'not base64 gzip';
    const v2 = releaseRecord({ ...release, version: 2 }, 'Secret');
    const v3 = releaseRecord({ ...release, version: 3, info: { ...release.info, status: 'failed' } }, 'Secret');
    const other = releaseRecord({ ...release, name: 'other', version: 7 }, 'Secret');
    const bad = releaseRecord({ ...release, version: 4 }, 'Secret');
    (bad.data as Record<string, string>).release = 'not base64 gzip';
    const plainSecret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'apps' } };
    const history = releaseHistory([v1, other, v3, plainSecret, bad, v2], 'podinfo');
    assert.deepEqual(
      history.records.map((r) => `${r.version} ${r.status}`),
      ['3 failed', '2 deployed'],
    );
    assert.equal(history.revisions, 4);
    assert.equal(latestDeployed(history.records)?.version, 2);
    assert.deepEqual(
      history.undecodable.map((u) => u.storage.name),
      ['sh.helm.release.v1.podinfo.v4'],
    );
    // A label that says deployed while the record says otherwise: the record has the last word.
    const mislabelled = releaseRecord(
      { ...release, version: 5, info: { ...release.info, status: 'superseded' } },
      'Secret',
    );
    mislabelled.metadata.labels!.status = 'deployed';
    assert.equal(latestDeployed(releaseHistory([mislabelled, v2], 'podinfo').records)?.version, 2);
  });

  it('splits a manifest into its objects, each with its template', () => {
    const { objects, errors } = splitManifest(manifest + '---\n# Source: podinfo/templates/empty.yaml\n\n');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      objects.map((o) => `${o.object.kind} ${o.template}`),
      ['Service podinfo/templates/service.yaml', 'Deployment podinfo/templates/deployment.yaml'],
    );
    assert.equal((objects[1].object.spec as { replicas: number }).replicas, 2);
    const broken = splitManifest('---\n# Source: c/templates/bad.yaml\nkind: [\n');
    assert.match(broken.errors[0], /^c\/templates\/bad\.yaml: /);
  });
});

describe('Flux HelmRelease', () => {
  const hr = (spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'podinfo', namespace: 'flux-system', generation: 2 },
    spec,
    ...(status ? { status } : {}),
  });

  it('names the release as helm-controller does', () => {
    assert.deepEqual(helmReleaseTarget(hr({}), 'flux-system'), {
      name: 'podinfo',
      namespace: 'flux-system',
      releaseName: 'podinfo',
      releaseNamespace: 'flux-system',
      storageNamespace: 'flux-system',
    });
    const t = helmReleaseTarget(hr({ targetNamespace: 'apps', storageNamespace: 'helm' }), 'flux-system');
    assert.equal(t.releaseName, 'apps-podinfo');
    assert.equal(t.releaseNamespace, 'apps');
    assert.equal(t.storageNamespace, 'helm');
    assert.equal(helmReleaseTarget(hr({ releaseName: 'web', targetNamespace: 'apps' }), 'x').releaseName, 'web');
    // helm-controller's ShortenName: 40 characters, a dash, 12 hex digits of the name's SHA-256.
    const long = 'a'.repeat(60);
    assert.match(shortenReleaseName(long), /^a{40}-[0-9a-f]{12}$/);
    assert.equal(shortenReleaseName('a'.repeat(53)), 'a'.repeat(53));
  });

  it('reads the Ready condition, history, drift detection and whether the spec was seen', () => {
    const state = parseFluxHelmRelease(
      hr(
        { driftDetection: { mode: 'warn' }, interval: '10m' },
        {
          observedGeneration: 1,
          conditions: [
            { type: 'Ready', status: 'False', reason: 'UpgradeFailed', message: 'boom', lastTransitionTime: 't' },
          ],
          history: [
            { version: 3, status: 'failed', chartName: 'podinfo', chartVersion: '6.5.1', configDigest: 'sha256:x' },
          ],
        },
      ),
    );
    assert.equal(state.driftDetection, 'warn');
    assert.equal(state.ready?.reason, 'UpgradeFailed');
    assert.equal(state.history[0].status, 'failed');
    assert.equal(state.observed, false);
    assert.equal(parseFluxHelmRelease(hr({})).driftDetection, 'disabled');
  });
});
