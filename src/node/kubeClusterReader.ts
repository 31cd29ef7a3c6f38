/**
 * src/node/: the adapters behind the core's ports: the file system (nodeFileSystem, batchFileSystem, regularFile),
 * the cluster (kubeConfig, kubeTransport for every request, kubeDiscovery, kubeClusterReader, kubeApplier,
 * kubeProxy), git (simpleGit) and the snapshot key. It may import the core, never src/cli or src/vscode.
 */
import type { KubeObject } from '../core/model/resource';
import type {
  ClusterCapabilities,
  ClusterReader,
  ListOutcome,
  Logger,
  ResourceType,
  WatchEnd,
  WatchEvent,
} from '../core/ports';
import { silentLogger } from '../core/ports';
import { plainText } from '../core/model/untrustedText';
import { type KubeConfigSource, loadKubeConfig } from './kubeConfig';
import { KubeDiscovery } from './kubeDiscovery';
import { withClusterLimits } from './clusterLimits';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  KubeTransport,
  type KubeTransportOptions,
  ResponseTooLargeError,
  statusText,
  type TransportStats,
} from './kubeTransport';

/** Options for {@link createKubeClusterReader}. */
export interface KubeClusterReaderOptions extends KubeConfigSource, KubeTransportOptions {
  /** Kube context; default the kubeconfig's current-context. */
  context?: string;
  /** Run exec credential plugins (and auth-provider commands) the kubeconfig names. Default false. */
  allowExec?: boolean;
  /** How long a credential plugin may run before it is stopped. Default 60 s. */
  execTimeoutMs?: number;
  /** Items per LIST page (`limit`). Default 500, as kubectl. */
  pageSize?: number;
  /** Server-side watch timeout range (s); a random value in it spreads reconnects. Default [300, 600]. */
  watchTimeoutSeconds?: [number, number];
  logger?: Logger;
}

/**
 * The ClusterReader over a kube context. Create it once per context and reuse it: discovery is cached and
 * connections are kept alive. Rejects with a ClusterError for environment-level failures.
 */
export async function createKubeClusterReader(given: KubeClusterReaderOptions = {}): Promise<KubeClusterReader> {
  const options = withClusterLimits(given);
  const config = await loadKubeConfig({
    kubeconfigPath: options.kubeconfigPath,
    env: options.env,
    context: options.context,
    allowExec: options.allowExec,
    execTimeoutMs: options.execTimeoutMs,
    serviceAccountRoot: options.serviceAccountRoot,
  });
  return new KubeClusterReader(new KubeTransport(config, options), config.context, config.namespace, options);
}

/** A ClusterReader backed by the Kubernetes API: discovery, paginated LIST, watch. */
export class KubeClusterReader implements ClusterReader {
  private readonly discovery: KubeDiscovery;
  private readonly logger: Logger;
  /** LISTs in flight, by path: environments that need the same kind in the same namespace share one. */
  private readonly inflight = new Map<string, Promise<ListOutcome>>();

  constructor(
    private readonly transport: KubeTransport,
    /** The kube context this reader talks to. */
    readonly context: string,
    /** The context's namespace (`default` when it sets none): the default for objects that name none. */
    readonly namespace: string,
    private readonly options: KubeClusterReaderOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.discovery = new KubeDiscovery(transport, { logger: this.logger });
  }

  /** The API server URL. */
  get server(): string {
    return this.transport.server;
  }

  /** Requests made so far (the benchmark reports them). */
  get stats(): Readonly<TransportStats> {
    return this.transport.stats;
  }

  /**
   * Starts discovery (and with it the TLS connection) in the background, so it overlaps work done before the
   * first lookup, such as rendering. Optional; a failure is reported by the first real request.
   */
  preload(): void {
    this.discovery.preload();
  }

  resourceType(group: string, kind: string, version?: string): Promise<ResourceType | undefined> {
    return this.discovery.resourceType(group, kind, version);
  }

  async capabilities(): Promise<ClusterCapabilities | undefined> {
    const [kubeVersion, apiVersions] = await Promise.all([this.discovery.serverVersion(), this.discovery.versionSet()]);
    return kubeVersion ? { kubeVersion, apiVersions } : undefined;
  }

  /**
   * All objects of a kind in a namespace, paged. Concurrent calls for the same collection share one LIST (its
   * objects too: callers treat them as read-only, as they do the live cache's).
   */
  list(type: ResourceType, namespace: string): Promise<ListOutcome> {
    const base = collectionPath(type, namespace);
    let pending = this.inflight.get(base);
    if (!pending) {
      pending = this.listPages(type, base).finally(() => this.inflight.delete(base));
      this.inflight.set(base, pending);
    }
    return pending;
  }

