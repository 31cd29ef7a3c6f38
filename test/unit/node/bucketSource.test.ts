import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BucketChartRequest, ChartFetchResult } from '../../../src/core/ports';
import { HttpChartSource } from '../../../src/node/chartSource';
import { MAX_CHART_OBJECTS } from '../../../src/node/bucketSource';

/**
 * The Bucket chart source against an S3 responder of the test's own (ListObjectsV2 with prefix and pages, GetObject,
 * S3's error bodies): which objects become the chart, what is downloaded and kept, and each failure's reason. The
 * real S3 server (gofakes3) and the signatures it checks are in test/conformance/helmBucket.test.ts.
 */
type Objects = Map<string, string>;

interface FakeS3 {
  fetch: typeof fetch;
  requests: { path: string; query: URLSearchParams; authorization?: string }[];
}

function fakeS3(
  buckets: Record<string, Objects>,
  options: { private?: boolean; sizes?: Record<string, number> } = {},
): FakeS3 {
  const requests: FakeS3['requests'] = [];
  const xmlError = (status: number, code: string) =>
    new Response(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>m</Message></Error>`, { status });
  const impl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    requests.push({
      path: url.pathname,
      query: url.searchParams,
      authorization: headers.get('authorization') ?? undefined,
    });
    if (options.private && !headers.get('authorization')) return xmlError(403, 'AccessDenied');
    const [, bucketName, ...rest] = url.pathname.split('/');
    const bucket = buckets[decodeURIComponent(bucketName)];
    if (!bucket) return xmlError(404, 'NoSuchBucket');
    const key = rest.map(decodeURIComponent).join('/');
    if (!key) {
      const prefix = url.searchParams.get('prefix') ?? '';
      const max = Number(url.searchParams.get('max-keys') ?? 1000);
      const keys = [...bucket.keys()].filter((k) => k.startsWith(prefix)).sort();
      const start = Number(url.searchParams.get('continuation-token') ?? 0);
      const page = keys.slice(start, start + max);
      const truncated = start + max < keys.length;
      const contents = page
        .map((k) => {
          const size = options.sizes?.[k] ?? Buffer.byteLength(bucket.get(k) as string);
          return `<Contents><Key>${k.replace(/&/g, '&amp;')}</Key><ETag>&quot;${etag(bucket.get(k) as string)}&quot;</ETag><Size>${size}</Size></Contents>`;
        })
        .join('');
      return new Response(
        `<?xml version="1.0"?><ListBucketResult><IsTruncated>${truncated}</IsTruncated>${contents}${
          truncated ? `<NextContinuationToken>${start + max}</NextContinuationToken>` : ''
        }</ListBucketResult>`,
      );
    }
    const text = bucket.get(key);
    return text === undefined ? xmlError(404, 'NoSuchKey') : new Response(text);
  };
  return { fetch: impl as typeof fetch, requests };
}

const etag = (text: string) => createHash('md5').update(text).digest('hex');

const chart = (prefix: string, extra: Record<string, string> = {}): [string, string][] =>
  Object.entries({
    'Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.2.3\n',
    'values.yaml': 'replicas: 1\n',
    'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
    ...extra,
  }).map(([k, v]) => [`${prefix}${k}`, v]);

const request = (over: Partial<BucketChartRequest> = {}): BucketChartRequest => ({
  type: 'bucket',
  endpoint: '127.0.0.1:9000',
  bucketName: 'charts',
  provider: 'generic',
  insecure: true,
  chartPath: 'charts/web',
  ...over,
});

const names = (result: ChartFetchResult) => (result.ok ? result.files.map((f) => f.name).sort() : result);
const failure = (result: ChartFetchResult) => {
  assert.ok(!result.ok, 'the chart is not had');
  return result;
};

describe('Bucket chart source (S3 ListObjectsV2 and GetObject)', () => {
  let cache: string;
  beforeEach(async () => {
    cache = await mkdtemp(join(tmpdir(), 'gitops-drift-bucket-'));
  });
  afterEach(async () => {
    await rm(cache, { recursive: true, force: true });
  });
  const source = (s3: FakeS3) => new HttpChartSource({ cacheDir: cache, timeoutMs: 5000, fetch: s3.fetch });

  it("builds the chart from its folder's objects, names relative to it; other folders are listed but not downloaded", async () => {
    const s3 = fakeS3({
      charts: new Map([...chart('charts/web/'), ...chart('charts/other/'), ['charts/web/', ''], ['README.md', 'x']]),
    });
    const result = await source(s3).fetch(request());
    assert.deepEqual(names(result), ['Chart.yaml', 'templates/cm.yaml', 'values.yaml']);
    assert.ok(result.ok && result.name === 'web' && result.version === '1.2.3' && !result.fromCache);
    assert.ok(result.ok && /^sha256:[0-9a-f]{64}$/.test(result.digest));
    const gets = s3.requests.filter((r) => !r.query.has('list-type')).map((r) => r.path);
    assert.deepEqual(gets.sort(), [
      '/charts/.sourceignore',
      '/charts/charts/web/Chart.yaml',
      '/charts/charts/web/templates/cm.yaml',
      '/charts/charts/web/values.yaml',
    ]);
    assert.ok(
      s3.requests.every((r) => r.authorization === undefined),
      'anonymous without credentials',
    );
  });

  it("lists only under spec.prefix (the artifact keeps the keys' full paths) and follows continuation tokens", async () => {
    const many: [string, string][] = Array.from({ length: 2500 }, (_, i) => [`team/other/f${i}.txt`, `${i}`]);
    const s3 = fakeS3({ charts: new Map([...chart('team/web/'), ...many, ...chart('elsewhere/web/')]) });
    const result = await source(s3).fetch(request({ prefix: 'team/', chartPath: 'team/web' }));
    assert.deepEqual(names(result), ['Chart.yaml', 'templates/cm.yaml', 'values.yaml']);
    const lists = s3.requests.filter((r) => r.query.get('list-type') === '2');
    assert.equal(lists.length, 3, '2,503 keys in pages of 1,000');
    assert.ok(lists.every((r) => r.query.get('prefix') === 'team/'));
    assert.deepEqual(
      lists.map((r) => r.query.get('continuation-token')),
      [null, '1000', '2000'],
    );
  });

  it("leaves out what the bucket's .sourceignore and then spec.ignore exclude, as go-git's gitignore rules do", async () => {
    const s3 = fakeS3({
      charts: new Map([
        ...chart('charts/web/', {
          'templates/skip.yaml': 'x',
          'templates/keep.tpl': 'x',
          'notes/a.md': 'x',
          'ci/test.yaml': 'x',
        }),
        ['.sourceignore', "# the bucket's own rules\n*.md\ntemplates/*.yaml\n!templates/cm.yaml\n"],
      ]),
    });
    // Anchored patterns are from the bucket's root: `templates/*.yaml` matches no key here (all under charts/web/).
    const first = await source(s3).fetch(request({ ignore: 'ci/\n**/skip.yaml\n' }));
    assert.deepEqual(names(first), ['Chart.yaml', 'templates/cm.yaml', 'templates/keep.tpl', 'values.yaml']);
    const s3b = fakeS3({ charts: new Map(chart('charts/web/', { 'templates/skip.yaml': 'x' })) });
    const second = await new HttpChartSource({ cacheDir: cache, timeoutMs: 5000, fetch: s3b.fetch }).fetch(
      request({ ignore: '/charts/web/templates/*\n!/charts/web/templates/cm.yaml\n' }),
    );
    assert.deepEqual(names(second), ['Chart.yaml', 'templates/cm.yaml', 'values.yaml']);
  });

  it("keeps the chart by its objects' keys and ETags: unchanged, nothing downloaded; one object changed, downloaded again", async () => {
    const objects = new Map(chart('charts/web/'));
    const s3 = fakeS3({ charts: objects });
    assert.ok((await source(s3).fetch(request())).ok);
    s3.requests.length = 0;
    const again = await source(s3).fetch(request());
    assert.ok(again.ok && again.fromCache, 'from the cache');
    assert.deepEqual(
      s3.requests.map((r) => (r.query.has('list-type') ? 'list' : r.path)),
      ['/charts/.sourceignore', 'list'],
    );
    objects.set('charts/web/values.yaml', 'replicas: 2\n');
    const changed = await source(s3).fetch(request());
    assert.ok(changed.ok && !changed.fromCache);
    assert.equal(new TextDecoder().decode(changed.files.find((f) => f.name === 'values.yaml')?.data), 'replicas: 2\n');
    assert.notEqual(changed.ok && changed.digest, again.ok && again.digest);
  });

  it('a missing bucket, a missing chart folder, a private bucket and an unreachable endpoint are reasons, not throws', async () => {
    const s3 = fakeS3({ charts: new Map(chart('charts/web/')) });
    const missing = failure(await source(s3).fetch(request({ bucketName: 'nope' })));
    assert.equal(missing.reason, 'not-found');
    assert.match(missing.message, /bucket 'nope' not found at 127\.0\.0\.1:9000/);
    const noChart = failure(await source(s3).fetch(request({ chartPath: 'charts/api' })));
    assert.equal(noChart.reason, 'not-found');
    assert.match(noChart.message, /no chart at charts\/api \(no Chart\.yaml/);

    const closed = fakeS3({ charts: new Map(chart('charts/web/')) }, { private: true });
    const denied = failure(await source(closed).fetch(request()));
    assert.equal(denied.reason, 'auth');
    assert.match(denied.message, /access denied \(HTTP 403 AccessDenied\): the Bucket names no secretRef/);

    const offline = (async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }) as unknown as typeof fetch;
    const unreachable = failure(
      await new HttpChartSource({ cacheDir: cache, timeoutMs: 5000, fetch: offline }).fetch(request()),
    );
    assert.equal(unreachable.reason, 'unreachable');
    assert.match(unreachable.message, /cannot reach 127\.0\.0\.1:9000\/charts: ECONNREFUSED/);
  });

  it("a bucket in another region (AWS's redirect or error names it) says which region to set", async () => {
    const redirect = (async () =>
      new Response('<Error><Code>PermanentRedirect</Code></Error>', {
        status: 301,
        headers: { 'x-amz-bucket-region': 'eu-central-1' },
      })) as unknown as typeof fetch;
    const moved = failure(
      await new HttpChartSource({ cacheDir: cache, timeoutMs: 5000, fetch: redirect }).fetch(request()),
    );
    assert.match(
      moved.message,
      /the bucket is in region eu-central-1: set spec\.region \(HTTP 301 PermanentRedirect\)/,
    );
    const malformed = (async () =>
      new Response('<Error><Code>AuthorizationHeaderMalformed</Code><Region>ap-south-1</Region></Error>', {
        status: 400,
      })) as unknown as typeof fetch;
    const wrong = failure(
      await new HttpChartSource({ cacheDir: cache, timeoutMs: 5000, fetch: malformed }).fetch(request()),
    );
    assert.match(wrong.message, /region ap-south-1: set spec\.region \(HTTP 400 AuthorizationHeaderMalformed\)/);
  });

  it('with credentials every request is signed (SigV4, the region given), and the secret is in no message', async () => {
    const s3 = fakeS3({ charts: new Map(chart('charts/web/')) }, { private: true });
    const credentials = { accessKey: 'AKIDTEST', secretKey: 'very-secret-key' };
    const result = await source(s3).fetch(request({ credentials, region: 'eu-west-3' }));
    assert.ok(result.ok);
    assert.ok(s3.requests.length >= 4);
    for (const r of s3.requests)
      assert.match(
        r.authorization ?? '',
        /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-3\/s3\/aws4_request, /,
      );
    const refused = fakeS3({}, { private: true });
    const answer = failure(await source(refused).fetch(request({ credentials })));
    assert.ok(!answer.message.includes('very-secret-key'));
  });

  it('hostile listings: an object over 5 MiB, a body longer than listed, a key with `..` in the chart, too many objects', async () => {
    const big = fakeS3(
      { charts: new Map(chart('charts/web/', { 'files/big.bin': 'x' })) },
      { sizes: { 'charts/web/files/big.bin': 6 * 1024 * 1024 } },
    );
    assert.match(failure(await source(big).fetch(request())).message, /files\/big\.bin is larger than 5 MiB/);
    assert.ok(!big.requests.some((r) => r.path.endsWith('big.bin')), 'never downloaded');

    const lying = fakeS3(
      { charts: new Map(chart('charts/web/', { 'files/big.bin': 'y'.repeat(5 * 1024 * 1024 + 1) })) },
      { sizes: { 'charts/web/files/big.bin': 10 } },
    );
    assert.match(failure(await source(lying).fetch(request())).message, /big\.bin: larger than 5 MiB/);

    // `../x` lands at the artifact's root (securejoin), outside the chart: not part of it. Inside the chart: refused.
    const outside = fakeS3({ charts: new Map([...chart('charts/web/'), ['../x', 'x'], ['charts/../../y', 'y']]) });
    assert.deepEqual(names(await source(outside).fetch(request())), ['Chart.yaml', 'templates/cm.yaml', 'values.yaml']);
    const inside = fakeS3({
      charts: new Map([...chart('charts/web/'), ['charts/web/../web/templates/evil.yaml', 'x']]),
    });
    const refused = failure(await source(inside).fetch(request()));
    assert.equal(refused.reason, 'invalid');
    assert.match(refused.message, /object key "charts\/web\/\.\.\/web\/templates\/evil\.yaml" is not a plain path/);

    const crowd: [string, string][] = Array.from({ length: MAX_CHART_OBJECTS + 1 }, (_, i) => [
      `charts/web/f/${i}`,
      '',
    ]);
    const many = fakeS3({ charts: new Map([...chart('charts/web/'), ...crowd]) });
    assert.match(failure(await source(many).fetch(request())).message, /holds more than 5000 objects/);
    assert.ok(!many.requests.some((r) => r.path.includes('/f/')), 'none downloaded');
  });
});
