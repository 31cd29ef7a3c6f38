import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DriftEngine } from '../../src/core/engine';
import { HttpChartSource } from '../../src/node/chartSource';
import type { WasmHelmEngine } from '../../src/node/helmEngine';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';
import { encodeS3Path, signS3Request } from '../../src/node/s3Signature';
import { testbedBin } from '../testbed/bins';
import { startTestHelmEngine } from '../testbed/helmEngine';
import { WEB_DEPLOYMENT_TEMPLATE, devRepoFiles, webHelmRelease, helmTemplate, withOriginLabels } from './helmCli';

/**
 * HelmReleases whose chart is a folder in a Flux `Bucket` (issue #16), against the test bed's S3 server (gofakes3,
 * requiring AWS Signature V4, each request re-signed by the AWS SDK for Go's signer): the test uploads a chart folder
 * with a subchart in its charts/ and a .helmignore, with its own signed PUTs. Our render through the product
 * (discovery, the HelmRelease or HelmChart, the Bucket and its secretRef Secret, the chart source, the engine) equals
 * `helm template` of the same folder on disk; each way the chart cannot be had is the release's state at its line.
 */
const ACCESS_KEY = 'GITOPSDRIFTTESTKEY';
const SECRET_KEY = 'testbed-secret-key-not-shown';

const chartFolder: Record<string, string> = {
  'Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.4.0\nappVersion: "3.1"\n',
  'values.yaml': 'replicas: 1\ncolor: none\ncache: {enabled: true}\n',
  '.helmignore': 'ignored.txt\n',
  'ignored.txt': 'never in the chart\n',
  'files/motd.txt': 'from the bucket\n',
  'templates/deployment.yaml': WEB_DEPLOYMENT_TEMPLATE,
  'templates/files.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-files}\ndata:\n  motd: {{ .Files.Get "files/motd.txt" | quote }}\n  ignored: {{ .Files.Get "ignored.txt" | quote }}\n',
  'charts/cache/Chart.yaml': 'apiVersion: v2\nname: cache\nversion: 1.0.0\n',
  'charts/cache/values.yaml': 'size: 64\n',
  'charts/cache/templates/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-cache}\ndata: {size: "{{ .Values.size }}"}\n',
};

const release = (chart: string) => webHelmRelease(chart, ['    color: blue', '    cache: {size: 128}']);

const bucket = (endpoint: string, extra = '  secretRef: {name: bucket-creds}\n') =>
  `apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata: {name: charts}\nspec:\n  interval: 5m\n  provider: generic\n  bucketName: charts\n  endpoint: ${endpoint}\n  insecure: true\n${extra}`;

const secret = (access: string, secretKey: string) =>
  `apiVersion: v1\nkind: Secret\nmetadata: {name: bucket-creds}\ntype: Opaque\ndata:\n  accesskey: ${Buffer.from(access).toString('base64')}\n  secretkey: ${Buffer.from(secretKey).toString('base64')}\n`;

const repoFiles = devRepoFiles;

const CHART_SPEC = '  chart:\n    spec:\n      chart: ./teams/web/chart\n      sourceRef: {kind: Bucket, name: charts}';