  private async listPages(type: ResourceType, base: string): Promise<ListOutcome> {
    const limit = this.options.pageSize ?? 500;
    const items: KubeObject[] = [];
    let resourceVersion = '';
    let token = '';
    let fullList = false;
    for (;;) {
      const query = fullList ? '' : `?limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
      let res;
      try {
        res = await this.transport.get(base + query);
      } catch (e) {
        if (e instanceof ResponseTooLargeError) return { status: 'error', message: e.message };
        throw e;
      }
      if (res.status === 410 && token) {
        // The continue token expired between pages: list everything in one go, as client-go's pager does.
        this.logger.debug(`LIST ${base}: continue token expired, listing without pagination`);
        items.length = 0;
        token = '';
        resourceVersion = '';
        fullList = true;
        continue;
      }
      if (res.status !== 200) return this.failed(type, res.status, res.body);
      let page: {
        apiVersion?: string;
        metadata?: { resourceVersion?: string; continue?: string };
        items?: KubeObject[];
      };
      try {
        page = JSON.parse(res.body.toString('utf8'));
      } catch (e) {
        return {
          status: 'error',
          message: `unreadable LIST response from ${base}: ${plainText((e as Error).message)}`,
        };
      }
      const apiVersion = page.apiVersion ?? apiVersionOf(type);
      // LIST items carry no apiVersion/kind: the list does. Set them on the objects just parsed (ours alone) rather
      // than copying each object; they land where a copy would put them.
      for (const item of page.items ?? []) {
        item.apiVersion ??= apiVersion;
        item.kind ??= type.kind;
        items.push(item);
      }
      resourceVersion ||= page.metadata?.resourceVersion ?? '';
      const next = page.metadata?.continue ?? '';
      // A server (or proxy) that hands back the same token would page forever.
      if (next && next === token)
        return { status: 'error', message: `LIST ${base} returned the same continue token twice` };
      token = next;
      if (!token || fullList) break;
    }
    return { status: 'ok', items, resourceVersion };
  }

  async watch(
    type: ResourceType,
    namespace: string,
    resourceVersion: string,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<WatchEnd> {
    const [min, max] = this.options.watchTimeoutSeconds ?? [300, 600];
    const timeout = Math.round(min + Math.random() * (max - min));
    const path = `${collectionPath(type, namespace)}?watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion)}&timeoutSeconds=${timeout}`;
    let res;
    try {
      res = await this.transport.stream(path, signal);
    } catch (e) {
      if (signal.aborted) return { status: 'closed' };
      throw e;
    }
    if (res.status !== 200) {
      const chunks: Buffer[] = [];
      for await (const c of res.body) chunks.push(c as Buffer);
      // 404: the kind went away; listing again reports it as unknown.
      if (res.status === 410 || res.status === 404) return { status: 'gone' };
      const failed = this.failed(type, res.status, Buffer.concat(chunks), 'watch');
      return failed.status === 'forbidden'
        ? failed
        : {
            status: 'error',
            message: `watch ${collectionPath(type, namespace)}: ${failed.status === 'error' ? failed.message : `HTTP ${res.status}`}`,
          };
    }
    const apiVersion = apiVersionOf(type);
    try {
      for await (const line of jsonLines(res.body, this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES)) {
        const event = JSON.parse(line) as { type: string; object: KubeObject & { code?: number; message?: string } };
        const object = event.object;
        switch (event.type) {
          case 'ADDED':
          case 'MODIFIED':
          case 'DELETED':
            onEvent({
              type: event.type,
              object: { ...object, apiVersion: object.apiVersion ?? apiVersion, kind: object.kind ?? type.kind },
            });
            break;
          case 'BOOKMARK':
            onEvent({ type: 'BOOKMARK', resourceVersion: String(object.metadata?.resourceVersion ?? resourceVersion) });
            break;
          case 'ERROR':
            res.body.destroy();
            // The server ends a watch whose resourceVersion it no longer has with an ERROR event, code 410.
            if (object.code === 410) return { status: 'gone' };
            return {
              status: 'error',
              message: `watch ${collectionPath(type, namespace)}: ${plainText(String(object.message ?? 'error event'))}`,
            };
        }
      }
    } catch (e) {
      if (signal.aborted) return { status: 'closed' };
      return {
        status: 'error',
        message: `watch ${collectionPath(type, namespace)} broke: ${plainText((e as Error).message)}`,
      };
    }
    return { status: 'closed' };
  }

  /** Closes kept-alive connections. */
  dispose(): void {
    this.transport.dispose();
  }

  private failed(type: ResourceType, status: number, body: Buffer, verb = 'list'): ListOutcome {
    const message = statusMessage(body) ?? `HTTP ${status}`;
    const resource = type.group ? `${type.resource}.${type.group}` : type.resource;
    if (status === 403) return { status: 'forbidden', verb, resource, message };
    if (status === 404) {
      // Discovery said it was served; the CRD was probably deleted since.
      this.discovery.invalidate();
      return { status: 'unknownKind' };
    }
    return { status: 'error', message: `HTTP ${status}: ${message}` };
  }
}

/**
 * The non-empty lines of a stream of newline-delimited JSON (a watch); stream errors propagate. One event is one
 * object: a line longer than `maxBytes` (a server streaming without a line break) ends the watch with an error.
 */
async function* jsonLines(
  body: NodeJS.ReadableStream & { destroy?(): void },
  maxBytes: number,
): AsyncGenerator<string> {
  body.setEncoding('utf8');
  let buffered = '';
  for await (const chunk of body) {
    buffered += chunk as string;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) yield line;
    }
    // What is left has no line break: the start of one event, which must not grow without end.
    if (buffered.length > maxBytes) {
      body.destroy?.();
      throw new Error(
        `a watch event passed ${Math.round(maxBytes / 1024 / 1024)} MB without a line break and was cut off (limit GITOPS_DRIFT_MAX_RESPONSE_MB)`,
      );
    }
  }
  if (buffered.trim()) yield buffered.trim();
}

/** `/apis/apps/v1/namespaces/shop/deployments`, `/api/v1/namespaces`. */
export function collectionPath(type: ResourceType, namespace: string): string {
  const root = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  return type.namespaced && namespace
    ? `${root}/namespaces/${encodeURIComponent(namespace)}/${type.resource}`
    : `${root}/${type.resource}`;
}

function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** The `message` of a Status body, or a short plain-text body, control characters removed; never echoes an object. */
function statusMessage(body: Buffer): string | undefined {
  return statusText(body);
}
