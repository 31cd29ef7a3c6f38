import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { createSecureContext } from 'node:tls';
import { createGunzip, gunzip } from 'node:zlib';
import type { User } from '@kubernetes/client-node/dist/config_types.js';
import { ClusterError } from '../core/live/clusterError';
import { plainText } from '../core/model/untrustedText';
import { type Logger, silentLogger } from '../core/ports';
import type { LoadedKubeConfig } from './kubeConfig';

/** Time allowed for one buffered request, from sending it to the last byte of the body. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/**
 * Largest (inflated) response body. A LIST page holds at most 500 objects (kubectl's page size); at etcd's 1.5 MB
 * object limit a page could in theory reach 750 MB, but real pages are a few MB: 256 MB is generous and still
 * ends an endless response long before memory runs out.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;
/**
 * Buffered requests in flight to one cluster; the rest wait their turn. 10,000 environments once opened a socket
 * each (EMFILE under the usual 1,024 open files); 64 stays far below that and below the API server's own limit of
 * 400 reads in flight, while a server answering in 50 ms still serves 1,000 LISTs a second.
 */
export const DEFAULT_MAX_CONNECTIONS = 64;

/** A buffered request that did not finish within the deadline. */
export class RequestDeadlineError extends Error {
  readonly code = 'GITOPS_DRIFT_DEADLINE';
  constructor(
    readonly path: string,
    readonly timeoutMs: number,
    readonly method = 'GET',
  ) {
    super(`${method} ${path} did not finish within ${timeoutMs / 1000} s`);
    this.name = 'RequestDeadlineError';
  }
}

/** A response body larger than the limit: the request was cut off. */
export class ResponseTooLargeError extends Error {
  readonly code = 'GITOPS_DRIFT_TOO_LARGE';
  constructor(
    readonly path: string,
    readonly maxBytes: number,
    readonly method = 'GET',
  ) {
    super(
      `the response to ${method} ${path} passed ${formatBytes(maxBytes)} and was cut off (limit GITOPS_DRIFT_MAX_RESPONSE_MB)`,
    );
    this.name = 'ResponseTooLargeError';
  }
}

