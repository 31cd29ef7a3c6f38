/**
 * Charts from a Flux `Bucket` (S3-compatible storage), fetched as source-controller fetches a bucket
 * (internal/controller/bucket_controller.go: the bucket's `.sourceignore` object, then `spec.ignore`, then every
 * object listed under `spec.prefix` that they leave in, keys ending in `/` skipped, each placed in the artifact as
 * securejoin places it) and built as it builds a HelmChart from that artifact: the folder `chart` of it. Only that
 * folder's objects are downloaded (the chart is built from nothing else).
 *
 * S3 API: ListObjectsV2 (paged) and GetObject, path-style (`/BUCKET/KEY`) but for AWS endpoints, which take the
 * bucket as a host name when it can be one; anonymous, or AWS Signature V4 (s3Signature.ts) with the credentials of
 * the Bucket's secretRef, which never appear in a message, a log or a cache key. Kept under
 * `<cache>/buckets/<sha256 of endpoint, bucket, chart path and each object's key and ETag>.json`: the listing is asked
 * each time, the objects only when one of them changed. Nothing here throws: every failure is a ChartFetchFailure.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { BucketChartRequest, ChartFetchResult, HelmChartFile } from '../core/ports';
import { cleanArtifactPath } from '../core/render/helm/bucketChart';
import { isIgnored, readIgnorePatterns } from '../core/render/flux/sourceIgnore';
import { plainText } from '../core/model/untrustedText';
import { MAX_CHART_BYTES, MAX_CHART_FILE_BYTES } from './chartArchive';
import { ChartFetchError, failFetch, readLimitedBody } from './chartFetchFailure';
import { encodeS3Path, s3Query, signS3Request } from './s3Signature';

export interface BucketSourceOptions {
  /** The chart cache folder (chartCacheRoot); bucket charts go under `buckets/` in it. */
  cacheDir: string;
  timeoutMs: number;
  fetch: typeof fetch;
  /** The signing clock; default now. */
  now?: () => Date;
}

/** Keys listed at most (100 pages of 1,000) and objects in one chart at most. */
export const MAX_LISTED_OBJECTS = 100_000;
export const MAX_CHART_OBJECTS = 5_000;
const LIST_PAGE = 1000;
const PARALLEL_GETS = 4;

const fail = failFetch;

/** The chart `request.chartPath` of the bucket, from the cache when no object changed since it was kept. */
export async function fetchBucketChart(
  request: BucketChartRequest,
  options: BucketSourceOptions,
): Promise<ChartFetchResult> {
  try {
    return await new BucketClient(request, options).chart();
  } catch (e) {
    if (e instanceof ChartFetchError) return e.failure;
    return { ok: false, reason: 'invalid', message: plainText(e instanceof Error ? e.message : String(e)) };
  }
}

interface Listed {
  key: string;
  etag: string;
  size: number;
}

class BucketClient {
  private readonly base: string;
  /** How messages name the bucket: `ENDPOINT/BUCKET`. */
  private readonly shown: string;

  constructor(
    private readonly request: BucketChartRequest,
    private readonly options: BucketSourceOptions,
  ) {
    const scheme = request.insecure ? 'http' : 'https';
    // AWS takes a DNS-compatible bucket as a host name (minio-go's automatic lookup); other servers the path.
    const virtualHost =
      /(^|\.)amazonaws\.com(\.cn)?$/.test(request.endpoint) &&
      /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(request.bucketName);
    this.base = virtualHost
      ? `${scheme}://${request.bucketName}.${request.endpoint}`
      : `${scheme}://${request.endpoint}/${encodeS3Path(request.bucketName)}`;
    this.shown = `${request.endpoint}/${request.bucketName}`;
  }

