/**
 * The ChartSource port over Node's fetch: charts of Helm repositories (`index.yaml`, then the chart's `.tgz`) and
 * OCI registries (the registry v2 API: tags, manifest, the layer of Helm's chart media type, with the anonymous
 * bearer-token flow public registries ask for), resolved as Flux's source-controller resolves them (the newest
 * version a constraint accepts, Masterminds' rules: core/render/helm/chartVersion.ts).
 *
 * Made only when the user enabled chart downloads (gitopsDrift.helm.chartDownloads, `--chart-downloads`). No
 * credentials are read or sent: a repository that wants them is a state of the release (`auth`). Downloads are kept
 * outside the repo, under `<cache>/charts/<hash of the repository URL>/<name>/<version>/<sha256>.tgz`, checked
 * against their digest when written and when read; an exact version or a digest found there is used without asking
 * the network. Nothing here throws: every failure is a ChartFetchFailure naming the repository.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FAILSAFE_SCHEMA, load } from 'js-yaml';
import type { ChartFetchFailure, ChartFetchResult, ChartRequest, ChartSource, HelmChartFile } from '../core/ports';
import { isExactChartVersion, newestMatching } from '../core/render/helm/chartVersion';
import { HELM_CHART_LAYER_MEDIA_TYPE } from '../core/render/helm/remoteChart';
import { plainText } from '../core/model/untrustedText';
import { unpackChart } from './chartArchive';

/** Where downloaded charts are kept: `$GITOPS_DRIFT_CACHE/charts`, else `$XDG_CACHE_HOME/gitops-drift/charts`, else `~/.cache/…`. */
export function chartCacheRoot(env: NodeJS.ProcessEnv): string {
  const root =
    env.GITOPS_DRIFT_CACHE || join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'gitops-drift');
  return join(root, 'charts');
}

export interface HttpChartSourceOptions {
  /** The cache folder (chartCacheRoot, or the extension's global storage). */
  cacheDir: string;
  /** One request's limit; default 30 s. */
  timeoutMs?: number;
  /** Default: Node's global fetch. */
  fetch?: typeof fetch;
}

/** Largest index.yaml and chart archive read (a big public index, e.g. Bitnami's, is about 20 MiB). */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;
const MAX_ARCHIVE_BYTES = 32 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const OCI_MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

class FetchFailure extends Error {
  constructor(readonly failure: ChartFetchFailure) {
    super(failure.message);
  }
}

const fail = (reason: ChartFetchFailure['reason'], message: string): never => {
  throw new FetchFailure({ ok: false, reason, message });
};

/** Charts over HTTP(S) with a cache on disk. */
export class HttpChartSource implements ChartSource {
  private readonly cacheDir: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  /** Registry bearer tokens of this run, by realm, service and scope. */
  private readonly tokens = new Map<string, string>();