/** Tuning for {@link KubeTransport}. */
export interface KubeTransportOptions {
  /** Retries of a request answered 429 or 5xx (Retry-After is respected). Default 5. */
  maxRetries?: number;
  /** Time allowed for one non-watch request, from sending it to the last body byte (not retried). Default 30 s. */
  requestTimeoutMs?: number;
  /** Largest response body, inflated (a LIST page); bigger ones are cut off. Default 256 MB. */
  maxResponseBytes?: number;
  /** Buffered requests in flight at once to this cluster (watches not counted). Default 64. */
  maxConnections?: number;
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

/** One buffered request: a GET, or a write with its body. */
interface BufferedRequest {
  method: string;
  path: string;
  accept: string;
  body?: { text: string; contentType: string };
  /** Largest response body; default `maxResponseBytes`. */
  maxBytes?: number;
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EADDRNOTAVAIL',
]);
/** A reused keep-alive socket the server had closed: safe to retry a GET once more. */
const TRANSIENT = new Set(['ECONNRESET', 'EPIPE']);
const TLS_ERROR =
  /^(ERR_TLS_|ERR_SSL_|ERR_OSSL|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|EPROTO)/;

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
  private readonly pool: Semaphore;

  constructor(
    private readonly config: LoadedKubeConfig,
    private readonly options: KubeTransportOptions = {},
  ) {
    this.base = new URL(config.cluster.server);
    this.logger = options.logger ?? silentLogger;
    this.pool = new Semaphore(options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
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
      let res: KubeResponse;
      const generation = this.generation;
      try {
        res = await this.fetchOnce({ method: 'GET', path, accept }, signal);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        if (TRANSIENT.has(code) && transientRetries++ < 2 && !signal?.aborted) {
          this.stats.retries++;
          continue;
        }
        throw this.toClusterError(e);
      }
      if (res.status === 401 && !refreshed) {
        refreshed = true;
        this.dropCredentials(generation);
        this.stats.retries++;
        continue;
      }
      if (res.status === 401) throw this.unauthorized();
      if (RETRY_STATUS.has(res.status) && attempt < maxRetries) {
        const wait = retryAfterMs(res.headers['retry-after']) ?? Math.min(8000, 250 * 2 ** attempt);
        this.logger.debug(`GET ${path}: ${res.status}, retry ${attempt + 1}/${maxRetries} in ${wait} ms`);
        this.stats.retries++;
        await (this.options.retryDelay ?? sleep)(wait);
        continue;
      }
      return res;
    }
  }

  /**
   * One write of a single object (server-side apply, DELETE), over the same credentials, keep-alive agent and
   * connection pool as GETs. A 401 re-resolves credentials and sends it once more (the server refused it, so nothing
   * was written); nothing else is retried. Resolves with any HTTP status; rejects with a ClusterError.
   */
  async write(
    method: string,
    path: string,
    body: string,
    contentType: string,
    maxBytes: number,
  ): Promise<KubeResponse> {
    const request: BufferedRequest = {
      method,
      path,
      accept: 'application/json',
      body: { text: body, contentType },
      maxBytes,
    };
    for (let refreshed = false; ; refreshed = true) {
      const generation = this.generation;
      let res: KubeResponse;
      try {
        res = await this.fetchOnce(request, undefined);
      } catch (e) {
        const error = this.toClusterError(e);
        // A response too large for one object is no answer to this request: the server misbehaves.
        if (error instanceof ResponseTooLargeError)
          throw new ClusterError(
            'unreachable',
            `the API server at ${this.server} (context "${this.config.context}"): ${error.message}`,
            this.config.context,
          );
        throw error;
      }
      if (res.status !== 401 || refreshed) return res;
      this.dropCredentials(generation);
      this.stats.retries++;
    }
  }

  /**
   * The ClusterError for a 403 on a request every reader needs (discovery): the credentials were not accepted at
   * all, or there were none.
   */
  refused(path: string, body: Buffer): ClusterError {
    const { context, user } = this.config;
    const said = statusText(body);
    const detail = `GET ${path}: 403 Forbidden${said ? `: ${said}` : ''}`;
    if (!hasCredentials(user, this.config.tokenFiles)) {
      return new ClusterError(
        'unauthorized',
        `the API server at ${this.server} refused anonymous access (context "${context}" has no user credentials): ${detail} — give the context a user with a token, client certificate or credential plugin`,
        context,
      );
    }
    return new ClusterError(
      'unauthorized',
      `the API server at ${this.server} did not accept the credentials of user "${user.name}" (context "${context}") to read its API: ${detail}`,
      context,
    );
  }

  /**
   * Opens a streaming GET (a watch). Resolves with the response, whatever its status, the body already
   * decompressed; rejects with a ClusterError when the cluster cannot be reached or rejects the credentials.
   */
  async stream(
    path: string,
    signal: AbortSignal,
  ): Promise<{ status: number; body: NodeJS.ReadableStream & { destroy(): void } }> {
    let res: IncomingMessage;
    try {
      const generation = this.generation;
      res = await this.send(path, 'application/json', signal);
      if (res.statusCode === 401) {
        res.resume();
        this.dropCredentials(generation);
        res = await this.send(path, 'application/json', signal);
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
    void this.credentials?.then(
      (c) => c.agent.destroy(),
      () => undefined,
    );
    this.credentials = undefined;
  }

  /** The URL and headers of a request for `path`. */
  private async prepare(
    path: string,
    accept: string,
  ): Promise<{ url: URL; headers: Record<string, string>; agent: http.Agent }> {
    if (this.disposed) throw new Error(`the connection to ${this.server} was closed (reader disposed)`);
    const creds = await this.resolveCredentials();
    const url = new URL(path, this.base.href.endsWith('/') ? this.base.href : this.base.href + '/');
    // The server URL may carry a path prefix (a proxy in front of the API server): keep it.
    url.pathname = this.base.pathname.replace(/\/$/, '') + path.split('?')[0];
    const headers: Record<string, string> = { ...creds.headers, Accept: accept, 'User-Agent': 'gitops-drift/0.1.0' };
    if (this.options.compression ?? true) headers['Accept-Encoding'] = 'gzip';
    return { url, headers, agent: creds.agent };
  }

  /** Opens a streaming request (a watch): no deadline, no size limit, not counted against the connection pool. */
  private async send(path: string, accept: string, signal: AbortSignal): Promise<IncomingMessage> {
    const { url, headers, agent } = await this.prepare(path, accept);
    const mod = url.protocol === 'http:' ? http : https;
    this.stats.requests++;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = mod.request(url, { method: 'GET', headers, agent, signal });
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
  }

  /**
   * One buffered request: waits for a connection of the pool, then allows `requestTimeoutMs` from sending to the
   * last body byte and `maxResponseBytes` of (decompressed) body. A server that drips or streams without end is cut
   * off with a message saying which limit it hit.
   */
  private async fetchOnce(request: BufferedRequest, signal: AbortSignal | undefined): Promise<KubeResponse> {
    const { method, path, accept, body: sent } = request;
    const release = await this.pool.acquire(signal);
    try {
      const { url, headers, agent } = await this.prepare(path, accept);
      if (sent)
        Object.assign(headers, {
          'Content-Type': sent.contentType,
          'Content-Length': String(Buffer.byteLength(sent.text)),
        });
      const mod = url.protocol === 'http:' ? http : https;
      const timeoutMs = this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
      const maxBytes = request.maxBytes ?? this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
      this.stats.requests++;
      return await new Promise<KubeResponse>((resolve, reject) => {
        let settled = false;
        const req = mod.request(url, { method, headers, agent, signal });
        const finish = (error: Error | undefined, response?: KubeResponse): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (error) {
            req.destroy();
            reject(error);
          } else resolve(response!);
        };
        const timer = setTimeout(() => finish(new RequestDeadlineError(path, timeoutMs, method)), timeoutMs);
        req.on('error', (e) => finish(e));
        req.on('response', (res) => {
          const gzipped = res.headers['content-encoding'] === 'gzip';
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) return finish(new ResponseTooLargeError(path, maxBytes, method));
            chunks.push(chunk);
          });
          res.on('end', () => {
            const received = Buffer.concat(chunks, size);
            const done = (body: Buffer): void => {
              this.stats.bytes += body.length;
              finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body });
            };
            if (!gzipped) return done(received);
            // Inflated whole, in one job on libuv's thread pool: a stream through a Gunzip costs the main thread a
            // callback per TLS record (about 0.1 s of a 30,000-object check). The limit counts inflated bytes (a
            // gzip bomb is small).
            // Each output chunk is still a callback here: chunks about the size the whole should inflate to.
            const chunkSize = Math.min(Math.max(received.length * 16, 64 * 1024), 32 * 1024 * 1024);
            gunzip(received, { maxOutputLength: maxBytes, chunkSize }, (error, inflated) => {
              if (!error) return done(inflated);
              finish(
                (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
                  ? new ResponseTooLargeError(path, maxBytes, method)
                  : new Error(`the response to ${method} ${path} is not valid gzip (${error.message})`),
              );
            });
          });
          res.on('error', (e) => finish(e));
          res.on('close', () => {
            if (!res.complete)
              finish(
                Object.assign(new Error('the connection closed before the response ended'), { code: 'ECONNRESET' }),
              );
          });
        });
        req.end(sent?.text);
      });
    } finally {
      release();
    }
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
      throw credentialError(this.config, e);
    }
    checkClientTls(this.config, opts);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(opts.headers ?? {}))
      if (value !== undefined) headers[key] = String(value);
    if (opts.auth) headers.Authorization = 'Basic ' + Buffer.from(opts.auth).toString('base64');
    const tokenFile = tokenFiles.get(user.name);
    if (tokenFile && !headers.Authorization) {
      try {
        headers.Authorization = `Bearer ${readFileSync(tokenFile, 'utf8').trim()}`;
      } catch (e) {
        throw new ClusterError(
          'kubeconfig',
          `context "${context}": cannot read tokenFile ${tokenFile}: ${(e as Error).message}`,
          context,
        );
      }
    }
    let agent: http.Agent;
    if (cluster.proxyUrl) {
      // client-node builds proxy agents (HTTP CONNECT, SOCKS) from proxy-url; use its agent as is.
      agent = opts.agent as http.Agent;
    } else {
      const tls = {
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        passphrase: opts.passphrase,
        rejectUnauthorized: opts.rejectUnauthorized,
        servername: opts.servername,
      };
      // No socket limit: the core bounds LISTs in flight, and watches hold a connection each.
      agent =
        this.base.protocol === 'http:'
          ? new http.Agent({ keepAlive: true })
          : new https.Agent({ keepAlive: true, ...tls });
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
    if (e instanceof RequestDeadlineError) {
      return new ClusterError(
        'timeout',
        `the API server at ${this.server} (context "${context}") did not finish answering ${e.method} ${e.path} within ${e.timeoutMs / 1000} s: a stalled server, proxy or network (the limit is GITOPS_DRIFT_REQUEST_TIMEOUT, in seconds)`,
        context,
      );
    }
    if (e instanceof ResponseTooLargeError) return e;
    if (TLS_ERROR.test(code)) {
      return new ClusterError(
        'tls',
        `TLS connection to ${this.server} failed (context "${context}"): ${firstLine(err.message)} — check the cluster's certificate-authority in the kubeconfig`,
        context,
      );
    }
    const what =
      UNREACHABLE.has(code) || TRANSIENT.has(code)
        ? firstLine(err.message)
        : `${code ? code + ': ' : ''}${firstLine(err.message)}`;
    return new ClusterError(
      'unreachable',
      `cannot reach the API server at ${this.server} (context "${context}"): ${what}`,
      context,
    );
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
  return plainText((text || '').trim().split('\n')[0]);
}