  async chart(): Promise<ChartFetchResult> {
    const { chartPath } = this.request;
    const ignoreText = await this.sourceIgnore();
    const patterns = readIgnorePatterns(`${ignoreText}\n${this.request.ignore ?? ''}`);
    const inChart: { name: string; object: Listed }[] = [];
    let bytes = 0;
    for await (const object of this.list()) {
      if (object.key.endsWith('/') || object.key === '.sourceignore' || isIgnored(patterns, object.key)) continue;
      // Where source-controller puts it in the artifact (securejoin: `..` never climbs above the root).
      const placed = cleanArtifactPath(object.key);
      const name = chartPath ? (placed.startsWith(`${chartPath}/`) ? placed.slice(chartPath.length + 1) : '') : placed;
      if (!name) continue;
      // A key with empty, `.` or `..` parts cannot be asked for by a URL that means it (URLs resolve those parts).
      if (placed !== object.key)
        fail('invalid', `object key ${JSON.stringify(plainText(object.key))} is not a plain path`);
      if (object.size > MAX_CHART_FILE_BYTES)
        fail('invalid', `${plainText(object.key)} is larger than ${MAX_CHART_FILE_BYTES / 1024 / 1024} MiB`);
      bytes += object.size;
      if (bytes > MAX_CHART_BYTES)
        fail('invalid', `the chart ${chartPath || '.'} is larger than ${MAX_CHART_BYTES / 1024 / 1024} MiB`);
      inChart.push({ name, object });
      if (inChart.length > MAX_CHART_OBJECTS)
        fail('invalid', `the chart ${chartPath || '.'} holds more than ${MAX_CHART_OBJECTS} objects`);
    }
    if (!inChart.some((f) => f.name === 'Chart.yaml'))
      fail(
        'not-found',
        `no chart at ${chartPath || 'the root'} (no Chart.yaml under prefix '${this.request.prefix ?? ''}')`,
      );
    inChart.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const digest = createHash('sha256')
      .update(
        JSON.stringify([
          this.request.endpoint,
          this.request.bucketName,
          chartPath,
          inChart.map((f) => [f.object.key, f.object.etag]),
        ]),
      )
      .digest('hex');
    const cacheable = inChart.every((f) => f.object.etag);
    const cacheFile = join(this.options.cacheDir, 'buckets', `${digest}.json`);
    if (cacheable) {
      const kept = await readKept(cacheFile);
      if (kept) return { ok: true, ...kept, digest: `sha256:${digest}`, fromCache: true };
    }
    const files: HelmChartFile[] = new Array(inChart.length);
    let next = 0;
    const worker = async () => {
      while (next < inChart.length) {
        const i = next++;
        const { name, object } = inChart[i];
        const response = await this.get(`${this.base}/${encodeS3Path(object.key)}`, object.key);
        files[i] = {
          name,
          data: await body(response, MAX_CHART_FILE_BYTES, plainText(object.key)),
        };
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_GETS, inChart.length) }, worker));
    const chart = chartMeta(files, chartPath || "the bucket's root");
    if (cacheable) await keep(cacheFile, chart.name, chart.version, files);
    return { ok: true, ...chart, files, digest: `sha256:${digest}`, fromCache: false };
  }

  /** The bucket's `.sourceignore` object (at its root, whatever the prefix), '' when there is none. */
  private async sourceIgnore(): Promise<string> {
    const response = await this.get(`${this.base}/.sourceignore`, '.sourceignore', true);
    if (!response) return '';
    return new TextDecoder().decode(await body(response, 1024 * 1024, '.sourceignore'));
  }

  /** ListObjectsV2 under the prefix, page by page. */
  private async *list(): AsyncGenerator<Listed> {
    let token: string | undefined;
    let listed = 0;
    do {
      const query = s3Query({
        'list-type': '2',
        'max-keys': String(LIST_PAGE),
        ...(this.request.prefix ? { prefix: this.request.prefix } : {}),
        ...(token ? { 'continuation-token': token } : {}),
      });
      const response = await this.get(`${this.base}/${query}`, undefined);
      const xml = new TextDecoder().decode(await body(response, 16 * 1024 * 1024, 'the listing'));
      for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        if (++listed > MAX_LISTED_OBJECTS)
          fail('invalid', `more than ${MAX_LISTED_OBJECTS} objects under prefix '${this.request.prefix ?? ''}'`);
        yield {
          key: xmlText(tag(m[1], 'Key') ?? ''),
          etag: xmlText(tag(m[1], 'ETag') ?? '').replace(/^"|"$/g, ''),
          size: Number(tag(m[1], 'Size') ?? 0),
        };
      }
      const truncated = tag(xml, 'IsTruncated') === 'true';
      const nextToken = tag(xml, 'NextContinuationToken');
      if (truncated && !nextToken) fail('invalid', `the listing is truncated but gives no continuation token`);
      token = truncated ? xmlText(nextToken as string) : undefined;
    } while (token);
  }

  /** A signed (or anonymous) GET; a missing object is undefined when `optional`, the others' failures named. */
  private async get(url: string, key: string | undefined, optional: true): Promise<Response | undefined>;
  private async get(url: string, key: string | undefined): Promise<Response>;
  private async get(url: string, key: string | undefined, optional = false): Promise<Response | undefined> {
    const target = new URL(url);
    const credentials = this.request.credentials;
    const headers = credentials
      ? signS3Request({
          method: 'GET',
          url: target,
          region: this.request.region || 'us-east-1',
          accessKey: credentials.accessKey,
          secretKey: credentials.secretKey,
          now: this.options.now?.() ?? new Date(),
        })
      : {};
    let response: Response;
    try {
      response = await this.options.fetch(target, {
        headers,
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: 'manual',
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why =
        (e as Error).name === 'TimeoutError'
          ? `no answer in ${this.options.timeoutMs / 1000} s`
          : (cause?.code ?? cause?.message ?? (e as Error).message);
      return fail('unreachable', `cannot reach ${this.shown}: ${plainText(String(why))}`);
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    const code = tag(text, 'Code') ?? '';
    const what = key === undefined ? 'listing the bucket' : plainText(key);
    if (response.status === 404 && code !== 'NoSuchBucket' && optional) return undefined;
    if (response.status === 404 && (code === 'NoSuchBucket' || key === undefined))
      fail(
        'not-found',
        `bucket '${plainText(this.request.bucketName)}' not found at ${plainText(this.request.endpoint)}`,
      );
    if (response.status === 404) fail('not-found', `${what} not found (HTTP 404)`);
    const because = code ? ` ${plainText(code)}` : '';
    if (response.status === 401 || response.status === 403)
      fail(
        'auth',
        `${what}: access denied (HTTP ${response.status}${because}): ${
          credentials
            ? "the credentials of the Bucket's secretRef were refused"
            : 'the Bucket names no secretRef (anonymous)'
        }`,
      );
    // AWS names the bucket's region in its error (AuthorizationHeaderMalformed) or a header (PermanentRedirect).
    const region = tag(text, 'Region') ?? response.headers.get('x-amz-bucket-region') ?? undefined;
    if (region)
      fail(
        'invalid',
        `the bucket is in region ${plainText(region)}: set spec.region (HTTP ${response.status}${because})`,
      );
    return fail('unreachable', `${what}: HTTP ${response.status}${because}`);
  }
}

/** The text of the first `<name>…</name>` in `xml`. */
function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];
}