  constructor(options: HttpChartSourceOptions) {
    this.cacheDir = options.cacheDir;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  async fetch(request: ChartRequest): Promise<ChartFetchResult> {
    try {
      return request.type === 'helm-repository' ? await this.fromHelmRepository(request) : await this.fromOci(request);
    } catch (e) {
      if (e instanceof FetchFailure) return e.failure;
      return { ok: false, reason: 'invalid', message: plainText(e instanceof Error ? e.message : String(e)) };
    }
  }

  private async fromHelmRepository(request: ChartRequest & { type: 'helm-repository' }): Promise<ChartFetchResult> {
    const base = request.url.replace(/\/+$/, '');
    const folder = this.folder(base);
    const constraint = request.version ?? '*';
    // An exact version already downloaded is the same chart: no need to ask the repository.
    if (isExactChartVersion(constraint)) {
      const cached = await this.cached(folder, request.chart, constraint);
      if (cached) return cached;
    }
    const indexResponse = await this.get(`${base}/index.yaml`, base);
    const indexText = new TextDecoder().decode(await body(indexResponse, MAX_INDEX_BYTES, `${base}/index.yaml`));
    let index: unknown;
    try {
      // Every scalar as the text it is (a version `1.10` or an all-digit digest must not become a number).
      index = load(indexText, { schema: FAILSAFE_SCHEMA });
    } catch (e) {
      fail('invalid', `${base}/index.yaml is not YAML: ${plainText((e as Error).message.split('\n')[0])}`);
    }
    const entries = record(record(index).entries)[request.chart];
    if (!Array.isArray(entries) || !entries.length) fail('not-found', `no chart ${request.chart} in ${base}`);
    const versions = (entries as unknown[]).map(record);
    let version: string | undefined;
    try {
      version = newestMatching(
        constraint,
        versions.map((v) => String(v.version ?? '')),
      );
    } catch (e) {
      fail('invalid', `version ${constraint}: ${(e as Error).message}`);
    }
    if (!version) fail('not-found', `no version of ${request.chart} in ${base} matches ${constraint}`);
    const entry = versions.find((v) => String(v.version) === version) ?? {};
    const urls = Array.isArray(entry.urls) ? entry.urls.filter((u): u is string => typeof u === 'string') : [];
    if (!urls.length) fail('invalid', `${base}/index.yaml lists no URL for ${request.chart} ${version}`);
    const wanted = typeof entry.digest === 'string' && /^[0-9a-f]{64}$/.test(entry.digest) ? entry.digest : undefined;
    if (wanted) {
      const cached = await this.readCached(folder, request.chart, version as string, wanted);
      if (cached) return cached;
    }
    // Relative URLs are relative to the repository (Helm's ResolveReferenceURL).
    const chartUrl = new URL(urls[0], `${base}/`).toString();
    const archive = await body(await this.get(chartUrl, base), MAX_ARCHIVE_BYTES, chartUrl);
    const digest = sha256(archive);
    if (wanted && digest !== wanted)
      fail('invalid', `${chartUrl}: digest sha256:${digest} is not the index's sha256:${wanted}`);
    return this.store(folder, archive, digest, chartUrl);
  }

  private async fromOci(request: ChartRequest & { type: 'oci' }): Promise<ChartFetchResult> {
    const m = /^oci:\/\/([^/]+)\/(.+?)\/*$/.exec(request.url);
    if (!m) fail('invalid', `${request.url} is not an oci://HOST/REPOSITORY URL`);
    const [, host, repository] = m as RegExpExecArray;
    // Loopback registries speak plain HTTP (as `helm push --plain-http` and Flux's `insecure: true` do).
    const scheme = request.insecure || /^(localhost|127\.[0-9.]+|\[::1\])(:\d+)?$/.test(host) ? 'http' : 'https';
    const registry = `${scheme}://${host}`;
    const shown = `oci://${host}/${repository}`;
    const folder = this.folder(shown);
    const name = repository.split('/').pop() as string;
    let reference: string;
    if (request.digest) reference = request.digest;
    else if (request.semver && !isExactChartVersion(request.semver)) {
      const tags = await this.json(`${registry}/v2/${repository}/tags/list?n=1000`, shown, 'application/json');
      const list = Array.isArray(record(tags).tags) ? (record(tags).tags as unknown[]).map(String) : [];
      let version: string | undefined;
      try {
        // OCI tags cannot hold `+`: Helm pushes 1.0.0+build as 1.0.0_build.
        version = newestMatching(
          request.semver,
          list.map((t) => t.replace(/_/g, '+')),
        );
      } catch (e) {
        fail('invalid', `semver ${request.semver}: ${(e as Error).message}`);
      }
      if (!version) fail('not-found', `no tag of ${shown} matches ${request.semver}`);
      reference = (version as string).replace(/\+/g, '_');
    } else reference = (request.semver ?? request.tag ?? 'latest').replace(/\+/g, '_');
    // A digest or an exact version already downloaded is the same chart.
    if (request.digest || isExactChartVersion(reference.replace(/_/g, '+'))) {
      const cached = await this.cachedRef(folder, reference);
      if (cached) return cached;
    }
    const manifestUrl = `${registry}/v2/${repository}/manifests/${reference}`;
    const manifestBytes = await body(await this.get(manifestUrl, shown, OCI_MANIFEST_TYPES), MAX_MANIFEST_BYTES, shown);
    if (request.digest && `sha256:${sha256(manifestBytes)}` !== request.digest)
      fail('invalid', `${shown}@${request.digest}: the manifest's digest is sha256:${sha256(manifestBytes)}`);
    let manifest: unknown;
    try {
      manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
    } catch {
      fail('invalid', `${shown}:${reference}: the manifest is not JSON`);
    }
    const mediaType = request.layerMediaType ?? HELM_CHART_LAYER_MEDIA_TYPE;
    const layers = Array.isArray(record(manifest).layers) ? (record(manifest).layers as unknown[]).map(record) : [];
    const layer = layers.find((l) => l.mediaType === mediaType);
    const layerDigest = typeof layer?.digest === 'string' ? layer.digest : '';
    if (!/^sha256:[0-9a-f]{64}$/.test(layerDigest))
      fail('invalid', `${shown}:${reference} has no layer of media type ${mediaType}: not a Helm chart`);
    const hex = layerDigest.slice('sha256:'.length);
    const cached = await this.readCachedDigest(folder, name, hex);
    if (cached?.ok) {
      await this.writeRef(folder, reference, cached, hex);
      return cached;
    }
    const blobUrl = `${registry}/v2/${repository}/blobs/${layerDigest}`;
    const archive = await body(await this.get(blobUrl, shown), MAX_ARCHIVE_BYTES, shown);
    if (sha256(archive) !== hex) fail('invalid', `${shown}: the layer's content is not its digest ${layerDigest}`);
    const stored = await this.store(folder, archive, hex, shown);
    if (stored.ok) await this.writeRef(folder, reference, stored, hex);
    return stored;
  }

  /** A GET with the registry's anonymous token flow; failures become the reasons the port names. */
  private async get(url: string, shown: string, accept?: string): Promise<Response> {
    const headers: Record<string, string> = accept ? { accept } : {};
    let response = await this.request(url, headers, shown);
    const challenge = response.status === 401 ? bearerChallenge(response.headers.get('www-authenticate')) : undefined;
    if (challenge) {
      await response.body?.cancel();
      const token = await this.token(challenge, url, shown);
      response = await this.request(url, { ...headers, authorization: `Bearer ${token}` }, shown);
    }
    if (response.ok) return response;
    await response.body?.cancel();
    if (response.status === 401 || response.status === 403)
      fail('auth', `${shown} requires credentials (HTTP ${response.status}); GitOps Drift reads none`);
    if (response.status === 404) fail('not-found', `${shown}: ${new URL(url).pathname} not found (HTTP 404)`);
    return fail('unreachable', `cannot read ${shown}: HTTP ${response.status}`);
  }

  private async request(url: string, headers: Record<string, string>, shown: string): Promise<Response> {
    try {
      return await this.fetchImpl(url, { headers, signal: AbortSignal.timeout(this.timeoutMs), redirect: 'follow' });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why =
        (e as Error).name === 'TimeoutError'
          ? `no answer in ${this.timeoutMs / 1000} s`
          : (cause?.code ?? cause?.message ?? (e as Error).message);
      return fail('unreachable', `cannot reach ${shown}: ${plainText(String(why))}`);
    }
  }

  private async token(challenge: Record<string, string>, url: string, shown: string): Promise<string> {
    const scope =
      challenge.scope ??
      `repository:${/\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(new URL(url).pathname)?.[1] ?? ''}:pull`;
    const key = `${challenge.realm} ${challenge.service ?? ''} ${scope}`;
    const known = this.tokens.get(key);
    if (known) return known;
    const realm = new URL(challenge.realm);
    if (challenge.service) realm.searchParams.set('service', challenge.service);
    realm.searchParams.set('scope', scope);
    const response = await this.request(realm.toString(), {}, shown);
    if (!response.ok) {
      await response.body?.cancel();
      fail(
        'auth',
        `${shown} requires credentials (its token service answered HTTP ${response.status}); GitOps Drift reads none`,
      );
    }
    const answer = record(JSON.parse(new TextDecoder().decode(await body(response, 1024 * 1024, shown))));
    const token =
      typeof answer.token === 'string'
        ? answer.token
        : typeof answer.access_token === 'string'
          ? answer.access_token
          : '';
    if (!token) fail('auth', `${shown}: the token service gave no token`);
    this.tokens.set(key, token);
    return token;
  }

  private async json(url: string, shown: string, accept: string): Promise<unknown> {
    const bytes = await body(await this.get(url, shown, accept), MAX_MANIFEST_BYTES, shown);
    try {
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return fail('invalid', `${shown}: ${new URL(url).pathname} did not answer JSON`);
    }
  }

  private folder(repository: string): string {
    return join(this.cacheDir, createHash('sha256').update(repository).digest('hex').slice(0, 16));
  }

  /** Unpacks, reads Chart.yaml's name and version, and keeps the archive under them and its digest. */
  private async store(folder: string, archive: Uint8Array, digest: string, shown: string): Promise<ChartFetchResult> {
    const chart = unpackOrFail(archive, shown);
    const file = join(folder, safe(chart.name), safe(chart.version), `${digest}.tgz`);
    await mkdir(join(file, '..'), { recursive: true });
    const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, archive);
    await rename(temp, file);
    return { ok: true, ...chart, digest: `sha256:${digest}`, fromCache: false };
  }

  /** A cached archive of `name` `version` (any digest), checked against its digest. */
  private async cached(folder: string, name: string, version: string): Promise<ChartFetchResult | undefined> {
    const dir = join(folder, safe(name), safe(version.replace(/^v/, '')));
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const file of names.filter((n) => /^[0-9a-f]{64}\.tgz$/.test(n))) {
      const hit = await this.readCached(folder, name, version.replace(/^v/, ''), file.slice(0, 64));
      if (hit) return hit;
    }
    return undefined;
  }

