import type { KubeObject } from '../../../src/core/model/resource';
import type { ClusterReader, ListOutcome, ResourceType, WatchEnd, WatchEvent } from '../../../src/core/ports';

/** A watch call the test drives: push events, then end it. */
export interface FakeWatch {
  type: ResourceType;
  namespace: string;
  resourceVersion: string;
  emit(event: WatchEvent): void;
  end(end: WatchEnd): void;
  /** Rejects the watch, as a reader does for a cluster-level failure. */
  fail(error: Error): void;
  signal: AbortSignal;
}

const builtin: ResourceType[] = [
  { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, verbs: ['list', 'watch'] },
  { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false, verbs: ['list', 'watch'] },
  {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    resource: 'deployments',
    namespaced: true,
    verbs: ['list', 'watch'],
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'ClusterRole',
    resource: 'clusterroles',
    namespaced: false,
    verbs: ['list', 'watch'],
  },
];

/**
 * An in-memory ClusterReader: objects by scope, scripted outcomes, a record of every call, and LISTs that
 * can be held open to observe concurrency.
 */
export class FakeClusterReader implements ClusterReader {
  types = [...builtin];
  /** Items per `resource/namespace`. */
  readonly data = new Map<string, KubeObject[]>();
  /** Outcomes (or errors to throw) that replace a LIST of `resource/namespace`. */
  readonly scripted = new Map<string, ListOutcome | Error>();
  readonly lists: string[] = [];
  readonly typeCalls: Array<{ group: string; kind: string; version?: string }> = [];
  inFlight = 0;
  maxInFlight = 0;
  /** When set, each LIST waits for this promise (the test releases it). */
  gate: Promise<void> | undefined;
  rv = 100;
  private readonly watchWaiters: Array<(w: FakeWatch) => void> = [];
  private readonly unclaimed: FakeWatch[] = [];
  watchCalls = 0;

  async resourceType(group: string, kind: string, version?: string): Promise<ResourceType | undefined> {
    this.typeCalls.push({ group, kind, version });
    return this.types.find((t) => t.group === group && t.kind === kind);
  }

  async list(type: ResourceType, namespace: string): Promise<ListOutcome> {
    const scope = `${type.resource}/${namespace}`;
    this.lists.push(scope);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.gate) await this.gate;
      const scripted = this.scripted.get(scope);
      if (scripted instanceof Error) throw scripted;
      if (scripted) return scripted;
      return { status: 'ok', items: [...(this.data.get(scope) ?? [])], resourceVersion: String(this.rv) };
    } finally {
      this.inFlight--;
    }
  }

  watch(
    type: ResourceType,
    namespace: string,
    resourceVersion: string,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<WatchEnd> {
    this.watchCalls++;
    return new Promise<WatchEnd>((resolve, reject) => {
      const w: FakeWatch = { type, namespace, resourceVersion, emit: onEvent, end: resolve, fail: reject, signal };
      signal.addEventListener('abort', () => resolve({ status: 'closed' }), { once: true });
      const waiter = this.watchWaiters.shift();
      if (waiter) waiter(w);
      else this.unclaimed.push(w);
    });
  }

  /** Resolves with the next watch the code under test opens. */
  nextWatch(): Promise<FakeWatch> {
    const w = this.unclaimed.shift();
    if (w) return Promise.resolve(w);
    return new Promise((resolve) => this.watchWaiters.push(resolve));
  }
}

/** A test object. */
export function obj(
  apiVersion: string,
  kind: string,
  name: string,
  namespace?: string,
  extra: Record<string, unknown> = {},
): KubeObject {
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, ...extra };
}

/** A live copy of an object with a resourceVersion. */
export function live(o: KubeObject, resourceVersion: string, namespace?: string): KubeObject {
  return { ...o, metadata: { ...o.metadata, ...(namespace ? { namespace } : {}), resourceVersion } };
}

/** A promise the test resolves by hand. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
