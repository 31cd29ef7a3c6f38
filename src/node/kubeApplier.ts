import { splitApiVersion, type KubeObject } from '../core/model/resource';
import {
  type ApplyConflict,
  type ClusterWriter,
  type Logger,
  type ResourceType,
  silentLogger,
  type WriteOutcome,
} from '../core/ports';
import { collectionPath, type KubeClusterReaderOptions } from './kubeClusterReader';
import { loadKubeConfig, type LoadedKubeConfig } from './kubeConfig';
import { KubeDiscovery } from './kubeDiscovery';
import { withClusterLimits } from './clusterLimits';
import { KubeTransport } from './kubeTransport';
import { plainText } from '../core/model/untrustedText';

/** Largest answer to one write of one object (etcd keeps at most 1.5 MB an object). */
const MAX_WRITE_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * The ClusterWriter for a kube context: the same kubeconfig loading, credentials, transport and discovery as the
 * cluster reader. Rejects with a ClusterError for environment-level failures (no kubeconfig, exec not allowed).
 */
export async function createKubeApplier(given: KubeClusterReaderOptions = {}): Promise<KubeApplier> {
  const options = withClusterLimits(given);
  const config = await loadKubeConfig({
    kubeconfigPath: options.kubeconfigPath,
    env: options.env,
    context: options.context,
    allowExec: options.allowExec,
    execTimeoutMs: options.execTimeoutMs,
  });
  const transport = new KubeTransport(config, options);
  const logger = options.logger ?? silentLogger;
  return new KubeApplier(config, transport, new KubeDiscovery(transport, { logger }), logger);
}

/** Server-side apply, GET and DELETE of single objects over the Kubernetes API, bodies as raw JSON. */
export class KubeApplier implements ClusterWriter {
  constructor(
    private readonly config: LoadedKubeConfig,
    private readonly transport: KubeTransport,
    private readonly discovery: KubeDiscovery,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** The kube context written to. */
  get context(): string {
    return this.config.context;
  }

  async get(apiVersion: string, kind: string, namespace: string, name: string): Promise<WriteOutcome> {
    const path = await this.objectPath(apiVersion, kind, namespace, name);
    if (typeof path !== 'string') return path;
    const res = await this.transport.get(path);
    return outcome(res.status, res.body, kind);
  }

  async apply(
    obj: KubeObject,
    options: { fieldManager: string; dryRun: boolean; force: boolean },
  ): Promise<WriteOutcome> {
    const path = await this.objectPath(obj.apiVersion, obj.kind, obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    if (typeof path !== 'string') return path;
    const query = new URLSearchParams({ fieldManager: options.fieldManager });
    if (options.dryRun) query.set('dryRun', 'All');
    if (options.force) query.set('force', 'true');
    // JSON is YAML: the apply-patch content type takes it as is, with no typed model dropping unknown fields.
    const res = await this.send('PATCH', `${path}?${query}`, JSON.stringify(obj), 'application/apply-patch+yaml');
    this.logger.debug(
      `apply${options.dryRun ? ' (dry-run)' : ''}${options.force ? ' (force)' : ''} ${path}: ${res.status}`,
    );
    return outcome(res.status, res.body, obj.kind);
  }

  async delete(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
    options: { dryRun: boolean },
  ): Promise<WriteOutcome> {
    const path = await this.objectPath(apiVersion, kind, namespace, name);
    if (typeof path !== 'string') return path;
    // With a DeleteOptions body the server takes dryRun from the body and ignores the query: set it in both.
    const deleteOptions = {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background',
      ...(options.dryRun ? { dryRun: ['All'] } : {}),
    };
    const res = await this.send(
      'DELETE',
      path + (options.dryRun ? '?dryRun=All' : ''),
      JSON.stringify(deleteOptions),
      'application/json',
    );
    this.logger.debug(`delete${options.dryRun ? ' (dry-run)' : ''} ${path}: ${res.status}`);
    const out = outcome(res.status, res.body, kind);
    // DELETE answers with the object or a Status; either way the object is (or would be) gone.
    return out.status === 'ok' ? { status: 'ok', object: undefined, created: false } : out;
  }

  /** Closes idle connections. */
  dispose(): void {
    this.transport.dispose();
  }

  private async objectPath(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
  ): Promise<string | WriteOutcome> {
    const { group, version } = splitApiVersion(apiVersion);
    const type: ResourceType | undefined = await this.discovery.resourceType(group, kind, version);
    if (!type) return { status: 'invalid', message: `the cluster does not serve ${kind} in ${apiVersion}` };
    if (!name) return { status: 'invalid', message: `${kind} without metadata.name` };
    if (type.namespaced && !namespace) return { status: 'invalid', message: `${kind} ${name} has no namespace` };
    return `${collectionPath({ ...type, version }, type.namespaced ? namespace : '')}/${encodeURIComponent(name)}`;
  }

  /** A write over the reader's transport: one credential path, agent and connection pool for GET and apply. */
  private send(
    method: string,
    path: string,
    body: string,
    contentType: string,
  ): Promise<{ status: number; body: Buffer }> {
    return this.transport.write(method, path, body, contentType, MAX_WRITE_RESPONSE_BYTES);
  }
}

/** Maps an API response to a WriteOutcome; Status messages are the server's, conflicts are split per field. */
function outcome(status: number, body: Buffer, kind: string): WriteOutcome {
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  if (status === 200 || status === 201)
    return { status: 'ok', object: parsed as KubeObject | undefined, created: status === 201 };
  // Never echo a body that is an object of the requested kind (it could be a Secret): only Status messages.
  const message = plainText(
    parsed?.kind === 'Status' && typeof parsed.message === 'string'
      ? parsed.message
      : parsed
        ? `HTTP ${status}`
        : body.toString('utf8').trim().split('\n')[0] || `HTTP ${status}`,
  );
  switch (status) {
    case 403:
      return { status: 'forbidden', message };
    case 404:
      return { status: 'notFound', message };
    case 409:
      return { status: 'conflict', message, conflicts: conflictsOf(parsed) };
    case 400:
    case 422:
      return { status: 'invalid', message };
    case 401:
      return {
        status: 'error',
        message: `401 Unauthorized for ${kind}: the API server rejected the credentials; log in again`,
      };
    default:
      return { status: 'error', message: `HTTP ${status}: ${message}` };
  }
}

function conflictsOf(status: Record<string, unknown> | undefined): ApplyConflict[] {
  const causes =
    (status?.details as { causes?: { reason?: string; message?: string; field?: string }[] } | undefined)?.causes ?? [];
  return causes
    .filter((c) => c.reason === 'FieldManagerConflict')
    .map((c) => ({
      manager: /conflict with "([^"]+)"/.exec(c.message ?? '')?.[1] ?? 'another manager',
      field: c.field ?? '',
      message: c.message ?? '',
    }));
}
