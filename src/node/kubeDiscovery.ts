import type { Logger, ResourceType } from '../core/ports';
import { silentLogger } from '../core/ports';
import { type KubeTransport, statusText } from './kubeTransport';
import { plainText } from '../core/model/untrustedText';

/** Aggregated discovery (one request for /api, one for /apis), falling back to the legacy documents. */
const AGGREGATED_ACCEPT = [
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
  'application/json',
].join(',');

interface KindEntry {
  /** Versions that serve the kind, in the group's preference order. */
  types: ResourceType[];
}

interface DiscoveredResource {
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

/** Counters for tests and logs. */
export interface DiscoveryStats {
  loads: number;
  aggregated: boolean;
}

/**
 * Maps group/kind to the resource that serves it, from API discovery, cached. Prefers aggregated discovery
 * (Kubernetes 1.26+: two requests in all) and falls back to one request per group version. A kind it does not
 * know triggers one re-discovery (a CRD may have been installed since), at most every `refreshOnMissMs`
 * (default 30 s, so an editor re-diffing an environment with an uninstalled CRD does not rediscover each time).
 */
export class KubeDiscovery {
  readonly stats: DiscoveryStats = { loads: 0, aggregated: false };
  private index: Promise<Map<string, KindEntry>> | undefined;
  private loadedAt = 0;
  private readonly logger: Logger;