describe('HelmRelease charts from a Flux Bucket (S3 server of the test bed), against helm template', function () {
  this.timeout(240_000);
  let helm: WasmHelmEngine;
  let work: string;
  let server: ChildProcess;
  let endpoint: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'gitops-drift-helmbucket-'));
    for (const [name, text] of Object.entries(chartFolder)) {
      await mkdir(dirname(join(work, 'chart', name)), { recursive: true });
      await writeFile(join(work, 'chart', name), text);
    }
    server = spawn(testbedBin('s3-server'), ['-credentials-from-env', '-bucket', 'charts'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, S3_ACCESS_KEY: ACCESS_KEY, S3_SECRET_KEY: SECRET_KEY },
    });
    endpoint = await new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.stdout?.on('data', (chunk: Buffer) => {
        const m = /listening on http:\/\/(\S+)/.exec(chunk.toString());
        if (m) resolve(m[1]);
      });
    });
    // The chart folder under teams/web/chart/, a sibling folder and a root .sourceignore, by signed PUTs.
    for (const [name, text] of Object.entries(chartFolder)) await put(`teams/web/chart/${name}`, text);
    await put('teams/web/chart/templates/ci-only.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ci}\n');
    await put('teams/api/chart/Chart.yaml', 'apiVersion: v2\nname: api\nversion: 9.9.9\n');
    helm = await startTestHelmEngine();
  });
  after(async () => {
    helm?.dispose();
    server?.kill();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function put(key: string, text: string, credentials = { accessKey: ACCESS_KEY, secretKey: SECRET_KEY }) {
    const url = new URL(`http://${endpoint}/charts/${encodeS3Path(key)}`);
    const headers = signS3Request({
      method: 'PUT',
      url,
      region: 'us-east-1',
      ...credentials,
      payloadSha256: createHash('sha256').update(text).digest('hex'),
    });
    const response = await fetch(url, { method: 'PUT', headers, body: text });
    assert.equal(response.status, 200, `PUT ${key}: ${await response.text()}`);
  }

  async function productRender(files: Record<string, string>, options: { downloads?: boolean; cache?: string } = {}) {
    const root = await mkdtemp(join(work, 'repo-'));
    for (const [name, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, name)), { recursive: true });
      await writeFile(join(root, name), text);
    }
    const engine = new DriftEngine({
      fs: new NodeFileSystem({ root }),
      repoRoot: root,
      helmEngine: () => helm,
      ...(options.downloads === false
        ? {}
        : { chartSource: new HttpChartSource({ cacheDir: options.cache ?? join(work, 'cache'), timeoutMs: 20_000 }) }),
    });
    const env = await engine.environment('dev');
    return engine.renderHelmRelease(env, 'HelmRelease apps/web');
  }

  async function expectSameAsHelm(files: Record<string, string>) {
    const result = await productRender(files);
    assert.ok(result, 'the environment renders the HelmRelease');
    await writeFile(join(work, 'values.yaml'), 'color: blue\ncache: {size: 128}\n');
    const expected = await helmTemplate(
      [
        'template',
        'web-apps-web',
        join(work, 'chart'),
        '--namespace',
        'web-apps',
        '--include-crds',
        '-f',
        join(work, 'values.yaml'),
      ],
      work,
    );
    assert.equal(
      expected.length,
      3,
      "helm template renders the subchart's ConfigMap, the chart's ConfigMap and Deployment",
    );
    assert.deepEqual(
      result.objects.map((o) => o.template),
      expected.map((d) => d.source),
    );
    expected.forEach((d, i) =>
      assert.deepEqual(result.objects[i].object, withOriginLabels(d.object), `document ${i} (${d.source})`),
    );
    return result;
  }

  it('chart.spec with a Bucket source and its secretRef Secret in the repo: the same as helm template of the folder', async () => {
    const result = await expectSameAsHelm(
      repoFiles(
        release(CHART_SPEC),
        `${bucket(endpoint, "  ignore: '**/ci-*.yaml'\n  secretRef: {name: bucket-creds}\n")}---\n${secret(ACCESS_KEY, SECRET_KEY)}`,
      ),
    );
    const files = result.objects.find((o) => o.key.name === 'web-apps-web-files')?.object.data as Record<
      string,
      string
    >;
    assert.equal(files.motd, 'from the bucket\n');
    assert.equal(files.ignored, '', '.helmignore applied');
  });

  it("a chartRef to a HelmChart with a Bucket source, prefix and spec.ignore; kept by the objects' ETags", async () => {
    // Patterns with a slash are from the bucket's root (gitignore's rules, prefix or not). Without the ignore rule the
    // bucket's extra template would be part of the chart (and helm template differ).
    const withoutIgnore = await productRender(
      repoFiles(
        release('  chartRef: {kind: HelmChart, name: web}'),
        `${bucket(endpoint, '  prefix: teams/web/\n  secretRef: {name: bucket-creds}\n')}---\n${secret(ACCESS_KEY, SECRET_KEY)}---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata: {name: web}\nspec:\n  chart: teams/web/chart\n  sourceRef: {kind: Bucket, name: charts}\n`,
      ),
    );
    assert.ok(
      withoutIgnore?.objects.some((o) => o.key.name === 'ci'),
      'the extra object is in the bucket',
    );
    const files = repoFiles(
      release('  chartRef: {kind: HelmChart, name: web}'),
      `${bucket(endpoint, '  prefix: teams/web/\n  ignore: |\n    /teams/web/chart/templates/ci-*.yaml\n  secretRef: {name: bucket-creds}\n')}---\n${secret(ACCESS_KEY, SECRET_KEY)}---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata: {name: web}\nspec:\n  chart: teams/web/chart\n  sourceRef: {kind: Bucket, name: charts}\n`,
    );
    const cache = join(work, 'cache-etags');
    await productRender(files, { cache });
    const kept = await readdir(join(cache, 'buckets'));
    assert.equal(kept.filter((f) => f.endsWith('.json')).length, 1);
    await expectSameAsHelm(files);
  });

  it('each chart that cannot be had is a clear state at the chart line, and the secret key is never in it', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedEndpoint = `127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const good = secret(ACCESS_KEY, SECRET_KEY);
    const cases: [files: Record<string, string>, message: RegExp, downloads?: boolean][] = [
      [
        repoFiles(release(CHART_SPEC), `${bucket(endpoint)}---\n${secret(ACCESS_KEY, 'wrong-secret')}`),
        /access denied \(HTTP 403 SignatureDoesNotMatch\): the credentials of the Bucket's secretRef were refused$/,
      ],
      [
        repoFiles(release(CHART_SPEC), bucket(endpoint, '')),
        /access denied \(HTTP 403 AccessDenied\): the Bucket names no secretRef \(anonymous\)$/,
      ],
      [
        repoFiles(release(CHART_SPEC), bucket(endpoint)),
        /bucket needs credentials \(secretRef bucket-creds\): no such Secret in this repo's render$/,
      ],
      [
        repoFiles(release(CHART_SPEC), `${bucket(closedEndpoint)}---\n${good}`),
        /cannot reach 127\.0\.0\.1:\d+\/charts: ECONNREFUSED$/,
      ],
      [
        repoFiles(
          release(CHART_SPEC),
          `${bucket(endpoint).replace('bucketName: charts', 'bucketName: nope')}---\n${good}`,
        ),
        /bucket 'nope' not found at 127\.0\.0\.1:\d+$/,
      ],
      [
        repoFiles(release(CHART_SPEC.replace('teams/web', 'teams/none')), `${bucket(endpoint)}---\n${good}`),
        /no chart at teams\/none\/chart \(no Chart\.yaml/,
      ],
      [
        repoFiles(release(CHART_SPEC), `${bucket(endpoint).replace('provider: generic', 'provider: gcp')}---\n${good}`),
        /Bucket apps\/charts: provider gcp is not supported \(generic and aws are\): not rendered$/,
      ],
      [
        repoFiles(release(CHART_SPEC), `${bucket(endpoint)}---\n${good}`),
        /chart downloads are off: enable the setting gitopsDrift\.helm\.chartDownloads/,
        false,
      ],
    ];
    for (const [files, message, downloads] of cases)
      await assert.rejects(productRender(files, { downloads, cache: join(work, 'cache-failures') }), (e: Error) => {
        assert.match(e.message, /^envs\/dev\/release\.yaml:8:3: HelmRelease apps\/web: /);
        assert.match(e.message, message);
        assert.ok(!e.message.includes(SECRET_KEY) && !e.message.includes('wrong-secret'), 'no secret in the message');
        return true;
      });
  });
});