/** XML character data: the five entities and character references. */
function xmlText(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#x[0-9A-Fa-f]+|#\d+);/g, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[e] as string;
  });
}

function chartMeta(files: readonly HelmChartFile[], shown: string): { name: string; version: string } {
  const chartYaml = files.find((f) => f.name === 'Chart.yaml');
  let meta: Record<string, unknown> = {};
  try {
    const doc = load(new TextDecoder().decode(chartYaml?.data ?? new Uint8Array()), { json: true });
    if (doc && typeof doc === 'object') meta = doc as Record<string, unknown>;
  } catch (e) {
    fail('invalid', `${shown}: Chart.yaml is not YAML: ${plainText((e as Error).message.split('\n')[0])}`);
  }
  const name = typeof meta.name === 'string' ? meta.name : '';
  const version = typeof meta.version === 'string' ? meta.version : String(meta.version ?? '');
  if (!name || !version) fail('invalid', `${shown}: Chart.yaml names no chart name and version`);
  return { name, version };
}

async function readKept(file: string): Promise<{ name: string; version: string; files: HelmChartFile[] } | undefined> {
  try {
    const kept = JSON.parse(await readFile(file, 'utf8')) as {
      name: string;
      version: string;
      files: [string, string][];
    };
    return {
      name: kept.name,
      version: kept.version,
      files: kept.files.map(([name, data]) => ({ name, data: new Uint8Array(Buffer.from(data, 'base64')) })),
    };
  } catch {
    return undefined;
  }
}

async function keep(file: string, name: string, version: string, files: readonly HelmChartFile[]): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const text = JSON.stringify({
    name,
    version,
    files: files.map((f) => [f.name, Buffer.from(f.data).toString('base64')]),
  });
  await writeFile(temp, text);
  await rename(temp, file);
}

/** Reads a response body up to `limit` bytes. */
function body(response: Response, limit: number, shown: string): Promise<Uint8Array> {
  return readLimitedBody(response, limit, shown, `${shown}: larger than ${Math.round(limit / 1024 / 1024)} MiB`);
}
