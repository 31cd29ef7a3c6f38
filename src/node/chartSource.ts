/**
 * The ChartSource port over Node's fetch: charts of Helm repositories (`index.yaml`, then the chart's `.tgz`) and
 * OCI registries (the registry v2 API: tags, manifest, the layer of Helm's chart media type, with the anonymous
 * bearer-token flow public registries ask for), resolved as Flux's source-controller resolves them (the newest
 * version a constraint accepts, Masterminds' rules: core/render/helm/chartVersion.ts).
 *
 * Made only when the user enabled chart downloads (gitopsDrift.helm.chartDownloads, `--chart-downloads`). Credentials
 * (chartCredentials.ts): the controller's (the request's, from a Secret of the render) first, else the user's Helm
 * and Docker client config; sent only to the repository's own scheme, host and port (Helm's rule, unless
 * `passCredentials`), to a registry's token service, and never into a message. Downloads are kept
 * outside the repo, under `<cache>/charts/<hash of the repository URL>/<name>/<version>/<sha256>.tgz`, checked
 * against their digest when written and when read; an exact version or a digest found there is used without asking
 * the network. Nothing here throws: every failure is a ChartFetchFailure naming the repository.
 *
 * A chart folder of a Flux `Bucket` (request type `bucket`) is bucketSource.ts's: S3, signed with the keys of the
 * Bucket's secretRef when the render holds them.
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
import { ChartFetchError, failFetch, readLimitedBody } from './chartFetchFailure';
import {
  fromControllerSecret,
  type HelmClientCredentials,
  type ResolvedCredentials,
  scrubCredentials,
} from './chartCredentials';
import { fetchBucketChart } from './bucketSource';
import { fetchWithTls, tlsFailureHint, tlsSettingsProblem, type TlsSettings } from './tlsFetch';

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
  /** The user's Helm and Docker client config (HelmClientCredentials); absent: only the controllers' Secrets. */
  userCredentials?: Pick<HelmClientCredentials, 'forHelmRepository' | 'forRegistry'> &
    Partial<Pick<HelmClientCredentials, 'tlsForHelmRepository'>>;
}

/** What one chart's requests are sent with. */
interface RequestAuth {
  /** Credentials to send, or why there are none to send (said when the server asks for them). */
  credentials?: ResolvedCredentials;
  /** `scheme://host:port` the credentials are for. */
  origin: string;
  /** Notes for a refusal when nothing was sent (e.g. a secretRef Secret that is not in the render). */
  missing: string[];
  /** The repository's TLS client settings (the controller's, else the user's Helm config), and the fetch using them. */
  tls?: TlsSettings;
  fetch?: typeof fetch;
  /** A cert Secret of the source that is not in the render: said when TLS fails. */
  tlsMissing?: string;
  /** An OCI registry's `scheme://host` (plain HTTP for `insecure`, HTTPS with TLS settings). */
  registry?: string;
}

const MAX_REDIRECTS = 10;

/** Largest index.yaml and chart archive read (a big public index, e.g. Bitnami's, is about 20 MiB). */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;
const MAX_ARCHIVE_BYTES = 32 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const OCI_MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const fail = failFetch;

/** Charts over HTTP(S) with a cache on disk. */
export class HttpChartSource implements ChartSource {
  private readonly cacheDir: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly userCredentials: HttpChartSourceOptions['userCredentials'];
  /** Registry bearer tokens of this run, by realm, service, scope and whose credentials obtained them. */
  private readonly tokens = new Map<string, string>();

  constructor(options: HttpChartSourceOptions) {
    this.cacheDir = options.cacheDir;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.fetchImpl = options.fetch ?? fetch;
    this.userCredentials = options.userCredentials;
  }

  async fetch(request: ChartRequest): Promise<ChartFetchResult> {
    const used: ResolvedCredentials[] = [];
    const scrub = (failure: ChartFetchFailure): ChartFetchFailure => ({
      ...failure,
      message: scrubCredentials(failure.message, used),
    });
    try {
      if (request.type === 'bucket')
        return await fetchBucketChart(request, {
          cacheDir: this.cacheDir,
          timeoutMs: this.timeoutMs,
          fetch: this.fetchImpl,
        });
      const auth = await this.auth(request);
      if (auth.credentials) used.push(auth.credentials);
      return request.type === 'helm-repository'
        ? await this.fromHelmRepository(request, auth)
        : await this.fromOci(request, auth);
    } catch (e) {
      if (e instanceof ChartFetchError) return scrub(e.failure);
      return scrub({ ok: false, reason: 'invalid', message: plainText(e instanceof Error ? e.message : String(e)) });
    }
  }

