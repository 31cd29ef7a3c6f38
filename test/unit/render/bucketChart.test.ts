import assert from 'node:assert/strict';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { KubeObject } from '../../../src/core/model/resource';
import type { ChartRequest, ChartSource, HelmEngine, HelmRenderRequest } from '../../../src/core/ports';
import { cleanArtifactPath } from '../../../src/core/render/helm/bucketChart';
import { helmChartLocation } from '../../../src/core/render/helm/helmRelease';
import { isIgnored, readIgnorePatterns } from '../../../src/core/render/flux/sourceIgnore';

/** A HelmRelease (or HelmChart) whose chart is in a Flux Bucket: the request made, or the release's state. */
describe('HelmRelease charts from a Flux Bucket (the request)', () => {
  const hr = (
    chart = './charts/web/',
    sourceRef: Record<string, string> = { kind: 'Bucket', name: 'charts' },
  ): KubeObject => ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'web' },
    spec: { chart: { spec: { chart, version: '9.9.9', sourceRef } } },
  });
  const bucket = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'Bucket',
    metadata: { name: 'charts' },
    spec: { bucketName: 'charts', endpoint: 'minio.storage:9000', ...spec },
  });
  const secret = (data: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject =>
    ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, data, ...extra }) as KubeObject;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const locate = (release: KubeObject, b: KubeObject | undefined, s?: KubeObject) =>
    helmChartLocation(
      release,
      'apps',
      () => false,
      (kind, ns, name) => (kind === 'Bucket' && ns === 'flux-system' && name === 'charts' ? b : undefined),
      (ns, name) => (ns === 'flux-system' && name === 'creds' ? s : undefined),
    );
  const ref = { kind: 'Bucket', name: 'charts', namespace: 'flux-system' };
  const reason = (where: ReturnType<typeof locate>) =>
    where.type === 'unavailable' ? where.reason : `got ${where.type}`;

  it('reads the Bucket as source-controller does: the chart path cleaned, version not used, fields carried', () => {
    const where = locate(
      hr('./charts/web/', ref),
      bucket({ prefix: 'charts/', insecure: true, region: 'eu-west-1', provider: 'aws', ignore: '*.md\n' }),
    );
    assert.deepEqual(where, {
      type: 'remote',
      source: 'Bucket flux-system/charts (minio.storage:9000/charts)',
      request: {
        type: 'bucket',
        endpoint: 'minio.storage:9000',
        bucketName: 'charts',
        provider: 'aws',
        chartPath: 'charts/web',
        prefix: 'charts/',
        insecure: true,
        region: 'eu-west-1',
        ignore: '*.md\n',
      },
    });
  });

  it('credentials from the secretRef Secret of the render (data or stringData), else a state naming it', () => {
    const withRef = bucket({ secretRef: { name: 'creds' } });
    const found = locate(hr('charts/web', ref), withRef, secret({ accesskey: b64('AK'), secretkey: b64('SK') }));
    assert.ok(found.type === 'remote' && found.request.type === 'bucket');
    assert.deepEqual(found.request.credentials, { accessKey: 'AK', secretKey: 'SK' });
    assert.ok(!found.source.includes('SK'));
    const plain = locate(
      hr('charts/web', ref),
      withRef,
      secret({}, { stringData: { accesskey: 'A2', secretkey: 'S2' } }),
    );
    assert.ok(plain.type === 'remote' && plain.request.type === 'bucket');
    assert.deepEqual(plain.request.credentials, { accessKey: 'A2', secretKey: 'S2' });

    assert.match(
      reason(locate(hr('charts/web', ref), withRef)),
      /^Bucket flux-system\/charts: bucket needs credentials \(secretRef creds\): no such Secret in this repo's render$/,
    );
    const sops = secret({ accesskey: 'ENC[AES256_GCM,data:xx]', secretkey: 'ENC[AES256_GCM,data:yy]' }, { sops: {} });
    assert.match(
      reason(locate(hr('charts/web', ref), withRef, sops)),
      /needs credentials \(secretRef creds\): the Secret is encrypted/,
    );
    assert.match(
      reason(locate(hr('charts/web', ref), withRef, secret({ accesskey: b64('AK') }))),
      /lacks the fields accesskey and secretkey/,
    );
  });

  it('gcp and azure providers, a scheme in the endpoint, a Bucket not in the render: states', () => {
    assert.match(
      reason(locate(hr('c', ref), bucket({ provider: 'gcp' }))),
      /provider gcp is not supported \(generic and aws are\)/,
    );
    assert.match(reason(locate(hr('c', ref), bucket({ provider: 'azure' }))), /provider azure is not supported/);
    assert.match(
      reason(locate(hr('c', ref), bucket({ endpoint: 'https://s3.amazonaws.com' }))),
      /spec\.endpoint https:\/\/s3\.amazonaws\.com is not HOST\[:PORT\]/,
    );
    assert.match(
      reason(locate(hr('c', ref), undefined)),
      /^Bucket flux-system\/charts is not in this repo's render: not rendered$/,
    );
  });

  it('paths join as securejoin joins them: never above the root', () => {
    assert.equal(cleanArtifactPath('./charts/web/'), 'charts/web');
    assert.equal(cleanArtifactPath('../../x/./y'), 'x/y');
    assert.equal(cleanArtifactPath('a/../../b'), 'b');
    assert.equal(cleanArtifactPath('.'), '');
  });
});

