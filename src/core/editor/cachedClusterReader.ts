/**
 * A ClusterReader that answers LISTs from a watch-backed LiveCache: the engine reads live state through it as
 * through any reader, but after the first LIST of a scope no request reaches the API server, and the watches keep
 * the answers current. Discovery goes to the underlying reader (which caches it).
 */
import type { LiveCache } from '../live/liveCache';
import type { ClusterReader, ListOutcome, ResourceType } from '../ports';

/** Serves `list` from `cache`, everything else from `reader`. */
export class CachedClusterReader implements ClusterReader {
  constructor(
    private readonly reader: ClusterReader,
    private readonly cache: LiveCache,
  ) {}

  resourceType(group: string, kind: string, version?: string): Promise<ResourceType | undefined> {
    return this.reader.resourceType(group, kind, version);
  }

  async list(type: ResourceType, namespace: string): Promise<ListOutcome> {
    const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
    // A placeholder object of this kind in this namespace plans exactly this one scope.
    const probe = { apiVersion, kind: type.kind, metadata: { name: '', ...(namespace ? { namespace } : {}) } };
    const state = await this.cache.read([probe], { defaultNamespace: namespace });
    const failure = [...state.failures.values()][0];
    if (failure) {
      if (failure.verdict === 'Forbidden') return { status: 'forbidden', verb: 'list', resource: type.resource, message: failure.message };
      if (failure.verdict === 'UnknownKind') return { status: 'unknownKind' };
      return { status: 'error', message: failure.message };
    }
    const items = [...state.objects.values()].filter((o) => o.kind === type.kind && (!namespace || o.metadata?.namespace === namespace));
    return { status: 'ok', items, resourceVersion: '' };
  }
}