/** The ClusterError for a failure to get credentials from client-node. */
function credentialError(config: LoadedKubeConfig, e: unknown): ClusterError {
  const { user, context, cluster, files } = config;
  const err = e as NodeJS.ErrnoException;
  if (isClusterErrorLike(e)) return e as ClusterError;
  if (err.name === 'CredentialPluginTimeout')
    return new ClusterError(
      'timeout',
      `context "${context}": ${err.message} (kubeconfig user "${user.name}"); it was stopped — run it by hand to see what it waits for (the limit is GITOPS_DRIFT_EXEC_TIMEOUT, in seconds)`,
      context,
    );
  if (err.code === 'ENOENT' && err.syscall?.startsWith('spawn')) {
    // kubectl prints the plugin's installHint when its command is missing; so do we.
    const hint = user.exec?.installHint ? ` ${String(user.exec.installHint).trim()}` : '';
    return new ClusterError(
      'kubeconfig',
      `context "${context}": credential plugin "${err.path}" not found.${hint}`,
      context,
    );
  }
  if (err.code === 'ENOENT')
    return new ClusterError(
      'kubeconfig',
      `context "${context}": cannot read ${err.path ?? 'a file the kubeconfig names'}: ${err.message}`,
      context,
    );
  if (err instanceof TypeError && user.exec?.command) {
    // client-node reads `status` of whatever the plugin printed: `{}` or another kind of JSON fails there.
    const plugin = [user.exec.command, ...(user.exec.args ?? [])].join(' ');
    return new ClusterError(
      'unauthorized',
      `context "${context}": credential plugin "${plugin}" (kubeconfig user "${user.name}") did not print an ExecCredential with a status (a token or a client certificate)`,
      context,
    );
  }
  if (/HTTP protocol is not allowed/.test(err.message ?? '')) {
    return new ClusterError(
      'kubeconfig',
      `cluster "${cluster.name}" (context "${context}") has server URL ${cluster.server}, which uses plain http://: the Kubernetes client library refuses it unless the cluster also sets insecure-skip-tls-verify: true, because the credentials would cross the network unencrypted. Use the server's https:// URL${files.length ? ` in ${files.join(', ')}` : ''}`,
      context,
    );
  }
  return new ClusterError(
    'unauthorized',
    `context "${context}": getting credentials for user "${user.name}" failed: ${firstLine(err.message) || 'the credential plugin gave no reason'}`,
    context,
  );
}