describe('.sourceignore rules (go-git gitignore, as source-controller matches bucket keys)', () => {
  const ignored = (rules: string, key: string) => isIgnored(readIgnorePatterns(rules), key);

  it('a pattern without a slash matches any path element; with one it is anchored at the root', () => {
    assert.ok(ignored('*.md', 'a/b/README.md'));
    assert.ok(ignored('tests', 'charts/web/tests/x.yaml'), 'a folder name anywhere');
    assert.ok(!ignored('templates/*.yaml', 'charts/web/templates/a.yaml'), 'anchored: not under charts/web');
    assert.ok(ignored('charts/web/templates/*.yaml', 'charts/web/templates/a.yaml'));
    assert.ok(ignored('/charts/web/templates/*.yaml', 'charts/web/templates/a.yaml'));
    assert.ok(!ignored('charts/*.yaml', 'charts/web/a.yaml'), '* does not cross /');
  });

  it('** spans folders; a trailing / matches folders only; the last matching rule wins; ! includes again', () => {
    assert.ok(ignored('**/secret.yaml', 'a/b/c/secret.yaml'));
    assert.ok(ignored('charts/**/x.txt', 'charts/a/b/x.txt'));
    assert.ok(ignored('ci/', 'charts/web/ci/values.yaml'));
    assert.ok(!ignored('values.yaml/', 'charts/web/values.yaml'), 'a folder-only rule does not match a file');
    assert.ok(!ignored('*.yaml\n!keep.yaml', 'a/keep.yaml'));
    assert.ok(ignored('!keep.yaml\n*.yaml', 'a/keep.yaml'), 'the later rule wins');
  });

  it('comments and blank lines are skipped; ?, [a-z] and [^x] as Go matches them; a bad pattern matches nothing', () => {
    assert.ok(!ignored('# *.md\n\n', 'a.md'));
    assert.ok(ignored('file?.txt', 'file1.txt') && !ignored('file?.txt', 'file10.txt'));
    assert.ok(ignored('[a-c].txt', 'b.txt') && !ignored('[a-c].txt', 'd.txt'));
    assert.ok(ignored('[^a].txt', 'b.txt') && !ignored('[^a].txt', 'a.txt'));
    assert.ok(!ignored('[abc', '[abc'));
    assert.ok(ignored('trailing.txt   ', 'trailing.txt'), 'trailing spaces trimmed');
  });
});

describe('HelmRelease charts from a Flux Bucket (through the engine, fake chart source and Helm engine)', () => {
  const files = (secretYaml: string) =>
    new MemoryFileSystem(
      {
        '.gitops-drift.yaml': 'environments:\n  - name: dev\n    path: envs/dev\n    namespace: apps\n',
        'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n  - bucket.yaml\n',
        'envs/dev/release.yaml': [
          'apiVersion: helm.toolkit.fluxcd.io/v2',
          'kind: HelmRelease',
          'metadata: {name: web}',
          'spec:',
          '  interval: 10m',
          '  chart:',
          '    spec: {chart: ./charts/web, sourceRef: {kind: Bucket, name: charts}}',
          '',
        ].join('\n'),
        'envs/dev/bucket.yaml': `apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata: {name: charts}\nspec: {bucketName: charts, endpoint: "minio:9000", secretRef: {name: creds}}\n${secretYaml}`,
      },
      '/r',
    );
  const creds =
    '---\napiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData: {accesskey: AK, secretkey: s3cr3t-value}\n';
  const helm: HelmEngine & { requests: HelmRenderRequest[] } = {
    requests: [],
    async render(request) {
      this.requests.push(request);
      return {
        ok: true,
        chart: { name: 'web', version: '1.0.0' },
        manifests: [
          { source: 'web/templates/cm.yaml', content: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n' },
        ],
        hooks: [],
      };
    },
  };
  const render = async (fs: MemoryFileSystem, chartSource?: ChartSource) => {
    const engine = new DriftEngine({
      fs,
      repoRoot: '/r',
      helmEngine: () => helm,
      ...(chartSource ? { chartSource } : {}),
    });
    return engine.renderHelmRelease(await engine.environment('dev'), 'HelmRelease apps/web');
  };

  it('downloads off: the state says how to turn them on, at the chart line', async () => {
    await assert.rejects(render(files(creds)), (e: Error) => {
      assert.match(
        e.message,
        /^envs\/dev\/release\.yaml:6:3: HelmRelease apps\/web: Bucket apps\/charts \(minio:9000\/charts\): chart downloads are off: enable the setting gitopsDrift\.helm\.chartDownloads/,
      );
      assert.ok(!e.message.includes('s3cr3t-value'));
      return true;
    });
  });

  it("downloads on: the request carries the render's Secret keys, and the downloaded files are rendered", async () => {
    const asked: ChartRequest[] = [];
    const source: ChartSource = {
      fetch: async (request) => {
        asked.push(request);
        const chartYaml = new TextEncoder().encode('apiVersion: v2\nname: web\nversion: 1.0.0\n');
        return {
          ok: true,
          name: 'web',
          version: '1.0.0',
          digest: 'sha256:x',
          files: [{ name: 'Chart.yaml', data: chartYaml }],
          fromCache: false,
        };
      },
    };
    helm.requests.length = 0;
    const result = await render(files(creds), source);
    assert.ok(result);
    assert.deepEqual(
      result.objects.map((o) => o.key.name),
      ['web'],
    );
    assert.equal(asked.length, 1);
    const request = asked[0];
    assert.ok(request.type === 'bucket');
    assert.equal(request.chartPath, 'charts/web');
    assert.deepEqual(request.credentials, { accessKey: 'AK', secretKey: 's3cr3t-value' });
    assert.deepEqual(
      helm.requests[0].files.map((f) => f.name),
      ['Chart.yaml'],
    );
    await assert.rejects(
      render(files(''), source),
      /bucket needs credentials \(secretRef creds\): no such Secret in this repo's render/,
    );
  });
});