  constructor(
    private readonly transport: KubeTransport,
    private readonly options: { refreshOnMissMs?: number; logger?: Logger } = {},
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  /** The resource type for group/kind, in `version` when served in it, else the preferred version. */
  async resourceType(group: string, kind: string, version?: string): Promise<ResourceType | undefined> {
    let entry = (await this.load()).get(`${group}/${kind}`);
    if (!entry && Date.now() - this.loadedAt >= (this.options.refreshOnMissMs ?? 30_000)) {
      this.invalidate();
      entry = (await this.load()).get(`${group}/${kind}`);
    }
    if (!entry) return undefined;
    return entry.types.find((t) => t.version === version) ?? entry.types[0];
  }

  /**
   * What Helm's `Capabilities.APIVersions` holds against this cluster (action.GetVersionSet): every served group
   * version (`apps/v1`, the core group's `v1`) and each kind in it (`apps/v1/Deployment`), sorted.
   */
  async versionSet(): Promise<string[]> {
    const set = new Set<string>();
    for (const entry of (await this.load()).values())
      for (const t of entry.types) {
        const gv = t.group ? `${t.group}/${t.version}` : t.version;
        set.add(gv);
        set.add(`${gv}/${t.kind}`);
      }
    return [...set].sort();
  }

  /** The server's version (`/version`'s gitVersion, e.g. `v1.35.4`), undefined when it does not say. */
  async serverVersion(): Promise<string | undefined> {
    const doc = await this.fetch('/version', 'application/json').catch(() => undefined);
    return typeof doc?.gitVersion === 'string' ? doc.gitVersion : undefined;
  }

  /** Starts discovery in the background (a failure is left for the first lookup to report). */
  preload(): void {
    this.load().catch(() => undefined);
  }

  /** Forgets the cache: the next lookup discovers again. */
  invalidate(): void {
    this.index = undefined;
  }

  private load(): Promise<Map<string, KindEntry>> {
    if (!this.index) {
      const pending = this.discover();
      this.index = pending;
      pending.then(
        () => (this.loadedAt = Date.now()),
        () => {
          if (this.index === pending) this.index = undefined;
        },
      );
    }
    return this.index;
  }

  private async discover(): Promise<Map<string, KindEntry>> {
    this.stats.loads++;
    const index = new Map<string, KindEntry>();
    const add = (group: string, version: string, r: DiscoveredResource): void => {
      const key = `${group}/${r.kind}`;
      let entry = index.get(key);
      if (!entry) index.set(key, (entry = { types: [] }));
      // Two resources with one kind in a version (rare): keep the first, as kubectl's RESTMapper does.
      if (!entry.types.some((t) => t.version === version))
        entry.types.push({
          group,
          version,
          kind: r.kind,
          resource: r.resource,
          namespaced: r.namespaced,
          verbs: r.verbs,
        });
    };
    const [core, groups] = await Promise.all([
      this.fetch('/api', AGGREGATED_ACCEPT),
      this.fetch('/apis', AGGREGATED_ACCEPT),
    ]);
    if (isAggregated(core) && isAggregated(groups)) {
      this.stats.aggregated = true;
      for (const doc of [core, groups]) {
        for (const item of doc.items ?? []) {
          const group = item.metadata?.name ?? '';
          for (const v of item.versions ?? []) {
            for (const r of v.resources ?? []) {
              const kind = r.responseKind?.kind;
              if (!kind || r.resource.includes('/')) continue;
              add(group, v.version, {
                resource: r.resource,
                kind,
                namespaced: r.scope === 'Namespaced',
                verbs: r.verbs ?? [],
              });
            }
          }
        }
      }
      return index;
    }
    // Legacy discovery: the group list, then each group version's resource list.
    this.stats.aggregated = false;
    const coreDoc = isAggregated(core) ? await this.fetch('/api', 'application/json') : core;
    const groupDoc = isAggregated(groups) ? await this.fetch('/apis', 'application/json') : groups;
    const versions: Array<{ group: string; version: string; path: string }> = [];
    for (const v of (coreDoc as { versions?: string[] }).versions ?? [])
      versions.push({ group: '', version: v, path: `/api/${v}` });
    for (const g of (groupDoc as LegacyGroupList).groups ?? []) {
      // Preferred version first, so the first entry of a kind is the one to use.
      const ordered = [...(g.versions ?? [])].sort(
        (a, b) => Number(b.version === g.preferredVersion?.version) - Number(a.version === g.preferredVersion?.version),
      );
      for (const v of ordered) versions.push({ group: g.name, version: v.version, path: `/apis/${v.groupVersion}` });
    }
    const lists = await Promise.all(
      versions.map(async (v) => {
        try {
          return await this.fetch(v.path, 'application/json');
        } catch (e) {
          // An unavailable aggregated API (say metrics-server) must not hide every other group.
          this.logger.warn(`discovery of ${v.path} failed: ${(e as Error).message}`);
          if ((e as Error).name === 'ClusterError') throw e;
          return undefined;
        }
      }),
    );
    versions.forEach((v, i) => {
      for (const r of (lists[i] as LegacyResourceList | undefined)?.resources ?? []) {
        if (r.name.includes('/')) continue;
        add(v.group, v.version, { resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [] });
      }
    });
    return index;
  }

  private async fetch(path: string, accept: string): Promise<Record<string, unknown>> {
    const res = await this.transport.get(path, accept);
    // Every reader needs /api and /apis: a refusal there is the credentials', not one kind's.
    if (res.status === 403 && (path === '/api' || path === '/apis')) throw this.transport.refused(path, res.body);
    if (res.status !== 200)
      throw new Error(`GET ${path}: HTTP ${res.status}${statusText(res.body) ? `: ${statusText(res.body)}` : ''}`);
    try {
      return JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new Error(
        `GET ${path}: the API server at ${this.transport.server} answered with something that is not JSON (${plainText((e as Error).message)})`,
      );
    }
  }
}

interface AggregatedList {
  kind: 'APIGroupDiscoveryList';
  items?: Array<{
    metadata?: { name?: string };
    versions?: Array<{
      version: string;
      resources?: Array<{ resource: string; responseKind?: { kind?: string }; scope?: string; verbs?: string[] }>;
    }>;
  }>;
}

interface LegacyGroupList {
  groups?: Array<{
    name: string;
    versions?: Array<{ groupVersion: string; version: string }>;
    preferredVersion?: { version: string };
  }>;
}

interface LegacyResourceList {
  resources?: Array<{ name: string; kind: string; namespaced: boolean; verbs?: string[] }>;
}

function isAggregated(doc: Record<string, unknown>): doc is Record<string, unknown> & AggregatedList {
  return doc.kind === 'APIGroupDiscoveryList';
}