  private async readCached(
    folder: string,
    name: string,
    version: string,
    digest: string,
  ): Promise<ChartFetchResult | undefined> {
    const archive = await readFile(join(folder, safe(name), safe(version), `${digest}.tgz`)).catch(() => undefined);
    // A file that no longer hashes to its name is not used (and is downloaded again).
    if (!archive || sha256(archive) !== digest) return undefined;
    try {
      return { ok: true, ...readChart(unpackChart(archive)), digest: `sha256:${digest}`, fromCache: true };
    } catch {
      return undefined;
    }
  }

  private async readCachedDigest(folder: string, name: string, digest: string): Promise<ChartFetchResult | undefined> {
    const versions = await readdir(join(folder, safe(name))).catch(() => [] as string[]);
    for (const version of versions) {
      const hit = await this.readCached(folder, name, version, digest);
      if (hit) return hit;
    }
    return undefined;
  }

  /** An OCI tag or digest → the version and layer digest it named when last downloaded. */
  private async cachedRef(folder: string, reference: string): Promise<ChartFetchResult | undefined> {
    const text = await readFile(join(folder, 'refs', safe(reference)), 'utf8').catch(() => undefined);
    const [name, version, digest] = (text ?? '').trim().split(' ');
    if (!name || !version || !digest) return undefined;
    return this.readCached(folder, name, version, digest);
  }

