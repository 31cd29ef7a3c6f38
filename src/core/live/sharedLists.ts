import type { ClusterCapabilities, ClusterReader, ListOutcome, ResourceType, WatchEnd, WatchEvent } from '../ports';

/**
 * A ClusterReader that LISTs each kind in each namespace once for its whole life and hands every later caller the
 * same answer (objects included: callers treat them as read-only). For one CLI run, where many environments on
 * one context need the same scopes (10,000 environments over 100 namespaces: 100 LISTs, not 10,000) and the run
 * is one point in time anyway. Not for the editor, whose live state must stay current (LiveCache does that).
 */
export class SharedListReader implements ClusterReader {
  /** Kept LISTs by namespace ('' for cluster-scoped kinds), then by group/version/resource. */
  private readonly lists = new Map<string, Map<string, Promise<ListOutcome>>>();
  readonly watch?: ClusterReader['watch'];
  readonly capabilities?: () => Promise<ClusterCapabilities | undefined>;
  private capabilitiesRead: Promise<ClusterCapabilities | undefined> | undefined;

  constructor(private readonly inner: ClusterReader) {
    // Asked once per run, like the lists.
    if (inner.capabilities) this.capabilities = () => (this.capabilitiesRead ??= inner.capabilities!());
    if (inner.watch) {
      this.watch = (
        type: ResourceType,
        namespace: string,
        resourceVersion: string,
        onEvent: (event: WatchEvent) => void,
        signal: AbortSignal,
      ): Promise<WatchEnd> => inner.watch!(type, namespace, resourceVersion, onEvent, signal);
    }
  }

  resourceType(group: string, kind: string, version?: string): Promise<ResourceType | undefined> {
    return this.inner.resourceType(group, kind, version);
  }

  list(type: ResourceType, namespace: string): Promise<ListOutcome> {
    let lists = this.lists.get(namespace);
    if (!lists) this.lists.set(namespace, (lists = new Map()));
    const key = `${type.group}/${type.version}/${type.resource}`;
    let pending = lists.get(key);
    if (!pending) {
      const kept = lists;
      pending = this.inner.list(type, namespace);
      // A rejection (the cluster failed as a whole) is not kept: another environment may try again.
      pending.catch(() => {
        if (kept.get(key) === pending) kept.delete(key);
      });
      lists.set(key, pending);
    }
    return pending;
  }

  /**
   * Lets go of the LISTs of `namespace` (callers that hold one keep it): for a run whose caller knows no one will
   * ask for that namespace again (the CLI, once every environment that owns it is checked). A later ask lists it again.
   */
  forget(namespace: string): void {
    this.lists.delete(namespace);
  }
}
