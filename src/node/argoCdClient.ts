/**
 * The ArgoCdApi port over Argo CD's REST API (`/api/v1`, gRPC-gateway JSON), with a bearer token. TLS as for a
 * kube cluster: the server's CA (`certificate-authority-data`), a client certificate, or `insecure` (no check, as
 * `argocd --insecure`); `plain-text` servers are spoken to over http. Node's https module rather than fetch: fetch
 * takes no CA or client certificate without another package. The token is sent, never logged or put in a message.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { ClusterError } from '../core/live/clusterError';
import type { KubeObject } from '../core/model/resource';
import type { ArgoCdApi, ArgoManagedResource } from '../core/ports';

/** Where and how to reach an Argo CD server. */
export interface ArgoCdServerOptions {
  /** `argocd.example.com`, `localhost:8080` or a full `https://…` URL (a path is kept as the API's root). */
  server: string;
  token: string;
  /** `plain-text`: http. */
  plainText?: boolean;
  /** Skip verifying the server's certificate. */
  insecure?: boolean;
  /** PEM of the CA that signed the server's certificate. */
  ca?: string;
  clientCert?: string;
  clientKey?: string;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  /** Largest response body; default 256 MiB (managed resources of a big Application). */
  maxBytes?: number;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ETIMEDOUT']);
const TLS_ERROR =
  /^(ERR_TLS_|ERR_SSL_|ERR_OSSL|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|EPROTO)/;

/** The server's base URL from how the argocd CLI stores it (host[:port], no scheme) or a full URL. */
export function argoCdBaseUrl(server: string, plainText = false): URL {
  const withScheme = /^https?:\/\//i.test(server) ? server : `${plainText ? 'http' : 'https'}://${server}`;
  const url = new URL(withScheme);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** An ArgoCdApi over one server. */
export function createArgoCdClient(options: ArgoCdServerOptions): ArgoCdApi {
  const base = argoCdBaseUrl(options.server, options.plainText);
  const label = base.host + (base.pathname === '/' ? '' : base.pathname.replace(/\/$/, ''));
  const agent =
    base.protocol === 'https:'
      ? new https.Agent({
          keepAlive: true,
          rejectUnauthorized: !options.insecure,
          ...(options.ca ? { ca: options.ca } : {}),
          ...(options.clientCert ? { cert: options.clientCert } : {}),
          ...(options.clientKey ? { key: options.clientKey } : {}),
        })
      : new http.Agent({ keepAlive: true });

  async function get(path: string): Promise<unknown> {
    const url = new URL(path, base);
    const body = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request(
        url,
        {
          method: 'GET',
          agent,
          headers: { Authorization: `Bearer ${options.token}`, Accept: 'application/json' },
          timeout: options.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > (options.maxBytes ?? 256 * 1024 * 1024)) {
              res.destroy();
              reject(
                new ClusterError('unreachable', `Argo CD at ${label}: the answer to ${url.pathname} is too large`),
              );
            } else chunks.push(c);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      request.on('error', (e: NodeJS.ErrnoException) => {
        const code = e.code ?? '';
        if (TLS_ERROR.test(code))
          reject(
            new ClusterError(
              'tls',
              `TLS connection to Argo CD at ${label} failed: ${e.message.split('\n')[0]} — give its CA (certificate-authority-data in the argocd config) or --insecure`,
            ),
          );
        else if (code === 'ETIMEDOUT')
          reject(new ClusterError('timeout', `Argo CD at ${label} did not answer ${url.pathname} in time`));
        else
          reject(
            new ClusterError(
              'unreachable',
              `cannot reach Argo CD at ${label}: ${UNREACHABLE.has(code) ? code : e.message.split('\n')[0]}`,
            ),
          );
      });
      request.end();
    });
    if (body.status === 401)
      throw new ClusterError(
        'unauthorized',
        `Argo CD at ${label} rejected the token: 401 Unauthorized — it has expired or been revoked; sign in again (argocd login, or GitOps: Sign In to Argo CD…)`,
      );
    let parsed: unknown;
    try {
      parsed = body.text ? JSON.parse(body.text) : {};
    } catch {
      throw new ClusterError(
        'unreachable',
        `Argo CD at ${label} answered ${url.pathname} with something not JSON (HTTP ${body.status})`,
      );
    }
    if (body.status !== 200) {
      const message =
        (parsed as { message?: unknown; error?: unknown }).message ?? (parsed as { error?: unknown }).error;
      const detail = typeof message === 'string' ? message.split('\n')[0].slice(0, 300) : `HTTP ${body.status}`;
      throw new ArgoCdApiError(body.status, `Argo CD at ${label}: ${url.pathname}: ${detail}`);
    }
    return parsed;
  }

  return {
    server: label,
    async applications() {
      const list = (await get('api/v1/applications')) as { items?: unknown };
      return Array.isArray(list.items) ? (list.items as KubeObject[]) : [];
    },
    async managedResources(name: string, appNamespace: string) {
      const query = appNamespace ? `?appNamespace=${encodeURIComponent(appNamespace)}` : '';
      const res = (await get(`api/v1/applications/${encodeURIComponent(name)}/managed-resources${query}`)) as {
        items?: unknown;
      };
      if (!Array.isArray(res.items)) return [];
      return res.items.flatMap((i): ArgoManagedResource[] => {
        const r = (i ?? {}) as Record<string, unknown>;
        const s = (k: string) => (typeof r[k] === 'string' ? (r[k] as string) : undefined);
        if (!s('kind') || !s('name')) return [];
        return [
          {
            group: s('group') ?? '',
            kind: s('kind')!,
            namespace: s('namespace') ?? '',
            name: s('name')!,
            ...(s('targetState') ? { targetState: s('targetState') } : {}),
            ...(s('liveState') ? { liveState: s('liveState') } : {}),
            ...(s('normalizedLiveState') ? { normalizedLiveState: s('normalizedLiveState') } : {}),
            ...(r.hook === true ? { hook: true } : {}),
          },
        ];
      });
    },
  };
}

/** An answer other than 200 or 401 (403 for an Application the token may not read, 404 for none of that name). */
export class ArgoCdApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ArgoCdApiError';
  }
}