  /** The controller's Secret first, then the user's client config (docs/helm.md#credentials). */
  private async auth(request: Exclude<ChartRequest, { type: 'bucket' }>): Promise<RequestAuth> {
    const tls = await this.tls(request);
    let origin = '';
    let host: string | undefined;
    let registry: string | undefined;
    if (request.type === 'oci') {
      host = /^oci:\/\/([^/]+)/.exec(request.url)?.[1];
      registry = host ? `${await this.ociScheme(host, request.insecure, tls)}://${host}` : undefined;
      origin = registry ?? '';
    } else {
      try {
        origin = new URL(request.url).origin;
      } catch {
        origin = '';
      }
    }
    const missing = request.credentials?.type === 'elsewhere' ? [request.credentials.reason] : [];
    const withTls = { ...tls, ...(registry ? { registry } : {}) };
    const controller = fromControllerSecret(request.credentials, host);
    if (controller) return { credentials: controller, origin, missing, ...withTls };
    let user: ResolvedCredentials | undefined;
    if (this.userCredentials)
      user =
        request.type === 'oci'
          ? host
            ? await this.userCredentials.forRegistry(host)
            : undefined
          : await this.userCredentials.forHelmRepository(request.url);
    return { ...(user ? { credentials: user } : {}), origin, missing, ...withTls };
  }

  /**
   * The TLS settings for a request, with the controller's precedence over the user's (as for credentials): the
   * request's (a Flux source's certSecretRef, an Argo CD repository Secret), else the user's repositories.yaml entry.
   * Settings that cannot be used (SOPS, an incomplete pair, a PEM that is not one) fail the chart before any request.
   */
  private async tls(
    request: Exclude<ChartRequest, { type: 'bucket' }>,
  ): Promise<Pick<RequestAuth, 'tls' | 'fetch' | 'tlsMissing'>> {
    const controller = request.tls;
    if (controller?.type === 'unusable') fail('auth', controller.reason);
    let settings: TlsSettings | undefined;
    if (controller?.type === 'tls') {
      const { type: _type, ...rest } = controller;
      settings = rest;
    } else if (request.type === 'helm-repository' && this.userCredentials?.tlsForHelmRepository) {
      const user = await this.userCredentials.tlsForHelmRepository(request.url);
      if (user && 'refused' in user) fail('auth', user.refused);
      settings = user as TlsSettings | undefined;
    }
    const tlsMissing = controller?.type === 'elsewhere' ? controller.reason : undefined;
    if (!settings) return tlsMissing ? { tlsMissing } : {};
    const problem = tlsSettingsProblem(settings);
    if (problem) fail('invalid', problem);
    return { tls: settings, fetch: fetchWithTls(settings, this.fetchImpl), ...(tlsMissing ? { tlsMissing } : {}) };
  }

  /**
   * How a registry is spoken to: Flux's `insecure` on an OCIRepository without a certSecretRef means HTTPS without
   * verifying, else plain HTTP (go-containerregistry's name.Insecure tries both, HTTPS first); `insecure` elsewhere
   * is plain HTTP; a loopback registry is plain HTTP unless TLS settings are given for it; any other HTTPS.
   */
  private async ociScheme(
    host: string,
    insecure: boolean | undefined,
    tls: Pick<RequestAuth, 'tls' | 'fetch'>,
  ): Promise<'http' | 'https'> {
    if (insecure && tls.tls?.insecureSkipVerify && tls.fetch) {
      try {
        const answer = await tls.fetch(`https://${host}/v2/`, {
          signal: AbortSignal.timeout(this.timeoutMs),
          redirect: 'manual',
        });
        await answer.body?.cancel();
        return 'https';
      } catch {
        return 'http';
      }
    }
    if (insecure) return 'http';
    return isLoopback(host) && !tls.tls ? 'http' : 'https';
  }

  private async fromHelmRepository(
    request: ChartRequest & { type: 'helm-repository' },
    auth: RequestAuth,
  ): Promise<ChartFetchResult> {
    const base = request.url.replace(/\/+$/, '');
    const folder = this.folder(base);
    const constraint = request.version ?? '*';
    // An exact version already downloaded is the same chart: no need to ask the repository.
    if (isExactChartVersion(constraint)) {
      const cached = await this.cached(folder, request.chart, constraint);
      if (cached) return cached;
    }
    const indexResponse = await this.get(`${base}/index.yaml`, base, auth);
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
    // Credentials go with it only on the repository's own host (Helm's rule; passCredentials lifts it).
    const archive = await body(await this.get(chartUrl, base, auth), MAX_ARCHIVE_BYTES, chartUrl);
    const digest = sha256(archive);
    if (wanted && digest !== wanted)
      fail('invalid', `${chartUrl}: digest sha256:${digest} is not the index's sha256:${wanted}`);
    return this.store(folder, archive, digest, chartUrl);
  }

