import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { createGunzip, gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { ClusterError } from '../core/live/clusterError';
import { type Logger, silentLogger } from '../core/ports';
import type { LoadedKubeConfig } from './kubeConfig';

const gunzipAsync = promisify(gunzip);

/** Tuning for {@link KubeTransport}. */
export interface KubeTransportOptions {
  /** Retries of a request answered 429 or 5xx (Retry-After is respected). Default 5. */
  maxRetries?: number;
  /** Time allowed for one non-watch request, headers and body. Default 30 s. */
  requestTimeoutMs?: number;
  /** Ask for gzip bodies (the API server compresses large LISTs). Default true, like kubectl. */
  compression?: boolean;
  /** How to wait before a retry; tests pass one that records. */
  retryDelay?: (ms: number) => Promise<void>;
  logger?: Logger;
}

/** Counters for the benchmark and the log. */
export interface TransportStats {
  /** HTTP requests sent, retries and watches included. */
  requests: number;
  /** Of those, retries after 429/5xx or a dropped keep-alive connection. */
  retries: number;
  /** Response body bytes received (after decompression) for buffered requests. */
  bytes: number;
}

/** A buffered response. */
export interface KubeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Credentials {
  headers: Record<string, string>;
  agent: http.Agent;
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNABORTED', 'EADDRNOTAVAIL']);
/** A reused keep-alive socket the server had closed: safe to retry a GET once more. */
const TRANSIENT = new Set(['ECONNRESET', 'EPIPE']);
const TLS_ERROR = /^(ERR_TLS_|ERR_SSL_|ERR_OSSL|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|EPROTO)/;

/**
 * HTTP(S) to one API server for one kube context, over client-node's kubeconfig handling: TLS material,
 * tokens, client certificates, auth providers and exec plugins are resolved by `KubeConfig` once and reused on
 * a keep-alive agent (client-node itself builds a new agent per request). A 401 re-resolves credentials once
 * (an exec plugin's token may have expired); environment-level failures become one `ClusterError`.
 */
export class KubeTransport {
  readonly stats: TransportStats = { requests: 0, retries: 0, bytes: 0 };
  private credentials: Promise<Credentials> | undefined;
  /** Bumped whenever credentials are dropped, so a burst of 401s re-resolves them once, not once per request. */
  private generation = 0;
  private disposed = false;
  private readonly base: URL;
  private readonly logger: Logger;

  constructor(
    private readonly config: LoadedKubeConfig,
    private readonly options: KubeTransportOptions = {},
  ) {
    this.base = new URL(config.cluster.server);
    this.logger = options.logger ?? silentLogger;
  }

  /** The server URL, for messages. */
  get server(): string {
    return this.config.cluster.server;
  }

  /** GET with retries for 429/5xx; resolves with any final HTTP status, rejects with a ClusterError. */
  async get(path: string, accept = 'application/json', signal?: AbortSignal): Promise<KubeResponse> {
    const maxRetries = this.options.maxRetries ?? 5;
    let refreshed = false;
    let transientRetries = 0;
    for (let attempt = 0; ; attempt++) {
      let res: IncomingMessage;
      let body: Buffer;
      const generation = this.generation;
      try {
        res = await this.send(path, accept, signal, false);
        body = await this.readBody(res);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        if (TRANSIENT.has(code) && transientRetries++ < 2 && !signal?.aborted) {
          this.stats.retries++;
          continue;
        }
        throw this.toClusterError(e);
      }
      if (res.statusCode === 401 && !refreshed) {
        refreshed = true;
        this.dropCredentials(generation);
        this.stats.retries++;
        continue;
      }
      if (res.statusCode === 401) throw this.unauthorized();
      if (RETRY_STATUS.has(res.statusCode ?? 0) && attempt < maxRetries) {
        const wait = retryAfterMs(res.headers['retry-after']) ?? Math.min(8000, 250 * 2 ** attempt);
        this.logger.debug(`GET ${path}: ${res.statusCode}, retry ${attempt + 1}/${maxRetries} in ${wait} ms`);
        this.stats.retries++;
        await (this.options.retryDelay ?? sleep)(wait);
        continue;
      }
      return { status: res.statusCode ?? 0, headers: res.headers, body };
    }
  }

  /**
   * Opens a streaming GET (a watch). Resolves with the response, whatever its status, the body already
   * decompressed; rejects with a ClusterError when the cluster cannot be reached or rejects the credentials.
   */
  async stream(path: string, signal: AbortSignal): Promise<{ status: number; body: NodeJS.ReadableStream & { destroy(): void } }> {
    let res: IncomingMessage;
    try {
      const generation = this.generation;
      res = await this.send(path, 'application/json', signal, true);
      if (res.statusCode === 401) {
        res.resume();
        this.dropCredentials(generation);
        res = await this.send(path, 'application/json', signal, true);
      }
    } catch (e) {
      throw this.toClusterError(e);
    }
    if (res.statusCode === 401) {
      res.resume();
      throw this.unauthorized();
    }
    const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
    return { status: res.statusCode ?? 0, body };
  }

  /** Closes idle keep-alive connections. */
  dispose(): void {
    this.disposed = true;
    void this.credentials?.then((c) => c.agent.destroy(), () => undefined);
    this.credentials = undefined;
  }

  private async send(path: string, accept: string, signal: AbortSignal | undefined, streaming: boolean): Promise<IncomingMessage> {
    if (this.disposed) throw new Error(`the connection to ${this.server} was closed (reader disposed)`);
    const creds = await this.resolveCredentials();
    const url = new URL(path, this.base.href.endsWith('/') ? this.base.href : this.base.href + '/');
    // The server URL may carry a path prefix (a proxy in front of the API server): keep it.
    url.pathname = this.base.pathname.replace(/\/$/, '') + path.split('?')[0];
    const headers: Record<string, string> = { ...creds.headers, Accept: accept, 'User-Agent': 'gitops-drift/0.1.0' };
    if (this.options.compression ?? true) headers['Accept-Encoding'] = 'gzip';
    const mod = url.protocol === 'http:' ? http : https;
    this.stats.requests++;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = mod.request(url, { method: 'GET', headers, agent: creds.agent, signal });
      const timeoutMs = this.options.requestTimeoutMs ?? 30_000;
      const timer = streaming ? undefined : setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })), timeoutMs);
      req.on('response', (res) => {
        if (timer) res.once('close', () => clearTimeout(timer));
        resolve(res);
      });
      req.on('error', (e) => {
        if (timer) clearTimeout(timer);
        reject(e);
      });
      req.end();
    });
  }

  private async readBody(res: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    // Output chunks of 256 KiB instead of zlib's 16 KiB: a LIST of a thousand objects inflates to megabytes, and each
    // chunk is a callback on the main thread.
    if (res.headers['content-encoding'] === 'gzip') body = await gunzipAsync(body, { chunkSize: 256 * 1024 });
    this.stats.bytes += body.length;
    return body;
  }

  /** Forgets the credentials a request used, unless another request already replaced them. */
  private dropCredentials(usedGeneration: number): void {
    if (usedGeneration !== this.generation) return;
    this.generation++;
    this.credentials = undefined;
  }

  private resolveCredentials(): Promise<Credentials> {
    if (!this.credentials) {
      const pending = this.buildCredentials();
      this.credentials = pending;
      // A failure is not cached: the next request tries again (the user may have logged in meanwhile).
      pending.catch(() => {
        if (this.credentials === pending) this.credentials = undefined;
      });
    }
    return this.credentials;
  }

  /** Resolves TLS material and the Authorization header once (running an allowed exec plugin if configured). */
  private async buildCredentials(): Promise<Credentials> {
    const { kc, cluster, user, tokenFiles, context } = this.config;
    const opts: https.RequestOptions = { headers: {} };
    try {
      await kc.applyToHTTPSOptions(opts);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT' && err.syscall?.startsWith('spawn')) {
        // kubectl prints the plugin's installHint when its command is missing; so do we.
        const hint = user.exec?.installHint ? ` ${String(user.exec.installHint).trim()}` : '';
        throw new ClusterError('kubeconfig', `context "${context}": credential plugin "${err.path}" not found.${hint}`, context);
      }
      if (err.code === 'ENOENT') throw new ClusterError('kubeconfig', `context "${context}": cannot read ${err.path ?? 'a file the kubeconfig names'}: ${err.message}`, context);
      throw new ClusterError('unauthorized', `context "${context}": getting credentials for user "${user.name}" failed: ${firstLine(err.message)}`, context);
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(opts.headers ?? {})) if (value !== undefined) headers[key] = String(value);
    if (opts.auth) headers.Authorization = 'Basic ' + Buffer.from(opts.auth).toString('base64');
    const tokenFile = tokenFiles.get(user.name);
    if (tokenFile && !headers.Authorization) {
      try {
        headers.Authorization = `Bearer ${readFileSync(tokenFile, 'utf8').trim()}`;
      } catch (e) {
        throw new ClusterError('kubeconfig', `context "${context}": cannot read tokenFile ${tokenFile}: ${(e as Error).message}`, context);
      }
    }
    let agent: http.Agent;
    if (cluster.proxyUrl) {
      // client-node builds proxy agents (HTTP CONNECT, SOCKS) from proxy-url; use its agent as is.
      agent = opts.agent as http.Agent;
    } else {
      const tls = { ca: opts.ca, cert: opts.cert, key: opts.key, passphrase: opts.passphrase, rejectUnauthorized: opts.rejectUnauthorized, servername: opts.servername };
      // No socket limit: the core bounds LISTs in flight, and watches hold a connection each.
      agent = this.base.protocol === 'http:' ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true, ...tls });
    }
    return { headers, agent };
  }

  private unauthorized(): ClusterError {
    const { context, user } = this.config;
    return new ClusterError(
      'unauthorized',
      `the API server at ${this.server} rejected the credentials of user "${user.name}" (context "${context}"): 401 Unauthorized — the token or certificate has expired or been revoked; log in again or refresh the kubeconfig`,
      context,
    );
  }

  private toClusterError(e: unknown): Error {
    if (e instanceof ClusterError) return e;
    const err = e as NodeJS.ErrnoException;
    if (err.name === 'AbortError') return err;
    const code = err.code ?? '';
    const { context } = this.config;
    if (TLS_ERROR.test(code)) {
      return new ClusterError('tls', `TLS connection to ${this.server} failed (context "${context}"): ${err.message} — check the cluster's certificate-authority in the kubeconfig`, context);
    }
    const what = UNREACHABLE.has(code) || TRANSIENT.has(code) ? firstLine(err.message) : `${code ? code + ': ' : ''}${firstLine(err.message)}`;
    return new ClusterError('unreachable', `cannot reach the API server at ${this.server} (context "${context}"): ${what}`, context);
  }
}

/** Retry-After in ms (seconds or an HTTP date), capped at 60 s; undefined when absent or invalid. */
export function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(60_000, Math.max(0, ms)) : undefined;
}

function firstLine(text: string): string {
  return (text || '').trim().split('\n')[0];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