  private async writeRef(folder: string, reference: string, chart: { name: string; version: string }, digest: string) {
    await mkdir(join(folder, 'refs'), { recursive: true });
    await writeFile(join(folder, 'refs', safe(reference)), `${chart.name} ${chart.version} ${digest}\n`);
  }
}

function unpackOrFail(archive: Uint8Array, shown: string): { name: string; version: string; files: HelmChartFile[] } {
  try {
    return readChart(unpackChart(archive));
  } catch (e) {
    return fail('invalid', `${shown}: not a chart archive: ${plainText((e as Error).message)}`);
  }
}

function readChart(files: HelmChartFile[]): { name: string; version: string; files: HelmChartFile[] } {
  const chartYaml = files.find((f) => f.name === 'Chart.yaml');
  const meta = record(load(new TextDecoder().decode(chartYaml?.data ?? new Uint8Array()), { json: true }));
  const name = typeof meta.name === 'string' ? meta.name : '';
  const version = typeof meta.version === 'string' ? meta.version : String(meta.version ?? '');
  if (!name || !version) throw new Error('Chart.yaml names no chart name and version');
  return { name, version, files };
}

/** Reads a response body up to `limit` bytes. */
async function body(response: Response, limit: number, shown: string): Promise<Uint8Array> {
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > limit) {
    await response.body?.cancel();
    fail('invalid', `${shown}: the answer is larger than ${Math.round(limit / 1024 / 1024)} MiB`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch (e) {
      return fail('unreachable', `cannot read ${shown}: ${plainText((e as Error).message)}`);
    }
    if (next.done) break;
    total += next.value.length;
    if (total > limit) {
      await reader.cancel();
      fail('invalid', `${shown}: the answer is larger than ${Math.round(limit / 1024 / 1024)} MiB`);
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks);
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters; undefined for any other scheme. */
export function bearerChallenge(header: string | null): Record<string, string> | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const out: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) out[m[1].toLowerCase()] = m[2];
  return out.realm && /^https?:\/\//.test(out.realm) ? out : undefined;
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A name or version as one folder name. */
function safe(part: string): string {
  return part.replace(/[^A-Za-z0-9._+-]/g, '_').replace(/^\.+/, '_');
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