  private async fromOci(request: ChartRequest & { type: 'oci' }, auth: RequestAuth): Promise<ChartFetchResult> {
    const m = /^oci:\/\/([^/]+)\/(.+?)\/*$/.exec(request.url);
    if (!m) fail('invalid', `${request.url} is not an oci://HOST/REPOSITORY URL`);
    const [, host, repository] = m as RegExpExecArray;
    const registry = auth.registry ?? `https://${host}`;
    const shown = `oci://${host}/${repository}`;
    const folder = this.folder(shown);
    const name = repository.split('/').pop() as string;
    let reference: string;
    if (request.digest) reference = request.digest;
    else if (request.semver && !isExactChartVersion(request.semver)) {
      const tags = await this.json(`${registry}/v2/${repository}/tags/list?n=1000`, shown, auth, 'application/json');
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
    const manifestBytes = await body(
      await this.get(manifestUrl, shown, auth, OCI_MANIFEST_TYPES),
      MAX_MANIFEST_BYTES,
      shown,
    );
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
    const archive = await body(await this.get(blobUrl, shown, auth), MAX_ARCHIVE_BYTES, shown);
    if (sha256(archive) !== hex) fail('invalid', `${shown}: the layer's content is not its digest ${layerDigest}`);
    const stored = await this.store(folder, archive, hex, shown);
    if (stored.ok) await this.writeRef(folder, reference, stored, hex);
    return stored;
  }

  /**
   * A GET with the registry's token flow (anonymous, or Basic on the token service when there are credentials) or
   * Basic when the server asks for it; failures become the reasons the port names.
   */
  private async get(url: string, shown: string, auth: RequestAuth, accept?: string): Promise<Response> {
    const headers: Record<string, string> = accept ? { accept } : {};
    const basic = auth.credentials?.type === 'basic' ? auth.credentials : undefined;
    // Helm repositories get Basic up front (Helm's getter sets it on every request); registries answer a challenge.
    const upFront = basic && !shown.startsWith('oci://') ? basic : undefined;
    let sent = false;
    let response = await this.request(url, headers, shown, auth, upFront);
    sent = response.credentialsSent;
    if (response.response.status === 401) {
      const header = response.response.headers.get('www-authenticate');
      const challenge = bearerChallenge(header);
      if (challenge) {
        await response.response.body?.cancel();
        const token = await this.token(challenge, url, shown, auth);
        response = await this.request(url, { ...headers, authorization: `Bearer ${token}` }, shown, auth);
        sent = sent || !!basic;
      } else if (basic && !upFront && /^basic\b/i.test(header ?? '')) {
        await response.response.body?.cancel();
        response = await this.request(url, headers, shown, auth, basic);
        sent = response.credentialsSent;
      }
    }
    const answer = response.response;
    if (answer.ok) return answer;
    await answer.body?.cancel();
    if (answer.status === 401 || answer.status === 403) fail('auth', this.refusal(shown, auth, answer.status, sent));
    if (answer.status === 404)
      fail('not-found', `${shown}: ${new URL(answer.url || url).pathname} not found (HTTP 404)`);
    return fail('unreachable', `cannot read ${shown}: HTTP ${answer.status}`);
  }

  /** Why a 401/403 happened, naming where credentials came from (never what they are). */
  private refusal(shown: string, auth: RequestAuth, status: number, sent: boolean, what = ''): string {
    const c = auth.credentials;
    if (c?.type === 'basic' && sent) return `${shown}${what} refused the credentials from ${c.from} (HTTP ${status})`;
    const why =
      c?.type === 'refused'
        ? c.reason
        : c?.type === 'basic'
          ? `the credentials from ${c.from} are not sent to another host`
          : [...auth.missing, "none found in the source's secretRef, Helm's or Docker's client config"].join('; ');
    return `${shown}${what} requires credentials (HTTP ${status}): ${why} (docs/helm.md#credentials)`;
  }

  /**
   * One GET, following redirects by hand so credentials go only where they are for: Basic is set on a URL of the
   * credentials' own origin (or any, with passCredentials), and a redirect elsewhere drops it (and any token).
   */
  private async request(
    url: string,
    headers: Record<string, string>,
    shown: string,
    auth: RequestAuth,
    basic?: ResolvedCredentials & { type: 'basic' },
  ): Promise<{ response: Response; credentialsSent: boolean }> {
    let current = url;
    let credentialsSent = false;
    const first = originOf(url);
    for (let hop = 0; ; hop++) {
      const here = originOf(current);
      const sendBasic = !!basic && (basic.passCredentials || here === auth.origin);
      const extra: Record<string, string> =
        sendBasic && basic ? { authorization: `Basic ${basicToken(basic.username, basic.password)}` } : {};
      // A bearer token is the registry's: it stays on the host it was asked for.
      const kept = here === first ? headers : withoutAuthorization(headers);
      let response: Response;
      try {
        response = await (auth.fetch ?? this.fetchImpl)(current, {
          headers: { ...kept, ...extra },
          signal: AbortSignal.timeout(this.timeoutMs),
          redirect: 'manual',
        });
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        const hint = tlsFailureHint(cause?.code);
        const why =
          (e as Error).name === 'TimeoutError'
            ? `no answer in ${this.timeoutMs / 1000} s`
            : hint
              ? `${hint}; ${tlsSource(auth)}`
              : (cause?.code ?? cause?.message ?? (e as Error).message);
        return fail('unreachable', `cannot reach ${shown}: ${plainText(String(why))}`);
      }
      credentialsSent = credentialsSent || sendBasic;
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || !location) return { response, credentialsSent };
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS) fail('unreachable', `cannot read ${shown}: more than ${MAX_REDIRECTS} redirects`);
      current = new URL(location, current).toString();
    }
  }

  private async token(challenge: Record<string, string>, url: string, shown: string, auth: RequestAuth) {
    const scope =
      challenge.scope ??
      `repository:${/\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(new URL(url).pathname)?.[1] ?? ''}:pull`;
    const basic = auth.credentials?.type === 'basic' ? auth.credentials : undefined;
    const key = `${challenge.realm} ${challenge.service ?? ''} ${scope} ${basic ? basic.from : 'anonymous'}`;
    const known = this.tokens.get(key);
    if (known) return known;
    const realm = new URL(challenge.realm);
    if (challenge.service) realm.searchParams.set('service', challenge.service);
    realm.searchParams.set('scope', scope);
    // The registry names its token service: the registry's credentials go there (docker's and oras' token flow).
    const { response } = await this.request(realm.toString(), {}, shown, { ...auth, origin: realm.origin }, basic);
    if (!response.ok) {
      await response.body?.cancel();
      fail('auth', this.refusal(shown, auth, response.status, !!basic, ' (its token service)'));
    }
    let answer: Record<string, unknown> = {};
    try {
      answer = record(JSON.parse(new TextDecoder().decode(await body(response, 1024 * 1024, shown))));
    } catch (e) {
      if (e instanceof ChartFetchError) throw e;
      fail('auth', `${shown}: its token service did not answer JSON`);
    }
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

  private async json(url: string, shown: string, auth: RequestAuth, accept: string): Promise<unknown> {
    const bytes = await body(await this.get(url, shown, auth, accept), MAX_MANIFEST_BYTES, shown);
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
function body(response: Response, limit: number, shown: string): Promise<Uint8Array> {
  return readLimitedBody(
    response,
    limit,
    shown,
    `${shown}: the answer is larger than ${Math.round(limit / 1024 / 1024)} MiB`,
  );
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters; undefined for any other scheme. */
export function bearerChallenge(header: string | null): Record<string, string> | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const out: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) out[m[1].toLowerCase()] = m[2];
  return out.realm && /^https?:\/\//.test(out.realm) ? out : undefined;
}

/** Loopback registries speak plain HTTP unless TLS settings say otherwise (as `helm push --plain-http` does). */
function isLoopback(host: string): boolean {
  return /^(localhost|127\.[0-9.]+|\[::1\])(:\d+)?$/.test(host);
}

/** Which TLS settings a failed handshake was made with, or where they could be set (docs/helm.md#tls). */
function tlsSource(auth: RequestAuth): string {
  if (auth.tls) return `TLS settings from ${auth.tls.from} (docs/helm.md#tls)`;
  return [
    ...(auth.tlsMissing ? [auth.tlsMissing] : []),
    "no TLS settings found (Flux certSecretRef, Argo CD repository Secret or argocd-tls-certs-cm, Helm's repositories.yaml caFile/certFile/keyFile; docs/helm.md#tls)",
  ].join('; ');
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

function basicToken(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
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