function isClusterErrorLike(e: unknown): boolean {
  return e instanceof ClusterError || (e instanceof Error && e.name === 'ClusterError' && 'reason' in e);
}

/**
 * Checks the kubeconfig's client certificate, key and CA before connecting: OpenSSL's complaint about a broken one
 * surfaces at connect time as a TLS error, which reads as if the cluster's certificate were wrong.
 */
function checkClientTls(config: LoadedKubeConfig, opts: https.RequestOptions): void {
  const { user, context, cluster, files } = config;
  const where = files.length ? ` in ${files.join(', ')}` : '';
  if (opts.cert || opts.key) {
    try {
      createSecureContext({ cert: opts.cert, key: opts.key, passphrase: opts.passphrase });
    } catch (e) {
      throw new ClusterError(
        'kubeconfig',
        `the client certificate or key of user "${user.name}"${where} is invalid (context "${context}"): ${firstLine((e as Error).message)}`,
        context,
      );
    }
  }
  if (opts.ca) {
    try {
      createSecureContext({ ca: opts.ca });
    } catch (e) {
      throw new ClusterError(
        'kubeconfig',
        `the certificate-authority of cluster "${cluster.name}"${where} is invalid (context "${context}"): ${firstLine((e as Error).message)}`,
        context,
      );
    }
  }
}

/** Whether a kubeconfig user carries any credential (an empty user means anonymous requests). */
function hasCredentials(user: User, tokenFiles: Map<string, string>): boolean {
  return Boolean(
    user.token ||
    user.username ||
    user.certData ||
    user.certFile ||
    user.exec ||
    user.authProvider ||
    tokenFiles.has(user.name),
  );
}

/** The `message` of a Status body (else a short plain-text body), safe to print. */
export function statusText(body: Buffer): string | undefined {
  const text = body.toString('utf8').trim();
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as { kind?: string; message?: string };
    return parsed.kind === 'Status' && typeof parsed.message === 'string' && parsed.message
      ? plainText(parsed.message)
      : undefined;
  } catch {
    return text.length <= 200 ? plainText(text) : undefined;
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MB` : `${n} bytes`;
}

/** A counting semaphore: at most `limit` holders; the others wait in order. */
class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active < Math.max(1, this.limit)) this.active++;
    else {
      // A released slot is handed to the first waiter as is (`active` unchanged), so no newcomer can slip in between.
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          const i = this.waiting.indexOf(go);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal!.reason ?? new Error('aborted'));
        };
        const go = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        this.waiting.push(go);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
